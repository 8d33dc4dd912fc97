"""Real reports in layouts the importer was not written for (tests/importer/fixtures/real).

Every expected cell must come back right, or — only where the fixture says the file
itself does not decide it — null with a doubt. A wrong number is never acceptable.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gkgen.authoring.importer import import_file

REAL = Path(__file__).parent / "fixtures" / "real"
CASES = sorted(p for p in REAL.iterdir() if p.suffix in (".txt", ".html"))


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_real_fixture(path):
    expected = json.loads((REAL / f"{path.name}.expected.json").read_text(encoding="utf-8"))
    r = import_file(path)
    assert not r.errors
    assert (r.doc["year"], r.doc["format"]) == (expected["year"], expected["format"])
    cells = r.doc["cells"]
    wrong, flagged = [], []
    for code, want in expected["cells"].items():
        got = cells.get(code)
        if got == want:
            continue
        if got is None and code in r.doubts and code in expected["may_flag"]:
            flagged.append(code)
            continue
        wrong.append((code, want, got, r.doubts.get(code)))
    assert not wrong, wrong
    # no doubt where the file decides the cell
    assert not [c for c in expected["cells"] if c in r.doubts and c not in expected["may_flag"]]


def test_reduced_html_keeps_the_published_structure():
    text = (REAL / "pingtan-2024.html").read_text(encoding="utf-8")
    assert 'rowspan="22"' in text and 'colspan="3" rowspan="3"' in text
