"""gates and verify on a real portfolio file: moves applied and chained, tampering named."""
import datetime as dt

import pytest
from openpyxl import load_workbook

from tests.support import AS_OF
from xlportfolio.commands.files import on_file
from xlportfolio.commands.gates import Options as GatesOptions
from xlportfolio.errors import LedgerTampered

NOW = dt.datetime(2026, 6, 30, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def portfolio(tmp_path):
    """The full demo portfolio: some projects request their next stage."""
    from xlportfolio.demo.data import sample_portfolio
    from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook

    data = sample_portfolio(AS_OF)
    deciding = [i["item_id"] for i in data["Items"] if i.get("requested_stage") == "DI4 Decided"]
    # Only the deciding projects carry financials of their own: they are what DI4 freezes.
    data["Financials"] = [{"item_id": item, "period": dt.date(2026, m, 1), "flow": flow, "recurrence": "One-time",
                           "plan": 1000 * m, "forecast": 1000 * m}
                          for item in deciding for m in (7, 8) for flow in ("Cost", "Benefit")]
    path = tmp_path / "portfolio.xlsx"
    build_workbook(PORTFOLIO_KIND, data).save(path)
    return path


def rows_of(outcome):
    """The Items rows whose requested move gates refused."""
    return [r.row for r in outcome.figures.refused]


def items_by_id(path):
    ws = load_workbook(path)["Items"]
    head = [c.value for c in ws[1]]
    return head, {r[0].value: r for r in ws.iter_rows(min_row=2) if r[0].value}


def test_moves_are_applied_recorded_and_refusals_explained(portfolio):
    outcome = on_file("gates", portfolio, GatesOptions(as_of=AS_OF, now=NOW))
    applied, refused = outcome.figures.applied, {r.row: r for r in outcome.figures.refused}
    assert applied and refused
    head, items = items_by_id(portfolio)
    col = {h: i for i, h in enumerate(head)}
    for move in applied:
        row = items[move.item]
        assert row[col["Stage"]].value == move.to_stage and row[col["Requested stage"]].value is None
    refused_row = next(iter(refused))
    cell = load_workbook(portfolio)["Items"].cell(refused_row, col["Requested stage"] + 1)
    label = refused[refused_row].label
    assert cell.value is not None and "refused" in cell.comment.text and "Missing for" in cell.comment.text
    assert cell.comment.text.startswith(label) and " " in label  # the item by ID and name
    ledger = list(load_workbook(portfolio)["Ledger"].iter_rows(min_row=2, values_only=True))
    moves = [r for r in ledger if r[4] and r[6] != "refused"]  # a decision has no From stage
    assert [(r[3], r[4], r[5]) for r in moves] == [(m.item, m.from_stage, m.to_stage) for m in applied]
    assert all(r[1] == "2026-06-30T09:00:00Z" for r in moves)
    refusals = [(r[3], r[5], r[2]) for r in ledger if r[6] == "refused"]
    assert refusals == [(r.item, r.to_stage, "xlportfolio") for r in outcome.figures.refused]
    openings = {r[3] for r in ledger if r[6] == "opening balance"}
    assert openings == set(items)  # every item joins the ledger once, as found
    approvals = [r for r in load_workbook(portfolio)["Approvals"].iter_rows(min_row=2, values_only=True) if r[0]]
    decisions = [r for r in ledger if not r[4] and r[6] != "opening balance"]
    assert len(decisions) == len(approvals)  # every recorded decision, with who, when and why
    assert {(r[3], r[2], r[6], r[7]) for r in decisions} == {(a[0], a[3], a[4], a[6]) for a in approvals}
    verified = on_file("verify", portfolio)
    report, rows = verified.report, verified.figures.rows
    assert report.findings == () and rows == len(ledger)
    decided = [m.item for m in applied if m.to_stage == "DI4 Decided"]
    baseline = list(load_workbook(portfolio)["Baseline"].iter_rows(min_row=2, values_only=True))
    assert decided and {r[0] for r in baseline} == set(decided)  # the plan is frozen as items pass DI4
    for item in decided:  # dates, cost and value, then the plan by month
        assert [r[2] for r in baseline if r[0] == item] == ["Start date", "End date", "Cost estimate",
                                                            "Estimated value"] + ["Plan"] * 4


def test_second_run_moves_nothing_keeps_the_chain_and_the_refusals(portfolio):
    first = on_file("gates", portfolio, GatesOptions(as_of=AS_OF, now=NOW))
    notes = {row: comment_at(portfolio, row) for row in rows_of(first)}
    second = on_file("gates", portfolio, GatesOptions(as_of=AS_OF + dt.timedelta(days=7), now=NOW + dt.timedelta(days=7)))
    assert second.figures.applied == [] and second.figures.ledger_rows == first.figures.ledger_rows  # refusals recorded once
    assert second.figures.refused == first.figures.refused
    assert {row: comment_at(portfolio, row) for row in rows_of(second)} == notes  # dated by the first
    findings = [r for r in load_workbook(portfolio)["Findings"].iter_rows(values_only=True) if "gate-refused" in r]
    assert len(findings) == len(first.figures.refused)
    assert on_file("verify", portfolio).report.findings == ()


def comment_at(path, row):
    ws = load_workbook(path)["Items"]
    column = next(c.column for c in ws[1] if c.value == "Requested stage")
    cell = ws.cell(row, column)
    return cell.value, cell.comment.text if cell.comment else None, cell.fill.fgColor.rgb


@pytest.mark.parametrize("tamper, code", [
    (lambda ws: ws.cell(3, 8, "rewritten reason"), "ledger-row-edited"),
    (lambda ws: ws.delete_rows(3), "ledger-row-missing"),
    (lambda ws: ws.delete_rows(ws.max_row), "ledger-head-mismatch"),
])
def test_tampering_is_named_and_blocks_further_moves(portfolio, tamper, code):
    on_file("gates", portfolio, GatesOptions(as_of=AS_OF, now=NOW))
    wb = load_workbook(portfolio)
    tamper(wb["Ledger"])
    wb.save(portfolio)
    report = on_file("verify", portfolio).report
    assert code in {f.code for f in report.findings}
    assert all(f.sheet == "Ledger" and f.row for f in report.findings if f.code != "ledger-head-mismatch")
    with pytest.raises(LedgerTampered, match="does not verify"):
        on_file("gates", portfolio, GatesOptions(as_of=AS_OF, now=NOW))


def set_cells(path, sheet, changes):
    """Type values over cells as a person would: {(row, header): value}."""
    wb = load_workbook(path)
    ws = wb[sheet]
    head = {c.value: c.column for c in ws[1]}
    for (row, header), value in changes.items():
        ws.cell(row, head[header], value)
    wb.save(path)


def test_stage_and_state_typed_over_are_named_by_gates_verify_and_rollup(portfolio):
    from typer.testing import CliRunner

    from xlportfolio.cli import app
    from xlportfolio.commands.rollup import Options as RollupOptions

    on_file("gates", portfolio, GatesOptions(as_of=AS_OF, now=NOW))  # every item joins the ledger as found
    head, items = items_by_id(portfolio)
    col = {h: i for i, h in enumerate(head)}
    quiet = [r for r in items.values() if r[col["Stage"]].value == "DI3 Detailed" and r[col["Level"]].value == "Project"
             and not r[col["Requested stage"]].value and r[col["State"]].value == "Active"]
    up, cancelled = quiet[0], quiet[1]
    set_cells(portfolio, "Items", {(up[0].row, "Stage"): "DI5 Implemented", (cancelled[0].row, "State"): "Cancelled"})
    labels = [f"{r[0].value} {r[col['Name']].value}" for r in (up, cancelled)]

    result = CliRunner().invoke(app, ["verify", str(portfolio)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert all(label in result.output for label in labels) and "2 items stand elsewhere" in result.output
    report = on_file("verify", portfolio).report
    assert [(f.code, f.cell) for f in report.findings] == [
        ("stage-not-from-gates", f"{up[col['Stage']].column_letter}{up[0].row}"),
        ("state-not-from-decisions", f"{cancelled[col['State']].column_letter}{cancelled[0].row}")]

    rolled = on_file("rollup", portfolio, RollupOptions(as_of=AS_OF))
    [stage_finding] = [f for f in rolled.report.findings if f.code == "stage-not-from-gates"]
    assert stage_finding.message.startswith(labels[0]) and "counted at DI3 Detailed on the Rollup sheet" in \
        stage_finding.message
    rollup = load_workbook(portfolio)["Rollup"]
    header = [c.value for c in rollup[2]]
    row = next(r for r in rollup.iter_rows(min_row=3, values_only=True) if r[0] == up[0].value)
    assert row[header.index("Stage")] == "DI3 Detailed"  # the ledger's: the stage weight reads it

    again = on_file("gates", portfolio, GatesOptions(as_of=AS_OF, now=NOW))
    assert {f.code for f in again.report.findings if f.severity == "error"} >= {
        "stage-not-from-gates", "state-not-from-decisions"}
    cli = CliRunner().invoke(app, ["gates", str(portfolio), "--as-of", AS_OF.isoformat()])
    assert cli.exit_code == 1 and labels[0] in cli.output


def test_a_baseline_is_frozen_at_di4_and_later_edits_are_flagged_naming_the_item(portfolio):
    first = on_file("gates", portfolio, GatesOptions(as_of=AS_OF, now=NOW))
    frozen = load_workbook(portfolio)["Baseline"]
    before = list(frozen.iter_rows(values_only=True))
    decided = first.figures.baselined[0]
    label = f"{decided.item_id} {decided.name}"
    _, items = items_by_id(portfolio)
    fin = load_workbook(portfolio)["Financials"]
    plan_row = next(r[0].row for r in fin.iter_rows(min_row=2) if r[0].value == decided.item_id)
    set_cells(portfolio, "Items", {(items[decided.item_id][0].row, "End date"): dt.datetime(2030, 1, 1)})
    set_cells(portfolio, "Financials", {(plan_row, "Plan"): 99999})

    later = on_file("gates", portfolio, GatesOptions(as_of=AS_OF + dt.timedelta(days=30), now=NOW + dt.timedelta(days=30)))
    changed = {f.code: f for f in later.report.findings if f.code.startswith("baseline")}
    assert set(changed) == {"baseline-changed", "baseline-item-changed"}
    assert changed["baseline-item-changed"].message.startswith(f"{label}: End date changed from ")
    assert "to 2030-01-01" in changed["baseline-item-changed"].message
    assert changed["baseline-changed"].message.startswith(f"{label}: Plan changed from ")
    assert list(load_workbook(portfolio)["Baseline"].iter_rows(values_only=True)) == before  # frozen once
