"""Read a report file into one intermediate form, whatever its kind.

The form is a list of rows in reading order, each row a list of cell strings: a line
of text is a row of one cell, a table row is a row of several. Blank cells are kept
(blank ≠ 0). Text files come in several layouts (one cell per line, tab-separated
rows, everything run together on one line); Word tables are read as tables, web
pages' tables with their colspan/rowspan expanded, and PDF tables from the
positions of ruling lines and characters.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

Row = list[str]


@dataclass
class Source:
    path: Path
    kind: str  # txt | html | docx | pdf
    rows: list[Row] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # title, url, published found in a page header
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class SourceError(Exception):
    """A file that cannot be read as a report at all."""


def read(path: Path) -> Source:
    suffix = path.suffix.lower()
    if suffix in (".txt", ".text", ".md"):
        return read_text(path, _decode(path.read_bytes()))
    if suffix in (".html", ".htm", ".shtml", ".xhtml"):
        return read_html(path, _decode(path.read_bytes()))
    if suffix == ".docx":
        return read_docx(path)
    if suffix == ".pdf":
        return read_pdf(path)
    if suffix == ".doc":
        raise SourceError("旧版 Word 文件（.doc）无法直接读取：请在 Word 中另存为 .docx 后再导入")
    raise SourceError(f"不支持的文件类型 {suffix or '（无扩展名）'}：支持 .txt .html .docx .pdf .json")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


# --------------------------------------------------------------------------- text

_HEADER_FIELD = re.compile(r"^(标题|发布时间|发布日期|原文链接|来源|文号|发布机构|栏目)\s*[:：]\s*(.*)$")
_BODY_MARK = re.compile(r"^=+\s*正文\s*=+$")


def read_text(path: Path, text: str) -> Source:
    src = Source(path, "txt")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    # A crawler's page header ("标题: …", "发布时间: …", "==== 正文 ====").
    for i, line in enumerate(lines[:20]):
        if _BODY_MARK.match(line.strip()):
            for head in lines[:i]:
                m = _HEADER_FIELD.match(head.strip())
                if m and m.group(2).strip():
                    src.meta[m.group(1)] = m.group(2).strip()
            lines = lines[i + 1 :]
            break
    src.rows = _text_rows(lines)
    return src


def _text_rows(lines: list[str]) -> list[Row]:
    """Rows from text lines: tab-separated fields are cells; in the one-cell-per-line
    layout (every cell on its own line starting with a tab, rows separated by blank
    lines) a blank-line-separated block of such lines is one row."""
    rows: list[Row] = []
    current: Row | None = None  # the open one-cell-per-line row
    prev_tab_line = False
    for raw in lines:
        line = raw.rstrip(" \u3000")
        if not line.strip():
            current = None
            prev_tab_line = False
            continue
        if line.startswith("\t") and "\t" not in line[1:]:
            # one cell on its own line
            cell = line[1:]
            if current is None:
                current = [cell]
                rows.append(current)
            else:
                current.append(cell)
            prev_tab_line = True
            continue
        if "\t" in line:
            fields = line.split("\t")
            rows.append(fields)
            current = None
            prev_tab_line = False
            continue
        if prev_tab_line and current is not None and len(line.strip()) <= 12:
            # continuation of a multi-line cell ("商业\n企业")
            current[-1] = current[-1] + line.strip()
            continue
        # A plain line; it may head a one-cell-per-line row that follows.
        current = [line]
        rows.append(current)
        prev_tab_line = False
    return rows


# --------------------------------------------------------------------------- html

_BLOCK_TAGS = {
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
    "header", "footer", "ul", "ol", "blockquote", "pre", "title", "hr",
}  # fmt: skip
_SKIP_TAGS = {"script", "style", "noscript", "head", "nav", "button", "select", "option", "iframe"}


class _HtmlRows(HTMLParser):
    """Block text as rows of one cell; tables as grids with spans expanded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[Row] = []
        self.title = ""
        self._text: list[str] = []
        self._skip = 0
        self._in_title = False
        self._tables: list[dict] = []  # stack of tables being read

    # -- text outside tables
    def _flush(self) -> None:
        text = "".join(self._text)
        self._text = []
        for line in text.split("\n"):
            if line.strip():
                self.rows.append([" ".join(line.split())])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
        if tag in _SKIP_TAGS:
            self._skip += 1
            return
        if self._skip:
            return
        if tag == "table":
            if not self._tables:
                self._flush()
            self._tables.append({"rows": [], "row": None, "cell": None})
        elif tag == "tr" and self._tables:
            t = self._tables[-1]
            t["row"] = []
            t["rows"].append(t["row"])
        elif tag in ("td", "th") and self._tables:
            t = self._tables[-1]
            if t["row"] is None:
                t["row"] = []
                t["rows"].append(t["row"])
            t["cell"] = {
                "text": [],
                "colspan": _span(attrs.get("colspan")),
                "rowspan": _span(attrs.get("rowspan")),
            }
            t["row"].append(t["cell"])
        elif tag in _BLOCK_TAGS:
            if self._tables and self._tables[-1]["cell"] is not None:
                self._tables[-1]["cell"]["text"].append("\n")
            else:
                self._text.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if tag == "table" and self._tables:
            t = self._tables.pop()
            grid = _expand(t["rows"])
            if self._tables and self._tables[-1]["cell"] is not None:
                # nested table: its text goes into the outer cell
                self._tables[-1]["cell"]["text"].append("\n".join(" ".join(r) for r in grid))
            else:
                self.rows.extend(grid)
        elif tag in ("td", "th") and self._tables:
            self._tables[-1]["cell"] = None
        elif tag in _BLOCK_TAGS and not self._tables:
            self._text.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._skip:
            return
        if self._tables:
            cell = self._tables[-1]["cell"]
            if cell is not None:
                cell["text"].append(data)
            return
        self._text.append(data)

    def close(self):
        super().close()
        self._flush()


def _span(value: str | None) -> int:
    try:
        return max(1, min(50, int(str(value).strip())))
    except (TypeError, ValueError):
        return 1


def _expand(rows: list[list[dict]]) -> list[Row]:
    """A table's rows with colspan/rowspan expanded: a spanned cell's text stands in its
    first position, the positions it covers are blank."""
    grid: list[dict[int, str]] = []
    for r, row in enumerate(rows):
        while len(grid) <= r:
            grid.append({})
        col = 0
        for cell in row:
            while col in grid[r]:
                col += 1
            text = " ".join("".join(cell["text"]).split())
            for dr in range(cell["rowspan"]):
                while len(grid) <= r + dr:
                    grid.append({})
                for dc in range(cell["colspan"]):
                    grid[r + dr][col + dc] = text if (dr == 0 and dc == 0) else ""
            col += cell["colspan"]
    out = []
    for cells in grid:
        if not cells:
            continue
        width = max(cells) + 1
        out.append([cells.get(i, "") for i in range(width)])
    return out


# A page saved inside a JavaScript string: document.write("<td colspan=\"3\">…") or a JSON field.
_ESCAPED_MARKUP = re.compile(r'<(?:table|tr|td|th|p|div|span)\b[^<>]*=\\"', re.I)


_JS_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.S | re.I)


def _unescape_js_string(text: str) -> str:
    """Undo a JavaScript string's escapes, so that the tables' attributes (colspan=\"3\") read as
    attributes and a cell's text keeps its characters."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return (
        text.replace('\\"', '"')
        .replace("\\'", "'")
        .replace("\\/", "/")
        .replace("\\n", "\n")
        .replace("\\t", "\t")
    )


def read_html(path: Path, text: str) -> Source:
    src = Source(path, "html")
    if _ESCAPED_MARKUP.search(text):
        # The report is markup inside script strings: read those strings as the page.
        inner = "".join(m.group(1) for m in _JS_STRING.finditer(text) if "<" in m.group(1))
        text = _SCRIPT.sub("", text) + _unescape_js_string(inner)
    parser = _HtmlRows()
    parser.feed(text)
    parser.close()
    src.rows = parser.rows
    if parser.title.strip():
        src.meta["页面标题"] = " ".join(parser.title.split())
    for name in ("ArticleTitle", "title", "Title"):
        m = re.search(rf'<meta[^>]+name=["\']{name}["\'][^>]+content=["\']([^"\']+)', text, re.I)
        if m:
            src.meta.setdefault("标题", m.group(1).strip())
            break
    for name in ("PubDate", "pubdate", "publishdate", "firstpublishedtime"):
        m = re.search(rf'<meta[^>]+name=["\']{name}["\'][^>]+content=["\']([^"\']+)', text, re.I)
        if m:
            src.meta.setdefault("发布时间", m.group(1).strip())
            break
    m = re.search(r'<link[^>]+rel=["\']canonical["\'][^>]+href=["\']([^"\']+)', text, re.I)
    if m:
        src.meta.setdefault("原文链接", m.group(1).strip())
    return src


# --------------------------------------------------------------------------- docx


def read_docx(path: Path) -> Source:
    try:
        import docx  # python-docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise SourceError("读取 .docx 需要 python-docx（pip install python-docx）") from exc
    src = Source(path, "docx")
    try:
        document = docx.Document(str(path))
    except Exception as exc:
        raise SourceError(f"无法打开 Word 文件：{exc}") from exc
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, document).text
            for line in text.split("\n"):
                if line.strip():
                    src.rows.append([line.strip()])
        elif tag == "tbl":
            src.rows.extend(_docx_table(Table(child, document)))
    core = document.core_properties
    if core.title:
        src.meta["文档标题"] = core.title
    return src


def _docx_table(table) -> list[Row]:
    """Rows of a Word table; a merged cell's text stands once, in its first position."""
    out: list[Row] = []
    seen_above: dict[int, object] = {}
    for row in table.rows:
        cells: Row = []
        prev = None
        for i, cell in enumerate(row.cells):
            tc = cell._tc
            if tc is prev:  # horizontally merged: python-docx repeats the cell
                cells.append("")
                continue
            prev = tc
            if seen_above.get(i) is tc:  # vertically merged: the cell above continues
                cells.append("")
                continue
            seen_above[i] = tc
            cells.append(" ".join(cell.text.split()))
        out.append(cells)
    return out


# --------------------------------------------------------------------------- pdf


def read_pdf(path: Path) -> Source:
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise SourceError("读取 PDF 需要 pdfplumber（pip install pdfplumber）") from exc
    src = Source(path, "pdf")
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        pdf = pdfplumber.open(str(path))
    except Exception as exc:
        raise SourceError(f"无法打开 PDF 文件：{exc}") from exc
    n_chars = 0
    with pdf:
        if pdf.metadata.get("Title"):
            src.meta["文档标题"] = str(pdf.metadata["Title"])
        for page in pdf.pages:
            n_chars += len(page.chars)
            src.rows.extend(_pdf_page_rows(page))
        n_pages = len(pdf.pages)
    if n_chars < 20 * max(1, n_pages) and n_chars < 200:
        src.errors.append(
            f"PDF 没有可提取的文字（{n_pages} 页，{n_chars} 个字符）：这是扫描件或图片，需要先做 OCR（文字识别）再导入"
        )
    return src


INDENT = "\u3000\u3000"

# Fonts that map ideographs to the radical blocks ("⼀、总体情况", "⾸⻚"): back to the ideographs.
_SUPPLEMENT = str.maketrans(
    "⻚⻓⻅⻔⻋⻜⻛⻢⻉⻝⻤⻥⻦⻧⻨⻩⻪⻬⻮⻯⻰⻳⻄⻆⻘⻟⺠⺟",
    "页长见门车飞风马贝食鬼鱼鸟卤麦黄黾齐齿龙龟青西角青食民母",
)


def fold_radicals(text: str) -> str:
    if not any("\u2e80" <= ch <= "\u2fdf" for ch in text):
        return text
    out = []
    for ch in text.translate(_SUPPLEMENT):
        if "\u2f00" <= ch <= "\u2fdf":
            ch = unicodedata.normalize("NFKC", ch)
        out.append(ch)
    return "".join(out)


def _merge_lines(lines: list[dict]) -> list[dict]:
    """Join pieces of one visual line that pdfplumber split (mixed fonts sit at different heights)."""
    lines = sorted(lines, key=lambda ln: (ln["top"], ln["x0"]))
    out: list[dict] = []
    for ln in lines:
        if out:
            prev = out[-1]
            overlap = min(prev["bottom"], ln["bottom"]) - max(prev["top"], ln["top"])
            height = min(prev["bottom"] - prev["top"], ln["bottom"] - ln["top"]) or 1
            apart = ln["x0"] >= prev["x1"] - 1 or ln["x1"] <= prev["x0"] + 1
            if overlap > 0.5 * height and apart:
                first, second = (prev, ln) if prev["x0"] <= ln["x0"] else (ln, prev)
                out[-1] = {
                    "text": first["text"] + second["text"],
                    "x0": min(prev["x0"], ln["x0"]),
                    "x1": max(prev["x1"], ln["x1"]),
                    "top": min(prev["top"], ln["top"]),
                    "bottom": max(prev["bottom"], ln["bottom"]),
                }
                continue
        out.append(ln)
    return out


# Spaces a PDF's character spacing leaves between Chinese characters ("2023 年", "邮 编 ：").
_PDF_SPACE = re.compile(
    r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\w])"
    r"|(?<=[\w.])\s+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])"
)


def _pdf_page_rows(page) -> list[Row]:
    """A page's text lines and table rows in reading order (top to bottom)."""
    items: list[tuple[float, int, Row]] = []
    tables = []
    try:
        found = page.find_tables()
    except Exception:  # pragma: no cover - pdfminer oddities
        found = []
    for table in found:
        rows = table.extract()
        width = max((len(r) for r in rows), default=0)
        if width < 2:
            continue  # a box around text, not a table
        tables.append(table)
        for i, row in enumerate(rows):
            cells = [fold_radicals(" ".join((c or "").split())) for c in row]
            items.append((table.bbox[1] + i * 0.01, 1, cells))

    def outside(obj) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(t.bbox[0] <= x <= t.bbox[2] and t.bbox[1] <= y <= t.bbox[3] for t in tables)

    text_page = page.filter(outside) if tables else page
    lines = _merge_lines(
        [
            ln
            for ln in text_page.extract_text_lines(layout=False, strip=True, return_chars=False)
            if ln["text"].strip()
        ]
    )
    margin = min((ln["x0"] for ln in lines), default=0)
    size = min((ln["bottom"] - ln["top"] for ln in lines), default=10) or 10
    for line in lines:
        text = _PDF_SPACE.sub("", fold_radicals(line["text"]))
        if line["x0"] - margin > 1.5 * size:
            text = INDENT + text  # a paragraph's first line (or a centred one)
        items.append((line["top"], 0, [text]))
    items.sort(key=lambda it: (it[0], it[1]))
    return [row for _, _, row in items]
