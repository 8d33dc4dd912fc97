"""Build report files (HTML, .docx, PDF) from a reference transcription, at test time.

The tables follow the official layout (merged cells for the row groups and the
two-level headers); a few labels are written the way real reports write them
(half-width brackets, a known variant), so the importer's loose matching is used.
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
from pathlib import Path

from gkgen import formats

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
REFERENCE = SHARED / "reports" / "reference"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"

OVERVIEW = "本年度，本机关认真贯彻《中华人民共和国政府信息公开条例》，主动公开政府信息。"
PROBLEMS = "存在的主要问题是公开内容还不够丰富。下一步将加强培训，改进工作。"
OTHER = "本年度未收取信息处理费。"

# Label variants seen in real reports.
VARIANTS = {
    "withheld.prohibited": "2.其他法律法规禁止公开",
    "partial": "(二)部分公开(区分处理的,只计这一情形,不计其他情形)",
}


def reference(stem: str) -> dict:
    return json.loads((REFERENCE / f"{stem}.json").read_text(encoding="utf-8"))


def _v(value) -> str:
    return "" if value is None else str(value)


def table_rows(ref: dict) -> dict[str, list[list[tuple[str, int, int]]]]:
    """The report's tables as rows of (text, rowspan, colspan), per section."""
    fmt = formats.get(ref["format"])
    cells = ref["cells"]
    active = []
    for group in fmt.active_groups:
        n = len(group.columns)
        active.append([(group.clause, 1, n + 1)])
        active.append([("信息内容", 1, 1), *[(c.label, 1, 1) for c in group.columns]])
        for row in group.rows:
            active.append(
                [(row.label, 1, 1), *[(_v(cells[f"active.{row.key}.{c.key}"]), 1, 1) for c in group.columns]]
            )
    cols = fmt.request_columns
    requests = [
        [
            ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 2, 3),
            ("申请人情况", 1, 7),
        ],
        [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
        [("", 1, 3), *[(c.label, 1, 1) for c in cols[1:6]]],
    ]
    rows = fmt.request_rows
    outcome_rows = [r for r in rows if r.parents]
    groups: dict[str, int] = {}
    for r in outcome_rows:
        if len(r.parents) > 1:
            groups[r.parents[1]] = groups.get(r.parents[1], 0) + 1
    seen: set[str] = set()
    for i, r in enumerate(rows):
        values = [(_v(cells[f"requests.{r.key}.{c.key}"]), 1, 1) for c in cols]
        label = VARIANTS.get(r.key, r.label)
        lead: list[tuple[str, int, int]] = []
        if not r.parents:
            lead = [(label, 1, 3)]
        else:
            if r is outcome_rows[0]:
                lead.append((r.parents[0], len(outcome_rows), 1))
            if len(r.parents) == 1:
                lead.append((label, 1, 2))
            else:
                if r.parents[1] not in seen:
                    seen.add(r.parents[1])
                    lead.append((r.parents[1], groups[r.parents[1]], 1))
                lead.append((label, 1, 1))
        requests.append([*lead, *values])
        del i
    appeals = [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [*[(c.label, 2, 1) for c in fmt.appeal_columns], ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        [(c.label, 1, 1) for c in fmt.appeal_columns] * 2,
        [(_v(cells[f"{g.key}.{c.key}"]), 1, 1) for g in fmt.appeal_groups for c in fmt.appeal_columns],
    ]
    return {"active": active, "requests": requests, "appeals": appeals}


def _html_table(rows) -> str:
    out = ['<table border="1" cellspacing="0" style="border-collapse:collapse;font-size:9pt">']
    for row in rows:
        tds = "".join(f'<td rowspan="{rs}" colspan="{cs}">{html.escape(text)}</td>' for text, rs, cs in row)
        out.append(f"<tr>{tds}</tr>")
    out.append("</table>")
    return "\n".join(out)


def report_html(ref: dict, title: str) -> str:
    t = table_rows(ref)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="PubDate" content="2022-01-20 10:00">
<style>body{{font-family:sans-serif}} nav{{color:#888}}</style></head>
<body>
<nav>首页 &gt; 政务公开 &gt; 政府信息公开年报</nav>
<div class="bread">当前位置：首页 &gt; 政府信息公开年报</div>
<h1>{html.escape(title)}</h1>
<p>本报告根据《中华人民共和国政府信息公开条例》编制。</p>
<h2>一、总体情况</h2>
<p>{OVERVIEW}</p>
<h2>二、主动公开政府信息情况</h2>
{_html_table(t["active"])}
<h2>三、收到和处理政府信息公开申请情况</h2>
{_html_table(t["requests"])}
<h2>四、政府信息公开行政复议、行政诉讼情况</h2>
{_html_table(t["appeals"])}
<h2>五、存在的主要问题及改进情况</h2>
<p>{PROBLEMS}</p>
<h2>六、其他需要报告的事项</h2>
<p>{OTHER}</p>
<script>var x = "一、总体情况 123";</script>
</body></html>
"""


def report_docx(ref: dict, title: str, path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    document.add_paragraph("本报告根据《中华人民共和国政府信息公开条例》编制。")
    t = table_rows(ref)
    parts = [
        ("一、总体情况", OVERVIEW, None),
        ("二、主动公开政府信息情况", None, "active"),
        ("三、收到和处理政府信息公开申请情况", None, "requests"),
        ("四、政府信息公开行政复议、行政诉讼情况", None, "appeals"),
        ("五、存在的主要问题及改进情况", PROBLEMS, None),
        ("六、其他需要报告的事项", OTHER, None),
    ]
    for heading, text, table in parts:
        document.add_paragraph(heading)
        if text:
            document.add_paragraph(text)
        if table:
            _docx_table(document, t[table])
    document.save(str(path))


def _docx_table(document, rows) -> None:
    width = max(sum(cs for _t, _rs, cs in row) for row in rows)
    # place cells on a grid, honouring spans
    grid: dict[tuple[int, int], tuple[str, int, int]] = {}
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in taken:
                c += 1
            grid[(r, c)] = (text, rs, cs)
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, c + dc))
            c += cs
    table = document.add_table(rows=len(rows), cols=width)
    for (r, c), (text, rs, cs) in grid.items():
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        cell.text = text


def html_to_pdf(html_path: Path, pdf_path: Path) -> bool:
    if not Path(CHROMIUM).exists():
        return False
    try:
        subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf_path}",
                html_path.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return pdf_path.exists() and pdf_path.stat().st_size > 0
