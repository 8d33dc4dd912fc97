"""Work done per report, in a pool of worker processes (or inline for small archives).

Everything a worker needs (the archive root, the agency registry, the year
limit, the configured templates) is one frozen ``WorkContext``, given to each
worker process once by the pool's initializer, never set as a module global by
the build. Tasks are named methods of ``Worker``; the pool runs them in its
processes, or calls them inline when a job is too small to be worth sending.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import pickle
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from gkgen.content.load import LoadedReport, ReportSource, load_report
from gkgen.incremental.cache import digest
from gkgen.model import Agency, Report
from gkgen.quality import similarity
from gkgen.site import report_page
from gkgen.site.render import Renderer

# Below this many items, worker processes cost more than they save.
POOL_THRESHOLD = 64
CHUNK = 32


@dataclass(frozen=True)
class WorkContext:
    """What every task reads besides its own items."""

    root: Path
    agencies: dict[str, Agency]
    max_year: int
    today: dt.date | None = None
    site: Renderer | None = None  # the configured templates; None when nothing is rendered (gkgen check)


def content_hash(source: ReportSource, agencies: dict[str, Agency]) -> str:
    """The report's identity for the cache: its two files' bytes and its registry entry."""
    md = source.md_path.read_bytes() if source.md_path.exists() else b""
    agency = agencies.get(source.agency_dir)
    try:
        data = source.yaml_path.read_bytes()
    except OSError:
        data = b""
    return digest(data, md, agency)


class Worker:
    """The tasks, each reading the context it was made with."""

    def __init__(self, context: WorkContext):
        self.context = context

    def load(self, source: ReportSource) -> tuple[str, LoadedReport, bytes]:
        """Load and validate one report: its content digest, the report without its narrative, and the
        narrative as parsed here, packed (the report pages and the narrative comparison unpack it)."""
        c = self.context
        loaded = load_report(source, c.agencies, c.max_year, c.today)
        narrative = b""
        if loaded.report is not None:
            narrative = pack_narrative(loaded.report.narrative)
            loaded = replace(loaded, report=replace(loaded.report, narrative=()))
        return content_hash(source, c.agencies), loaded, narrative

    def render_reports(
        self, staging: Path, items: list[tuple[Report, bytes, Report | None, Report | None]]
    ) -> int:
        """Render report pages and JSON straight into the staging folder (paths claimed by the parent);
        each report comes with its packed narrative."""
        site = self.context.site
        assert site is not None, "a build renders with a configured site"
        for report, narrative, prev, nxt in items:
            whole = replace(report, narrative=unpack_narrative(narrative))
            for rel, data in report_page.report_files(site, whole, prev, nxt):
                (staging / rel).write_bytes(data)
        return len(items)

    def compare_narratives(
        self, series: tuple[tuple[tuple[int, int], ...], dict[int, bytes]]
    ) -> tuple[similarity.Similarity, ...]:
        """One body's narratives compared with their previous report's: ``series`` is the body's (year,
        previous year) pairs and each year's packed narrative, unpacked once however many pairs it is in."""
        pairs, packed = series
        read: dict[int, tuple[tuple[str, str], ...]] = {}

        def sections(year: int) -> tuple[tuple[str, str], ...]:
            if year not in read:
                read[year] = unpack_narrative(packed[year])
            return read[year]

        return tuple(similarity.compare(sections(year), sections(before), before) for year, before in pairs)


def pack_narrative(sections: tuple[tuple[str, str], ...]) -> bytes:
    """A narrative's sections as the build carries them from the load to the render: parsed once, and
    compressed (about half the Markdown's bytes), since the main process holds every report's."""
    return zlib.compress(pickle.dumps(sections, protocol=pickle.HIGHEST_PROTOCOL), 1)


def unpack_narrative(packed: bytes) -> tuple[tuple[str, str], ...]:
    return pickle.loads(zlib.decompress(packed)) if packed else ()


_worker: Worker | None = None  # in a worker process: its Worker, made once by the pool's initializer


def _start(context: WorkContext) -> None:
    global _worker
    _worker = Worker(context)


def _run(task: str, *args: object) -> object:
    assert _worker is not None, "called in a process the pool did not start"
    return getattr(_worker, task)(*args)


class Pool:
    """Worker processes, each given the context once when it starts; jobs too small for them run inline."""

    def __init__(self, context: WorkContext, size: int):
        self.inline = Worker(context)
        self.size = size
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> Pool:
        if self.size > 1:
            # Forked, so that the context (templates, registry) is not pickled for every worker.
            fork = multiprocessing.get_context("fork")
            self._executor = ProcessPoolExecutor(
                self.size, mp_context=fork, initializer=_start, initargs=(self.inline.context,)
            )
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker processes (their memory goes back); later jobs run inline."""
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None

    def map(self, task: str, items: list, *args: object, threshold: int = POOL_THRESHOLD) -> Iterable:
        """``Worker.<task>(*args, item)`` for each item, in order."""
        if self._executor is None or len(items) < threshold:
            return map(partial(getattr(self.inline, task), *args), items)
        return self._executor.map(partial(_run, task, *args), items, chunksize=CHUNK)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Objects alive now (the cache just loaded) are left out of the cyclic collector while the build runs:
    they hold no reference cycles, and scanning them again and again would cost more than the build's
    own work; forked workers then do not copy the memory pages the collector would touch."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def freeze_heap() -> None:
    """Inside frozen_heap(): objects alive now are left out of the collector as well (until it ends)."""
    gc.freeze()
