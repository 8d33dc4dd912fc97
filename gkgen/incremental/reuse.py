"""Keep or render each output, given the digest of its inputs: the build's one door to incremental reuse.

An output (a page, a report's JSON, an export file) is kept from the previous site
when the last build made exactly that file from an equal digest of its inputs;
otherwise it is rendered again and its digest recorded for the next build. ``Reuse``
counts what it kept and rendered itself, and knows whether anything changed (so
the build saves the cache only then). What an output's digest is made of is
``Keys``'s job: the code, config, static assets and templates (``base``), plus the
reports it shows as its declaration says (gkgen.site.page.Page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from gkgen.content import load
from gkgen.incremental import cache
from gkgen.model import Report
from gkgen.outputs.write import SiteWriter
from gkgen.site.page import EVERY_REPORT, Page


class Keys:
    """The digest of everything an output is made from; equal digest, equal bytes."""

    def __init__(self, base: str, content: dict[str, str], registry: str, reports: Iterable[Report]):
        self.base = base  # code, config, static assets, templates
        self.content = content  # report id → the digest of its files and registry entry
        self.registry = registry
        self.everything = cache.digest(registry, sorted(content.items()))
        self.reports = tuple(reports)
        self._by_id = {r.id: r for r in self.reports}
        self._shown: dict[Callable, dict[str, tuple]] = {}
        self._every: dict[Callable, str] = {}

    def report(self, report: Report, prev: Report | None, nxt: Report | None) -> str:
        """A report's page and JSON: its files, and its neighbours' (the page links and compares them)."""
        neighbours = [self.content.get(r.id) if r else None for r in (prev, nxt)]
        return cache.digest(self.base, self.content[report.id], neighbours)

    def export(self, report: Report) -> str:
        """What a report's rows in the downloads are made from: its files, and the findings of the rules
        across years (the only part that reads another report)."""
        across = [f for f in report.findings if f.rule in load.CROSS_YEAR_RULES]
        # The quality findings: the narrative comparison and the gaps read the previous report too.
        return cache.digest(self.content[report.id], across, report.quality)

    def page(self, page: Page) -> str:
        """From the whole content of the reports the page depends on."""
        if EVERY_REPORT in page.depends:
            shown = self.everything
        else:
            shown = cache.digest([(d, self.content.get(d)) for d in page.depends])
        return cache.digest(self.base, shown, page.extra)

    def view(self, page: Page) -> str:
        """From only what ``page`` shows of its reports (``page.shows``); "" when it does not say."""
        if page.shows is None:
            return ""
        if EVERY_REPORT in page.depends:
            if page.shows not in self._every:
                self._every[page.shows] = cache.digest(self._parts(page.shows, self.reports))
            shown = self._every[page.shows]
        else:
            shown = self._parts(page.shows, [self._by_id[d] for d in page.depends if d in self._by_id])
        # The registry: the parts leave out the reports' bodies, whose names and places pages show too.
        return cache.digest(self.base, self.registry, shown, page.extra)

    def _parts(self, shows: Callable, reports) -> list[tuple]:
        seen = self._shown.setdefault(shows, {})  # shared by every page showing the same part
        parts = []
        for r in reports:
            part = seen.get(r.id)
            if part is None:
                part = seen[r.id] = shows(r)
            parts.append((r.id, part))
        return parts


class Reuse:
    """Keep or render the outputs of one build, recording what it did in ``counts`` and in the state."""

    def __init__(self, state: cache.State, writer: SiteWriter, counts: dict[str, int]):
        self.state = state
        self.writer = writer
        self.counts = counts
        self.changed = False  # whether an output was rendered or its record changed: the state must be saved

    def keep(self, paths: Iterable[str], key: str) -> bool:
        """Keep the previous site's files for ``paths`` if the last build made exactly them from ``key``;
        else claim the paths for this build (the caller renders them) and record ``key`` for them."""
        paths = tuple(paths)
        if all(self._reusable(rel, key) for rel in paths):
            for rel in paths:
                self.writer.keep(rel)
            return True
        for rel in paths:
            self.writer.claim(rel)
            self.state.outputs[rel] = cache.OutputEntry(key, ())
        self.changed = True
        return False

    def pages(self, pages: Iterable[Page], keys: Keys, kind: str) -> None:
        """Keep each page whose reports did not change, or changed only in what it does not show; render
        the others into the writer."""
        rendered = reused = same_view = 0
        for page in pages:
            key = keys.page(page)
            if self._reusable(page.path, key):
                self.writer.keep(page.path)
                reused += 1
                continue
            view = keys.view(page)
            entry = self.state.outputs.get(page.path)
            if view and entry is not None and entry.view == view and self._unchanged_file(page.path, entry):
                self.writer.keep(page.path)
                entry.key = key
                same_view += 1
            else:
                self.writer.write(page.path, page.render())
                self.state.outputs[page.path] = cache.OutputEntry(key, (), view)
                rendered += 1
        self.counts[f"{kind} rendered"] = rendered
        self.counts[f"{kind} reused"] = reused + same_view
        self.counts[f"{kind} reused, same view"] = same_view
        self.changed = self.changed or bool(rendered or same_view)

    def remember(self) -> None:
        """After the switch: record what this build wrote, and the stat of each freshly written output,
        so that the next build can trust them."""
        state, writer = self.state, self.writer
        for rel in list(state.outputs):
            if rel not in writer.written:
                del state.outputs[rel]
            elif rel in writer.fresh:
                stat = cache.file_stat(writer.out.joinpath(*rel.split("/")))
                if stat is None:
                    del state.outputs[rel]
                else:
                    state.outputs[rel].stat = stat
        files = sorted(writer.written)
        self.changed = self.changed or files != state.files
        state.files = files

    def _reusable(self, rel: str, key: str) -> bool:
        entry = self.state.outputs.get(rel)
        return entry is not None and entry.key == key and self._unchanged_file(rel, entry)

    def _unchanged_file(self, rel: str, entry: cache.OutputEntry) -> bool:
        """The previous site still holds exactly the file that entry records."""
        return self.writer.previous_stat(rel) == entry.stat
