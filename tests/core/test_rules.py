"""The PMO's own intake rules, people list and check switches, each on an inline table."""
import datetime as dt

from tests.support.inline import book, table
from xlportfolio.core.checks import CHECKS, Context
from xlportfolio.core.findings import Report
from xlportfolio.core.intake.validate import validate_intake
from xlportfolio.schema import CHECKS_TABLE, INTAKE, INTAKE_RULES, PEOPLE

TODAY = dt.date(2026, 6, 30)


def run(name, bk):
    return Report.of(CHECKS[name].func(bk.tables["Intake"], bk, Context(as_of=TODAY)))


RULES = table(INTAKE_RULES.table, """
    | Rule                  | Column         | Category       | Minimum | Maximum | Pattern  | Severity | Enabled |
    | required for category | Customer ID    | Customer value |         |         |          | error    | Yes     |
    | required for category | regulation_ref | Compliance     |         |         |          | error    | Yes     |
    | range                 | Cost estimate  |                | 0       | 100000  |          | error    | Yes     |
    | range                 | Effort (days)  |                |         | 500     |          | warning  | Yes     |
    | format                | Customer ID    |                |         |         | 'C-\\d{5}' | warning  | Yes     |
    | format                | Title          |                |         |         | 'x'      | error    | No      |
""")


def test_required_for_category_ranges_and_formats():
    bk = book(table(INTAKE, """
        | Category       | Customer ID | Regulation reference | Cost estimate | Effort (days) | Title  |
        | Customer value | C-12345     |                      | 1000          | 10            | Portal |
        | Customer value |             |                      | 250000        | 900           | App    |
        | Compliance     | 4711        |                      | 1000          | 10            | GDPR   |
        | Compliance     | C-00001     | GDPR Art. 17         | 'lots'        |               | GDPR 2 |
    """), RULES)
    report = run("intake-rules", bk)
    assert report.flatten(["row", "column", "code", "severity"]) == [
        [3, "B", "required-for-category", "error"],
        [3, "D", "out-of-range", "error"],
        [3, "E", "out-of-range", "warning"],
        [4, "B", "bad-format", "warning"],
        [4, "C", "required-for-category", "error"],
    ]  # text in a number cell is the cell check's business, not the range rule's
    assert "100,000" in report.findings[1].message


def test_a_rule_that_makes_no_sense_points_at_its_own_row():
    rules = table(INTAKE_RULES.table, """
        | Rule   | Column       | Pattern | Severity | Enabled |
        | format | Customer ID  | '(['    | error    | Yes     |
        | range  | No such col  |         | error    | Yes     |
        | range  | Cost estimate|         | error    | Yes     |
    """)
    report = run("intake-rules", book(table(INTAKE, "| Title |\n| x |"), rules))
    assert [(f.sheet, f.row, f.code) for f in report.findings] == [
        ("Rules", 2, "bad-rule"), ("Rules", 3, "bad-rule"), ("Rules", 3, "bad-rule"),  # no column, no bounds
        ("Rules", 4, "bad-rule")]
    assert "regular expression" in report.findings[0].message


def test_people_list_and_missing_counterparts():
    people = table(PEOPLE, """
        | Name        |
        | Anna Berger |
        | Ben Okafor  |
    """)
    bk = book(table(INTAKE, """
        | Sponsor     | Owner      | Effort (days) | Function | Cost estimate | Currency |
        | anna berger | Ben Okafor | 10            | IT       | 1000          | EUR      |
        | J. Smith    |            | 10            |          | 1000          |          |
    """), people)
    assert run("intake-people", bk).flatten(["row", "column", "code"]) == [[3, "A", "unknown-person"]]
    assert run("intake-consistency", bk).flatten(["row", "column", "code"]) == [
        [3, "D", "effort-without-function"], [3, "F", "cost-without-currency"]]


def test_no_people_list_means_no_people_findings():
    bk = book(table(INTAKE, "| Sponsor |\n| Anyone |"))
    assert run("intake-people", bk).findings == ()


def test_near_duplicate_titles_for_the_same_customer():
    bk = book(table(INTAKE, """
        | Request ID | Customer name | Title                         |
        | REQ-1      | Acme          | Self-service portal for Acme  |
        | REQ-2      | Acme          | Acme self-service portals     |
        | REQ-3      | Globex        | Acme self-service portals     |
    """))
    assert run("intake-duplicates", bk).flatten(["row", "code"]) == [[3, "similar-request"]]


def test_checks_switched_off_in_the_workbook_do_not_run():
    intake = table(INTAKE, """
        | Request ID | Sponsor  |
        | REQ-1      | J. Smith |
    """)
    people = table(PEOPLE, "| Name |\n| Anna |")
    on = table(CHECKS_TABLE, "| Check | Enabled |\n| intake-people | Yes |\n| intake-columns | No |")
    off = table(CHECKS_TABLE, "| Check | Enabled |\n| intake-people | No |\n| intake-columns | No |")
    codes_on = {f.code for f in validate_intake(book(intake, people, on), TODAY)[0].findings}
    codes_off = {f.code for f in validate_intake(book(intake, people, off), TODAY)[0].findings}
    assert "unknown-person" in codes_on and "unknown-person" not in codes_off
    assert "missing-column" not in codes_on


def test_findings_on_the_rules_sheet_do_not_count_against_intake_rows():
    rules = table(INTAKE_RULES.table, """
        | Rule   | Column      | Pattern | Severity | Enabled |
        | format | Customer ID | '(['    | error    | Yes     |
    """)
    intake = table(INTAKE, "| Request ID | Title |\n| REQ-1 | Portal |")
    report, plan = validate_intake(book(intake, rules), TODAY)
    assert ("Rules", 2, "bad-rule") in {(f.sheet, f.row, f.code) for f in report.findings}
    status = next(c for c in plan.columns if c.header == "Validation")
    assert status.values[2] == "OK"  # Rules row 2's problem is not Intake row 2's
