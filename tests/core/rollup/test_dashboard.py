"""The Dashboard sheet's core: figures a controller can trace, laid out so nothing overlaps."""
import datetime as dt
import re

import pytest

from tests.support.inline import book, table
from xlportfolio.core.formats import HEAT_BAD, HEAT_GOOD, HEAT_MIXED, heat_fill, money_format
from xlportfolio.core.plan import CellIs, ColorScale, Formula
from xlportfolio.core.prioritise.capacity import available, demand_by_month
from xlportfolio.core.rollup.dashboard import (
    CHART_COLUMN,
    CHART_ROWS,
    GUARD,
    Source,
    _column_spec,
    _criterion_text,
    dashboard_data,
    dashboard_sheet,
    value_of,
)
from xlportfolio.schema import CAPACITY, FINANCIALS, ITEMS

AS_OF = dt.date(2026, 3, 15)

ITEMS_TEXT = """
| Item ID | Parent ID | Level   | Name | Stage          | State   | Category   | Function | Estimated value | Implementation status | Potential status | Effort (days) | Start date | Due date   |
| P-1     |           | Project | One  | DI4 Decided    | Active  | Cost       | IT       | 900             | Green                 | Green            |               |            |            |
| M-1     | P-1       | Measure | A    | DI1 Defined    | Active  | Cost       | IT       | 100             | Green                 | Red              | 30            | 2026-03-01 | 2026-05-31 |
| M-2     | P-1       | Measure | B    | DI3 Detailed   | On hold | Strategy   | Sales    | 200             | Red                   | Red              | 12            |            | 2026-04-30 |
| M-3     | P-1       | Measure | C    | DI3 Detailed   | Active  | strategy   | IT       | 'lots'          | amber                 | Green            | 6             |            |            |
| M-4     | P-1       | Measure | D    | DI5 Implemented| Active  | Compliance | Sales    | #REF!           | Red                   | Amber            |               |            |            |
| M-5     | P-1       | Measure | E    | DI5 Implemented| Active  | Compliance | IT       | 50              | Red                   | Amber            |               |            |            |
"""

FINANCIALS_TEXT = """
| Item ID | Period     | Flow      | Recurrence | Plan   | Forecast | Actual |
| M-1     | 2026-01-01 | Cost      | One-time   | 1000   | 1100     | 900    |
| M-1     | 2026-02-01 | Cost      | One-time   | 1000   | 'tbd'    | 950    |
| M-1     | 2026-02-01 | cost      | One-time   | 10     | 10       | 10     |
| M-1     | 2026-03-01 | Cost      | One-time   | 500    | 600      |        |
| M-1     | 2026-04-01 | Benefit   | Recurring  | 300    | 250      |        |
| M-2     | 2026-04-01 | Benefit   | Recurring  | #N/A   | 50       |        |
| M-2     | 2026-05-01 | 'Benefit '| Recurring  | 7777   | 7777     |        |
| M-2     | 2026-05-01 | Benefit   | Recurring  | 200    | 210      |        |
"""

CAPACITY_TEXT = """
| Function | Period     | Available (days) |
| IT       | 2026-03-01 | 20               |
| IT       | 2026-04-01 | 20               |
| Sales    | 2026-03-01 | 5                |
| Sales    | 2027-06-01 | 99               |
"""


def sample(capacity=CAPACITY_TEXT):
    return book(table(ITEMS, ITEMS_TEXT), table(FINANCIALS, FINANCIALS_TEXT), table(CAPACITY, capacity))


def cells(sheet):
    """(row, column) -> value for every block cell, headers and titles included."""
    out = {}
    for b in sheet.blocks:
        if b.title:
            out[(b.row, b.column)] = b.title
        for c, text in enumerate(b.header):
            out[(b.header_row, b.column + c)] = text
        for r, values in enumerate(b.rows, start=b.header_row + 1):
            for c, value in enumerate(values):
                out[(r, b.column + c)] = value
    return out


def find(sheet, label, column_offset=1):
    """The cell right of the first cell holding `label`."""
    grid = cells(sheet)
    for (r, c), v in grid.items():
        if v == label:
            return grid.get((r, c + column_offset))
    raise AssertionError(f"no cell holds {label!r}")


def block(sheet, start):
    return next(b for b in sheet.blocks if b.title.startswith(start))


def _col(letters):
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def evaluate(sheet):
    """Evaluate the sheet's own formulas (cell references, +, -, *, SUM) from the engine's source values."""
    grid = cells(sheet)

    def value(r, c):
        v = grid.get((r, c))
        if isinstance(v, Formula) and not re.search(r"IFS\(|COUNTA\(", v.text):
            return calc(v.text[1:])
        return value_of(v) or 0

    def calc(expr):
        expr = re.sub(r"SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)", lambda m: repr(sum(
            value(r, c) for r in range(int(m[2]), int(m[4]) + 1) for c in range(_col(m[1]), _col(m[3]) + 1))), expr)
        expr = re.sub(r"\b([A-Z]+)(\d+)\b", lambda m: repr(value(int(m[2]), _col(m[1]))), expr)
        return eval(expr)  # only numbers and + - * remain

    return {(r, c): calc(v.text[1:]) for (r, c), v in grid.items()
            if isinstance(v, Formula) and not re.search(r"IFS\(|COUNTA\(", v.text)}


# --- figures -----------------------------------------------------------------------------------------------------

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


def test_money_sums_skip_text_and_errors_and_match_flow_exactly_but_for_case():
    data = dashboard_data(sample(), AS_OF)
    plan_cost = data.money[("plan", "Cost")]
    assert plan_cost.text == '=SUMIFS(Financials[Plan],Financials[Flow],"Cost")'
    assert plan_cost.value == 2510  # 'cost' counts
    forecast_cost = data.money[("forecast", "Cost")]
    assert forecast_cost.value == 1710  # 'tbd' is text: not counted, and no guard is needed for text
    assert GUARD not in forecast_cost.text
    plan_benefit = data.money[("plan", "Benefit")]
    assert plan_benefit.value == 500  # #N/A is left out, 'Benefit ' with a trailing space does not match
    assert plan_benefit.text == ('=SUMIFS(Financials[Plan],Financials[Flow],"Benefit",Financials[Plan],"<1E+307")')
    assert data.net("plan") == 500 - 2510


def test_money_by_month_counts_each_month_and_leaves_future_actuals_blank():
    data = dashboard_data(sample(), AS_OF)
    months = [d for d, _ in data.months]
    assert months == [dt.date(2026, m, 1) for m in range(1, 6)]
    feb = dict(data.months)[dt.date(2026, 2, 1)]
    assert feb[("plan", "Cost")].value == 1010
    assert feb[("plan", "Cost")].text == ('=SUMIFS(Financials[Plan],Financials[Flow],"Cost",Financials[Period],'
                                         '">="&DATE(2026,2,1),Financials[Period],"<"&DATE(2026,3,1))')
    assert feb[("actual", "Cost")].value == 960
    march, april = dict(data.months)[dt.date(2026, 3, 1)], dict(data.months)[dt.date(2026, 4, 1)]
    assert march[("actual", "Cost")] is None and april[("actual", "Benefit")] is None  # nothing booked yet
    assert april[("plan", "Benefit")].value == 300 and GUARD in april[("plan", "Benefit")].text


def test_a_number_in_a_date_column_counts_as_the_serial_excel_compares():
    text = FINANCIALS_TEXT + "| M-1 | 46054 | Cost | One-time | 5 | 5 | 5 |\n"  # 46054 is 2026-02-01
    data = dashboard_data(book(table(ITEMS, ITEMS_TEXT), table(FINANCIALS, text)), AS_OF)
    assert dict(data.months)[dt.date(2026, 2, 1)][("plan", "Cost")].value == 1015


def test_value_by_stage_and_category_add_up_the_lowest_valued_level_only():
    data = dashboard_data(sample(), AS_OF)
    assert data.value_level == "Measure"  # P-1's 900 would count its measures twice
    stages = {s.stage: (value_of(s.items), value_of(s.value)) for s in data.stages}
    assert stages["DI1 Defined"] == (1, 100)
    assert stages["DI3 Detailed"] == (2, 200)  # 'lots' is text
    assert stages["DI4 Decided"] == (0, 0)
    assert stages["DI5 Implemented"] == (2, 50)  # #REF! is left out
    di5 = next(s for s in data.stages if s.stage == "DI5 Implemented").value
    assert di5.text == ('=SUMIFS(Items[Estimated value],Items[Stage],"DI5 Implemented",Items[Level],"Measure",'
                        'Items[Estimated value],"<1E+307")')
    categories = {c: (value_of(n), value_of(v)) for c, n, v in data.categories}
    assert categories["Strategy"] == (2, 200) and categories["Compliance"] == (2, 50)


def test_key_figures():
    data = dashboard_data(sample(), AS_OF)
    figures = dict(data.key_figures)
    assert figures["Items (all levels)"] == Formula("=COUNTA(Items[Item ID])", 6)
    assert figures["Items on hold"] == Formula('=COUNTIFS(Items[State],"On hold")', 1)
    assert value_of(figures["Active items"]) == 5
    assert value_of(figures["Implementation status Red"]) == 3
    assert value_of(figures["Potential status Red"]) == 2
    assert dict((lvl, value_of(c)) for lvl, c in data.levels)["Measure"] == 5


def test_stage_weights_weigh_the_value_and_unknown_stages_are_refused():
    sheet = dashboard_sheet(sample(), AS_OF, stage_weights={"DI1": 0.1, "DI3 Detailed": 0.5, "DI5": 1})
    stage = block(sheet, "Estimated value per year by DI stage")
    assert stage.header == ("Stage", "Items", "Estimated value", "Weight", "Weighted value")
    weighted = find(sheet, "Stage-weighted value per year")
    assert weighted.value == pytest.approx(100 * 0.1 + 200 * 0.5 + 50)
    assert evaluate(sheet)[next((r, c) for (r, c), v in cells(sheet).items() if v is weighted)] == \
        pytest.approx(weighted.value)
    with pytest.raises(ValueError, match="DI9"):
        dashboard_sheet(sample(), AS_OF, stage_weights={"DI9": 1})


def test_capacity_against_demand_uses_the_capacity_module():
    data = dashboard_data(sample(), AS_OF)
    items, cap = table(ITEMS, ITEMS_TEXT), table(CAPACITY, CAPACITY_TEXT)
    first, last = data.capacity_months
    assert (first, last) == ("2026-03", "2027-02")
    demand = demand_by_month(items, AS_OF)
    rows = {c.function: c for c in data.capacity}
    assert rows["IT"].demand == pytest.approx(sum(d for (f, m), d in demand.items() if f == "IT" and m <= last))
    assert value_of(rows["IT"].available) == sum(d for (f, m), d in available(cap).items() if f == "IT")
    assert rows["Sales"].available.value == 5  # June 2027 is past the horizon
    assert rows["Sales"].available.text == (
        '=SUMIFS(Capacity[Available (days)],Capacity[Function],"Sales",Capacity[Period],">="&DATE(2026,3,1),'
        'Capacity[Period],"<"&DATE(2027,3,1))')


def test_capacity_is_a_plain_value_where_sumifs_would_give_another_number():
    doubled = CAPACITY_TEXT + "| IT | 2026-03-01 | 7 |\n"  # the capacity module takes the last row, SUMIFS adds
    rows = {c.function: c for c in dashboard_data(sample(doubled), AS_OF).capacity}
    assert rows["IT"].available == 27.0


def test_every_formula_on_the_sheet_points_at_the_right_cells():
    sheet = dashboard_sheet(sample(), AS_OF, stage_weights={"DI1": 0.1, "DI5": 1})
    grid = cells(sheet)
    for where, result in evaluate(sheet).items():
        assert result == pytest.approx(value_of(grid[where]) or 0), (where, grid[where])


def test_values_give_a_frozen_snapshot():
    sheet = dashboard_sheet(sample(), AS_OF, values=True)
    assert not any(isinstance(v, Formula) for v in cells(sheet).values())
    assert find(sheet, "Items on hold") == 1


# --- layout --------------------------------------------------------------------------------------------------------

def rectangles(sheet):
    out = [("block " + b.title, b.row, b.column, b.last_row, b.column + len(b.header) - 1) for b in sheet.blocks]
    for chart in sheet.charts:
        m = re.fullmatch(r"([A-Z]+)(\d+)", chart.anchor)
        row, col = int(m[2]), _col(m[1])
        out.append(("chart " + chart.title, row, col, row + CHART_ROWS - 1, col + 7))
    return out


def test_nothing_overlaps_and_charts_sit_right_of_the_blocks():
    sheet = dashboard_sheet(sample(), AS_OF, stage_weights={"DI1": 0.1})
    shapes = rectangles(sheet)
    for i, (a, r1, c1, r2, c2) in enumerate(shapes):
        for b, s1, d1, s2, d2 in shapes[i + 1:]:
            assert r2 < s1 or s2 < r1 or c2 < d1 or d2 < c1, f"{a} overlaps {b}"
    assert {c.kind for c in sheet.charts} == {"column", "bar", "line"}
    assert all(_col(re.match("[A-Z]+", c.anchor)[0]) == CHART_COLUMN for c in sheet.charts)
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


# --- references and criteria ------------------------------------------------------------------------------------------

def test_structured_references_escape_what_excel_needs():
    assert _column_spec("Plan") == "[Plan]"
    assert _column_spec("Estimated value") == "[Estimated value]"
    assert _column_spec("Probability (1-5)") == "[[Probability (1-5)]]"
    assert _column_spec("#Items [EUR]") == "[['#Items '[EUR']]]"
    assert _column_spec("Owner's") == "[[Owner''s]]"


def test_a_plain_range_is_referenced_by_sheet_and_rows():
    items = table(ITEMS, ITEMS_TEXT, sheet="My Items")
    items.table_name = None
    assert Source(items).ref("stage") == "'My Items'!$E$2:$E$7"


def test_criteria_match_a_label_exactly():
    assert _criterion_text("Cost") == '"Cost"'
    assert _criterion_text("R&D") == '"R&D"'
    assert _criterion_text("A*B?") == '"A~*B~?"'
    assert _criterion_text(">50k") == '"=>50k"'
    assert _criterion_text('Say "hi"') == '"Say ""hi"""'
    for ambiguous in ("2026", "12,500", "2026-01-31", "TRUE", ""):
        assert _criterion_text(ambiguous) is None


def test_a_label_excel_would_read_as_a_number_gets_a_plain_count():
    items = table(ITEMS, ITEMS_TEXT.replace("| Cost       |", "| '2026'     |"))
    data = dashboard_data(book(items, lists={"Category": ("2026", "Strategy")}), AS_OF)
    categories = {c: (n, v) for c, n, v in data.categories}
    assert categories["2026"] == (1, 100.0)  # M-1 (P-1 is not at the Measure level)
    assert isinstance(categories["Strategy"][0], Formula)


# --- items typed over: counted at their ledger stage and state ---------------------------------------------

def recorded(source, stages=(), states=()):
    """The Items frame as the ledger recorded it: {Item ID: stage} and {Item ID: state} differ from the cells."""
    frame = source.tables[ITEMS.name].frame.copy()
    for column, changes in (("stage", dict(stages)), ("state", dict(states))):
        for item, value in changes.items():
            frame.loc[frame["item_id"] == item, column] = value
    return frame


def test_an_item_typed_over_is_counted_at_its_ledger_stage_and_state_and_the_sheet_says_so():
    source = sample()
    # M-4's cell says DI5 and holds #REF! as its value; the ledger has it at DI3. M-2 is on hold as typed, Active
    # in the ledger.
    ledger = recorded(source, {"M-4": "DI3 Detailed"}, {"M-2": "Active"})
    sheet = dashboard_sheet(source, AS_OF, stage_weights={"DI1": 0.1, "DI5": 1}, recorded=ledger)
    data = dashboard_data(source, AS_OF, recorded=ledger)
    stages = {s.stage: (s.items, s.value) for s in data.stages}
    assert [value_of(c) for c in stages["DI3 Detailed"]] == [3, 200]
    assert [value_of(c) for c in stages["DI5 Implemented"]] == [1, 50]
    items, value = stages["DI5 Implemented"]
    # Items' DI5 rows hold M-4's #REF! though the ledger's DI5 has no error: the guard leaves it out.
    assert value.text == ('=SUMIFS(Items[Estimated value],Items[Stage],"DI5 Implemented",Items[Level],"Measure",'
                          f'Items[Estimated value],{GUARD})'
                          '-SUMIFS($T$5:$T$6,$U$5:$U$6,"DI5 Implemented",$S$5:$S$6,"Measure")'
                          '+SUMIFS($T$5:$T$6,$V$5:$V$6,"DI5 Implemented",$S$5:$S$6,"Measure")')
    assert items.text.endswith('-COUNTIFS($U$5:$U$6,"DI5 Implemented",$S$5:$S$6,"Measure")'
                               '+COUNTIFS($V$5:$V$6,"DI5 Implemented",$S$5:$S$6,"Measure")')
    assert find(sheet, "Items on hold").value == 0 and find(sheet, "Active items").value == 6
    listed = block(sheet, "Counted at their ledger stage")
    assert (listed.row, listed.column) == (3, 17)
    assert listed.rows == (("M-2", "B", "Measure", 200.0, "DI3 Detailed", "DI3 Detailed", "On hold", "Active"),
                           ("M-4", "D", "Measure", None, "DI5 Implemented", "DI3 Detailed", "Active", "Active"))
    line = next(b for b in sheet.blocks if b.row == 2).header[0]
    assert line.startswith("2 items counted at their ledger stage and state, not as typed on Items: "
                           "M-2 B (Items says State On hold, ledger Active); "
                           "M-4 D (Items says Stage DI5 Implemented, ledger DI3 Detailed).")
    shapes = rectangles(sheet)
    for i, (a, r1, c1, r2, c2) in enumerate(shapes):
        for b, s1, d1, s2, d2 in shapes[i + 1:]:
            assert r2 < s1 or s2 < r1 or c2 < d1 or d2 < c1, f"{a} overlaps {b}"
    frozen = dashboard_sheet(source, AS_OF, values=True, recorded=ledger)
    assert not any(isinstance(v, Formula) for v in cells(frozen).values())


def test_a_ledger_that_agrees_with_the_cells_changes_nothing():
    source = sample()
    same = recorded(source, {"M-1": "di1 defined"})  # case aside, what the cell says
    assert dashboard_sheet(source, AS_OF, recorded=same) == dashboard_sheet(source, AS_OF)
