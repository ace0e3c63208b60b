"""The Dashboard sheet: formulas that point at the right cells, laid out so nothing overlaps, the
status matrix in the colour of what it means, a frozen snapshot, and printed pages
that never break inside a section (a table with its chart)."""
import re

import pytest

from tests.support.dashboard import AS_OF, block, cells, column_number, evaluate, find, rectangles, sample
from tests.support.inline import book
from xlportfolio.core.formats import HEAT_BAD, HEAT_GOOD, HEAT_MIXED, heat_fill, money_format
from xlportfolio.core.plan import CellIs, ColorScale, Formula
from xlportfolio.core.rollup.dashboard.formulas import value_of
from xlportfolio.core.rollup.dashboard.layout import CHART_COLUMN, PAGE_ROWS, dashboard_sheet, page_breaks


def test_status_matrix_counts_both_ratings_case_blind_with_a_heat_map_by_meaning():
    sheet = dashboard_sheet(sample(), AS_OF)
    matrix = block(sheet, "Items by implementation")
    assert matrix.header == ("Implementation \\ Potential", "Green", "Amber", "Red", "Total")
    counts = {row[0]: [value_of(c) for c in row[1:]] for row in matrix.rows}
    assert counts["Green"] == [1, 0, 1, 2]
    assert counts["Amber"] == [1, 0, 0, 1]  # 'amber' counts: Excel's criteria ignore case
    assert counts["Red"] == [0, 2, 1, 3]
    assert counts["Total"] == [2, 2, 2, 6]
    green_red = matrix.rows[0][3]
    assert green_red.text == '=COUNTIFS(Items[Implementation status],"Green",Items[Potential status],"Red")'
    fills = {look.ref: look.fill for look in sheet.looks if look.fill}

    def fill(r: int, c: int) -> str:  # r, c: 0-based within the counts
        return fills[f"{chr(64 + matrix.column + 1 + c)}{matrix.header_row + 1 + r}"]

    # Green/Green (1 item) is green; Red/Amber (the most, 2) is the fullest red; a zero is a pale tint.
    assert fill(0, 0) == heat_fill(HEAT_GOOD, 1, 2) and fill(2, 1) == HEAT_BAD
    assert fill(0, 1) == heat_fill(HEAT_MIXED, 0, 2) and fill(1, 1) == heat_fill(HEAT_MIXED, 0, 2)
    assert fill(0, 2) == heat_fill(HEAT_BAD, 1, 2) and fill(2, 0) == heat_fill(HEAT_BAD, 0, 2)
    assert not any(isinstance(r, ColorScale) for r in sheet.conditional)  # no more red for a count of Green
    labels = {r.value: r.fill for r in sheet.conditional if isinstance(r, CellIs)}
    assert set(labels) == {"Green", "Amber", "Red"}


def test_every_formula_on_the_sheet_points_at_the_right_cells():
    sheet = dashboard_sheet(sample(), AS_OF, stage_weights={"DI1": 0.1, "DI5": 1})
    grid = cells(sheet)
    for where, result in evaluate(sheet).items():
        assert result == pytest.approx(value_of(grid[where]) or 0), (where, grid[where])


def test_values_give_a_frozen_snapshot():
    sheet = dashboard_sheet(sample(), AS_OF, values=True)
    assert not any(isinstance(v, Formula) for v in cells(sheet).values())
    assert find(sheet, "Items on hold") == 1


def test_nothing_overlaps_and_charts_sit_right_of_the_blocks():
    sheet = dashboard_sheet(sample(), AS_OF, stage_weights={"DI1": 0.1})
    shapes = rectangles(sheet)
    for i, (a, r1, c1, r2, c2) in enumerate(shapes):
        for b, s1, d1, s2, d2 in shapes[i + 1:]:
            assert r2 < s1 or s2 < r1 or c2 < d1 or d2 < c1, f"{a} overlaps {b}"
    assert {c.kind for c in sheet.charts} == {"column", "bar", "line"}
    assert all(column_number(re.match("[A-Z]+", c.anchor)[0]) == CHART_COLUMN for c in sheet.charts)
    assert sheet.freeze is None


def test_chart_series_start_at_the_header_cell_that_names_them():
    sheet = dashboard_sheet(sample(), AS_OF)
    grid = cells(sheet)
    named = {c.title: [grid[(s.first, s.column)] for s in c.series] for c in sheet.charts}
    assert named["Cost by month: plan, forecast and actual"] == ["Plan cost", "Forecast cost", "Actual cost"]
    assert named["Benefit by month: plan, forecast and actual"] == ["Plan benefit", "Forecast benefit", "Actual benefit"]
    capacity = next(t for t in named if t.startswith("Capacity"))
    assert named[capacity] == ["Available (days)", "Demand (days)"]
    for chart in sheet.charts:
        assert grid[(chart.categories.last, chart.categories.column)] not in (None, "Total")
        assert chart.x_title and chart.y_title and chart.number_format == "#,##0"  # an axis: plain numbers


def test_titles_and_formats():
    sheet = dashboard_sheet(sample(), AS_OF, stage_weights={"DI1": 0.1})
    assert sheet.name == "Dashboard" and sheet.header == ("Portfolio dashboard as of 2026-03-15",)
    stage = block(sheet, "Estimated value per year by DI stage")
    assert stage.title == "Estimated value per year by DI stage, Measure level"
    money = money_format("EUR")  # no Settings table: the default currency
    assert stage.formats == (None, "0", money, "0%", money)
    months = block(sheet, "Cost and benefit by month")
    assert months.rows[0][0] == "Jan 2026"


def test_a_book_without_tables_gives_a_sheet_that_says_so():
    sheet = dashboard_sheet(book(), AS_OF)
    assert sheet.charts == ()
    notes = block(sheet, "Not shown")
    assert any("no Items table" in n[0] for n in notes.rows)


def test_a_section_that_would_run_past_its_page_starts_the_next():
    top, stage, category, capacity = (1, 24), (25, 46), (47, 68), (69, 90)
    assert page_breaks([top, stage, category, capacity]) == (47,)  # 1-46 and 47-90 fit a page each
    assert 46 <= PAGE_ROWS < 68


def test_a_section_longer_than_a_page_gets_a_page_of_its_own_and_no_break_inside():
    assert page_breaks([(1, 20), (21, 30), (31, 200), (201, 210)]) == (31, 201)


def test_what_fits_one_page_has_no_break():
    assert page_breaks([(1, 10), (11, 30)]) == ()
