"""The pipeline, in one place:

    content/ ─ discover ─ load ─ validate ─ model ─ render ─ write ─ index ─▶ site/

``check`` is load + validate + model (no rendering); ``build`` gathers and
validates everything first, then renders into a staging folder that replaces
the site only when every step succeeded.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from gkgen import agencies as agencies_mod
from gkgen import config as config_mod
from gkgen import load, pages, search
from gkgen.diagnostics import Collector, report
from gkgen.model import Archive
from gkgen.validate import current_year
from gkgen.write import SiteWriter


@dataclass
class Loaded:
    archive: Archive | None
    diagnostics: Collector = field(default_factory=Collector)


def max_year() -> int:
    """The latest report year accepted: this year (or SOURCE_DATE_EPOCH's, for reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        import datetime as dt

        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).year
    return current_year()


def load_archive(root: Path, *, base_url: str | None = None) -> Loaded:
    collector = Collector()
    config, problems = config_mod.load_config(root, base_url)
    collector.extend(problems)
    agencies, problems = agencies_mod.load_agencies(root)
    collector.extend(problems)
    sources, problems = load.discover(root)
    collector.extend(problems)
    year_limit = max_year()
    loaded = [load.load_report(s, agencies, year_limit) for s in sources]
    for item in loaded:
        collector.extend(item.diagnostics)
    reports, problems = load.link(loaded)
    collector.extend(problems)
    if collector.has_errors:
        return Loaded(None, collector)
    return Loaded(Archive.assemble(agencies, reports, config), collector)


def summary(archive: Archive, collector: Collector) -> str:
    acknowledged = sum(1 for r in archive.reports for f in r.findings if f.acknowledged)
    unchecked = sum(len(r.unchecked) for r in archive.reports)
    bodies = len({r.agency.id for r in archive.reports})
    return (
        f"{len(archive.reports)} 份报告，{bodies} 个机构，{acknowledged} 处已登记的勾稽关系不符，"
        f"{unchecked} 项规则因空白单元格无法核对，{len(collector.warnings)} 个警告"
    )


def check(root: Path, stream: TextIO = sys.stderr) -> int:
    loaded = load_archive(root)
    report(loaded.diagnostics.sorted(), stream)
    if loaded.archive is None:
        print(f"检查未通过：{len(loaded.diagnostics.errors)} 个错误", file=stream)
        return 1
    print(f"检查通过：{summary(loaded.archive, loaded.diagnostics)}", file=stream)
    return 0


def build(root: Path, out: Path, *, base_url: str | None = None, stream: TextIO = sys.stderr) -> int:
    loaded = load_archive(root, base_url=base_url)
    report(loaded.diagnostics.sorted(), stream, show_notes=False)
    if loaded.archive is None:
        print(f"构建失败：{len(loaded.diagnostics.errors)} 个错误；网站未改动", file=stream)
        return 1
    archive = loaded.archive
    with SiteWriter(out) as writer:
        pages.render_site(archive, writer)
        search.index_site(writer.staging)
        writer.commit()
    print(f"构建完成：{summary(archive, loaded.diagnostics)} → {out}", file=stream)
    return 0
