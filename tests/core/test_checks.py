"""Each intake check on a table written inline, as a person would see it in the sheet."""
import datetime as dt

from tests.support.inline import book, table
from xlportfolio.core.checks import CHECKS, Context
from xlportfolio.core.codes import CODES
from xlportfolio.core.findings import Report
from xlportfolio.schema import INTAKE, ITEMS

TODAY = dt.date(2026, 6, 30)


def run(name, bk):
    return Report.of(CHECKS[name].func(bk.tables["Intake"], bk, Context(as_of=TODAY)))


def test_required_values_missing_or_blank():
    bk = book(table(INTAKE, """
        | Request ID | Title  | Sponsor     | Cost estimate |
        | REQ-1      | Portal | Anna Berger | 1000          |
        | REQ-2      | App    |             | 2000          |
        | REQ-3      | '   '  | Ben Okafor  |               |
    """))
    assert run("intake-cells", bk).flatten(["row", "column", "code"]) == [
        [3, "C", "missing-value"], [4, "B", "missing-value"], [4, "D", "missing-value"],
    ]


def test_numbers_text_negative_and_error_cells():
    bk = book(table(INTAKE, """
        | Cost estimate | Effort (days) | Expected revenue |
        | approx. 50k   | 10            | 5000             |
        | '125000'      | -3            | #REF!            |
        | 1000          | 2.5           | #DIV/0!          |
    """))
    report = run("intake-cells", bk)
    assert report.flatten(["row", "column", "code"]) == [
        [2, "A", "not-a-number"],
        [3, "A", "number-as-text"], [3, "B", "negative-amount"], [3, "C", "error-value"],
        [4, "C", "error-value"],
    ]
    ref = [f for f in report.findings if f.code == "error-value"][0]
    assert "#REF!" in ref.message and ref.header == "Expected revenue"


def test_dates_typed_as_text_numbers_and_implausible_years():
    bk = book(table(INTAKE, """
        | Requested on | Due date     |
        | 2026-01-10   | '15.03.2027' |
        | 2026-01-10   | 'next month' |
        | 1899-12-31   | 46000        |
        | 2026-01-10   | '03.04.2027' |
    """))
    report = run("intake-cells", bk)
    assert report.flatten(["row", "column", "code"]) == [
        [2, "B", "date-as-text"], [3, "B", "not-a-date"],
        [4, "A", "implausible-date"], [4, "B", "not-a-date"],
        [5, "B", "not-a-date"],  # 3 April or 4 March? never guessed
    ]
    assert "2027-03-15" in report.findings[0].message


def test_choices_come_from_the_workbook_lists():
    bk = book(table(INTAKE, """
        | Function    | Category       | Risk |
        | IT          | Customer value | Low  |
        | Engineering | customer value | Low  |
        | Engineering | Cost           | Low  |
    """), lists={"Function": ("IT", "Engineering")})
    report = run("intake-cells", bk)
    assert report.flatten(["row", "column", "code", "severity"]) == [[3, "B", "choice-spelling", "warning"]]
    assert "write it as 'Customer value'" in report.findings[0].message


def test_due_dates_against_request_date_and_today():
    bk = book(table(INTAKE, """
        | Request ID | Requested on | Due date   |
        | REQ-1      | 2026-05-01   | 2026-09-30 |
        | REQ-2      | 2026-05-01   | 2026-04-01 |
        | REQ-3      | 2026-01-01   | 2026-06-01 |
        | REQ-4      | 2026-08-01   | 2026-12-01 |
        | REQ-5      | 'garbage'    | 2026-12-01 |
    """))
    assert run("intake-dates", bk).flatten(["row", "column", "code"]) == [
        [3, "C", "due-before-requested"], [4, "C", "due-date-past"], [5, "B", "requested-in-future"],
    ]


def test_duplicate_ids_and_requests():
    bk = book(table(INTAKE, """
        | Request ID | Customer name | Title                |
        | REQ-1      | Acme Retail   | Self-service portal  |
        | REQ-2      | ACME retail   | self service portal! |
        | req-1      | Globex        | Pricing engine       |
        | REQ-4      | Globex        | Pricing engine v2    |
    """))
    report = run("intake-duplicates", bk)
    assert report.flatten(["row", "column", "code"]) == [
        [3, "C", "duplicate-request"], [4, "A", "duplicate-request-id"],
    ]
    assert "row 2" in report.findings[0].message and "REQ-1" in report.findings[0].message


def test_references_to_unknown_items():
    items = table(ITEMS, """
        | Item ID | Level   | Name   |
        | PR-001  | Project | Portal |
        | PR-002  | Project | App    |
    """)
    bk = book(table(INTAKE, """
        | Request ID | Parent item | Dependencies           |
        | REQ-1      | PR-001      | PR-002; REQ-2          |
        | REQ-2      | PR-999      |                        |
        | REQ-3      |             | PR-001, PR-404, REQ-77 |
    """), items)
    report = run("intake-references", bk)
    assert report.flatten(["row", "column", "code"]) == [
        [3, "B", "unknown-parent"], [4, "C", "unknown-dependency"],
    ]
    assert "PR-404, REQ-77" in report.findings[1].message


def test_references_skipped_without_a_portfolio():
    bk = book(table(INTAKE, """
        | Request ID | Parent item |
        | REQ-1      | PR-999      |
    """))
    assert run("intake-references", bk).findings == ()


def test_missing_columns_point_at_the_header_row():
    bk = book(table(INTAKE, """
        | Request ID | Title  |
        | REQ-1      | Portal |
    """))
    report = run("intake-columns", bk)
    missing = {f.message.split("'")[1] for f in report.findings}
    assert "Sponsor" in missing and "Validation" not in missing  # computed columns are added, not demanded
    assert {f.row for f in report.findings} == {1}


def test_every_code_is_declared_by_exactly_one_check():
    declared = [code for chk in CHECKS.values() for code in chk.codes]
    assert len(declared) == len(set(declared) - {"missing-column"}) + declared.count("missing-column")
    assert set(declared) <= set(CODES)
    assert all(code == code.lower() and " " not in code for code in CODES)
