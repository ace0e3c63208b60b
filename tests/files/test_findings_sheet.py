"""The Findings sheet of a real workbook: every command's findings, errors first, a command column with an
autofilter, one row per item and kind, notes only where a person acts, and exit 1 while errors remain."""
import datetime as dt
import json

import pytest
from openpyxl import load_workbook

from tests.support import AS_OF
from tests.support.cli import run
from xlportfolio.core.findings_sheet import FINDINGS_HEADER
from xlportfolio.core.plan import WARNING_FILL
from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook

D = dt.date

ITEMS = [
    {"item_id": "ORG", "level": "Organization", "name": "Group", "state": "Active"},
    {"item_id": "M1", "parent_id": "ORG", "level": "Measure", "name": "Payroll", "state": "Active",
     "stage": "DI1 Defined", "start_date": D(2026, 1, 1), "end_date": D(2026, 3, 31)},
    {"item_id": "M2", "parent_id": "ORG", "level": "Measure", "name": "Portal", "state": "Active",
     "stage": "DI1 Defined", "start_date": D(2026, 1, 1), "end_date": D(2026, 12, 31)},
]
# M1 books five months outside its dates (Financials rows 2, 3, 5, 6, 7), M2 one (row 9).
FINANCIALS = [
    {"item_id": item, "period": period, "flow": "Cost", "recurrence": "One-time", "plan": 10}
    for item, period in (("M1", D(2025, 11, 1)), ("M1", D(2025, 12, 1)), ("M1", D(2026, 2, 1)),
                         ("M1", D(2026, 5, 1)), ("M1", D(2026, 6, 1)), ("M1", D(2026, 7, 1)),
                         ("M2", D(2026, 6, 1)), ("M2", D(2027, 2, 1)))
]
# M1 is due in March but waits for M2, which ends in December: an error on Dependencies row 2.
DEPENDENCIES = [{"predecessor_id": "M2", "successor_id": "M1", "note": "needs the portal"}]
REQUEST = {"customer_name": "Acme", "business_reason": "Renewal", "category": "Revenue", "source": "PMO",
           "requested_on": D(2026, 5, 1), "due_date": D(2026, 12, 31), "cost_estimate": 1000, "currency": "EUR",
           "sponsor": "Anna Berger", "owner": "Anna Berger", "strategic_fit": 3, "confidence": 3}
INTAKE = [{**REQUEST, "request_id": "REQ-1", "title": "Good"},
          {**REQUEST, "request_id": "REQ-2", "title": None}]  # a missing title: an error on Intake!B3


@pytest.fixture
def portfolio(tmp_path):
    path = tmp_path / "portfolio.xlsx"
    build_workbook(PORTFOLIO_KIND, {"Items": ITEMS, "Financials": FINANCIALS, "Dependencies": DEPENDENCIES,
                                    "Intake": INTAKE}).save(path)
    return path


def findings(path):
    ws = load_workbook(path)["Findings"]
    rows = list(ws.iter_rows(values_only=True))
    return ws, [dict(zip(rows[0], r)) for r in rows[1:]]


def notes(path, sheet):
    return {c.coordinate for row in load_workbook(path)[sheet].iter_rows() for c in row if c.comment}


def test_validate_then_rollup_list_both_commands_errors_first_with_a_filter(portfolio):
    assert run("validate", portfolio, "--as-of", AS_OF).exit_code == 1
    assert run("rollup", portfolio, "--as-of", AS_OF).exit_code == 1
    ws, rows = findings(portfolio)
    assert tuple(c.value for c in ws[1])[:len(FINDINGS_HEADER)] == FINDINGS_HEADER  # the fills' legend beside it
    assert {r["Command"] for r in rows} == {"validate", "rollup"}  # rollup kept validate's rows
    severities = [r["Severity"] for r in rows]
    assert "warning" in severities and severities == sorted(severities, key=lambda s: s != "error")
    assert ws.auto_filter.ref == f"A1:{chr(64 + len(FINDINGS_HEADER))}{ws.max_row}"  # filter by command
    errors = {(r["Command"], r["Code"], r["Sheet"], r["Cell"]) for r in rows if r["Severity"] == "error"}
    assert ("validate", "missing-value", "Intake", "B3") in errors
    assert ("rollup", "successor-before-predecessor", "Dependencies", "B2") in errors
    outside = {r["Item"]: r for r in rows if r["Code"] == "financials-outside-dates"}
    assert set(outside) == {'M1 "Payroll"', 'M2 "Portal"'}  # one row per item, not one per Financials row
    m1 = outside['M1 "Payroll"']
    assert (m1["Rows"], m1["Cell"], outside['M2 "Portal"']["Rows"]) == (5, "B2", 1)
    assert "Financials!B2, B3, B5 and 2 more" in m1["What to do"]
    assert ws[f"E{rows.index(m1) + 2}"].hyperlink.location == "'Financials'!B2"


def test_notes_only_on_the_cells_to_act_on(portfolio):
    run("validate", portfolio, "--as-of", AS_OF)
    run("rollup", portfolio, "--as-of", AS_OF)
    assert notes(portfolio, "Financials") == {"B2", "B9"}  # M1's first row for all five, M2's one row
    assert "B3" in notes(portfolio, "Intake")
    wb = load_workbook(portfolio)
    assert "5 Financials rows" in wb["Financials"]["B2"].comment.text
    fill = {c: wb["Financials"][c].fill.fgColor.rgb[-6:] for c in ("B2", "B3", "B4", "B7", "B9")}
    assert fill["B2"] == fill["B9"] == WARNING_FILL
    assert fill["B3"] == fill["B7"] == fill["B4"] != WARNING_FILL  # the repeats look like row 4, within the dates


def test_a_findings_sheet_of_the_old_layout_keeps_other_commands_rows_under_their_headers(portfolio):
    run("validate", portfolio, "--as-of", AS_OF)
    wb = load_workbook(portfolio)
    ws = wb["Findings"]
    item, rows_at = FINDINGS_HEADER.index("Item") + 1, FINDINGS_HEADER.index("Rows") + 1
    ws.delete_cols(item, rows_at - item + 1)  # as an earlier version wrote it: no Item, no Rows
    wb.save(portfolio)
    run("rollup", portfolio, "--as-of", AS_OF)
    _, rows = findings(portfolio)
    kept = [r for r in rows if r["Command"] == "validate" and r["Code"] == "missing-value"]
    assert {r["Cell"] for r in kept} >= {"B3"}
    assert all(" is required" in r["What to do"] and r["Item"] is None and r["Rows"] is None for r in kept)


def test_every_command_that_leaves_errors_exits_1(portfolio, tmp_path):
    clean = tmp_path / "clean.xlsx"
    build_workbook(PORTFOLIO_KIND, {"Items": ITEMS[:1]}).save(clean)
    assert run("rollup", clean, "--as-of", AS_OF).exit_code == 0
    assert run("score", clean, "--as-of", AS_OF).exit_code == 0
    assert run("rollup", portfolio, "--as-of", AS_OF).exit_code == 1
    assert run("accept", portfolio, "--as-of", AS_OF).exit_code == 1  # REQ-2 still lacks its title
    assert run("run", portfolio, "--as-of", AS_OF).exit_code == 1
    wb = load_workbook(clean)  # a criterion's weight typed as a word
    scoring = wb["Scoring"]
    weight = next(c for c in scoring[1] if c.value == "Weight")
    scoring.cell(2, weight.column, "heavy")
    wb.save(clean)
    result = run("score", clean, "--as-of", AS_OF)
    assert result.exit_code == 1 and "heavy" in result.output


def test_the_cli_lists_errors_before_warnings_by_item(portfolio):
    findings = json.loads(run("rollup", portfolio, "--as-of", AS_OF, "--json").stdout)["findings"]
    codes = [f["code"] for f in findings]
    assert codes.index("successor-before-predecessor") < codes.index("financials-outside-dates")
    severities = [f["severity"] for f in findings]
    assert severities == sorted(severities)  # 'error' sorts before 'warning'
    assert any((f["severity"], f["item"], f["sheet"], f["cell"]) == ("warning", 'M1 "Payroll"', "Financials", "B2")
               for f in findings)
    lines = run("rollup", portfolio, "--as-of", AS_OF).stdout.splitlines()  # the text names the first errors
    first = next(n for n, ln in enumerate(lines) if ln.startswith("First error"))
    error = next(f for f in findings if f["severity"] == "error")
    where = f"{error['sheet']}!{error['cell']}"
    assert lines[first + 1].strip().startswith(f"{error['item']}, {where}" if error["item"] else where)
