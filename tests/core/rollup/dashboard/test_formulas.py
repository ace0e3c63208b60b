"""The Dashboard's formulas: structured references, criteria that match as Excel's do, amounts
that leave text and errors out, and items counted at their ledger stage and state."""
import datetime as dt

from tests.support.dashboard import (
    AS_OF,
    FINANCIALS_TEXT,
    ITEMS_TEXT,
    block,
    cells,
    find,
    recorded,
    rectangles,
    sample,
)
from tests.support.inline import book, table
from xlportfolio.core.plan import Formula
from xlportfolio.core.rollup.dashboard.figures import dashboard_data
from xlportfolio.core.rollup.dashboard.formulas import GUARD, Source, _column_spec, _criterion_text, value_of
from xlportfolio.core.rollup.dashboard.layout import dashboard_sheet
from xlportfolio.schema import FINANCIALS, ITEMS


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


def test_a_number_in_a_date_column_counts_as_the_serial_excel_compares():
    text = FINANCIALS_TEXT + "| M-1 | 46054 | Cost | One-time | 5 | 5 | 5 |\n"  # 46054 is 2026-02-01
    data = dashboard_data(book(table(ITEMS, ITEMS_TEXT), table(FINANCIALS, text)), AS_OF)
    assert dict(data.months)[dt.date(2026, 2, 1)][("plan", "Cost")].value == 1015


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
