"""The pipeline, in one place:

    content/ ─ discover ─ load ─ validate ─ model ─ render ─ write ─ index ─▶ site/

``check`` is load + validate + model (no rendering); ``build`` gathers and
validates everything first, then renders into a staging folder that replaces
the site only when every step succeeded.

Scale: reports are loaded and their pages rendered in a pool of worker
processes (one per core); the main process keeps reports without their
narratives. Every output has a digest of its inputs (code, templates, config,
the reports it shows); an output whose digest did not change since the last
build is hard-linked from the previous site instead of rendered again.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TextIO

from gkgen import quality, workers
from gkgen.content import agencies as agencies_mod
from gkgen.content import config as config_mod
from gkgen.content import files, history, load
from gkgen.content.diagnostics import Collector, Diagnostic, report, visible
from gkgen.content.validate import build_date
from gkgen.incremental import cache
from gkgen.model import Archive
from gkgen.outputs import datasets, lock, search, write
from gkgen.outputs.write import SiteWriter, checkpoint
from gkgen.site import furniture, pages, urls
from gkgen.site.render import TEMPLATES

# Below this many reports to load or render, worker processes cost more than they save.
POOL_THRESHOLD = 64
CHUNK = 32


@dataclass
class Stats:
    """Seconds per stage and what was done, for `gkgen build --timings` and the benchmarks."""

    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def line(self) -> str:
        stages = "，".join(f"{k} {v:.2f}s" for k, v in self.seconds.items())
        counts = "，".join(f"{k} {v}" for k, v in self.counts.items())
        return f"{stages}；{counts}"


@dataclass
class Loaded:
    archive: Archive | None
    diagnostics: Collector
    content: dict[str, str] = field(default_factory=dict)  # report id → content hash
    registry: str = ""  # digest of the agency registry


def max_year() -> int:
    """The latest report year accepted: this year (or SOURCE_DATE_EPOCH's, for reproducible builds)."""
    return build_date().year


def jobs() -> int:
    requested = os.environ.get("GKGEN_JOBS")
    return max(1, int(requested)) if requested and requested.isdigit() else (os.cpu_count() or 1)


@contextmanager
def worker_pool(size: int):
    """Forked workers (they inherit the configured templates and the registry); None when size is 1."""
    if size <= 1:
        yield None
        return
    with ProcessPoolExecutor(size, mp_context=multiprocessing.get_context("fork")) as pool:
        yield pool


def run_many(pool: Executor | None, fn: Callable, items: list, threshold: int = POOL_THRESHOLD) -> Iterable:
    if pool is None or len(items) < threshold:
        return map(fn, items)
    return pool.map(fn, items, chunksize=CHUNK)


@dataclass(frozen=True)
class Inputs:
    """What every report needs before any is loaded: the site config and the agency registry."""

    config: config_mod.Config
    agencies: dict
    diagnostics: tuple


def read_inputs(root: Path, base_url: str | None = None, state: cache.State | None = None) -> Inputs:
    config, problems = config_mod.load_config(root, base_url)
    agencies, more = _registry(root, state)
    paths = files.archive_path_problems(root, TEMPLATES) + files.committed_cache_problems(
        root, cache.CACHE_DIR
    )
    return Inputs(config, agencies, (*paths, *problems, *more))


def _registry(root: Path, state: cache.State | None) -> tuple[dict, list]:
    """The agency registry, parsed again only when its files' bytes changed since the last build."""
    if state is None:
        return agencies_mod.load_agencies(root)
    files = agencies_mod.registry_files(root)
    folder = root / "content" / "agencies"
    listing = sorted(os.listdir(folder)) if folder.is_dir() else []  # a new symlink or bad name too
    key = cache.digest(listing, *(part for f in files for part in (f.name, f.read_bytes())))
    if state.registry is None or state.registry[0] != key:
        state.registry = (key, *agencies_mod.load_agencies(root))
    return state.registry[1], state.registry[2]


def load_archive(
    root: Path,
    inputs: Inputs | None = None,
    *,
    state: cache.State | None = None,
    pool: Executor | None = None,
    stats: Stats | None = None,
    scan: files.ReportsScan | None = None,
) -> Loaded:
    """Read and validate every report; with a cache state, reports whose files did not change are reused.

    ``scan``: content/reports/ as this build listed it (else it is listed here)."""
    stats = stats or Stats()
    inputs = inputs or read_inputs(root)
    collector = Collector()
    collector.extend(inputs.diagnostics)
    workers.set_globals(
        inputs.agencies, max_year(), build_date()
    )  # before a pool forks, or for inline loading
    with stats.stage("load+validate"):
        scan = scan if scan is not None else files.scan_reports(root)
        sources, problems = load.discover(root, scan)
        collector.extend(problems)
        loaded, content = _load_sources(sources, scan, inputs.agencies, state, pool, stats)
    with stats.stage("model"):
        for item in loaded:
            collector.extend(item.diagnostics)
        reports, problems = load.link(loaded, _across_years(state, content) if state else load.check_across)
        collector.extend(problems)
    if collector.has_errors:
        return Loaded(None, collector)
    with stats.stage("quality"):
        reports = _with_neighbours(root, reports, state, content, pool, stats)
    ids = {r.source_path: r.id for r in reports}
    return Loaded(
        Archive.assemble(inputs.agencies, reports, inputs.config),
        collector,
        {ids[p]: h for p, h in content.items() if p in ids},
        cache.digest(sorted(inputs.agencies.items())),
    )


def _with_neighbours(root: Path, reports, state: cache.State | None, content: dict[str, str], pool, stats):
    """Each report with the quality findings that need its body's previous report (the narratives compared,
    the years between); a pair whose files did not change since the last build is not compared again."""
    ordered = sorted(reports, key=lambda r: (r.agency.id, r.year))
    pairs = [(r, p) for p, r in itertools.pairwise(ordered) if p.agency.id == r.agency.id]
    found: dict[str, object] = {}
    todo = []
    for r, p in pairs:
        entry = state.sources.get(r.source_path) if state else None
        against = content.get(p.source_path)
        if entry is not None and entry.similarity is not None and entry.similarity[0] == against:
            found[r.id] = entry.similarity[1]
        else:
            todo.append((r, p))
    by_body: dict[str, list[tuple]] = {}  # a body's pairs go to one worker, which reads each narrative once
    for r, p in todo:
        by_body.setdefault(r.agency.id, []).append((r, p))
    series = [(body, tuple((r.year, p.year) for r, p in items)) for body, items in by_body.items()]
    stats.counts["narrative pairs compared"] = len(todo)
    results = run_many(pool, partial(workers.compare_narratives, root), series)
    for items, compared in zip(by_body.values(), results, strict=True):
        for (r, p), result in zip(items, compared, strict=True):
            found[r.id] = result
            if state is not None and r.source_path in state.sources:
                state.set_similarity(r.source_path, (content.get(p.source_path), result))
    previous = {r.id: p for r, p in pairs}
    return [quality.with_neighbours(r, previous.get(r.id), found.get(r.id)) for r in reports]


def _across_years(state: cache.State, content: dict[str, str]):
    """The rules across years, reused for a pair of reports whose files did not change."""

    def across(item: load.LoadedReport, previous: load.LoadedReport):
        entry = state.sources.get(item.source_path)
        against = content.get(previous.source_path)
        if entry is None or against is None:
            return load.check_across(item, previous)
        if entry.across is None or entry.across[0] != against:
            state.set_across(item.source_path, (against, load.check_across(item, previous)))
        return entry.across[1]

    return across


def _load_sources(sources, scan, agencies, state, pool, stats):
    """A LoadedReport for every source; from the cache where the files' bytes did not change."""
    content: dict[str, str] = {}
    loaded: dict[str, load.LoadedReport] = {}
    todo = []
    statted_before = state.statted_at_ns if state else 0
    if state is not None:
        state.statted_at_ns = scan.started_ns
    listed = {
        f"content/reports/{folder.name}/{f.name}": f.stat
        for folder in scan.entries
        for f in folder.children or ()
    }
    # A report's validation depends on the build's date too (no year or publication date after it).
    today = build_date()
    agency_digests = {agency_id: cache.digest(agency, today) for agency_id, agency in agencies.items()}
    unknown_agency = cache.digest(None, today)
    for source in sources:
        now = (listed.get(source.shown), listed.get(source.md_shown))
        agency = agency_digests.get(source.agency_dir, unknown_agency)
        entry = state.sources.get(source.shown) if state else None
        # Touched but perhaps not changed (a git checkout), or changed within the timestamp tick in which
        # the last build read its stat: compare the bytes before trusting the cache.
        racy = any(st is not None and cache.racy(st[0], statted_before) for st in now)
        usable = entry is not None and entry.agency == agency
        if usable and (entry.stats != now or racy):
            if workers.content_hash(source, agencies) == entry.content:
                state.touch_source(source.shown, now)
                stats.counts["reports rehashed"] = stats.counts.get("reports rehashed", 0) + 1
            else:
                usable = False
        if usable and entry.stats == now:
            content[source.shown], loaded[source.shown] = entry.content, entry.loaded
        else:
            todo.append((source, now, agency))
    results = run_many(pool, workers.load, [s for s, _, _ in todo])
    for (source, now, agency), (digest, loaded_item) in zip(todo, results, strict=True):
        item = _with_registry_agency(loaded_item, agencies)
        content[source.shown], loaded[source.shown] = digest, item
        if state is not None:
            state.set_source(source.shown, cache.SourceEntry(now, agency, digest, item))
    if state is not None:
        for gone in set(state.sources) - {s.shown for s in sources}:
            state.drop_source(gone)
    stats.counts["reports loaded"] = len(todo)
    stats.counts["reports from cache"] = len(sources) - len(todo)
    return [loaded[s.shown] for s in sources], content


def _with_registry_agency(item: load.LoadedReport, agencies: dict) -> load.LoadedReport:
    """The report with the registry's own Agency object instead of the equal copy a worker sent back:
    one object per body, in memory and in the cache."""
    report = item.report
    if report is None or agencies.get(report.agency.id) != report.agency:
        return item
    return replace(item, report=replace(report, agency=agencies[report.agency.id]))


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
    workers.set_globals(inputs.agencies, max_year(), build_date())  # the pool's workers are forked with these
    with worker_pool(jobs()) as pool:
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
    # One build at a time per archive cache and per output (see gkgen.outputs.lock); a second one waits.
    locks = [root / cache.CACHE_DIR / "build.lock", lock.output_lock(out)]
    try:
        with lock.exclusive(locks, lambda message: print(message, file=stream, flush=True)):
            return _build_locked(root, out, base_url, stream, incremental, stats, settings)
    except lock.Busy as exc:
        print(f"构建未进行：{exc}", file=stream)
        return 1


def _build_locked(root, out, base_url, stream, incremental, stats, settings) -> int:
    leftover = write.clean_up(out.resolve())  # what earlier builds left beside the output (we hold its lock)
    try:
        return _build_cleaning(root, out, base_url, stream, incremental, stats, settings, leftover)
    finally:
        if leftover.removing is not None:
            leftover.removing.join()


def _build_cleaning(root, out, base_url, stream, incremental, stats, settings, leftover) -> int:
    scan = files.scan_reports(root)
    fingerprint = cache.inputs_fingerprint(root, out, _environment_key(root, base_url, settings), scan)
    last = cache.read_last_build(root) if incremental else {}
    site = cache.site_identity(out)
    if last.get("fingerprint") == fingerprint and site is not None and last.get("site") == site:
        # Nothing the build reads has changed since the last successful build into this folder.
        report([Diagnostic(**d) for d in last["diagnostics"]], stream, show_notes=False)
        print(f"构建完成（内容无变化，网站保持原样）：{last['summary']} → {out}", file=stream)
        stats.counts["unchanged"] = 1
        return 0
    code = cache.code_digest()
    state = cache.load_state(root, code) if incremental else cache.State(code=code)
    if state.site != cache.site_identity(out):
        # The outputs recorded are those of another folder than the live site (a build killed after its
        # switch, before it saved its state; or another --out): none of them is trusted.
        state.outputs, state.files = {}, []
    try:
        more = (scan, fingerprint, code, state, settings, leftover)
        return _build_with_state(root, out, base_url, stream, incremental, stats, *more)
    finally:
        cache.release_state()


def _build_with_state(
    root, out, base_url, stream, incremental, stats, scan, fingerprint, code, state, settings, leftover
) -> int:
    """The build proper, once the fingerprint said there is something to do and the cache is loaded."""
    registry_before = state.registry
    inputs = read_inputs(root, base_url, state)
    assets = pages.prepare(inputs.config)  # before the pool forks: workers inherit the templates
    workers.set_globals(inputs.agencies, max_year(), build_date())
    files_before = list(state.files)
    with worker_pool(jobs()) as pool:
        loaded = load_archive(root, inputs, state=state, pool=pool, stats=stats, scan=scan)
        report(loaded.diagnostics.sorted(), stream, show_notes=False)
        if loaded.archive is None:
            print(f"构建失败：{len(loaded.diagnostics.errors)} 个错误；网站未改动", file=stream)
            return 1
        archive = loaded.archive
        try:
            with SiteWriter(out, leftover) as writer:
                keys = OutputKeys(code, inputs.config, assets, loaded)
                with stats.stage("render reports"):
                    assets.write(writer)
                    digests = _render_reports(root, archive, writer, keys, state, pool, stats)
                # The exports (SQLite, CSV) and the search index run in threads beside the site pages:
                # sqlite3 and file writes release the GIL, and Pagefind is a separate process. The
                # index needs only the report pages, which are written by now.
                parts = datasets.parts_of(archive.reports)  # the exports' files, on the data page too
                store_of = partial(_export_store, root, incremental, code)
                exports = _start_exports(archive, parts, writer, keys, state, store_of, stats)
                index = _start_index(archive, writer, digests, root, incremental, stats, settings)
                try:
                    with stats.stage("render site pages"):
                        _render_site_pages(pages.site_pages(archive), writer, keys, state, stats)
                finally:  # never leave a thread writing into the staging folder
                    with stats.stage("wait for index"):
                        index.join()
                    with stats.stage("wait for exports"):
                        exports.join()
                result = index.outcome()
                exports.outcome()
                if result.unchanged:  # no report page changed: keep the whole search bundle
                    for rel in _previous_files(writer, state, search.BUNDLE):
                        writer.keep(rel)
                else:  # the shards left in place are kept; what the index wrote is taken in
                    for rel in search.kept_files(_previous_files(writer, state, search.BUNDLE), result.kept):
                        writer.keep(rel)
                    writer.adopt(search.BUNDLE)
                stats.counts["search shards indexed"] = len(result.indexed)
                stats.counts["search shards reused"] = len(result.reused)
                stats.counts["search shards left in place"] = len(result.kept)
                with stats.stage("render site pages"):
                    # After the exports: the data page gives their sizes.
                    data = pages.data_pages(archive, parts, _export_sizes(parts, writer))
                    _render_site_pages(data, writer, keys, state, stats, "data pages")
                    # Last: the sitemap lists every page written, the search bundle included.
                    _render_site_pages(
                        _furniture(root, archive, writer), writer, keys, state, stats, "furniture"
                    )
                with stats.stage("write"):
                    # The switch: until here the live site is the previous build's, afterwards this one's.
                    writer.commit(state.files if state.files else None)
                    search.commit_state(_search_state_dir(root))
                    checkpoint("after-search-state")
                    _remember_outputs(writer, state)
        except search.SearchIndexError as exc:
            print(f"构建失败：{visible(str(exc))}；网站未改动", file=stream)
            return 1
    site_before, state.site = state.site, cache.site_identity(out)
    changed = _changed_anything(stats, state, files_before) or state.site != site_before
    if changed or state.registry is not registry_before:
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


class OutputKeys:
    """The digest of everything an output is made from; equal digest, equal bytes."""

    LAYOUT = ("base.html", "_macros.html")

    def __init__(self, code: str, config: config_mod.Config, assets, loaded: Loaded):
        self.base = cache.digest(code, config, sorted(a.path for a in assets.files.values()))
        self.content = loaded.content
        self.registry = loaded.registry
        self.everything = cache.digest(loaded.registry, sorted(loaded.content.items()))
        self.reports = loaded.archive.reports if loaded.archive else ()
        self._by_id = {r.id: r for r in self.reports}
        self._templates: dict[str, str] = {}
        self._shown: dict[Callable, dict[str, tuple]] = {}
        self._every: dict[Callable, str] = {}
        self._report_base: str | None = None

    def template(self, name: str) -> str:
        if name not in self._templates:
            path = TEMPLATES / name
            self._templates[name] = cache.digest(path.read_bytes() if path.exists() else b"")
        return self._templates[name]

    def report(self, report, prev, nxt) -> str:
        neighbours = [self.content.get(r.id) if r else None for r in (prev, nxt)]
        if self._report_base is None:
            templates = [self.template(t) for t in ("report.html", "_quality.html", *self.LAYOUT)]
            self._report_base = cache.digest(self.base, templates)
        return cache.digest(self._report_base, self.content[report.id], neighbours)

    def export(self, report) -> str:
        """What a report's rows in the downloads are made from: its files, and the findings of the rules
        across years (the only part that reads another report)."""
        across = [f for f in report.findings if f.rule in load.CROSS_YEAR_RULES]
        # The quality findings: the narrative comparison and the gaps read the previous report too.
        return cache.digest(self.content[report.id], across, report.quality)

    def page(self, page: pages.Page) -> str:
        if pages.EVERY_REPORT in page.depends:
            shown = self.everything
        else:
            shown = cache.digest([(d, self.content.get(d)) for d in page.depends])
        templates = [self.template(t) for t in (*page.templates, *self.LAYOUT)] if page.templates else []
        return cache.digest(self.base, templates, shown, page.extra)

    def view(self, page: pages.Page) -> str:
        """The digest of what ``page`` shows of its reports (``page.shows``); "" when it does not say."""
        if page.shows is None:
            return ""
        if pages.EVERY_REPORT in page.depends:
            if page.shows not in self._every:
                self._every[page.shows] = cache.digest(self._parts(page.shows, self.reports))
            shown = self._every[page.shows]
        else:
            shown = self._parts(page.shows, [self._by_id[d] for d in page.depends if d in self._by_id])
        templates = [self.template(t) for t in (*page.templates, *self.LAYOUT)] if page.templates else []
        # The registry: the parts leave out the reports' bodies, whose names and places pages show too.
        return cache.digest(self.base, templates, self.registry, shown, page.extra)

    def _parts(self, shows: Callable, reports) -> list[tuple]:
        seen = self._shown.setdefault(shows, {})  # shared by every page showing the same part
        parts = []
        for r in reports:
            part = seen.get(r.id)
            if part is None:
                part = seen[r.id] = shows(r)
            parts.append((r.id, part))
        return parts


def _keep_if_unchanged(writer: SiteWriter, state: cache.State, paths, key: str) -> bool:
    """Keep the site's files for ``paths`` if the last build made exactly them from ``key``."""
    for rel in paths:  # a loop, not all(...): this runs for every output of the site
        if not _reusable(writer, state, rel, key):
            return False
    for rel in paths:
        writer.keep(rel)
    return True


def _reusable(writer: SiteWriter, state: cache.State, rel: str, key: str) -> bool:
    """Whether the previous site holds exactly the file this key produced."""
    entry = state.outputs.get(rel)
    if entry is None or entry.key != key:
        return False
    return writer.previous_stat(rel) == entry.stat


def _render_reports(root, archive, writer, keys, state, pool, stats) -> dict[str, str]:
    """Link unchanged report pages from the previous site; render the others in the workers.

    Returns each report's digest (its content and its neighbours'), which the search index reuses.
    """
    todo = []
    digests: dict[str, str] = {}
    for agency_id in sorted({r.agency.id for r in archive.reports}):
        series = archive.reports_of(agency_id)
        for i, r in enumerate(series):
            prev = series[i - 1] if i > 0 else None
            nxt = series[i + 1] if i + 1 < len(series) else None
            key = digests[r.id] = keys.report(r, prev, nxt)
            paths = (urls.output_path(r.url), urls.report_json(r.id))
            if _keep_if_unchanged(writer, state, paths, key):
                continue
            for p in paths:
                writer.claim(p)
                state.outputs[p] = cache.OutputEntry(key, ())
            todo.append((r, prev, nxt))
    batches = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
    list(run_many(pool, partial(workers.render_reports, root, writer.staging), batches, threshold=2))
    stats.counts["report pages rendered"] = len(todo)
    stats.counts["report pages reused"] = len(archive.reports) - len(todo)
    return digests


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


def _start_exports(archive, parts, writer, keys, state, store_of, stats) -> _Beside:
    """Each part's (year and province) CSV + SQLite, kept from the previous site when none of its
    reports changed."""
    digests = {r.id: keys.export(r) for r in archive.reports}
    todo: dict[datasets.Part, tuple[Path, Path]] = {}
    for part, reports in parts.items():
        key = cache.digest(keys.base, part.year, part.area, [(r.id, digests[r.id]) for r in reports])
        paths = (part.csv_path, part.sqlite_path)
        if _keep_if_unchanged(writer, state, paths, key):
            continue
        todo[part] = (writer.claim(paths[0]), writer.claim(paths[1]))
        state.outputs.update({p: cache.OutputEntry(key, ()) for p in paths})
    # The whole archive in one CSV and one database: rewritten when any part is.
    whole = (datasets.ALL_CSV_PATH, datasets.ALL_SQLITE_PATH)
    whole_key = cache.digest(keys.base, "all", [(r.id, digests[r.id]) for r in archive.reports])
    whole_todo = None
    if not _keep_if_unchanged(writer, state, whole, whole_key):
        whole_todo = (writer.claim(whole[0]), writer.claim(whole[1]))
        state.outputs.update({p: cache.OutputEntry(whole_key, ()) for p in whole})
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


def _furniture(root: Path, archive: Archive, writer: SiteWriter) -> list[pages.Page]:
    """sitemap.xml (every page written so far), the Atom feed (dated by git history), robots.txt."""
    config = archive.config
    html = sorted(urls.url_of(p) for p in writer.written if p.endswith(".html") and p != urls.NOT_FOUND)
    found = [
        pages.Page(urls.ROBOTS, (), (), lambda: furniture.robots(config)),
        pages.Page(
            urls.FEED,
            (),
            (pages.EVERY_REPORT,),
            lambda: furniture.atom_feed(config, archive.reports, history.added_dates(root)),
            extra=history.head(root),
            shows=pages.listing,
        ),
    ]
    sitemap = furniture.sitemap(config, html)
    if sitemap is not None:
        found.append(pages.Page(urls.SITEMAP, (), (), lambda: sitemap, extra=cache.digest(html)))
    return found


def _render_site_pages(site_pages, writer, keys, state, stats, what: str = "site pages") -> None:
    """Keep a page whose reports did not change, or whose reports changed only in what it does not show."""
    rendered = reused = same_view = 0
    for page in site_pages:
        key = keys.page(page)
        if _keep_if_unchanged(writer, state, (page.path,), key):
            reused += 1
            continue
        view = keys.view(page)
        entry = state.outputs.get(page.path)
        if (
            view
            and entry is not None
            and entry.view == view
            and writer.previous_stat(page.path) == entry.stat
        ):
            writer.keep(page.path)
            entry.key = key
            same_view += 1
            continue
        writer.write(page.path, page.render())
        state.outputs[page.path] = cache.OutputEntry(key, (), view)
        rendered += 1
    stats.counts[f"{what} rendered"] = rendered
    stats.counts[f"{what} reused"] = reused + same_view
    stats.counts[f"{what} reused, same view"] = same_view


def _previous_files(writer: SiteWriter, state: cache.State, folder: str) -> list[str]:
    """The last build's files under ``folder``: from the cache, else from the site itself."""
    found = [f for f in state.files if f.startswith(folder + "/")]
    if not found and writer.previous is not None:
        top = writer.previous / folder
        found = [
            Path(d, f).relative_to(writer.previous).as_posix() for d, _, files in os.walk(top) for f in files
        ]
    return found


def _changed_anything(stats: Stats, state: cache.State, files_before: list[str]) -> bool:
    """Whether the cache state needs writing (an unchanged archive should cost no writes at all)."""
    done = ("reports loaded", "reports rehashed", "report pages rendered", "site pages rendered",
            "furniture rendered", "reports exported", "export files written", "site pages reused, same view",
            "furniture reused, same view", "data pages rendered")  # fmt: skip
    return any(stats.counts.get(k) for k in done) or state.files != files_before or bool(state.dirty)


def _remember_outputs(writer: SiteWriter, state: cache.State) -> None:
    """Record what this build wrote, and the stat of each freshly written tracked output, for the next build."""
    for rel in list(state.outputs):
        if rel not in writer.written:
            del state.outputs[rel]
        elif rel in writer.fresh:
            stat = cache.file_stat(writer.out.joinpath(*rel.split("/")))
            if stat is None:
                del state.outputs[rel]
            else:
                state.outputs[rel].stat = stat
    state.files = sorted(writer.written)
