"""Portfolio checks over Dependencies, Capacity and Financials, on tables written inline."""
import datetime as dt

from tests.support.inline import book, table
from xlportfolio.core.checks import CHECKS, Context
from xlportfolio.core.codes import CODES
from xlportfolio.core.findings import Report, Severity
from xlportfolio.core.findings_sheet import FINDINGS_SHEET
from xlportfolio.core.plan import ERROR_FILL, WARNING_FILL
from xlportfolio.core.rollup.portfolio import check_portfolio, portfolio_marks
from xlportfolio.schema import CAPACITY, DEPENDENCIES, FINANCIALS, ITEMS
from xlportfolio.schema.tables import Table

TODAY = dt.date(2026, 3, 15)

ITEMS_TEXT = """
    | Item ID | Name   | Stage          | State     | Start date | End date   | Due date   |
    | PR-0001 | Portal | DI4 Decided    | Active    | 2026-01-01 | 2026-06-30 |            |
    | PR-0002 | App    | DI3 Detailed   | Active    | 2026-07-01 | 2026-09-30 | 2026-09-15 |
    | PR-0003 | CRM    | DI2 Identified | Active    | 2026-02-01 | 2026-04-30 |            |
    | PR-0004 | ERP    | DI4 Decided    | On hold   | 2026-01-01 | 2026-12-31 |            |
    | PR-0005 | Shop   | DI3 Detailed   | Cancelled | 2026-01-01 | 2026-12-31 |            |
    | PR-0006 | Wiki   | DI6 Closed     | Active    | 2025-01-01 | 2025-06-30 |            |
    | PR-0007 | Chat   | DI1 Defined    |           |            | 2026-12-31 |            |
    | PR-0008 | Sync   | DI1 Defined    | Active    |            |            |            |
"""


def items(text: str = ITEMS_TEXT):
    return table(ITEMS, text)


def deps(text: str):
    return table(DEPENDENCIES, text)


def run(name: str, bk) -> Report:
    chk = CHECKS[name]
    return Report.of(chk.func(bk.tables[chk.table], bk, Context(as_of=TODAY)))


def rows(report: Report, fields=("row", "column", "code")):
    return report.flatten(fields)


# --- dependency-unknown-item -------------------------------------------------------------------

def test_dependency_rows_naming_unknown_items():
    bk = book(items(), deps("""
        | Predecessor ID | Successor ID |
        | PR-0001        | PR-0002      |
        | PR-9999        | PR-0002      |
        | PR-0001        | REQ-12       |
        | pr-0003        |              |
    """))
    report = run("dependency-references", bk)
    assert rows(report) == [[3, "A", "dependency-unknown-item"], [4, "B", "dependency-unknown-item"]]
    assert "PR-9999 is not in the Items table" in report.findings[0].message


def test_dependency_references_need_an_items_table():
    assert run("dependency-references", book(deps("| Predecessor ID | Successor ID |\n| X | Y |"))).findings == ()


# --- dependency-cycle --------------------------------------------------------------------------

def test_a_three_cycle_is_one_finding_named_item_by_item_on_all_its_rows():
    bk = book(items(), deps("""
        | Predecessor ID | Successor ID |
        | PR-0003        | PR-0007      |
        | PR-0001        | PR-0002      |
        | PR-0007        | PR-0008      |
        | PR-0008        | PR-0003      |
    """))
    report = run("dependency-cycles", bk)
    assert rows(report) == [[2, "A", "dependency-cycle"]]
    found = report.findings[0]
    assert "PR-0003 -> PR-0007 -> PR-0008 -> PR-0003" in found.message
    assert "Dependencies rows 2, 4 and 5" in found.message
    assert found.rows == (2, 4, 5) and found.severity is Severity.ERROR


def test_two_disjoint_cycles_are_two_findings():
    bk = book(items(), deps("""
        | Predecessor ID | Successor ID |
        | PR-0001        | PR-0002      |
        | PR-0003        | PR-0007      |
        | PR-0002        | PR-0001      |
        | PR-0007        | PR-0003      |
    """))
    report = run("dependency-cycles", bk)
    assert [(f.row, f.rows) for f in report.findings] == [(2, (2, 4)), (3, (3, 5))]
    assert "PR-0001 -> PR-0002 -> PR-0001" in report.findings[0].message
    assert "PR-0003 -> PR-0007 -> PR-0003" in report.findings[1].message


def test_a_self_dependency_is_a_cycle_of_one():
    bk = book(items(), deps("""
        | Predecessor ID | Successor ID |
        | PR-0001        | PR-0002      |
        | PR-0003        | pr-0003      |
    """))
    report = run("dependency-cycles", bk)
    assert rows(report) == [[3, "A", "dependency-cycle"]]
    assert "PR-0003 -> PR-0003" in report.findings[0].message and report.findings[0].rows == (3,)


def test_cycles_sharing_an_item_name_every_row_and_cycles_among_unknown_items_count_too():
    bk = book(items(), deps("""
        | Predecessor ID | Successor ID |
        | A              | B            |
        | B              | A            |
        | B              | C            |
        | C              | B            |
        | A              | B            |
    """))
    report = run("dependency-cycles", bk)
    assert [f.rows for f in report.findings] == [(2, 3, 6), (4, 5)]
    assert "A -> B -> A" in report.findings[0].message and "B -> C -> B" in report.findings[1].message


def test_a_chain_and_a_diamond_are_no_cycle():
    bk = book(items(), deps("""
        | Predecessor ID | Successor ID |
        | PR-0001        | PR-0002      |
        | PR-0001        | PR-0003      |
        | PR-0002        | PR-0007      |
        | PR-0003        | PR-0007      |
        | PR-0007        | PR-0008      |
    """))
    assert run("dependency-cycles", bk).findings == ()


# --- successor-before-predecessor --------------------------------------------------------------

def test_successor_due_before_its_predecessor_ends():
    bk = book(items(), deps("""
        | Predecessor ID | Successor ID |
        | PR-0001        | PR-0003      |
        | PR-0003        | PR-0001      |
        | PR-0001        | PR-0002      |
    """))
    report = run("dependency-dates", bk)
    # row 2: PR-0003 ends 2026-04-30 (no due date) before PR-0001 ends 2026-06-30
    assert rows(report) == [[2, "B", "successor-before-predecessor"]]
    assert report.findings[0].message.startswith("PR-0003 is due 2026-04-30 but its predecessor PR-0001 ends only 2026-06-30")


def test_the_due_date_counts_before_the_end_date_and_the_same_day_is_fine():
    bk = book(items("""
        | Item ID | State  | End date   | Due date   |
        | A       | Active | 2026-06-30 |            |
        | B       | Active | 2026-12-31 | 2026-06-29 |
        | C       | Active | 2026-01-31 | 2026-06-30 |
        | D       | Active |            |            |
    """), deps("""
        | Predecessor ID | Successor ID |
        | A              | B            |
        | A              | C            |
        | A              | D            |
        | D              | B            |
    """))
    assert rows(run("dependency-dates", bk)) == [[2, "B", "successor-before-predecessor"]]


def test_closed_or_cancelled_successors_have_no_date_conflict():
    bk = book(items(), deps("""
        | Predecessor ID | Successor ID |
        | PR-0001        | PR-0006      |
        | PR-0001        | PR-0005      |
    """))
    assert run("dependency-dates", bk).findings == ()


# --- depends-on-frozen -------------------------------------------------------------------------

def test_active_successor_depending_on_held_or_cancelled_items():
    bk = book(items(), deps("""
        | Predecessor ID | Successor ID |
        | PR-0004        | PR-0002      |
        | PR-0005        | PR-0007      |
        | PR-0001        | PR-0002      |
    """))
    report = run("dependency-dates", bk)
    # PR-0004 is on hold till 2026-12-31, later than PR-0002's due date; cancelled PR-0005 never ends
    assert rows(report) == [[2, "A", "depends-on-frozen"], [2, "B", "successor-before-predecessor"],
                            [3, "A", "depends-on-frozen"]]
    frozen = [f for f in report.findings if f.code == "depends-on-frozen"]
    assert all(f.severity is Severity.WARNING for f in frozen)
    assert "depends on PR-0004, which is on hold" in frozen[0].message
    assert "which is cancelled" in frozen[1].message


def test_frozen_or_closed_successors_may_depend_on_frozen_items():
    bk = book(items(), deps("""
        | Predecessor ID | Successor ID |
        | PR-0004        | PR-0005      |
        | PR-0005        | PR-0004      |
        | PR-0004        | PR-0006      |
    """))
    assert run("dependency-dates", bk).findings == ()


# --- capacity ----------------------------------------------------------------------------------

LOAD = """
    | Item ID | Function | Effort (days) | Stage          | State     | Start date | Due date   |
    | PR-1    | IT       | 30            | DI4 Decided    | Active    | 2026-03-01 | 2026-05-31 |
    | PR-2    | IT       | 10            | DI2 Identified | Active    | 2026-04-01 | 2026-04-30 |
    | PR-3    | IT       | 4             | DI3 Detailed   |           | 2026-04-01 | 2026-04-30 |
    | PR-4    | IT       | 8             | DI1 Defined    | Active    | 2026-04-01 | 2026-05-31 |
    | PR-5    | IT       | 500           | DI4 Decided    | On hold   | 2026-03-01 | 2026-05-31 |
    | PR-6    | IT       | 500           | DI4 Decided    | Cancelled | 2026-03-01 | 2026-05-31 |
    | PR-7    | IT       | 500           | DI6 Closed     | Active    | 2026-03-01 | 2026-05-31 |
"""
# IT demand: 2026-03 10; 2026-04 10 + 10 + 4 + 4 = 28; 2026-05 10 + 4 = 14


def capacity(text: str):
    return table(CAPACITY, text)


def test_over_allocated_month_names_demand_available_and_top_items():
    bk = book(table(ITEMS, LOAD), capacity("""
        | Function | Period     | Available (days) |
        | IT       | 2026-03-01 | 10               |
        | IT       | 2026-04-01 | 20               |
        | IT       | 2026-05-01 | 14               |
    """))
    report = run("capacity-load", bk)
    assert rows(report) == [[3, "C", "capacity-over-allocated"]]
    found = report.findings[0]
    assert found.severity is Severity.ERROR and found.value == 20.0
    assert found.message.startswith(
        "IT is over-allocated in 2026-04: active items need 28 days, 20 are available; "
        "most from PR-1 (10), PR-2 (10), PR-3 (4).")


def test_capacity_exactly_at_the_limit_is_no_finding():
    thirds = table(ITEMS, """
        | Item ID | Function | Effort (days) | Stage       | State  | Start date | Due date   |
        | PR-1    | IT       | 10            | DI4 Decided | Active | 2026-03-01 | 2026-05-31 |
        | PR-2    | IT       | 20            | DI4 Decided | Active | 2026-03-01 | 2026-05-31 |
    """)
    bk = book(thirds, capacity("""
        | Function | Period     | Available (days) |
        | IT       | 2026-03-01 | 10               |
        | IT       | 2026-04-01 | 10               |
        | IT       | 2026-05-01 | 10               |
    """))
    assert run("capacity-load", bk).findings == ()


def test_a_month_with_demand_and_no_capacity_row_is_a_warning():
    bk = book(table(ITEMS, LOAD), capacity("""
        | Function | Period     | Available (days) |
        | IT       | 2026-03-01 | 10               |
        | IT       | 2026-04-01 | 30               |
        | HR       | 2026-05-01 | 100              |
    """))
    report = run("capacity-load", bk)
    assert rows(report, ("row", "code", "severity")) == [[None, "capacity-missing", Severity.WARNING]]
    assert report.findings[0].message.startswith(
        "IT has no capacity row for 2026-05, yet active items need 14 days then (PR-1 (10), PR-4 (4))")


def test_no_capacity_finding_without_items_or_demand():
    cap = capacity("""
        | Function | Period     | Available (days) |
        | IT       | 2026-03-01 | 0                |
    """)
    assert run("capacity-load", book(cap)).findings == ()
    idle = table(ITEMS, "| Item ID | Function | Effort (days) |\n| PR-1 | IT | |")
    assert run("capacity-load", book(idle, cap)).findings == ()


# --- financials --------------------------------------------------------------------------------

def fin(text: str):
    return table(FINANCIALS, text)


def test_financial_rows_for_unknown_items():
    bk = book(items(), fin("""
        | Item ID | Period     | Flow | Plan |
        | PR-0001 | 2026-02-01 | Cost | 100  |
        | PR-0042 | 2026-02-01 | Cost | 100  |
        | pr-0003 | 2026-03-01 | Cost | 100  |
        |         | 2026-03-01 | Cost | 100  |
    """))
    report = run("financials-items", bk)
    assert rows(report, ("row", "column", "code", "severity")) == [[3, "A", "financials-unknown-item", Severity.ERROR]]


def test_financial_periods_outside_the_items_dates():
    bk = book(items(), fin("""
        | Item ID | Period     | Flow    | Plan |
        | PR-0001 | 2025-12-01 | Cost    | 100  |
        | PR-0001 | 2026-01-01 | Cost    | 100  |
        | PR-0001 | 2026-06-01 | Benefit | 100  |
        | PR-0001 | 2026-07-01 | Benefit | 100  |
        | PR-0007 | 2020-01-01 | Cost    | 100  |
        | PR-0008 | 2030-01-01 | Cost    | 100  |
        | PR-0003 | 'May'      | Cost    | 100  |
    """))
    report = run("financials-items", bk)
    assert rows(report, ("row", "column", "code", "severity")) == [
        [2, "B", "financials-outside-dates", Severity.WARNING],
        [5, "B", "financials-outside-dates", Severity.WARNING],
    ]
    assert report.findings[0].message.startswith("2025-12 is before PR-0001's start (2026-01-01)")
    assert report.findings[1].message.startswith("2026-07 is after PR-0001's end (2026-06-30)")


# --- the whole run and its plan ----------------------------------------------------------------

def whole_book():
    return book(table(ITEMS, """
        | Item ID | Function | Effort (days) | Stage       | State   | Start date | Due date   | End date   |
        | PR-1    | IT       | 30            | DI4 Decided | Active  | 2026-03-01 | 2026-05-31 | 2026-06-30 |
        | PR-2    | IT       | 20            | DI1 Defined | Active  | 2026-04-01 | 2026-04-30 | 2026-04-30 |
        | PR-4    | IT       | 8             | DI1 Defined | Active  | 2026-04-01 | 2026-05-31 |            |
        | PR-8    | IT       |               | DI1 Defined | On hold | 2026-01-01 |            | 2026-12-31 |
    """),
                deps("""
        | Predecessor ID | Successor ID |
        | PR-1           | PR-2         |
        | PR-2           | PR-1         |
        | PR-8           | PR-4         |
    """), capacity("""
        | Function | Period     | Available (days) |
        | IT       | 2026-03-01 | 10               |
        | IT       | 2026-04-01 | 20               |
        | IT       | 2026-05-01 | 20               |
    """), fin("""
        | Item ID | Period     | Flow | Plan |
        | PR-99   | 2026-03-01 | Cost | 10   |
    """))


def test_check_portfolio_runs_the_checks_of_the_three_tables():
    report = check_portfolio(whole_book(), TODAY)
    assert rows(report, ("sheet", "row", "code")) == [
        ["Capacity", 3, "capacity-over-allocated"],
        ["Dependencies", 2, "dependency-cycle"],
        ["Dependencies", 2, "successor-before-predecessor"],
        ["Dependencies", 4, "depends-on-frozen"],
        ["Dependencies", 4, "successor-before-predecessor"],
        ["Financials", 2, "financials-unknown-item"],
    ]


def test_check_portfolio_honours_disabled_checks_and_the_workbooks_checks_table():
    report = check_portfolio(whole_book(), TODAY, frozenset({"dependency-cycles", "capacity-load"}))
    assert set(report.by_code()) == {"successor-before-predecessor", "depends-on-frozen", "financials-unknown-item"}
    checks = Table("Checks", "Checks", "", ())
    bk = whole_book()
    switched = table(checks, "| check | enabled |\n| financials-items | No |\n| dependency-dates | Yes |")
    bk.tables["Checks"] = switched
    assert "financials-unknown-item" not in check_portfolio(bk, TODAY).by_code()


def test_check_portfolio_without_the_tables_finds_nothing():
    assert check_portfolio(book(items()), TODAY).findings == ()


def test_portfolio_marks_fill_every_offending_cell_and_list_findings_under_the_command():
    report = check_portfolio(whole_book(), TODAY)
    plan = portfolio_marks(report)
    assert plan.scope == "rollup"
    marks = {(m.sheet, m.row, m.column): m for m in plan.marks}
    assert set(marks) == {("Capacity", 3, "C"), ("Dependencies", 2, "A"), ("Dependencies", 3, "A"),
                          ("Dependencies", 2, "B"), ("Dependencies", 4, "A"), ("Dependencies", 4, "B"),
                          ("Financials", 2, "A")}
    assert marks[("Dependencies", 3, "A")].fill == ERROR_FILL  # the cycle's second row is marked too
    assert "PR-1 -> PR-2 -> PR-1" in marks[("Dependencies", 3, "A")].note
    assert marks[("Dependencies", 4, "A")].fill == WARNING_FILL
    assert marks[("Capacity", 3, "C")].note.startswith("ERROR: IT is over-allocated in 2026-04")
    (sheet,) = plan.sheets
    assert sheet.name == FINDINGS_SHEET and sheet.shared
    assert len(sheet.rows) == 6 and {r[0] for r in sheet.rows} == {"rollup"}
    assert [r[2] for r in sheet.rows][-1] == "depends-on-frozen"  # errors first


def test_portfolio_marks_when_all_is_well_say_so_under_its_own_scope():
    plan = portfolio_marks(Report(()), scope="dashboard")
    assert plan.scope == "dashboard" and plan.marks == []
    assert plan.sheets[0].rows[0][0] == "dashboard" and "No findings" in plan.sheets[0].rows[0][-1]


def test_every_portfolio_code_is_registered_with_its_severity():
    expected = {
        "dependency-unknown-item": Severity.ERROR, "dependency-cycle": Severity.ERROR,
        "successor-before-predecessor": Severity.ERROR, "depends-on-frozen": Severity.WARNING,
        "capacity-over-allocated": Severity.ERROR, "capacity-missing": Severity.WARNING,
        "financials-unknown-item": Severity.ERROR, "financials-outside-dates": Severity.WARNING,
    }
    assert {code: CODES[code].severity for code in expected} == expected
    declared = {code for name in ("dependency-references", "dependency-cycles", "dependency-dates",
                                  "capacity-load", "financials-items") for code in CHECKS[name].codes}
    assert declared == set(expected)
