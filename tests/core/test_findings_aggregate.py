"""One finding per item and kind: an item's repeated rows become one finding with their count and cells."""
import json

from tests.support import AS_OF
from tests.support.inline import book, table
from xlportfolio.core.findings import Finding, Report, Severity, lead
from xlportfolio.core.findings_sheet import findings_sheet, marks_for
from xlportfolio.core.intake.validate import validate_intake
from xlportfolio.core.rollup.portfolio import check_portfolio
from xlportfolio.schema import FINANCIALS, INTAKE, ITEMS

ITEMS_TEXT = """
    | Item ID | Level        | Name    | Start date | End date   |
    | ORG     | Organization | Group   |            |            |
    | M1      | Measure      | Payroll | 2026-01-01 | 2026-03-31 |
    | M2      | Measure      | Portal  | 2026-01-01 | 2026-12-31 |
"""

# M1 books five months outside January..March (rows 2, 3, 5, 6, 7); M2 one (row 9).
FINANCIALS_TEXT = """
    | Item ID | Period     | Flow    | Recurrence | Plan |
    | M1      | 2025-11-01 | Cost    | One-time   | 10   |
    | M1      | 2025-12-01 | Cost    | One-time   | 10   |
    | M1      | 2026-02-01 | Cost    | One-time   | 10   |
    | M1      | 2026-05-01 | Benefit | Recurring  | 20   |
    | M1      | 2026-06-01 | Benefit | Recurring  | 20   |
    | M1      | 2026-07-01 | Benefit | Recurring  | 20   |
    | M2      | 2026-06-01 | Cost    | One-time   | 5    |
    | M2      | 2027-02-01 | Cost    | One-time   | 5    |
"""


def portfolio():
    return book(table(ITEMS, ITEMS_TEXT), table(FINANCIALS, FINANCIALS_TEXT))


def outside(report):
    return {f.item: f for f in report.findings if f.code == "financials-outside-dates"}


def test_an_items_repeated_rows_are_one_finding_with_count_first_cells_and_name():
    rows = check_portfolio(portfolio(), AS_OF)
    assert rows.by_code()["financials-outside-dates"] == 6  # row by row, as the check finds them
    found = outside(lead(rows, portfolio()))
    assert set(found) == {'M1 "Payroll"', 'M2 "Portal"'}
    m1 = found['M1 "Payroll"']
    assert (m1.count, m1.row, m1.column, m1.cell) == (5, 2, "B", "B2")
    assert m1.cells == ("B2", "B3", "B5", "B6", "B7")
    assert m1.message.startswith('5 Financials rows of M1 "Payroll" are outside its dates, '
                                 "periods 2025-11-01 to 2026-07-01 (Financials!B2, B3, B5 and 2 more); the first: ")
    assert "2025-11 is before M1's start (2026-01-01)" in m1.message
    m2 = found['M2 "Portal"']  # a single row keeps its own message, and now names its item
    assert (m2.count, m2.cells, m2.cell) == (1, (), "B9")
    assert m2.message.startswith("2027-02 is after M2's end")


def test_lead_is_idempotent_and_counts_findings_not_rows():
    once = lead(check_portfolio(portfolio(), AS_OF), portfolio())
    assert lead(once, portfolio()) == once
    assert once.warnings == 2 and once.errors == 0


def test_rows_of_the_items_themselves_never_merge():
    """Intake rows are the requests: two requests missing a title are two findings, each on its cell."""
    intake = table(INTAKE, """
        | Request ID | Title | Customer name | Business reason | Category | Due date   | Cost estimate | Sponsor |
        | REQ-1      |       | Acme          | Renewal         | Revenue  | 2026-12-31 | 100           | Anna    |
        | REQ-1      |       | Acme          | Renewal         | Revenue  | 2026-12-31 | 100           | Anna    |
    """)
    report, plan = validate_intake(book(intake), AS_OF)
    titles = [f for f in report.findings if f.code == "missing-value" and f.column == "B"]
    assert [(f.row, f.count, f.item) for f in titles] == [(2, 1, "REQ-1"), (3, 1, "REQ-1")]
    assert {(m.row, m.column) for m in plan.marks} >= {(2, "B"), (3, "B")}


def test_findings_elsewhere_pass_through_unchanged():
    """A finding on a sheet without item rows (no cell, or a table that names no item) keeps its form."""
    loose = Finding("capacity-missing", Severity.WARNING, "Sales has no capacity row", "Capacity")
    assert lead(Report.of([loose]), portfolio()).findings == (loose,)


def test_an_aggregated_finding_marks_its_first_cell_once_and_the_note_names_the_rest():
    report = lead(check_portfolio(portfolio(), AS_OF), portfolio())
    marks = {(m.sheet, m.row, m.column): m for m in marks_for(report)}
    assert set(marks) == {("Financials", 2, "B"), ("Financials", 9, "B")}
    assert "5 Financials rows of M1" in marks[("Financials", 2, "B")].note
    assert "B3, B5 and 2 more" in marks[("Financials", 2, "B")].note


def test_errors_lead_every_listing_and_count():
    w = Finding("similar-request", Severity.WARNING, "w", "Intake", 2, "B")
    e1 = Finding("missing-value", Severity.ERROR, "e", "Intake", 5, "C")
    e2 = Finding("not-a-number", Severity.ERROR, "e", "Intake", 3, "D")
    e3 = Finding("not-a-number", Severity.ERROR, "e", "Intake", 4, "D")
    report = Report.of([w, e1, e2, e3, w])
    assert [f.severity for f in report.leading] == ["error"] * 3 + ["warning"] * 2
    assert [f.row for f in report.leading] == [3, 4, 5, 2, 2]  # sheet order within a severity
    assert report.code_counts() == [("not-a-number", 2), ("missing-value", 1), ("similar-request", 2)]
    sheet = findings_sheet(report, "validate", "all clear")
    assert [r[1] for r in sheet.rows] == ["error"] * 3 + ["warning"] * 2


def test_to_dict_keeps_its_fields_and_adds_item_count_and_cells():
    report = lead(check_portfolio(portfolio(), AS_OF), portfolio())
    data = outside(report)['M1 "Payroll"'].to_dict()
    assert {"code", "severity", "message", "sheet", "row", "column", "header", "value", "cell"} <= set(data)
    assert (data["count"], data["cells"][:2], data["item"], data["cell"]) == (5, ["B2", "B3"], 'M1 "Payroll"', "B2")
    json.dumps(data)  # plain JSON
    single = Finding("x", Severity.ERROR, "m", "Intake", 2, "A").to_dict()
    assert (single["count"], single["cells"], single["item"]) == (1, [], None)


def test_the_findings_sheet_names_item_and_rows():
    report = lead(check_portfolio(portfolio(), AS_OF), portfolio())
    sheet = findings_sheet(report, "rollup", "all clear")
    header = list(sheet.header)
    assert header[:3] == ["Command", "Severity", "Code"] and header[-1] == "What to do"
    rows = [dict(zip(header, r)) for r in sheet.rows]
    assert {(r["Item"], r["Rows"]) for r in rows} == {('M1 "Payroll"', 5), ('M2 "Portal"', 1)}


def test_a_summary_counts_in_words_a_person_reads():
    from xlportfolio.core.findings import counted

    one_each = Report.of([Finding("missing-value", Severity.ERROR, "no owner", "Intake", 2, "F"),
                          Finding("due-passed", Severity.WARNING, "past due", "Intake", 3, "G")])
    assert one_each.tally == "1 error, 1 warning"
    assert Report(()).tally == "0 errors, 0 warnings"
    assert counted(1_250, "row") == "1,250 rows"
