"""Province › city › county pages with the bodies located there and their yearly totals, and the tree of
all regions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from gkgen.model import Agency, Archive
from gkgen.site import urls
from gkgen.site.page import EVERY_REPORT, Page, html, key_figures, listing
from gkgen.site.render import Renderer
from gkgen.site.views import FIGURE_LABELS, REGION_FIGURES, Crumb, RegionRef, region_chain, region_sort_key


@dataclass
class RegionNode:
    ref: RegionRef
    parent: str | None
    children: set[str] = field(default_factory=set)
    agencies: set[str] = field(default_factory=set)  # bodies located directly here
    # year → [reports, new, handled, review, litigation, breaks]; sums of known figures
    totals: dict[int, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class RegionTotals:
    year: int
    reports: int
    figures: tuple[int, ...]
    breaks: int


def region_tree(agencies: Sequence[Agency]) -> dict[str, RegionNode]:
    """Province › city › county nodes with the bodies located in each, without totals (which read every
    report's figures, and are needed only when a region page is rendered)."""
    nodes: dict[str, RegionNode] = {}
    for agency in agencies:
        chain = region_chain(agency)
        parent = None
        for ref in chain:
            nodes.setdefault(ref.code, RegionNode(ref, parent))
            if parent:
                nodes[parent].children.add(ref.code)
            parent = ref.code
        if chain:
            nodes[chain[-1].code].agencies.add(agency.id)
    return nodes


def add_region_totals(archive: Archive, nodes: dict[str, RegionNode]) -> None:
    for node in nodes.values():
        for agency_id in node.agencies:
            chain = [node.ref.code]
            while (parent := nodes[chain[-1]].parent) is not None:
                chain.append(parent)
            for report in archive.reports_of(agency_id):
                for code in chain:
                    totals = nodes[code].totals.setdefault(report.year, [0] * (len(REGION_FIGURES) + 2))
                    totals[0] += 1
                    for i, name in enumerate(REGION_FIGURES, start=1):
                        totals[i] += report.figure(name) or 0
                    totals[-1] += len(report.breaks)


def region_totals(node: RegionNode) -> list[RegionTotals]:
    return [
        RegionTotals(year, t[0], tuple(t[1:-1]), t[-1])
        for year, t in sorted(node.totals.items(), reverse=True)
    ]


def region_pages(
    site: Renderer, archive: Archive, agencies: Sequence[Agency], nodes: dict[str, RegionNode]
) -> list[Page]:
    by_id = {a.id: a for a in agencies}
    labels = [FIGURE_LABELS[n] for n in REGION_FIGURES]

    @cache  # once, and only if a region page is rendered
    def with_totals() -> dict[str, RegionNode]:
        add_region_totals(archive, nodes)
        return nodes

    def subtree_agencies(code: str) -> list[Agency]:
        found = [by_id[a] for a in nodes[code].agencies]
        for child in nodes[code].children:
            found.extend(subtree_agencies(child))
        return sorted(found, key=region_sort_key)

    def context(code: str) -> dict:
        node = with_totals()[code]
        chain = []
        cursor: str | None = code
        while cursor:
            chain.append(nodes[cursor].ref)
            cursor = nodes[cursor].parent
        chain.reverse()
        crumbs = [Crumb("首页", urls.HOME), Crumb("地区", urls.REGIONS)]
        crumbs += [Crumb(r.name, r.url) for r in chain[:-1]] + [Crumb(node.ref.name)]
        return {
            "node": node.ref,
            "chain": chain,
            "children": [nodes[c].ref for c in sorted(node.children)],
            "bodies": [(a, archive.reports_of(a.id)) for a in subtree_agencies(code)],
            "totals": region_totals(node),
            "figure_labels": labels,
            "breadcrumbs": crumbs,
        }

    pages = []
    for code in sorted(nodes):
        bodies = subtree_agencies(code)
        pages.append(
            Page(
                urls.output_path(urls.region(code)),
                html(site, "region.html", lambda code=code: context(code)),
                depends=tuple(r.id for a in bodies for r in archive.reports_of(a.id)),
                extra=repr([a for a in bodies if not archive.reports_of(a.id)]),
                shows=key_figures,
            )
        )

    def index_context() -> dict:
        tree = _tree(with_totals(), [c for c in sorted(nodes) if nodes[c].parent is None])
        unplaced_groups: dict[str, list] = defaultdict(list)
        for a in agencies:
            if not region_chain(a):
                unplaced_groups[" ".join(a.region_names) or "地区不详"].append((a, archive.reports_of(a.id)))
        return {
            "tree": tree,
            "unplaced": sorted(unplaced_groups.items()),
            "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("地区")],
        }

    pages.append(
        Page(
            urls.output_path(urls.REGIONS),
            html(site, "regions.html", index_context),
            depends=(EVERY_REPORT,),
            shows=listing,
        )
    )
    return pages


@dataclass(frozen=True)
class TreeItem:
    ref: RegionRef
    reports: int
    children: tuple[TreeItem, ...]


def _tree(nodes: dict[str, RegionNode], codes: Iterable[str]) -> tuple[TreeItem, ...]:
    return tuple(
        TreeItem(
            nodes[c].ref,
            sum(t[0] for t in nodes[c].totals.values()),
            _tree(nodes, sorted(nodes[c].children)),
        )
        for c in codes
    )
