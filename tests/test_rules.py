"""The reconciliation rules are one engine: the validator's findings and the importer's solver read the
same equations (gkgen.formats.rules), so a break the importer reports is the break `gkgen check` reports."""

from __future__ import annotations

import pytest

from gkgen import formats
from gkgen.authoring.importer import tables
from gkgen.formats import rules


@pytest.mark.parametrize("format_id", ["2019", "2021"])
def test_the_importer_and_the_validator_read_the_same_equations(format_id: str) -> None:
    fmt = formats.get(format_id)
    cells = dict.fromkeys(fmt.codes, 0)
    cells["requests.granted.natural"] = 3  # breaks outcomes.natural and row_total.granted
    cells["review.upheld"] = 1  # breaks appeals.review
    broken = sorted(f.id for f in rules.check_report(fmt, cells) if f.broken)
    assert broken == ["appeals.review", "outcomes.natural", "row_total.granted"]
    solver = tables.request_rules(fmt) + tables.appeal_rules(fmt)
    assert sorted(eq.id for eq in solver if eq.holds(cells) is False) == broken
    assert {eq.id for eq in solver} == {eq.id for eq in rules.equations(fmt)}


def test_a_blank_or_money_operand_is_not_checkable() -> None:
    fmt = formats.get("2021")
    cells = dict.fromkeys(fmt.codes, 0)
    cells["review.pending"] = None
    eq = next(eq for eq in rules.equations(fmt) if eq.id == "appeals.review")
    assert eq.holds(cells) is None
    (finding,) = [f for f in rules.check_report(fmt, cells) if f.id == "appeals.review"]
    assert finding.status == "unchecked"


def test_cross_year_anchors_follow_the_format_description() -> None:
    assert rules.cross_year_anchors(formats.get("2021")) == (
        "active.rules.in_force",
        "active.normative.in_force",
        *(f"requests.carried_over.{c.key}" for c in formats.get("2021").request_columns),
    )
    assert rules.cross_year_anchors(formats.get("none")) == ()
