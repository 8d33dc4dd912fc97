"""The official tables are written in Python (gkgen.site.tablehtml): same escaping as Jinja's autoescape."""

from html.parser import HTMLParser

from markupsafe import escape as jinja_escape

from gkgen.site import tablehtml
from gkgen.site.tables import BodyCell, HeadCell, TableView

TRICKY = "<script>alert('x')</script> & \"引号\" 其他"


def test_escape_matches_autoescape():
    for text in (TRICKY, "", "12", "—", "a&b<c>d\"e'f"):
        assert tablehtml.escape(text) == str(jinja_escape(text))


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_untrusted_text_stays_text():
    table = TableView(
        caption=TRICKY,
        head=((HeadCell(TRICKY, colspan=2),),),
        body=(
            (
                BodyCell(header=True, text=TRICKY, scope="rowgroup", rowspan=2),
                BodyCell(header=False, text=TRICKY, code="A1", flags=(1, 3), involved=True),
            ),
        ),
        kind="requests",
    )
    parser = _Collect()
    parser.feed(str(tablehtml.official_table(table)))
    assert [t for t, _ in parser.tags].count("script") == 0
    assert TRICKY in "".join(parser.text)
    td = next(a for t, a in parser.tags if t == "td")
    assert td == {
        "id": "cell-A1",
        "data-cell": "A1",
        "class": "num flag involved",
        "data-flag": "1,3",
        "aria-describedby": "finding-1 finding-3",
    }
    th = [a for t, a in parser.tags if t == "th"]
    assert th[0] == {"scope": "col", "colspan": "2"}
    assert th[1] == {"scope": "rowgroup", "rowspan": "2", "class": "group"}
