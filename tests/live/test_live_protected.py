"""The protected intake template in Excel: every action a command queues on the remote engine is
one Excel allows on the protected sheet (tests/live/protection.py applies Excel's rules), and
the result is the one an unprotected form gets, in Excel and in the file."""
import datetime as dt
import shutil

import pytest
from openpyxl import load_workbook
from openpyxl.styles import Protection
from openpyxl.workbook.protection import WorkbookProtection

from tests.live.payload import book_payload, differences, file_state, model_state
from tests.live.protection import ProtectedModel
from tests.live.remote import open_remote
from tests.support import AS_OF
from xlportfolio import registry
from xlportfolio.commands import score
from xlportfolio.commands.files import on_file
from xlportfolio.commands.validate import BOOK_TABLES
from xlportfolio.commands.validate import Options as ValidateOptions
from xlportfolio.core.intake.validate import validate_intake
from xlportfolio.core.plan import MARKS_SHEET
from xlportfolio.excel import ribbon
from xlportfolio.live import LiveWorkbook

SHEETS = ("Intake", "Findings", MARKS_SHEET)


@pytest.fixture
def protected(intake_forms, tmp_path):
    return shutil.copy(intake_forms / "protected.xlsx", tmp_path / "intake.xlsx")


@pytest.fixture
def unprotected(intake_forms, tmp_path):
    return shutil.copy(intake_forms / "open.xlsx", tmp_path / "open.xlsx")


def live(path, command):
    """`command(workbook)` on the remote engine; its actions replayed under Excel's protection rules."""
    book = open_remote(book_payload(path))
    result = command(LiveWorkbook(book))
    model = ProtectedModel(path).replay(book.json()["actions"])
    assert model.unknown == []
    return result, model


def validate(wb):
    report, plan = validate_intake(wb.read(BOOK_TABLES), as_of=AS_OF)
    wb.apply(plan)
    return report


def test_the_payload_carries_no_protection(protected):
    """Why the check happens on replay: the client tells the server nothing about protection."""
    payload = book_payload(protected)
    assert load_workbook(protected)["Intake"].protection.sheet
    assert not any("protect" in key.lower() for sheet in payload["sheets"] for key in sheet)


def test_validate_in_excel_on_the_protected_form(protected, unprotected):
    report, model = live(protected, validate)
    assert report.errors > 0 and model.refused == []
    _, open_model = live(unprotected, validate)
    assert open_model.locks == {}  # the twin really is unprotected
    for sheet in SHEETS:  # protected or not, Excel ends up with the same cells
        assert differences(model_state(open_model, sheet), model_state(model, sheet)) == [], sheet
    on_file("validate", protected, ValidateOptions(as_of=AS_OF))  # and the file path writes them too
    for sheet in ("Intake", "Findings"):
        assert differences(file_state(protected, sheet), model_state(model, sheet)) == [], sheet


def test_score_in_excel_on_the_protected_form(protected, unprotected):
    outcome, model = live(protected, lambda wb: score.run(wb, score.Options(as_of=AS_OF)))
    assert outcome.figures.scored == {"Intake": 100} and model.refused == []
    _, open_model = live(unprotected, lambda wb: score.run(wb, score.Options(as_of=AS_OF)))
    assert differences(model_state(open_model, "Intake"), model_state(model, "Intake")) == []


def test_a_rerun_in_excel_is_allowed_too(protected):
    """The second click rewrites Findings and xlp_marks in place and restores earlier marks."""
    _, model = live(protected, validate)
    rerun = ProtectedModel(protected)
    rerun.sheets, rerun.tables, rerun.names = model.sheets, model.tables, model.names
    book = open_remote(model.payload("intake.xlsx"))
    validate(LiveWorkbook(book))
    rerun.replay(book.json()["actions"])
    assert rerun.refused == [] and rerun.unknown == []


@pytest.mark.parametrize("command", [c for c in registry.ribbon_commands()], ids=lambda c: c.id)
def test_every_ribbon_button_on_the_protected_form(protected, command, monkeypatch):
    """Each button, clicked on the form: it runs or explains why not, and Excel refuses nothing."""
    monkeypatch.delenv("XLPORTFOLIO_DEBUG", raising=False)
    book = open_remote(book_payload(protected))
    outcome = ribbon.run_command(command, book)
    actions = book.json()["actions"]
    assert outcome.exit_code in (0, 1, 2), outcome.summary  # 2: needs the portfolio workbook
    assert "internal error" not in outcome.summary
    model = ProtectedModel(protected).replay([a for a in actions if a["func"] != "alert"])
    assert model.refused == [] and model.unknown == []


def test_the_model_refuses_what_excel_refuses(protected):
    """The check is real: with the computed columns locked, as the template had them before,
    validate's Validation column is refused."""
    wb = load_workbook(protected)
    ws = wb["Intake"]
    validation = next(c.column_letter for c in ws[1] if c.value == "Validation")
    for row in range(2, ws.max_row + 1):
        ws[f"{validation}{row}"].protection = Protection(locked=True)
    wb.save(protected)
    _, model = live(protected, validate)
    assert model.refused == [f"setValues: Intake!{validation}2 is locked"]


def test_a_locked_workbook_structure(protected):
    """Decided: the template leaves the structure unprotected. Locked, the first click cannot add
    Findings in Excel; once the sheets exist (a file run made them), clicks rewrite them in place."""
    wb = load_workbook(protected)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.save(protected)
    _, model = live(protected, validate)
    assert model.refused == ["addSheet: the workbook's structure is protected"]
    on_file("validate", protected, ValidateOptions(as_of=AS_OF + dt.timedelta(days=1)))
    assert load_workbook(protected).security.lockStructure  # the file path keeps it
    _, model = live(protected, validate)
    assert model.refused == []
