"""A bad configuration cell in a real workbook: the command goes on, the Findings sheet lists the cell
and the cell itself is marked, like a data finding."""
import functools

import pytest
from openpyxl import load_workbook

from tests.support import AS_OF
from xlportfolio.commands import gates, rollup, score, validate
from xlportfolio.commands.files import on_file
from xlportfolio.core.findings_sheet import FINDINGS_HEADER
from xlportfolio.core.plan import ERROR_FILL, WARNING_FILL
from xlportfolio.demo.data import sample_portfolio
from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook


def portfolio(path, **cells):
    """The demo portfolio with some configuration cells typed over: sheet__cell=value."""
    data = sample_portfolio(AS_OF)
    wb = build_workbook(PORTFOLIO_KIND, {k: data[k] for k in ("Intake", "Items", "Financials")})
    for where, value in cells.items():
        sheet, cell = where.split("__")
        wb[sheet.replace("_", " ")][cell] = value
    wb.save(path)
    return path


def opened(path):
    """The saved workbook, loaded once for all the reads of one test (keyed by its bytes' mtime)."""
    return _load(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _load(path, _mtime):
    return load_workbook(path)


def findings_rows(path, command):
    ws = opened(path)["Findings"]
    rows = [dict(zip(FINDINGS_HEADER, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    return [r for r in rows if r["Command"] == command]


def mark(path, sheet, cell):
    got = opened(path)[sheet][cell]
    return got.fill.fgColor.rgb[-6:], got.comment.text if got.comment else None


@pytest.fixture(scope="module")
def rolled_up(tmp_path_factory):
    """One rollup over a workbook with a text stage weight, an unknown stage and a check switch set to 'maybe'."""
    path = portfolio(tmp_path_factory.mktemp("config") / "portfolio.xlsx",
                     Stage_weights__B3="high", Stage_weights__A5="DI9 Dreamt", Checks__B3="maybe")
    return path, on_file("rollup", path, rollup.Options(as_of=AS_OF))


def test_rollup_goes_on_past_bad_stage_weights_and_lists_each_cell(rolled_up):
    path, result = rolled_up
    config = [(f.code, f.sheet, f.cell, f.item) for f in result.report.findings
              if f.sheet in ("Stage weights", "Checks")]
    assert config == [("config-invalid", "Checks", "B3", "intake-cells"),
                      ("rollup-bad-weight", "Stage weights", "B3", "DI2 Identified"),
                      ("rollup-bad-weight", "Stage weights", "A5", "DI9 Dreamt")]
    listed = {(r["Code"], r["Sheet"], r["Cell"], r["Item"]): r for r in findings_rows(path, "rollup")}
    weight = listed["rollup-bad-weight", "Stage weights", "B3", "DI2 Identified"]
    assert (weight["Severity"], weight["Value"], weight["Column"]) == ("error", "high", "Weight")
    assert "Weight must be a number, not 'high'" in weight["What to do"]
    stage = listed["rollup-bad-weight", "Stage weights", "A5", "DI9 Dreamt"]
    assert "'DI9 Dreamt' is not a stage of the Stage list" in stage["What to do"]
    assert ("config-invalid", "Checks", "B3", "intake-cells") in listed


def test_the_bad_configuration_cells_are_marked(rolled_up):
    path, _ = rolled_up
    fill, note = mark(path, "Stage weights", "B3")
    assert fill == ERROR_FILL and "Weight must be a number, not 'high'" in note
    fill, note = mark(path, "Stage weights", "A5")
    assert fill == ERROR_FILL and "is not a stage of the Stage list" in note
    fill, note = mark(path, "Checks", "B3")
    assert fill == WARNING_FILL and "Enabled must be 'Yes' or 'No', not 'maybe'" in note
    fill, note = mark(path, "Stage weights", "B2")
    assert fill not in (ERROR_FILL, WARNING_FILL) and note is None  # a good cell stays as it was


def test_the_dashboard_is_written_with_the_usable_weights(rolled_up):
    path, _ = rolled_up
    assert "Dashboard" in opened(path).sheetnames


def test_validate_reports_a_bad_check_switch_and_a_bad_rule_at_their_cells(tmp_path):
    path = portfolio(tmp_path / "portfolio.xlsx", Checks__B2="sometimes", Rules__D5="zero")
    result = on_file("validate", path, validate.Options(as_of=AS_OF))
    config = [(f.code, f.sheet, f.cell) for f in result.report.findings if f.sheet in ("Checks", "Rules")]
    assert config == [("config-invalid", "Checks", "B2"), ("bad-rule", "Rules", "D5")]
    listed = {(r["Code"], r["Cell"]) for r in findings_rows(path, "validate")}
    assert {("config-invalid", "B2"), ("bad-rule", "D5")} <= listed
    fill, note = mark(path, "Rules", "D5")
    assert fill == ERROR_FILL and "Minimum must be a number, not 'zero'" in note


def test_gates_goes_on_past_a_gates_row_it_cannot_check_and_marks_its_cell(tmp_path):
    # Gates row 3 is DI2's owner criterion: a kind no gate knows, and row 4's target names no column.
    path = portfolio(tmp_path / "portfolio.xlsx", Gates__C3="formula", Gates__D4="Items.budget")
    outcome = on_file("gates", path, gates.Options(as_of=AS_OF))
    config = [(f.code, f.cell, f.item) for f in outcome.report.findings if f.sheet == "Gates"]
    assert config == [("bad-gate-criterion", "C3", "owner"), ("bad-gate-criterion", "D4", "sponsor")]
    listed = {(r["Code"], r["Sheet"], r["Cell"]): r for r in findings_rows(path, "gates")}
    kind = listed["bad-gate-criterion", "Gates", "C3"]
    assert (kind["Severity"], kind["Column"], kind["Value"], kind["Item"]) == ("error", "Kind", "formula", "owner")
    assert "Kind must be 'field', 'approval', 'evidence' or 'rule', not 'formula'" in kind["What to do"]
    fill, note = mark(path, "Gates", "D4")
    assert fill == ERROR_FILL and "Target names 'budget', which is not a column of Items" in note


def test_score_goes_on_with_the_usable_criteria_and_marks_the_bad_cells(tmp_path):
    path = portfolio(tmp_path / "portfolio.xlsx", Scoring__C3="high", Scoring__D4="sideways")
    outcome = on_file("score", path, score.Options(as_of=AS_OF))
    assert [(f.code, f.cell, f.item) for f in outcome.report.findings] == [
        ("bad-criterion", "C3", "Value"), ("bad-criterion", "D4", "Cost")]
    listed = {(r["Code"], r["Cell"]): r for r in findings_rows(path, "score")}
    assert "Weight must be a number, not 'high'" in listed["bad-criterion", "C3"]["What to do"]
    fill, note = mark(path, "Scoring", "D4")
    assert fill == ERROR_FILL and "Direction must be 'higher is better' or 'lower is better', not 'sideways'" in note
    intake = opened(path)["Intake"]
    header = [c.value for c in intake[1]]
    assert any(intake.cell(r, header.index("Score") + 1).value is not None for r in range(2, 12))
