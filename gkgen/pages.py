"""Every page and file of the site, rendered from the model into the writer."""

from __future__ import annotations

from gkgen import exports, render
from gkgen.model import Archive
from gkgen.write import SiteWriter


def render_site(archive: Archive, writer: SiteWriter) -> None:
    for r in archive.reports:
        writer.write(f"{r.url}index.html", render.report_page(r))
        writer.write(f"data/reports/{r.id}.json", exports.to_json_bytes(exports.report_document(r)))
