"""The quality page and the report page's quality panel in real Chromium: on a phone, and filtered."""

from __future__ import annotations

import pytest

from gkgen.build import load_archive
from tests.helpers import REPO


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def overflowing(page, selector: str) -> list[str]:
    """Elements of ``selector`` that reach past the viewport's right edge."""
    return page.evaluate(
        """sel => { const w = document.documentElement.clientWidth; const root = document.querySelector(sel);
        return [root, ...root.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > w + 0.5)
          .map(e => e.tagName + ' ' + (e.textContent || '').slice(0, 30)); }""",
        selector,
    )


def test_on_a_phone_the_quality_page_does_not_scroll_sideways(page, site_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + "quality/")
    assert no_sideways_scroll(page)


@pytest.mark.parametrize("path", ["reports/410202-longting-gov-office/2021/", "reports/350128-pingtan/2022/"])
def test_on_a_phone_the_quality_panel_fits(page, site_url: str, path: str) -> None:
    # The panel only: the official tables' width on a phone belongs to the report page's own layout.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + path)
    page.evaluate("document.querySelectorAll('section.quality details').forEach(d => d.open = true)")
    assert overflowing(page, "section.quality") == []


def test_filters_hide_rows_and_columns_and_recount(page, site_url: str, watch) -> None:
    reports = load_archive(REPO).archive.reports

    def contradicted(keep) -> str:
        return str(sum(1 for r in reports if keep(r) and "contradiction" in r.quality.flags))

    page.goto(site_url + "quality/")
    assert page.is_visible("#quality-filter")  # shown by the script; the grid is in the page without it
    rows = "table.quality-grid tbody tr"
    assert page.locator(rows).count() == len({r.agency.id for r in reports})
    assert page.inner_text('[data-count="contradiction"]') == contradicted(lambda r: True)
    page.select_option('#quality-filter select[name="level"]', "乡镇")
    shown = {r.agency.id for r in reports if r.agency.level == "乡镇"}
    assert page.locator(rows + ":not([hidden])").count() == len(shown)
    assert page.inner_text('[data-count="contradiction"]') == contradicted(lambda r: r.agency.level == "乡镇")
    page.select_option('#quality-filter select[name="level"]', "")
    page.select_option('#quality-filter select[name="year"]', "2022")
    visible_years = page.eval_on_selector_all(
        "table.quality-grid thead th[data-year]", "els => els.filter(e => !e.hidden).map(e => e.textContent)"
    )
    assert visible_years == ["2022"]
    assert page.inner_text('[data-count="contradiction"]') == contradicted(lambda r: r.year == 2022)
    assert not watch.errors


def test_the_panel_links_to_the_sentence_and_the_cell(page, site_url: str) -> None:
    page.goto(site_url + "reports/410202-longting-gov-office/2021/")
    page.click('#quality-claim-1 a[href="#claim-1"]')
    assert page.evaluate("location.hash") == "#claim-1"
    assert "其他情形3起" in page.inner_text("mark#claim-1")
    page.click('#quality-claim-1 a[href="#cell-review.other"]')
    assert page.evaluate("location.hash") == "#cell-review.other"
