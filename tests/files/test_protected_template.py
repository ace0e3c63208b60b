"""The protected intake template on the file path: every cell a command writes on a protected sheet
is unlocked and guarded against typing, the results equal an unprotected form's, and the
package engine keeps the protection elements byte for byte."""
import re
import shutil
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.protection import WorkbookProtection

from tests.support import AS_OF
from xlportfolio.commands.files import on_file
from xlportfolio.commands.score import Options as ScoreOptions
from xlportfolio.commands.validate import Options as ValidateOptions
from xlportfolio.schema import INTAKE

# The parts of the package that say what is protected and how typing is guarded.
PROTECTION = re.compile(rb"<sheetProtection\b[^>]*>|<workbookProtection\b[^>]*>|<dataValidations\b.*?</dataValidations>",
                        re.DOTALL)


def run_commands(path):
    """What a business unit's form goes through: validate, then score (both write the Intake sheet)."""
    on_file("validate", path, ValidateOptions(as_of=AS_OF))
    on_file("score", path, ScoreOptions(as_of=AS_OF))


def protection_elements(path) -> dict[str, list[bytes]]:
    with zipfile.ZipFile(path) as zf:
        found = {name: PROTECTION.findall(zf.read(name)) for name in zf.namelist()
                 if name.startswith("xl/") and name.endswith(".xml")}
    return {name: elements for name, elements in found.items() if elements}


def cells(ws) -> dict:
    return {cell: c.value for cell, c in ws._cells.items() if c.value is not None}


def test_every_cell_written_on_a_protected_sheet_is_unlocked_and_guarded(intake_forms, tmp_path):
    path = shutil.copy(intake_forms / "protected.xlsx", tmp_path / "intake.xlsx")
    before = load_workbook(path)
    run_commands(path)
    after = load_workbook(path)
    protected = [ws.title for ws in before.worksheets if ws.protection.sheet]
    assert protected == ["Intake"]
    ws, written = before["Intake"], after["Intake"]
    old, new = cells(ws), cells(written)
    changed = {cell for cell in old.keys() | new.keys() if old.get(cell) != new.get(cell)}
    computed = {c.label for c in INTAKE.columns if c.computed}
    header = {c.column: c.value for c in ws[1]}
    assert {header[col] for _, col in changed} == {"Validation", "Score", "Rank", "Why"}
    guarded = [dv for dv in ws.data_validations.dataValidation if dv.type == "custom" and dv.formula1 == "FALSE"]
    for row, col in changed:
        cell = ws.cell(row, col)
        assert not cell.protection.locked, cell.coordinate  # Excel would refuse the write otherwise
        assert header[col] in computed
        assert [dv for dv in guarded if cell.coordinate in dv.sqref and dv.showErrorMessage
                and dv.errorStyle == "stop"], f"{cell.coordinate} takes typing"
    # Marks colour cells and add notes: the protection allows both (Format cells, Edit objects).
    marked = [c for c in written._cells.values() if c.comment is not None]
    assert marked and not ws.protection.formatCells and not ws.protection.objects
    # Nothing in the table's rows is locked: inputs are a person's, computed cells the tool's.
    assert all(not ws.cell(r, c).protection.locked for r in range(2, ws.max_row + 1) for c in header)


def test_results_equal_an_unprotected_forms(intake_forms, tmp_path):
    protected = shutil.copy(intake_forms / "protected.xlsx", tmp_path / "intake.xlsx")
    unprotected = shutil.copy(intake_forms / "open.xlsx", tmp_path / "open.xlsx")
    run_commands(protected)
    run_commands(unprotected)
    a, b = load_workbook(protected), load_workbook(unprotected)
    assert a.sheetnames == b.sheetnames
    for name in ("Intake", "Findings"):
        assert cells(a[name]) == cells(b[name]), name
        notes = {k: c.comment.text for k, c in a[name]._cells.items() if c.comment}
        assert notes == {k: c.comment.text for k, c in b[name]._cells.items() if c.comment}, name
    assert a["Intake"].protection.sheet and not b["Intake"].protection.sheet


@pytest.mark.parametrize("structure", [False, True], ids=["as-shipped", "structure-locked"])
def test_the_package_engine_keeps_protection_byte_for_byte(intake_forms, tmp_path, structure):
    path = shutil.copy(intake_forms / "protected.xlsx", tmp_path / "intake.xlsx")
    if structure:
        wb = load_workbook(path)
        wb.security = WorkbookProtection(lockStructure=True, workbookPassword="s3cret")
        wb.save(path)
    before = protection_elements(path)
    assert any(b"<sheetProtection" in e and b'password="' in e for es in before.values() for e in es)
    assert any(e.startswith(b"<workbookProtection") for es in before.values() for e in es)
    run_commands(path)
    after = protection_elements(path)
    assert after == before  # the added Findings and xlp_marks sheets carry none of their own
    assert load_workbook(path)["Findings"].max_row > 1
