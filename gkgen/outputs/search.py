"""The client-side search index: Pagefind (extended build, which segments Chinese) over the written site.

Only pages that carry ``data-pagefind-body`` (the report pages) are indexed. They are split into shards
(by report year; a year bigger than ``max_pages_per_shard`` is split by province code, then in chunks),
each indexed by its own Pagefind process (two at a time) from a folder of hard links that mirrors the
site's paths, so one process never has to hold the national archive in memory:

    site/pagefind/                  the primary bundle (first shard) with pagefind.js
    site/pagefind/shards/<name>/    every other shard's bundle, merged in the browser with mergeIndex()
    site/pagefind/shards.json       the manifest: each shard's bundle path, page count and content hash;
                                    after an incremental build, the stale entries to drop and the filter
                                    values each was indexed with (the search page's counts leave them out)

A shard whose pages (and Pagefind version and options) hash the same as in the previous build's manifest
is not re-indexed: its bundle is copied from the previous site folder.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gkgen.outputs import search_routes, stable_index
from gkgen.site import urls

BUNDLE = urls.SEARCH_INDEX.rstrip("/")  # the primary bundle's folder, relative to the site root
SHARDS = "shards"  # other bundles: pagefind/shards/<name>/
MANIFEST = urls.SEARCH_MANIFEST.removeprefix(urls.SEARCH_INDEX)  # pagefind/shards.json
MANIFEST_VERSION = 3  # 3: the routing table (gkgen.outputs.search_routes)
# Measured on report pages (2 cores): Pagefind extended 1.5.2 needed ~7 ms and ~0.7 MB per page and
# already uses ~1.4 cores by itself; two 500-page runs side by side were only 15% faster than one
# 1000-page run and needed twice the memory. So: one Pagefind at a time. Pagefind 1.6.0 (ICU keeps ~3x
# as many distinct words) peaks at 1.61 GB for 1,000 report pages and 0.65 GB for 400 (BENCHMARKS.md):
# shards of at most 400 pages keep the build under the memory it needed with 1.5.2. A deployment may
# choose otherwise (GKGEN_SHARD_PAGES, index_settings): bigger shards make the first search lighter
# for readers where the build machine has the memory.
MAX_PAGES_PER_SHARD = 400
JOBS = 1
# An incremental build indexes up to this many changed pages into a small delta shard instead of
# re-indexing the big shards that hold them; the browser drops their stale entries (manifest "drop").
DELTA_MAX = 500
DELTA = "delta"
STATE = "pages.json"  # in the build's state folder: what each base shard holds
# Written by the index, made STATE by commit_state() once the site it describes is in place: a build that
# fails after indexing must leave the state of the live site, or the next build could not add a delta.
PENDING = "pages.json.pending"
LANGUAGE = "zh-cn"  # every shard lands in the one language index the search page (lang zh-CN) loads
BODY_MARKER = b"data-pagefind-body"
# Files of a bundle the archive's own search page never loads (Pagefind's ready-made UIs).
_UNUSED = re.compile(r"^pagefind-(component-ui|modular-ui|ui|highlight)\.(js|css)$")


class SearchIndexError(Exception):
    """Indexing failed; the message (Chinese) says why. The site must not be swapped in."""


@dataclass(frozen=True)
class Shard:
    name: str
    pages: tuple[str, ...]  # POSIX paths relative to the site root, sorted
    digest: str  # hash of the pages' paths and bytes, the Pagefind version and the indexing options
    bundle: str  # the bundle folder relative to the site root, ending with "/"


@dataclass(frozen=True)
class IndexResult:
    shards: tuple[Shard, ...]
    indexed: tuple[str, ...]  # names of the shards Pagefind ran for
    reused: tuple[str, ...]  # names of the shards copied from the previous site
    seconds: float
    unchanged: bool = False  # the previous site's pagefind/ is exactly right: nothing was written
    kept: tuple[str, ...] = ()  # bundle folders left as they are in the live site (not in the staging folder)
    kept_routes: tuple[str, ...] = ()  # routing buckets (pagefind/routes/<n>.json) left likewise

    @property
    def pages(self) -> int:
        return sum(len(s.pages) for s in self.shards)


@dataclass(frozen=True)
class IndexSettings:
    max_pages_per_shard: int = MAX_PAGES_PER_SHARD
    jobs: int = JOBS  # Pagefind processes at a time


def index_settings() -> IndexSettings:
    """The shard size and parallelism a deployment chose: GKGEN_SHARD_PAGES, GKGEN_INDEX_JOBS."""
    return IndexSettings(
        _positive_setting("GKGEN_SHARD_PAGES", MAX_PAGES_PER_SHARD),
        _positive_setting("GKGEN_INDEX_JOBS", JOBS),
    )


def _positive_setting(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise SearchIndexError(f"环境变量 {name}={raw!r} 无效：须为正整数（不设置时为 {default}）")
    return int(raw)


# Pagefind 1.6.0 from the npm registry (package.json, installed by `make setup` with npm ci): it segments
# Chinese at index time with ICU4X, as the browser's Intl.Segmenter segments the query, so a word is
# cut the same way on both sides (1.5.2, the newest on PyPI, used jieba: upstream issue #1237).
PAGEFIND_NPM_BINARY = ("node_modules", "@pagefind", "linux-x64", "bin", "pagefind_extended")
PAGEFIND_VERSION = "1.6.0"


def _npm_roots() -> list[Path]:
    """Where node_modules/ may be: the current folder and its parents, then the checkout gkgen runs from."""
    here = Path.cwd().resolve()
    roots = [here, *here.parents, Path(__file__).resolve().parents[2]]
    return list(dict.fromkeys(roots))


def pagefind_binary() -> Path:
    """Pagefind extended 1.6.0 (it segments Chinese) from node_modules; PAGEFIND_BINARY_PATH overrides it."""
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    if override:
        path = Path(override)
        if not path.is_file():
            raise SearchIndexError(
                f"PAGEFIND_BINARY_PATH 指向的文件不存在：{path}（PAGEFIND_BINARY_PATH does not name a file）"
            )
        return path
    for root in _npm_roots():
        path = root.joinpath(*PAGEFIND_NPM_BINARY)
        if path.is_file():
            return path
    raise SearchIndexError(
        f"找不到 Pagefind 扩展版 {PAGEFIND_VERSION}（node_modules/@pagefind/linux-x64/bin/pagefind_extended），"
        "无法生成中文搜索索引：请在仓库目录运行 make setup（即 npm ci），或用 PAGEFIND_BINARY_PATH 指定它。"
        f"\n  Pagefind extended {PAGEFIND_VERSION} not found: run `make setup` (npm ci) in the repository, "
        "or set PAGEFIND_BINARY_PATH."
    )


def pagefind_version(binary: Path) -> str:
    try:
        done = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SearchIndexError(f"无法运行 Pagefind（{binary}）：{exc}") from exc
    return done.stdout.strip()


def find_pages(site: Path) -> list[str]:
    """HTML files (outside the bundle) that carry data-pagefind-body: the pages the index is made of."""
    pages = []
    for dirpath, dirs, files in os.walk(site):
        rel_dir = Path(dirpath).relative_to(site)
        if rel_dir == Path("."):
            dirs[:] = [d for d in dirs if d != BUNDLE]
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".html"):
                path = Path(dirpath, name)
                if BODY_MARKER in path.read_bytes():
                    pages.append((rel_dir / name).as_posix())
    return sorted(pages)


def _shard_key(page: str) -> tuple[str, str]:
    """(year, province code) of a report page; ("other", "") for anything else. The agency id starts with
    the six-digit region code whose first two digits are the province."""
    found = urls.report_of_path(page)
    if found is None:
        return ("other", "")
    agency, year = found
    return (str(year), agency[:2] if agency[:2].isdigit() else "xx")


def _pack(items: list[tuple[str, list[str]]], cap: int) -> list[tuple[str, list[str]]]:
    """Join neighbouring items while the total stays within cap: [("2019", a), ("2020", b)] → "2019_2020"."""
    packed: list[tuple[str, list[str]]] = []
    first = last = ""
    pages: list[str] = []
    for label, ps in items:
        if pages and len(pages) + len(ps) > cap:
            packed.append((first if first == last else f"{first}_{last}", pages))
            pages = []
        if not pages:
            first = label
        last = label
        pages = pages + ps
    if pages:
        packed.append((first if first == last else f"{first}_{last}", pages))
    return packed


def plan_shards(
    pages: Iterable[str], max_pages_per_shard: int = MAX_PAGES_PER_SHARD
) -> list[tuple[str, list[str]]]:
    """Group pages into named shards of at most max_pages_per_shard pages.

    Years are the unit: neighbouring years are packed together while they fit ("2019_2022"); a year
    too big for one shard is split by province, provinces packed the same way ("2021-11_35"), and a
    province too big for one shard is cut into equal chunks ("2021-41-1"). A new report changes only
    its own shard (and the packing after it) as long as its year and province stay below the cap.
    """
    cap = max_pages_per_shard
    if cap < 1:
        raise ValueError("max_pages_per_shard must be at least 1")
    by_year: dict[str, dict[str, list[str]]] = {}
    for page in sorted(pages):
        year, province = _shard_key(page)
        by_year.setdefault(year, {}).setdefault(province, []).append(page)
    shards: list[tuple[str, list[str]]] = []
    small_years: list[tuple[str, list[str]]] = []
    for year, by_province in sorted(by_year.items()):
        year_pages = [p for _, ps in sorted(by_province.items()) for p in ps]
        if len(year_pages) <= cap:
            small_years.append((year, year_pages))
            continue
        shards += _pack(small_years, cap)
        small_years = []
        small_provinces: list[tuple[str, list[str]]] = []
        for province, ps in sorted(by_province.items()):
            if len(ps) <= cap:
                small_provinces.append((province, ps))
                continue
            shards += [(f"{year}-{label}", group) for label, group in _pack(small_provinces, cap)]
            small_provinces = []
            count = -(-len(ps) // cap)
            size = -(-len(ps) // count)  # equal chunks
            shards += [(f"{year}-{province}-{i + 1}", ps[i * size : (i + 1) * size]) for i in range(count)]
        shards += [(f"{year}-{label}", group) for label, group in _pack(small_provinces, cap)]
    shards += _pack(small_years, cap)
    return shards


def _options(language: str) -> list[str]:
    return ["--force-language", language]


def _previous_bundles(previous: Path | None) -> dict[str, Path]:
    """digest → bundle folder in the previous site, for bundles that are still there."""
    if previous is None:
        return {}
    try:
        manifest = json.loads((previous / BUNDLE / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(manifest, dict) or manifest.get("version") != MANIFEST_VERSION:
        return {}
    found = {}
    for shard in manifest.get("shards", []):
        try:
            bundle = previous.joinpath(*PurePosixPath(shard["bundle"]).parts)
            if (bundle / "pagefind-entry.json").is_file():
                found[shard["hash"]] = bundle
        except (KeyError, TypeError):
            continue
    return found


def _mirror(roots: tuple[Path, ...], pages: list[str], folder: Path) -> None:
    """A folder with the shard's pages at their site paths: hard links, or copies across file systems."""
    for page in pages:
        src = next((r / page for r in roots if (r / page).is_file()), roots[0] / page)
        dst = folder.joinpath(*PurePosixPath(page).parts)
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)


def _run_pagefind(binary: Path, name: str, source: Path, output: Path, language: str) -> None:
    command = [str(binary), "--site", str(source), "--output-path", str(output), *_options(language)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace")
    except OSError as exc:
        raise SearchIndexError(f"无法运行 Pagefind（{binary}）：{exc}") from exc
    if done.returncode != 0 or not (output / "pagefind-entry.json").is_file():
        log = (done.stderr.strip() or done.stdout.strip()).splitlines()[-8:]
        detail = "\n  ".join(log) if log else f"退出码 {done.returncode}"
        raise SearchIndexError(
            f"搜索索引生成失败（分片 {name}，Pagefind 退出码 {done.returncode}）：\n  {detail}"
        )
    for path in output.iterdir():
        if _UNUSED.match(path.name):
            path.unlink()
    try:
        stable_index.normalise(output)  # same pages, same bytes (Pagefind 1.5.2 writes filters in hash order)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SearchIndexError(
            f"无法整理 Pagefind 的输出（分片 {name}）：{type(exc).__name__}: {exc}"
        ) from exc


def kept_files(files: Iterable[str], kept: Iterable[str], kept_routes: Iterable[str] = ()) -> list[str]:
    """Of the previous build's files under pagefind/, those in the bundles ``kept`` in place (the
    primary bundle's own files, not the manifest or the nested shards, belong to ``pagefind/``) and the
    routing buckets ``kept_routes``."""
    bundles = set(kept)
    routes = {f"{BUNDLE}/{search_routes.ROUTES}/{name}" for name in kept_routes}
    found = []
    for rel in files:
        parts = rel.split("/")
        if rel in routes:
            found.append(rel)
            continue
        if parts[0] != BUNDLE or rel == f"{BUNDLE}/{MANIFEST}" or parts[1] == search_routes.ROUTES:
            continue  # the manifest is written anew by every index, the routing buckets when they change
        nested = len(parts) > 3 and parts[1] == SHARDS
        if (f"{BUNDLE}/{SHARDS}/{parts[2]}/" if nested else f"{BUNDLE}/") in bundles:
            found.append(rel)
    return found


def _fragment_ids(bundle: Path) -> dict[str, str]:
    """Page path → Pagefind result id (its fragment's name), read from a bundle's fragments."""
    ids = {}
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        url = json.loads(data)["url"]
        ids[urls.output_path(url.lstrip("/"))] = fragment.name.removesuffix(".pf_fragment")
    return ids


def _fragment_filters(bundle: Path, result_id: str) -> dict[str, list[str]]:
    """The filter values a page was indexed with, from its fragment in ``bundle``."""
    try:
        data = gzip.decompress((bundle / "fragment" / f"{result_id}.pf_fragment").read_bytes())
        filters = json.loads(data.removeprefix(b"pagefind_dcd")).get("filters", {})
    except (OSError, ValueError):
        return {}
    return {key: sorted(values) for key, values in sorted(filters.items()) if isinstance(values, list)}


def _link_tree(source: Path, target: Path, skip: set[str] = frozenset()) -> None:
    """Hard-link a bundle into place (same bytes and mtime; copies across file systems)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(
        source,
        target,
        copy_function=link,
        ignore=lambda d, names: skip & set(names) if Path(d) == source else (),
    )


def _read_state(state_dir: Path | None, previous: Path | None) -> dict | None:
    """What the base shards of the previous site hold, if it matches that site's manifest."""
    if state_dir is None or previous is None:
        return None
    try:
        state = json.loads((state_dir / STATE).read_text(encoding="utf-8"))
        manifest = (previous / BUNDLE / MANIFEST).read_bytes()
    except (OSError, ValueError):
        return None
    if state.get("manifest") != hashlib.sha256(manifest).hexdigest():
        return None
    return state


def index_site(
    site: Path,
    previous: Path | None = None,
    *,
    pages: dict[str, str] | None = None,
    state_dir: Path | None = None,
    unchanged: Path | None = None,
    max_pages_per_shard: int = MAX_PAGES_PER_SHARD,
    jobs: int = JOBS,
    language: str = LANGUAGE,
    delta_max: int = DELTA_MAX,
) -> IndexResult:
    """Write site/pagefind/ (bundles and manifest) for the pages in ``site``.

    ``pages`` maps each page to index to a digest of its content (the build knows them); without it the
    site is scanned and hashed. A page not in ``site`` is read from ``unchanged`` (the live site, when
    the build wrote only what changed). ``previous`` is the last built site: shards whose pages are unchanged are
    linked from it instead of being indexed again. With ``state_dir`` (kept between builds), up to
    ``delta_max`` changed pages go into a small delta shard and the big shards are kept as they were;
    the manifest lists their stale entries for the search page to drop; that state becomes the one the next
    build starts from only when the build calls ``commit_state`` (the site is live). Raises SearchIndexError
    (message in Chinese) when Pagefind fails; the caller must then leave the old site in place.
    """
    start = time.monotonic()
    site = site.resolve()
    previous = previous.resolve() if previous else None
    bundle_root = site / BUNDLE
    if bundle_root.exists():
        shutil.rmtree(bundle_root)
    binary = pagefind_binary()
    salt = json.dumps([MANIFEST_VERSION, pagefind_version(binary), _options(language), stable_index.VERSION])
    if pages is None:
        pages = {p: hashlib.sha256((site / p).read_bytes()).hexdigest() for p in find_pages(site)}
    if state_dir is not None:
        (state_dir / PENDING).unlink(missing_ok=True)  # left by a build that failed later on
    state = _read_state(state_dir, previous)
    if state is not None and state.get("max_pages_per_shard") != max_pages_per_shard:
        state = None  # the shard size was changed: plan the shards anew (unchanged ones are still reused)
    work = Path(tempfile.mkdtemp(prefix=f".{site.name}.pagefind-", dir=site.parent))
    roots = (site, unchanged.resolve()) if unchanged else (site,)
    try:
        if state is not None:
            delta = _try_delta(roots, previous, pages, state, salt, binary, work, language, delta_max)
            if delta is not None:
                return _finish(site, state_dir, delta, start, max_pages_per_shard, previous)
        result = _full(roots, previous, pages, salt, binary, work, language, max_pages_per_shard, jobs)
        return _finish(site, state_dir, result, start, max_pages_per_shard, previous)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def commit_state(state_dir: Path) -> None:
    """The site the last index_site() wrote is now live: its state is the one the next build starts from."""
    pending = state_dir / PENDING
    if pending.is_file():
        os.replace(pending, state_dir / STATE)


@dataclass
class _Outcome:
    shards: list[Shard]
    indexed: list[str]
    reused: list[str]
    base: dict[str, list[str]]  # page → [shard, digest, result id] for pages in the base shards
    drop: list[str]  # result ids of stale base entries (pages now in the delta shard, or removed)
    dropped_filters: dict[str, dict[str, list[str]]]  # their filter values, for the counts in the browser
    delta: dict[str, str]  # page → digest of the pages in the delta shard
    unchanged: bool = False
    kept: tuple[str, ...] = ()  # bundles left in place in the live site


def _shard_digest(pages: dict[str, str], names: Iterable[str], salt: str) -> str:
    h = hashlib.sha256(salt.encode())
    for page in sorted(names):
        h.update(f"\0{page}\0{pages[page]}".encode())
    return h.hexdigest()


def _index(
    binary: Path, roots: tuple[Path, ...], work: Path, jobs: int, language: str, todo: list[Shard]
) -> dict[str, Path]:
    outputs = {s.name: work / "out" / s.name for s in todo}
    for shard in todo:
        _mirror(roots, list(shard.pages), work / "src" / shard.name)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [
            pool.submit(_run_pagefind, binary, s.name, work / "src" / s.name, outputs[s.name], language)
            for s in todo
        ]
        for future in futures:
            future.result()  # re-raises the first failure
    return outputs


def _place(site: Path, shard: Shard, source: Path, *, link: bool) -> None:
    target = site.joinpath(*PurePosixPath(shard.bundle).parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    nested = {SHARDS, MANIFEST, search_routes.ROUTES} if source.name == BUNDLE else set()
    if link:
        _link_tree(source, target, nested)
    else:
        shutil.move(source, target)


def _full(roots, previous, pages, salt, binary, work, language, cap, jobs) -> _Outcome:
    """Plan the shards anew; index those whose pages changed, link the others from the previous site."""
    planned = plan_shards(pages, cap)
    shards = [
        Shard(
            name,
            tuple(ps),
            _shard_digest(pages, ps, salt),
            f"{BUNDLE}/" if i == 0 else f"{BUNDLE}/{SHARDS}/{name}/",
        )
        for i, (name, ps) in enumerate(planned)
    ]
    old = _previous_bundles(previous)
    todo = [s for s in shards if s.digest not in old]
    outputs = _index(binary, roots, work, jobs, language, todo)
    site = roots[0]
    base: dict[str, list[str]] = {}
    for shard in shards:  # the primary first: it becomes site/pagefind/, the others go inside it
        fresh = shard.digest not in old
        source = outputs[shard.name] if fresh else old[shard.digest]
        ids = _fragment_ids(source)
        _place(site, shard, source, link=not fresh)
        for page in shard.pages:
            base[page] = [shard.name, pages[page], ids.get(page, "")]
    return _Outcome(
        shards, [s.name for s in todo], [s.name for s in shards if s.digest in old], base, [], {}, {}
    )


def _try_delta(roots, previous, pages, state, salt, binary, work, language, delta_max) -> _Outcome | None:
    """Keep the previous base shards; index only the pages changed since they were built, as a delta shard."""
    site = roots[0]
    base = state["base"]
    changed = sorted(p for p in pages if p not in base or base[p][1] != pages[p])
    removed = sorted(p for p in base if p not in pages)
    if len(changed) + len(removed) > delta_max:
        return None
    manifest = json.loads((previous / BUNDLE / MANIFEST).read_text(encoding="utf-8"))
    stale = {base[p][2]: base[p][0] for p in (*changed, *removed) if p in base and base[p][2]}
    drop = sorted(stale)
    old_delta = next((s for s in manifest["shards"] if s["name"] == DELTA), None)
    delta_digest = _shard_digest(pages, changed, salt) if changed else None
    base_shards = [s for s in manifest["shards"] if s["name"] != DELTA]
    sources = [previous.joinpath(*PurePosixPath(s["bundle"]).parts) for s in base_shards]
    if not base_shards or not all((src / "pagefind-entry.json").is_file() for src in sources):
        return None
    bundles = {s["name"]: src for s, src in zip(base_shards, sources, strict=True)}
    dropped_filters = {
        i: _fragment_filters(bundles[shard], i) if shard in bundles else {}
        for i, shard in sorted(stale.items())
    }
    if (
        manifest.get("drop") == drop
        and manifest.get("dropped_filters") == dropped_filters
        and (old_delta["hash"] if old_delta else None) == delta_digest
    ):
        return _Outcome([], [], [], base, drop, dropped_filters, {}, unchanged=True)
    held: dict[str, list[str]] = {}
    for page, (shard_name, _digest, _id) in base.items():
        held.setdefault(shard_name, []).append(page)
    shards = [
        Shard(s["name"], tuple(sorted(held.get(s["name"], ()))), s["hash"], s["bundle"]) for s in base_shards
    ]
    # When the build keeps the live site's files (only what changed goes to the staging folder), the
    # base shards are not touched here: they are kept like any unchanged output, and the writer
    # hard-links them into the new site once, at commit (gkgen.outputs.write), instead of here and again there.
    in_place = len(roots) > 1 and roots[1] == previous
    kept: list[str] = []
    for shard, source in zip(shards, sources, strict=True):
        if in_place:
            kept.append(shard.bundle)
        else:
            _place(site, shard, source, link=True)
    indexed: list[str] = []
    reused = [s.name for s in shards]
    if changed:
        delta = Shard(
            DELTA, tuple(changed), _shard_digest(pages, changed, salt), f"{BUNDLE}/{SHARDS}/{DELTA}/"
        )
        old = _previous_bundles(previous)
        if delta.digest in old and in_place and old[delta.digest] == previous / BUNDLE / SHARDS / DELTA:
            kept.append(delta.bundle)
            reused.append(DELTA)
        elif delta.digest in old:
            _place(site, delta, old[delta.digest], link=True)
            reused.append(DELTA)
        else:
            outputs = _index(binary, roots, work, 1, language, [delta])
            _place(site, delta, outputs[DELTA], link=False)
            indexed.append(DELTA)
        shards.append(delta)
    return _Outcome(
        shards, indexed, reused, base, drop, dropped_filters, {p: pages[p] for p in changed}, kept=tuple(kept)
    )


def _routes(
    site: Path, previous: Path | None, state_dir: Path | None, outcome: _Outcome
) -> tuple[dict, list[str]]:
    """The routing table of the shards (gkgen.outputs.search_routes), written into site/pagefind/routes/;
    when the base shards stay in place in the live site, so do the buckets whose bytes are unchanged."""

    def words(shard: Shard) -> set[str]:
        home = previous if shard.bundle in outcome.kept and previous is not None else site
        bundle = home.joinpath(*PurePosixPath(shard.bundle).parts)
        try:
            return search_routes.shard_words(bundle, shard.digest, state_dir)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SearchIndexError(
                f"无法读取分片 {shard.name} 的索引词表：{type(exc).__name__}: {exc}"
            ) from exc

    search_routes.prune_cache(state_dir, {s.digest for s in outcome.shards})
    in_place = bool(outcome.kept) and previous is not None
    has_delta = bool(outcome.shards) and outcome.shards[-1].name == DELTA
    base = outcome.shards[:-1] if has_delta else outcome.shards
    return search_routes.write_routes(
        site / BUNDLE,
        (words(s) for s in base),  # one shard's words at a time: 250 sets of ~15,000 words at 100,000 reports
        words(outcome.shards[-1]) if has_delta else None,
        previous / BUNDLE if in_place else None,
    )


def _finish(
    site: Path,
    state_dir: Path | None,
    outcome: _Outcome,
    start: float,
    cap: int,
    previous: Path | None = None,
) -> IndexResult:
    if outcome.unchanged:
        return IndexResult((), (), (), time.monotonic() - start, unchanged=True)
    bundle_root = site / BUNDLE
    bundle_root.mkdir(exist_ok=True)
    routes, kept_routes = _routes(site, previous, state_dir, outcome)
    manifest = {
        "version": MANIFEST_VERSION,
        "language": LANGUAGE,
        "shards": [
            {"name": s.name, "bundle": s.bundle, "pages": len(s.pages), "hash": s.digest}
            for s in outcome.shards
        ],
        "drop": outcome.drop,
        "dropped_filters": outcome.dropped_filters,
        "routes": routes,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    (bundle_root / MANIFEST).write_text(text, encoding="utf-8")
    if state_dir is not None:
        state_dir.mkdir(parents=True, exist_ok=True)
        state = {
            "manifest": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "base": outcome.base,
            "max_pages_per_shard": cap,
        }
        tmp = state_dir / f"{PENDING}.tmp"
        tmp.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
        os.replace(tmp, state_dir / PENDING)
    return IndexResult(
        shards=tuple(outcome.shards),
        indexed=tuple(outcome.indexed),
        reused=tuple(outcome.reused),
        seconds=time.monotonic() - start,
        kept=outcome.kept,
        kept_routes=tuple(kept_routes),
    )
