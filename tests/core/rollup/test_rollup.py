"""rollup on small inline hierarchies whose every number can be checked by hand."""
import dataclasses
import datetime as dt

import pytest

from tests.support.inline import book, table
from xlportfolio.core.plan import Formula
from xlportfolio.core.rollup.breakdown import BREAKDOWN
from xlportfolio.core.rollup.by_month import BY_MONTH
from xlportfolio.core.rollup.formulas import letter
from xlportfolio.core.rollup.sheets import rollup
from xlportfolio.core.rollup.totals import ROLLUP
from xlportfolio.core.rollup.tree import build_tree, id_key
from xlportfolio.schema import FINANCIALS, ITEMS, STAGE_WEIGHTS

ITEMS_TEXT = """
    | Item ID | Parent ID | Level        | Name  | Function | Legal entity  | Category | Stage           | State  | Implementation status | Potential status |
    | ORG     |           | Organization | Group |          |               |          |                 | Active |                       |                  |
    | P1      | ORG       | Program      | Prog  | IT       | DE Operations | Cost     | DI4 Decided     | Active | Green                 | Green            |
    | M1      | P1        | Measure      | One   | IT       | DE Operations | Cost     | DI2 Identified  | Active | Green                 | Amber            |
    | M2      | P1        | Measure      | Two   | Finance  | UK Operations | Strategy | DI5 Implemented | Active | Red                   | Green            |
    | M3      | ORG       | Measure      | Three | IT       |               | Cost     | DI1 Defined     | Active | Amber                 | Red              |
"""
FINANCIALS_TEXT = """
    | Item ID | Period     | Flow    | Recurrence | Plan | Forecast | Actual |
    | M1      | 2026-01-01 | Cost    | One-time   | 100  | 110      | 90     |
    | M1      | 2026-02-01 | Benefit | Recurring  | 50   | 40       |        |
    | M2      | 2026-01-01 | Cost    | Recurring  | 20   | 20       | 25     |
    | M2      | 2026-01-01 | Benefit | One-time   | 300  | 280      |        |
    | P1      | 2026-02-01 | Cost    | One-time   | 10   |          |        |
    | m3      | 2026-02-01 | benefit | Recurring  | 1000 |          |        |
"""


def run(items=ITEMS_TEXT, financials=FINANCIALS_TEXT, *extra, values=False):
    tables = [table(ITEMS, items)] + ([table(FINANCIALS, financials)] if financials else []) + list(extra)
    return rollup(book(*tables), values=values)


def plain(v):
    return v.value if isinstance(v, Formula) else v


def block(outcome, sheet, n=0):
    spec = next(s for s in outcome.plan.sheets if s.name == sheet)
    return [b for b in spec.blocks if b.header][n]


def grid(outcome, sheet=ROLLUP, n=0):
    """{(first cell of a row, header): value} of one block."""
    b = block(outcome, sheet, n)
    return {(row[0], h): plain(v) for row in b.rows for h, v in zip(b.header, row)}


def months(outcome):
    """{(item, scenario, flow, header): value} of Rollup by month."""
    b = block(outcome, BY_MONTH)
    return {(row[0], row[4], row[5], h): plain(v) for row in b.rows for h, v in zip(b.header, row)}


def col(outcome, header, sheet=ROLLUP):
    return letter(block(outcome, sheet).header.index(header) + 1)


def formula(outcome, item, header, sheet=ROLLUP):
    b = block(outcome, sheet)
    row = next(r for r in b.rows if r[0] == item)
    return row[b.header.index(header)].text


def test_items_are_listed_in_tree_order_with_their_paths():
    out = run()
    b = block(out, ROLLUP)
    assert [r[0] for r in b.rows] == ["ORG", "P1", "M1", "M2", "M3"]
    g = grid(out)
    assert [g[i, "Depth"] for i in ("ORG", "P1", "M1", "M3")] == [0, 1, 2, 1]
    assert [g["M2", f"Path {d}"] for d in (1, 2, 3)] == ["ORG", "P1", "M2"]
    assert [g["P1", f"Path {d}"] for d in (1, 2, 3)] == ["ORG", "P1", None]
    assert b.row == 1 and b.header_row == 2 and b.title.startswith("Cost and benefit of every item")


def test_own_amounts_and_totals_of_the_item_and_everything_below_it():
    g = grid(run())
    assert (g["M1", "Own plan cost one-time"], g["M1", "Own plan benefit recurring"]) == (100, 50)
    assert g["M3", "Own plan benefit recurring"] == 1000  # 'm3' and 'benefit' match as SUMIFS matches: any case
    assert (g["P1", "Plan cost one-time"], g["P1", "Plan cost recurring"], g["P1", "Plan cost"]) == (110, 20, 130)
    assert (g["P1", "Plan benefit"], g["P1", "Plan net"]) == (350, 220)
    assert (g["ORG", "Plan cost"], g["ORG", "Plan benefit"], g["ORG", "Plan net"]) == (130, 1350, 1220)
    assert (g["ORG", "Forecast cost"], g["ORG", "Forecast benefit"]) == (130, 320)
    assert (g["ORG", "Actual cost"], g["ORG", "Actual net"]) == (115, -115)
    assert g["M1", "Plan net"] == -50  # a leaf's total is its own


def test_formulas_reference_the_tables_by_name_and_header():
    out = run()
    assert formula(out, "M1", "Own plan cost one-time") == (
        '=SUMIFS(Financials[Plan],Financials[Item ID],$A5,Financials[Flow],"Cost",Financials[Recurrence],"One-time")')
    # P1 is at depth 1: its subtree is every row whose Path 2 (column N) names it
    assert col(out, "Path 2") == "N"
    own = col(out, "Own plan cost one-time")
    assert formula(out, "P1", "Plan cost one-time") == f"=SUMIFS(${own}:${own},$N:$N,$A4)"
    c1, c2, cost, b1, b2, benefit = (col(out, f"Plan {h}") for h in (
        "cost one-time", "cost recurring", "cost", "benefit one-time", "benefit recurring", "benefit"))
    assert formula(out, "P1", "Plan cost") == f"={c1}4+{c2}4"
    assert formula(out, "P1", "Plan benefit") == f"={b1}4+{b2}4"
    assert formula(out, "P1", "Plan net") == f"={benefit}4-{cost}4"
    assert formula(out, "P1", "DI4 Decided") == '=COUNTIFS($N:$N,$A4,$H:$H,"DI4 Decided")'
    row = next(r for r in block(out, ROLLUP).rows if r[0] == "P1")
    assert row[block(out, ROLLUP).header.index("Stage weight")] == 0.75  # no StageWeights table: the default, as a number


def test_a_plain_range_is_referenced_by_absolute_cells():
    fin = table(FINANCIALS, FINANCIALS_TEXT)
    fin = dataclasses.replace(fin, table_name=None, sheet="Money 'EUR'", last_row=9)
    out = rollup(book(table(ITEMS, ITEMS_TEXT), fin))
    assert formula(out, "M1", "Own actual cost recurring") == (
        "=SUMIFS('Money ''EUR'''!$G$2:$G$9,'Money ''EUR'''!$A$2:$A$9,$A5,'Money ''EUR'''!$C$2:$C$9,\"Cost\","
        "'Money ''EUR'''!$D$2:$D$9,\"Recurring\")")


def test_stage_weighted_net_value_with_the_default_weights():
    g = grid(run())
    # own plan net x weight: M1 -50 x 0.25, M2 280 x 1, P1 -10 x 0.75, M3 1000 x 0.1
    assert [g[i, "Own weighted plan net"] for i in ("M1", "M2", "P1", "M3")] == [-12.5, 280, -7.5, 100]
    assert (g["P1", "Weighted plan net"], g["ORG", "Weighted plan net"]) == (260, 360)
    assert g["ORG", "Own weighted plan net"] == 0  # no stage, no own rows


def test_stage_weights_come_from_the_workbook_table():
    weights = table(STAGE_WEIGHTS.table, """
        | Stage          | Weight |
        | DI2 Identified | 0.5    |
        | DI4 Decided    | 1      |
        | DI5 Implemented| 0.5    |
    """)
    out = run(ITEMS_TEXT, FINANCIALS_TEXT, weights)
    g = grid(out)
    assert [g[i, "Stage weight"] for i in ("M1", "P1", "M2", "M3")] == [0.5, 1, 0.5, 0]
    assert g["P1", "Weighted plan net"] == -25 + 140 - 10
    assert formula(out, "P1", "Stage weight") == "=SUMIFS(StageWeights[Weight],StageWeights[Stage],$H4)"
    c1, c2, b1, b2 = (col(out, f"Own plan {h}") for h in (
        "cost one-time", "cost recurring", "benefit one-time", "benefit recurring"))
    weight = col(out, "Stage weight")
    assert formula(out, "M1", "Own weighted plan net") == f"=${weight}5*({b1}5+{b2}5-{c1}5-{c2}5)"
    # M3 has own financials but its stage has no weight
    assert [(f.code, f.row, f.column) for f in out.report.findings] == [("rollup-no-weight", 6, "H")]


def test_counts_by_stage_and_status():
    g = grid(run())
    assert g["P1", "Items"] == 3 and g["ORG", "Items"] == 5
    assert [g["P1", s] for s in ("DI2 Identified", "DI4 Decided", "DI5 Implemented", "DI1 Defined")] == [1, 1, 1, 0]
    assert [g["ORG", f"Implementation {c}"] for c in ("Green", "Amber", "Red")] == [2, 1, 1]
    assert [g["P1", f"Potential {c}"] for c in ("Green", "Amber", "Red")] == [2, 1, 0]


def test_breakdowns_by_function_entity_and_category_reconcile_with_the_top():
    out = run()
    by_function = grid(out, BREAKDOWN, 0)
    assert (by_function["IT", "Items"], by_function["IT", "Plan cost"], by_function["IT", "Plan benefit"]) == (3, 110, 1050)
    assert (by_function["Finance", "Plan net"], by_function["Sales", "Items"]) == (280, 0)
    assert by_function["(blank)", "Items"] == 1  # the organization has no function
    assert by_function["Total", "Plan net"] == grid(out)["ORG", "Plan net"] == 1220
    assert by_function["Total", "Weighted plan net"] == 360
    by_entity = grid(out, BREAKDOWN, 1)
    assert (by_entity["DE Operations", "Actual cost"], by_entity["(blank)", "Items"]) == (90, 2)
    b = block(out, BREAKDOWN, 0)
    it = next(r for r in b.rows if r[0] == "IT")
    assert it[1].text == "=COUNTIFS('Rollup'!$E$3:$E$7,$A6)"
    blank = next(r for r in b.rows if r[0] == "(blank)")
    assert blank[1].text == "=COUNTIFS('Rollup'!$E$3:$E$7,\"\")"
    assert b.rows[-1][2].text == f"=SUM(C5:C{5 + len(b.rows) - 2})"


def test_by_month_for_upper_levels_only():
    out = run()
    g = months(out)
    jan, feb = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
    assert out.months == [jan, feb] and out.upper == 2
    assert {k[0] for k in g} == {"ORG", "P1"}  # measures get no rows
    assert (g["ORG", "Plan", "Cost", jan], g["ORG", "Plan", "Cost", feb]) == (120, 10)
    assert (g["ORG", "Plan", "Benefit", feb], g["ORG", "Plan", "Net", feb], g["ORG", "Plan", "Net", "Total"]) == (1050, 1040, 1220)
    assert (g["P1", "Actual", "Cost", jan], g["P1", "Forecast", "Benefit", jan]) == (115, 280)
    assert (g["P1", "Plan", "Cost", "First"], g["P1", "Plan", "Cost", "Last"]) == (2, 4)
    b = block(out, BY_MONTH)
    assert b.rows[0][9].text == ('=SUMIFS(Financials[Plan],$Q$3:$Q$8,">="&$G3,$Q$3:$Q$8,"<="&$H3,'
                                 'Financials[Period],J$2,Financials[Flow],$F3)')
    assert b.rows[2][9].text == "=J4-J3" and b.rows[0][8].text == "=SUM(J3:K3)"
    spec = next(s for s in out.plan.sheets if s.name == BY_MONTH)
    tree_list, positions = spec.blocks[1], spec.blocks[2]
    assert (tree_list.column, tree_list.rows[:2]) == (13, ((1, "ORG"), (2, "P1")))
    assert positions.rows[0][1].text == "=MATCH('Financials'!$A2,$N$3:$N$7,0)"
    assert [plain(r[1]) for r in positions.rows] == [3, 3, 4, 4, 2, 5]


def test_values_writes_plain_numbers():
    out = run(values=True)
    for sheet in out.plan.sheets:
        for b in sheet.blocks:
            assert not any(isinstance(v, Formula) for row in b.rows for v in row)
    assert grid(out)["ORG", "Plan net"] == 1220
    assert len(next(s for s in out.plan.sheets if s.name == BY_MONTH).blocks) == 2  # no positions: no formulas


def test_cells_that_are_not_amounts_are_reported_and_left_out():
    out = run(ITEMS_TEXT, """
        | Item ID | Period     | Flow    | Recurrence | Plan      | Forecast | Actual |
        | M1      | 2026-01-01 | Cost    | One-time   | 'approx.' | #REF!    | 90     |
        | M1      | 2026-01-15 | Cost    | One-time   | 5         | 6        |        |
        | M9      | 2026-01-01 | Cost    | One-time   | 7         |          |        |
        | M2      | 2026-01-01 | Costs   | One-time   | 8         |          |        |
        | M2      | 2026-01-01 | Cost    |            | 9         |          |        |
    """)
    found = [(f.code, f.row, f.column) for f in out.report.findings]
    assert found == [("rollup-not-amount", 2, "E"), ("rollup-not-amount", 2, "F"), ("rollup-bad-period", 3, "B"),
                     ("rollup-unmatched-row", 4, "A"), ("rollup-bad-choice", 5, "C"), ("rollup-bad-choice", 6, "D")]
    g = grid(out)
    assert (g["M1", "Own plan cost one-time"], g["M1", "Own forecast cost one-time"]) == (5, 6)
    # the #REF! column's formulas sum numbers only, as the engine does
    assert formula(out, "M1", "Own forecast cost one-time").endswith(',Financials[Forecast],">-1E+300")')
    assert "1E+300" not in formula(out, "M1", "Own plan cost one-time")  # text is skipped by SUMIFS anyway
    assert months(out)["ORG", "Plan", "Cost", dt.date(2026, 1, 1)] == 9  # no recurrence: still in the month
    assert g["ORG", "Plan cost"] == 5  # ...but not in the totals, which split by recurrence
    assert out.plan.scope == "rollup" and {m.row for m in out.plan.marks} == {2, 3, 4, 5, 6}
    assert "Findings" in [s.name for s in out.plan.sheets]


def test_yes_no_values_and_dates_in_amounts():
    out = run(ITEMS_TEXT, """
        | Item ID | Period     | Flow | Recurrence | Plan       |
        | M1      | 2026-01-01 | Cost | One-time   | 1          |
        | M1      | 2026-01-01 | Cost | One-time   | TRUE       |
        | M1      | 2026-01-01 | Cost | One-time   | 1900-03-10 |
    """)
    # Two bad amounts of one item in one column are one finding that names both cells.
    [found] = out.report.findings
    assert (found.code, found.count, found.cells, found.row) == ("rollup-not-amount", 2, ("E3", "E4"), 3)
    assert grid(out)["M1", "Own plan cost one-time"] == 71  # TRUE is not 1 in SUMIFS; a date is its serial number


def test_a_parent_cycle_is_reported_and_its_items_have_no_descendants():
    out = run("""
        | Item ID | Parent ID | Level   | Name |
        | ORG     |           | Organization | Group |
        | A       | B         | Program | a    |
        | B       | A         | Project | b    |
        | C       | A         | Measure | c    |
        | D       | X         | Measure | d    |
        | E       | E         | Measure | e    |
    """, """
        | Item ID | Period     | Flow | Recurrence | Plan |
        | A       | 2026-01-01 | Cost | One-time   | 1    |
        | B       | 2026-01-01 | Cost | One-time   | 2    |
        | C       | 2026-01-01 | Cost | One-time   | 4    |
    """)
    found = [(f.code, f.row) for f in out.report.findings if f.code != "rollup-no-weight"]
    assert found == [("rollup-parent-cycle", 3), ("rollup-parent-cycle", 4), ("rollup-detached", 5),
                     ("rollup-detached", 6), ("rollup-parent-cycle", 7)]
    assert "A > B > A" in out.report.findings[0].message
    g = grid(out)
    assert [g[i, "Plan cost"] for i in ("A", "B", "C")] == [1, 2, 4]  # no item counts another
    assert [g[i, "Depth"] for i in ("ORG", "A", "B", "C", "D", "E")] == [0] * 6
    assert [r[0] for r in block(out, ROLLUP).rows] == ["ORG", "A", "B", "C", "D", "E"]


def test_missing_and_duplicate_ids():
    out = run("""
        | Item ID | Parent ID | Level   | Name |
        | ORG     |           | Organization | Group |
        | A       | ORG       | Program | a    |
        |         | ORG       | Program | no id |
        | a       | ORG       | Program | same id in other case |
        | B*      | ORG       | Program | pattern |
    """, None)
    assert [(f.code, f.sheet, f.row) for f in out.report.findings] == [
        ("rollup-no-financials", "Financials", None), ("rollup-no-id", "Items", 4),
        ("rollup-duplicate-id", "Items", 5), ("rollup-id-pattern", "Items", 6)]
    assert [r[0] for r in block(out, ROLLUP).rows] == ["ORG", "A", "B*"]
    b = block(out, ROLLUP)
    assert grid(out)["ORG", "Plan net"] == 0
    assert b.rows[0][b.header.index("Own plan cost one-time")] == 0  # no table to refer to: a plain 0


def test_id_keys_compare_as_excel_criteria_do():
    assert id_key("M-1") == id_key("m-1") != id_key("M-1 ")
    assert id_key(1001.0) == id_key(1001) == id_key("1001")
    assert id_key("  ") is None and id_key(None) is None


@pytest.mark.parametrize("depth", [1, 50])
def test_deep_trees(depth):
    rows = ["| Item ID | Parent ID | Level | Name |", "| N0 | | Organization | top |"]
    rows += [f"| N{i} | N{i - 1} | Measure | n{i} |" for i in range(1, depth + 1)]
    tree = build_tree(table(ITEMS, "\n".join(rows)))
    assert tree.levels == depth + 1 and list(tree.size) == list(range(depth + 1, 0, -1))
