"""The pipeline, in one place:

    content/ ─ discover ─ load ─ validate ─ link ─ render ─ write ─ index ─ exports ─▶ site/

``check`` is discover + load + validate + link (gkgen.gather; no rendering); ``build``
gathers and validates everything first, then renders into a staging folder that
replaces the site only when every step succeeded. ``_pipeline`` below reads top to
bottom as that sequence; what it calls:

- gkgen.gather: the archive in memory (Zola's ``Site::load``), reusing unchanged reports;
- gkgen.workers: the pool of worker processes that load reports and render their pages,
  each given the configured templates and the registry once, when it starts;
- gkgen.site.pages: every other page, each declaring what it shows (gkgen.site.page.Page);
- gkgen.incremental.reuse: keep or render each output, given the digest of its inputs;
- gkgen.outputs: the staging writer, the exports, the search index.

The caches that make a build incremental are described in docs/architecture.md
("The build and its caches").
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import TextIO

from gkgen import workers
from gkgen.content import files, history
from gkgen.content.diagnostics import Collector, Diagnostic, report, visible
from gkgen.content.validate import build_date
from gkgen.gather import Inputs, Loaded, Stats, jobs, load_archive, max_year, read_inputs, work_context
from gkgen.incremental import cache
from gkgen.incremental.reuse import Keys, Reuse
from gkgen.model import Archive
from gkgen.outputs import datasets, lock, search, write
from gkgen.outputs.write import SiteWriter, checkpoint
from gkgen.site import furniture, pages, urls
from gkgen.site.assets import Assets
from gkgen.site.render import TEMPLATES, Renderer

__all__ = ["Inputs", "Loaded", "Stats", "build", "check", "load_archive", "max_year", "read_inputs"]

CHUNK = workers.CHUNK


def summary(archive: Archive, collector: Collector) -> str:
    acknowledged = sum(1 for r in archive.reports for f in r.findings if f.acknowledged)
    unchecked = sum(len(r.unchecked) for r in archive.reports)
    bodies = len({r.agency.id for r in archive.reports})
    return (
        f"{len(archive.reports)} 份报告，{bodies} 个机构，{acknowledged} 处已登记的勾稽关系不符，"
        f"{unchecked} 项规则因空白单元格无法核对，{len(collector.warnings)} 个警告"
    )


def check(root: Path, stream: TextIO | None = None) -> int:
    """Load + validate + model, no rendering; print every diagnostic and a summary."""
    stream = stream or sys.stderr  # looked up now, not at import: a caller may have replaced it
    inputs = read_inputs(root)
    with workers.Pool(work_context(root, inputs), jobs()) as pool:
        loaded = load_archive(root, inputs, pool=pool)
    report(loaded.diagnostics.sorted(), stream)
    if loaded.archive is None:
        print(f"检查未通过：{len(loaded.diagnostics.errors)} 个错误", file=stream)
        return 1
    print(f"检查通过：{summary(loaded.archive, loaded.diagnostics)}", file=stream)
    return 0


def build(
    root: Path,
    out: Path,
    *,
    base_url: str | None = None,
    stream: TextIO | None = None,
    incremental: bool = True,
    stats: Stats | None = None,
) -> int:
    stream = stream or sys.stderr
    stats = stats if stats is not None else Stats()
    try:
        settings = search.index_settings()
    except search.SearchIndexError as exc:
        print(f"构建失败：{visible(str(exc))}；网站未改动", file=stream)
        return 1
    committed = files.committed_cache_problems(root, cache.CACHE_DIR)
    if committed:  # before anything reads the cache
        report(committed, stream)
        print(f"构建失败：{len(committed)} 个错误；网站未改动", file=stream)
        return 1
    request = Request(root, out, base_url, stream, incremental, stats, settings)
    # One build at a time per archive cache and per output (see gkgen.outputs.lock); a second one waits.
    locks = [root / cache.CACHE_DIR / "build.lock", lock.output_lock(out)]
    try:
        with lock.exclusive(locks, lambda message: print(message, file=stream, flush=True)):
            return _build_locked(request)
    except lock.Busy as exc:
        print(f"构建未进行：{exc}", file=stream)
        return 1


@dataclass(frozen=True)
class Request:
    """What ``gkgen build`` was asked to do, passed down the build as one value."""

    root: Path
    out: Path
    base_url: str | None
    stream: TextIO
    incremental: bool
    stats: Stats
    settings: search.IndexSettings


def _build_locked(request: Request) -> int:
    leftover = write.clean_up(request.out.resolve())  # what earlier builds left beside it (we hold its lock)
    try:
        return _build_unless_unchanged(request, leftover)
    finally:
        if leftover.removing is not None:
            leftover.removing.join()


def _build_unless_unchanged(request: Request, leftover: write.CleanUp) -> int:
    """Nothing to do when nothing the build reads changed since the last build into ``out``; else the
    pipeline, with the last build's cache state."""
    root, out, stream, stats = request.root, request.out, request.stream, request.stats
    key = _environment_key(root, request.base_url, request.settings)
    scan = files.scan_reports(root)
    fingerprint = cache.inputs_fingerprint(root, out, key, scan)
    last = cache.read_last_build(root) if request.incremental else {}
    site = cache.site_identity(out)
    if last.get("fingerprint") == fingerprint and site is not None and last.get("site") == site:
        report([Diagnostic(**d) for d in last["diagnostics"]], stream, show_notes=False)
        print(f"构建完成（内容无变化，网站保持原样）：{last['summary']} → {out}", file=stream)
        stats.counts["unchanged"] = 1
        return 0
    code = cache.code_digest()
    state = cache.load_state(root, code) if request.incremental else cache.State(code=code)
    if state.site != cache.site_identity(out):
        # The outputs recorded are those of another folder than the live site (a build killed after its
        # switch, before it saved its state; or another --out): none of them is trusted.
        state.outputs, state.files = {}, []
    with workers.frozen_heap():
        return _pipeline(request, leftover, scan, fingerprint, code, state)


def _pipeline(
    request: Request,
    leftover: write.CleanUp,
    scan: files.ReportsScan,
    fingerprint: str,
    code: str,
    state: cache.State,
) -> int:
    """The build proper, once the fingerprint said there is something to do and the cache is loaded."""
    root, out, stream, stats, incremental = (
        request.root, request.out, request.stream, request.stats, request.incremental
    )  # fmt: skip
    registry_before = state.registry
    inputs = read_inputs(root, request.base_url, state)
    # The site's templates and static assets, configured once and given to every worker when it starts.
    assets = Assets(base_path=inputs.config.base_path)
    site = Renderer(inputs.config, assets.url)
    with workers.Pool(work_context(root, inputs, site), jobs()) as pool:
        # 1. Discover, load, validate, link: every report in memory (its narrative parsed once, kept
        #    packed), every error of every file reported before anything is written.
        loaded = load_archive(root, inputs, state=state, pool=pool, stats=stats, scan=scan)
        report(loaded.diagnostics.sorted(), stream, show_notes=False)
        if loaded.archive is None:
            print(f"构建失败：{len(loaded.diagnostics.errors)} 个错误；网站未改动", file=stream)
            return 1
        archive = loaded.archive
        # The archive just loaded is left out of the cyclic collector too (it holds no cycles): at
        # 100,000 reports every later pass of the collector walked it, most of the time of some stages.
        workers.freeze_heap()
        try:
            with SiteWriter(out, leftover) as writer:
                reuse = Reuse(state, writer, stats.counts)
                keys = Keys(_base_key(code, inputs, assets), loaded.content, loaded.registry, archive.reports)
                # 2. Render the report pages (in the workers) and the static assets.
                with stats.stage("render reports"):
                    assets.write(writer)
                    digests = _render_reports(archive, loaded.narratives, reuse, keys, pool, stats)
                # Nothing reads the narratives again, and nothing after the report pages uses the workers:
                # their memory (the narratives ≈ half the Markdown, 0.5 GB at 100,000 reports; the
                # workers 0.14 GiB at 10,000) goes to the exports and the index instead of being held.
                loaded.narratives.clear()
                pool.close()
                # 3. Beside the other pages, in threads: the exports (SQLite, CSV) and the search index of
                #    the report pages, which are written by now (sqlite3, file writes and Pagefind, a
                #    separate process, release the GIL).
                parts = datasets.parts_of(archive.reports)  # the exports' files, on the data page too
                store_of = partial(_export_store, root, incremental, code)
                exports = _start_exports(archive, parts, reuse, keys, store_of, stats)
                index = _start_index(archive, writer, digests, root, incremental, stats, request.settings)
                try:
                    # 4. Every other page: agencies, years, regions, figures, home, …
                    with stats.stage("render site pages"):
                        reuse.pages(pages.site_pages(site, archive), keys, "site pages")
                finally:  # never leave a thread writing into the staging folder
                    with stats.stage("wait for index"):
                        index.join()
                    with stats.stage("wait for exports"):
                        exports.join()
                _take_search_bundle(writer, state, index.outcome(), stats)
                exports.outcome()
                with stats.stage("render site pages"):
                    # 5. After the exports, the data page, which gives their sizes; last, the sitemap,
                    #    which lists every page written, the search bundle included.
                    sizes = _export_sizes(parts, writer)
                    reuse.pages(pages.data_pages(site, archive, parts, sizes), keys, "data pages")
                    written = sorted(writer.written)
                    reuse.pages(furniture.furniture_pages(root, archive, written), keys, "furniture")
                # 6. The switch: until here the live site is the previous build's, afterwards this one's.
                with stats.stage("write"):
                    writer.commit(state.files if state.files else None)
                    search.commit_state(_search_state_dir(root))
                    checkpoint("after-search-state")
                    reuse.remember()
        except search.SearchIndexError as exc:
            print(f"构建失败：{visible(str(exc))}；网站未改动", file=stream)
            return 1
    # 7. What the next build needs: the cache state (only if something changed: an unchanged archive costs
    #    no writes) and the record that lets it skip everything when nothing it reads has changed.
    site_before, state.site = state.site, cache.site_identity(out)
    if reuse.changed or state.dirty or state.site != site_before or state.registry is not registry_before:
        cache.save_state(root, state)
    checkpoint("after-save-state")
    text = summary(archive, loaded.diagnostics)
    shown = [d for d in loaded.diagnostics.sorted() if d.severity != "note"]
    record = {"fingerprint": fingerprint, "site": state.site, "summary": text}
    cache.write_last_build(root, {**record, "diagnostics": [asdict(d) for d in shown]})
    print(f"构建完成：{text} → {out}", file=stream)
    return 0


def _environment_key(root: Path, base_url: str | None, settings: search.IndexSettings) -> tuple:
    """What else a build depends on: the --base-url, the year limit, the commit (the feed), index settings."""
    return (base_url, build_date(), history.head(root), settings.max_pages_per_shard, settings.jobs)


def _base_key(code: str, inputs: Inputs, assets: Assets) -> str:
    """What every output is made from: the code, the config, the static assets and every template (so a
    page never needs to list the templates it uses)."""
    templates = sorted(
        (p.relative_to(TEMPLATES).as_posix(), p.read_bytes()) for p in TEMPLATES.rglob("*") if p.is_file()
    )
    return cache.digest(code, inputs.config, sorted(a.path for a in assets.files.values()), templates)


def _render_reports(
    archive: Archive, narratives: dict[str, bytes], reuse: Reuse, keys: Keys, pool: workers.Pool, stats
) -> dict[str, str]:
    """Keep unchanged report pages from the previous site; render the others in the workers.

    Returns each report's digest (its content and its neighbours'), which the search index reuses."""
    todo = []
    digests: dict[str, str] = {}
    for agency_id in sorted({r.agency.id for r in archive.reports}):
        series = archive.reports_of(agency_id)
        for i, r in enumerate(series):
            prev = series[i - 1] if i > 0 else None
            nxt = series[i + 1] if i + 1 < len(series) else None
            digests[r.id] = keys.report(r, prev, nxt)
            if not reuse.keep((urls.output_path(r.url), urls.report_json(r.id)), digests[r.id]):
                todo.append((r, narratives[r.id], prev, nxt))
    batches = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
    list(pool.map("render_reports", batches, reuse.writer.staging, threshold=2))
    stats.counts["report pages rendered"] = len(todo)
    stats.counts["report pages reused"] = len(archive.reports) - len(todo)
    return digests


def _take_search_bundle(writer: SiteWriter, state: cache.State, result: search.IndexResult, stats) -> None:
    if result.unchanged:  # no report page changed: keep the whole search bundle
        for rel in _previous_files(writer, state, search.BUNDLE):
            writer.keep(rel)
    else:  # the shards left in place are kept; what the index wrote is taken in
        previous = _previous_files(writer, state, search.BUNDLE)
        for rel in search.kept_files(previous, result.kept, result.kept_routes):
            writer.keep(rel)
        writer.adopt(search.BUNDLE)
    stats.counts["search shards indexed"] = len(result.indexed)
    stats.counts["search shards reused"] = len(result.reused)
    stats.counts["search shards left in place"] = len(result.kept)
    stats.counts["search routing buckets left in place"] = len(result.kept_routes)


def _export_store(root: Path, incremental: bool, code: str) -> datasets.ExportStore:
    """The export databases kept between builds; a clean build starts them afresh (and leaves them filled)."""
    folder = root / cache.CACHE_DIR / "exports"
    if not incremental:
        shutil.rmtree(folder, ignore_errors=True)
    return datasets.ExportStore(folder, code)


class _Beside(threading.Thread):
    """Work done in a thread beside the site pages; ``outcome()`` waits for it and returns its result."""

    def __init__(self, name: str, work: Callable[[], object]):
        super().__init__(name=f"gkgen-{name}", daemon=True)
        self.work, self.result, self.error = work, None, None
        self.start()

    def run(self) -> None:
        try:
            self.result = self.work()
        except BaseException as exc:  # re-raised in the main thread by outcome()
            self.error = exc

    def outcome(self):
        self.join()
        if self.error is not None:
            raise self.error
        return self.result


def _start_index(archive, writer, digests, root: Path, incremental: bool, stats, settings) -> _Beside:
    """The search index of the report pages (already written), in the staging folder's pagefind/."""

    def work() -> search.IndexResult:
        started = time.perf_counter()
        result = search.index_site(
            writer.staging,
            previous=writer.previous if incremental else None,
            unchanged=writer.previous,
            pages={urls.output_path(r.url): digests[r.id] for r in archive.reports},
            state_dir=_search_state_dir(root),
            max_pages_per_shard=settings.max_pages_per_shard,
            jobs=settings.jobs,
        )
        stats.seconds["index (beside the site pages)"] = time.perf_counter() - started
        return result

    return _Beside("index", work)


def _search_state_dir(root: Path) -> Path:
    return root / cache.CACHE_DIR / "search"


def _start_exports(archive, parts, reuse: Reuse, keys: Keys, store_of, stats) -> _Beside:
    """Each part's (year and province) CSV + SQLite, kept from the previous site when none of its
    reports changed."""
    digests = {r.id: keys.export(r) for r in archive.reports}
    todo: dict[datasets.Part, tuple[Path, Path]] = {}
    for part, reports in parts.items():
        key = cache.digest(keys.base, part.year, part.area, [(r.id, digests[r.id]) for r in reports])
        paths = (part.csv_path, part.sqlite_path)
        if not reuse.keep(paths, key):
            todo[part] = (reuse.writer.path_for(paths[0]), reuse.writer.path_for(paths[1]))
    # The whole archive in one CSV and one database: rewritten when any part is.
    whole = (datasets.ALL_CSV_PATH, datasets.ALL_SQLITE_PATH)
    whole_key = cache.digest(keys.base, "all", [(r.id, digests[r.id]) for r in archive.reports])
    whole_todo = None
    if not reuse.keep(whole, whole_key):
        whole_todo = (reuse.writer.path_for(whole[0]), reuse.writer.path_for(whole[1]))
    stats.counts["export files written"] = 2 * len(todo) + (2 if whole_todo else 0)
    stats.counts["reports exported"] = 0

    def work() -> None:
        if not todo and not whole_todo:
            return
        started = time.perf_counter()
        store = store_of()
        stats.counts["reports exported"] = store.sync(parts, digests)
        for part, (csv_file, sqlite_file) in todo.items():
            store.write(part, csv_file, sqlite_file)
        if whole_todo:
            store.write_all(parts, *whole_todo)
        stats.seconds["data exports (beside the others)"] = time.perf_counter() - started

    return _Beside("exports", work)


def _export_sizes(parts: Iterable[datasets.Part], writer: SiteWriter) -> dict[str, int]:
    """The size of every export file: this build's, or the live site's where it was kept."""
    sizes = {}
    every = [p for part in parts for p in (part.csv_path, part.sqlite_path)]
    for rel in (*every, datasets.ALL_CSV_PATH, datasets.ALL_SQLITE_PATH):
        path = writer.path_for(rel) if rel in writer.fresh else writer.previous / rel
        sizes[rel] = path.stat().st_size
    return sizes


def _previous_files(writer: SiteWriter, state: cache.State, folder: str) -> list[str]:
    """The last build's files under ``folder``: from the cache, else from the site itself."""
    found = [f for f in state.files if f.startswith(folder + "/")]
    if not found and writer.previous is not None:
        top = writer.previous / folder
        found = [
            Path(d, f).relative_to(writer.previous).as_posix() for d, _, files in os.walk(top) for f in files
        ]
    return found
