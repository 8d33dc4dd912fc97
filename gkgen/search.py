"""The client-side search index: Pagefind (extended build, which segments Chinese) over the written site.

Only pages that carry ``data-pagefind-body`` (the report pages) are indexed. They are split into shards
(by report year; a year bigger than ``max_pages_per_shard`` is split by province code, then in chunks),
each indexed by its own Pagefind process (two at a time) from a folder of hard links that mirrors the
site's paths, so one process never has to hold the national archive in memory:

    site/pagefind/                  the primary bundle (first shard) with pagefind.js
    site/pagefind/shards/<name>/    every other shard's bundle, merged in the browser with mergeIndex()
    site/pagefind/shards.json       the manifest: each shard's bundle path, page count and content hash

A shard whose pages (and Pagefind version and options) hash the same as in the previous build's manifest
is not re-indexed: its bundle is copied from the previous site folder.
"""

from __future__ import annotations

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

BUNDLE = "pagefind"  # the primary bundle's folder, relative to the site root
SHARDS = "shards"  # other bundles: pagefind/shards/<name>/
MANIFEST = "shards.json"  # pagefind/shards.json
MANIFEST_VERSION = 1
MAX_PAGES_PER_SHARD = 5000  # about 1.6 GB of indexer memory for report-sized Chinese pages
JOBS = 2  # the build machine has two cores; Pagefind's indexer uses one
LANGUAGE = "zh-cn"  # every shard lands in the one language index the search page (lang zh-CN) loads
BODY_MARKER = b"data-pagefind-body"
# A report page: reports/<agency id>/<year>/index.html (model.Report.url). The agency id starts with the
# six-digit region code whose first two digits are the province.
_REPORT_PATH = re.compile(r"^reports/(?P<agency>[^/]+)/(?P<year>\d{4})/index\.html$")
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

    @property
    def pages(self) -> int:
        return sum(len(s.pages) for s in self.shards)


def pagefind_binary() -> Path:
    """The extended Pagefind binary (it segments Chinese); PAGEFIND_BINARY_PATH overrides it."""
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    if override:
        return Path(override)
    try:
        import pagefind_bin_extended
    except ImportError as exc:
        raise SearchIndexError(
            "找不到 Pagefind 扩展版（pagefind_bin_extended），无法生成中文搜索索引；"
            "请运行 pip install 'pagefind[extended]'"
        ) from exc
    try:
        return pagefind_bin_extended.get_executable()
    except FileNotFoundError as exc:
        raise SearchIndexError(f"Pagefind 扩展版安装不完整：{exc}") from exc


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
    """(year, province code) of a report page; ("other", "") for anything else."""
    match = _REPORT_PATH.match(page)
    if not match:
        return ("other", "")
    agency = match.group("agency")
    return (match.group("year"), agency[:2] if agency[:2].isdigit() else "xx")


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


def _digest(site: Path, pages: list[str], salt: str) -> str:
    h = hashlib.sha256(salt.encode())
    for page in pages:
        data = (site / page).read_bytes()
        h.update(f"\0{page}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


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


def _copy_bundle(source: Path, target: Path) -> None:
    """Copy one bundle, leaving out other bundles nested in it (the primary holds shards/ and the manifest)."""
    nested = {SHARDS, MANIFEST} if source.name == BUNDLE else set()
    shutil.copytree(source, target, ignore=lambda d, names: nested & set(names) if Path(d) == source else ())


def _mirror(site: Path, pages: list[str], folder: Path) -> None:
    """A folder with the shard's pages at their site paths: hard links, or copies across file systems."""
    for page in pages:
        src = site / page
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


def index_site(
    site: Path,
    previous: Path | None = None,
    *,
    max_pages_per_shard: int = MAX_PAGES_PER_SHARD,
    jobs: int = JOBS,
    language: str = LANGUAGE,
) -> IndexResult:
    """Write site/pagefind/ (bundles and manifest) for the pages in ``site``.

    ``previous`` is the last built site: shards whose hash is unchanged are copied from it instead of
    being indexed again. Raises SearchIndexError (message in Chinese) when Pagefind fails; the caller
    must then leave the old site in place.
    """
    start = time.monotonic()
    site = site.resolve()
    bundle_root = site / BUNDLE
    if bundle_root.exists():
        shutil.rmtree(bundle_root)
    binary = pagefind_binary()
    salt = json.dumps([MANIFEST_VERSION, pagefind_version(binary), _options(language)])
    planned = plan_shards(find_pages(site), max_pages_per_shard)
    shards = tuple(
        Shard(
            name=name,
            pages=tuple(pages),
            digest=_digest(site, pages, salt),
            bundle=f"{BUNDLE}/" if i == 0 else f"{BUNDLE}/{SHARDS}/{name}/",
        )
        for i, (name, pages) in enumerate(planned)
    )
    old = _previous_bundles(previous.resolve() if previous else None)
    to_index = [s for s in shards if s.digest not in old]
    work = Path(tempfile.mkdtemp(prefix=f".{site.name}.pagefind-", dir=site.parent))
    try:
        outputs = {s.name: work / "out" / s.name for s in shards}
        for shard in to_index:
            _mirror(site, list(shard.pages), work / "src" / shard.name)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [
                pool.submit(_run_pagefind, binary, s.name, work / "src" / s.name, outputs[s.name], language)
                for s in to_index
            ]
            for future in futures:
                future.result()  # re-raises the first failure
        for shard in shards:
            if shard.digest in old:
                _copy_bundle(old[shard.digest], outputs[shard.name])
        # Assemble: the primary first (it becomes site/pagefind/), then the others inside it.
        for shard in shards:
            target = site.joinpath(*PurePosixPath(shard.bundle).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(outputs[shard.name], target)
        bundle_root.mkdir(exist_ok=True)
        manifest = {
            "version": MANIFEST_VERSION,
            "language": language,
            "shards": [
                {"name": s.name, "bundle": s.bundle, "pages": len(s.pages), "hash": s.digest} for s in shards
            ],
        }
        (bundle_root / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return IndexResult(
        shards=shards,
        indexed=tuple(s.name for s in to_index),
        reused=tuple(s.name for s in shards if s.digest in old),
        seconds=time.monotonic() - start,
    )
