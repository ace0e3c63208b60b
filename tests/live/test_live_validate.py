"""validate through the live adapter: the same cells get the same values, fills and notes as
through the file adapter, and reruns restore marks from the register without reading formats."""
import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from tests.live.payload import Model, book_payload, differences, file_state, model_state
from tests.live.remote import open_remote
from tests.support import AS_OF
from xlportfolio.commands.files import on_file
from xlportfolio.commands.validate import BOOK_TABLES
from xlportfolio.commands.validate import Options as ValidateOptions
from xlportfolio.core.intake.validate import validate_intake
from xlportfolio.core.plan import ERROR_FILL, MARKS_HEADER, MARKS_SHEET, ColumnWrite, EditPlan
from xlportfolio.live import LiveWorkbook


def validate_live(payload: dict, model: Model):
    """One validate run on the remote engine; its actions replayed onto `model`."""
    book = open_remote(payload)
    workbook = LiveWorkbook(book)
    report, plan = validate_intake(workbook.read(BOOK_TABLES), as_of=AS_OF)
    workbook.apply(plan)
    actions = book.json()["actions"]
    model.replay(actions)
    assert model.unknown == []
    return report, actions


def header_col(sheet, header: str) -> int:
    return next(c for (r, c), v in sheet.cells.items() if r == 1 and v == header)


@pytest.mark.parametrize("fixture", ["portfolio", "intake"])
def test_same_cells_as_the_file_adapter(fixture, request):
    path = request.getfixturevalue(fixture)
    model = Model(path)
    report, _ = validate_live(book_payload(path), model)
    assert report.errors > 0
    on_file("validate", path, ValidateOptions(as_of=AS_OF))  # the package engine, through the same plan walk
    for sheet in ("Intake", "Findings"):
        assert differences(file_state(path, sheet), model_state(model, sheet)) == [], sheet
    assert model.sheet_names == load_workbook(path).sheetnames
    assert not model[MARKS_SHEET].visible
    assert model[MARKS_SHEET].cells[(1, 1)] == MARKS_HEADER[0]


def test_a_rerun_changes_nothing(portfolio):
    model = Model(portfolio)
    validate_live(book_payload(portfolio), model)
    before = {name: model_state(model, name) for name in ("Intake", "Findings", MARKS_SHEET)}
    _, actions = validate_live(model.payload("portfolio.xlsx"), model)
    for name, state in before.items():
        assert differences(state, model_state(model, name)) == [], name
    assert "addSheet" not in {a["func"] for a in actions}  # sheets are rewritten in place
    assert model.sheet_names[-2:] == ["Findings", MARKS_SHEET]


def test_second_run_restores_marks_from_the_register(portfolio, monkeypatch):
    """A fixed cell loses its fill and note, a person's own fill comes back, remaining marks stay.

    The first run is the file adapter's, which can read the person's fill and records it; the
    second runs in Excel (remote engine), which cannot read fills and goes by the register.
    """
    wb = load_workbook(portfolio)
    ws = wb["Intake"]
    sponsor = next(c.column_letter for c in ws[1] if c.value == "Sponsor")
    ws[f"{sponsor}5"].fill = PatternFill("solid", fgColor="00B0F0")  # a person's own colour
    wb.save(portfolio)
    on_file("validate", portfolio, ValidateOptions(as_of=AS_OF))
    first = file_state(portfolio, "Intake")
    col = ws[f"{sponsor}5"].column
    assert first["fills"][(5, col)] == ERROR_FILL and "Sponsor is required" in first["notes"][(5, col)]
    still_wrong = [cell for cell, fill in first["fills"].items() if fill == ERROR_FILL and cell != (5, col)]

    wb = load_workbook(portfolio)
    wb["Intake"][f"{sponsor}5"].value = "Marco Bianchi"  # the person fixes the cell
    wb.save(portfolio)
    model = Model(portfolio)
    _forbid_reading_formats(monkeypatch)
    _, actions = validate_live(book_payload(portfolio), model)
    intake = model["Intake"]
    assert intake.fills[(5, col)] == "00B0F0" and (5, col) not in intake.notes
    assert all(intake.fills[cell] == ERROR_FILL and cell in intake.notes for cell in still_wrong)
    register = {(row[1], row[2]): row for row in _rows(model[MARKS_SHEET])}
    assert ("Intake", f"{sponsor}5") not in register
    file_priors = {(r[1], r[2]): r[3] for r in load_workbook(portfolio)[MARKS_SHEET].iter_rows(min_row=2,
                                                                                               values_only=True)}
    for cell, row in register.items():
        assert row[3] == file_priors[cell]  # the priors the file run read are carried over
    # The register said what to restore: the fixed cell gets its colour back and loses the note.
    at = [a for a in actions if a["sheet_position"] == 1 and a["start_row"] == 4 and a["start_column"] == col - 1]
    assert sorted((a["func"], a["args"][0]) for a in at) == [("deleteNote", f"${sponsor}$5"),
                                                            ("setRangeColor", "#00B0F0")]


def _forbid_reading_formats(monkeypatch):
    """Make any read of a fill or a note's text fail the test (the remote engine cannot do either)."""
    from xlwings.pro import _xlremote

    def forbidden(self):
        raise AssertionError("the adapter read a format back")

    monkeypatch.setattr(_xlremote.Range, "color", property(forbidden, _xlremote.Range.color.fset))
    monkeypatch.setattr(_xlremote.Note, "text", property(forbidden, _xlremote.Note.text.fset))


def test_live_runs_restore_what_the_register_holds(portfolio):
    """Both runs in Excel: the first cannot read a prior fill (it records none), the second restores that."""
    model = Model(portfolio)
    validate_live(book_payload(portfolio), model)
    intake = model["Intake"]
    marked = sorted(cell for cell, fill in intake.fills.items() if fill == ERROR_FILL)
    row, col = marked[0]
    intake.cells[(row, col)] = "fixed"  # a person fixes the first marked cell in Excel
    validate_live(model.payload("portfolio.xlsx"), model)
    assert (row, col) not in intake.notes
    assert intake.fills.get((row, col)) is None  # no prior was readable: restored to no fill
    assert all(intake.fills[c] == ERROR_FILL for c in marked[1:])


def test_a_note_someone_else_left_is_kept(portfolio):
    """The remote engine cannot read a note's text, so a foreign note's cell is left alone."""
    wb = load_workbook(portfolio)
    ws = wb["Intake"]
    sponsor = next(c.column_letter for c in ws[1] if c.value == "Sponsor")
    ws[f"{sponsor}5"].comment = Comment("Ask Anna who sponsors this", "Controller")
    wb.save(portfolio)
    model = Model(portfolio)
    report, _ = validate_live(book_payload(portfolio), model)
    col = ws[f"{sponsor}5"].column
    assert model["Intake"].notes[(5, col)] == "Ask Anna who sponsors this"
    assert model["Intake"].fills.get((5, col)) == Model(portfolio)["Intake"].fills.get((5, col)) != ERROR_FILL
    assert ("Intake", f"{sponsor}5") not in {(r[1], r[2]) for r in _rows(model[MARKS_SHEET])}
    assert any(f.cell == f"{sponsor}5" for f in report.findings)  # still on the Findings sheet


def test_other_commands_rows_on_the_findings_sheet_are_kept_and_relinked(portfolio):
    model = Model(portfolio)
    validate_live(book_payload(portfolio), model)
    findings = model["Findings"]
    rows = len({r for r, _ in findings.cells}) - 1
    for r in range(2, rows + 2):  # pretend another command wrote these rows
        findings.cells[(r, 1)] = "score"
    findings.links.clear()  # what the engine can read back: values only
    validate_live(model.payload("portfolio.xlsx"), model)
    commands = [findings.cells.get((r, 1)) for r in range(2, 2 * rows + 2)]
    severities = [findings.cells.get((r, 2)) for r in range(2, 2 * rows + 2)]
    # Every command's errors lead the sheet, then the warnings; within each, this run's rows come first.
    errors = severities.count("error") // 2
    assert 0 < errors < rows and severities == ["error"] * 2 * errors + ["warning"] * 2 * (rows - errors)
    assert commands == (["validate"] * errors + ["score"] * errors
                        + ["validate"] * (rows - errors) + ["score"] * (rows - errors))
    for r in [r for r, command in enumerate(commands, start=2) if command == "score"]:
        where, cell = findings.cells[(r, 4)], findings.cells[(r, 5)]
        assert findings.links[(r, 5)] == f"#'{where}'!{cell}"


def test_text_stays_text(portfolio):
    """Text Excel would reinterpret is written with a leading apostrophe; formulas only from Formula."""
    texts = ["=SUM(A1)", "+49 30 1234", "-", "00123", "2026-06-30T14:05:09Z", "2026-06-30", "TRUE", "'quoted",
             "12,500", "Jan 26", "OK", "1 error, 2 warnings"]
    book = open_remote(book_payload(portfolio))
    workbook = LiveWorkbook(book)
    workbook.apply(EditPlan(columns=[ColumnWrite("Intake", "Intake", "Title", dict(enumerate(texts, start=2)),
                                                 clear_other_rows=False)]))
    model = Model(portfolio).replay(book.json()["actions"])
    title = header_col(model["Intake"], "Title")
    assert [model["Intake"].cells[(r, title)] for r in range(2, 2 + len(texts))] == texts


def _rows(sheet):
    last = max(r for r, _ in sheet.cells)
    return [tuple(sheet.cells.get((r, c)) for c in range(1, len(MARKS_HEADER) + 1)) for r in range(2, last + 1)]
