"""Gaps: the years for which the archive holds no report of a body that reported before and after.

A body is expected to report every year between its first report in the archive and the latest year of
any report in the archive. A missing year may be a report the body never published, or one the archive
has not collected yet: pages say so.
"""

from __future__ import annotations

from collections.abc import Iterable


def missing_between(previous_year: int | None, year: int) -> tuple[int, ...]:
    """The years between a body's previous report and this one."""
    if previous_year is None:
        return ()
    return tuple(range(previous_year + 1, year))


def missing_years(years: Iterable[int], latest: int) -> tuple[int, ...]:
    """Every year from a body's first report to ``latest`` (the archive's latest year) without a report."""
    have = sorted(set(years))
    if not have:
        return ()
    return tuple(y for y in range(have[0], latest + 1) if y not in set(have))
