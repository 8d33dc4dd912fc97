"""Discover, load, validate and link: the archive in memory (Zola's ``Site::load``), all that ``gkgen
check`` runs and the first half of ``gkgen build``.

With a cache state (gkgen.incremental.cache), a report whose files did not change is not loaded again,
and the rules across years and the narrative comparison of a pair of unchanged reports are not run
again: what this module reuses is recorded in the state itself.
"""

from __future__ import annotations

import itertools
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from gkgen import quality, workers
from gkgen.content import agencies as agencies_mod
from gkgen.content import config as config_mod
from gkgen.content import files, load
from gkgen.content.diagnostics import Collector
from gkgen.content.validate import build_date
from gkgen.incremental import cache
from gkgen.model import Archive
from gkgen.site.render import TEMPLATES, Renderer


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
    # report id → its narrative, parsed once at load and packed (the reports are kept without it)
    narratives: dict[str, bytes] = field(default_factory=dict)


def max_year() -> int:
    """The latest report year accepted: this year (or SOURCE_DATE_EPOCH's, for reproducible builds)."""
    return build_date().year


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
    pool: workers.Pool | None = None,
    stats: Stats | None = None,
    scan: files.ReportsScan | None = None,
) -> Loaded:
    """Read and validate every report; with a cache state, reports whose files did not change are reused.

    ``scan``: content/reports/ as this build listed it (else it is listed here); ``pool``: workers made
    with ``work_context(root, inputs)`` (else the work is done in this process)."""
    stats = stats or Stats()
    inputs = inputs or read_inputs(root)
    pool = pool or workers.Pool(work_context(root, inputs), 1)
    collector = Collector()
    collector.extend(inputs.diagnostics)
    with stats.stage("load+validate"):
        scan = scan if scan is not None else files.scan_reports(root)
        sources, problems = load.discover(root, scan)
        collector.extend(problems)
        loaded, content, narratives = _load_sources(sources, scan, inputs.agencies, state, pool, stats)
    with stats.stage("model"):
        for item in loaded:
            collector.extend(item.diagnostics)
        reports, problems = load.link(loaded, _across_years(state, content) if state else load.check_across)
        collector.extend(problems)
    if collector.has_errors:
        return Loaded(None, collector)
    with stats.stage("quality"):
        reports = _with_neighbours(reports, state, content, narratives, pool, stats)
    ids = {r.source_path: r.id for r in reports}
    return Loaded(
        Archive.assemble(inputs.agencies, reports, inputs.config),
        collector,
        {ids[p]: h for p, h in content.items() if p in ids},
        cache.digest(sorted(inputs.agencies.items())),
        {ids[p]: n for p, n in narratives.items() if p in ids},
    )


def _with_neighbours(reports, state: cache.State | None, content: dict[str, str], narratives, pool, stats):
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
    by_body: dict[str, list[tuple]] = {}  # a body's pairs go to one worker, which unpacks each narrative once
    for r, p in todo:
        by_body.setdefault(r.agency.id, []).append((r, p))
    # Each body's (year, previous year) pairs, with the packed narrative of every year they name.
    series = [
        (
            tuple((r.year, p.year) for r, p in items),
            {x.year: narratives[x.source_path] for x in itertools.chain(*items)},
        )
        for items in by_body.values()
    ]
    stats.counts["narrative pairs compared"] = len(todo)
    results = pool.map("compare_narratives", series)
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
    """A LoadedReport for every source, its content digest and its packed narrative; from the cache where
    the files' bytes did not change."""
    content: dict[str, str] = {}
    loaded: dict[str, load.LoadedReport] = {}
    narratives: dict[str, bytes] = {}
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
            narratives[source.shown] = entry.narrative
        else:
            todo.append((source, now, agency))
    results = pool.map("load", [s for s, _, _ in todo])
    for (source, now, agency), (digest, loaded_item, narrative) in zip(todo, results, strict=True):
        item = _with_registry_agency(loaded_item, agencies)
        content[source.shown], loaded[source.shown], narratives[source.shown] = digest, item, narrative
        if state is not None:
            state.set_source(source.shown, cache.SourceEntry(now, agency, digest, item, narrative=narrative))
    if state is not None:
        for gone in set(state.sources) - {s.shown for s in sources}:
            state.drop_source(gone)
    stats.counts["reports loaded"] = len(todo)
    stats.counts["reports from cache"] = len(sources) - len(todo)
    return [loaded[s.shown] for s in sources], content, narratives


def _with_registry_agency(item: load.LoadedReport, agencies: dict) -> load.LoadedReport:
    """The report with the registry's own Agency object instead of the equal copy a worker sent back:
    one object per body, in memory and in the cache."""
    report = item.report
    if report is None or agencies.get(report.agency.id) != report.agency:
        return item
    return replace(item, report=replace(report, agency=agencies[report.agency.id]))


def work_context(root: Path, inputs: Inputs, site: Renderer | None = None) -> workers.WorkContext:
    """What the workers need: given to them once, when the pool starts."""
    return workers.WorkContext(root, inputs.agencies, max_year(), build_date(), site)


def jobs() -> int:
    requested = os.environ.get("GKGEN_JOBS")
    return max(1, int(requested)) if requested and requested.isdigit() else (os.cpu_count() or 1)
