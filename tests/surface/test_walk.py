"""The one plan walk, seen cell by cell on the in-memory surface: marks, tables, the register.

How a generated sheet is laid out and printed is tests/surface/test_generated.py's."""
from __future__ import annotations

import ast
from pathlib import Path

from xlportfolio.core.plan import (
    ERROR_FILL,
    MARKS_HEADER,
    MARKS_SHEET,
    WARNING_FILL,
    CellMark,
    ColumnWrite,
    EditPlan,
    GeneratedSheet,
    Link,
    RowWrite,
)
from xlportfolio.surface.memory import MemorySurface
from xlportfolio.surface.walk import apply_plan

PACKAGE = Path(__file__).resolve().parents[2] / "xlportfolio"


def intake() -> MemorySurface:
    """    | Request ID | Title  | Sponsor |        <- an Excel Table 'Intake' on sheet Intake
           | REQ-1      | Portal |         |
           | REQ-2      | Shop   | Anna    |
    """
    surface = MemorySurface()
    surface.add_table("Intake", "Intake", [["Request ID", "Title", "Sponsor"], ["REQ-1", "Portal", None],
                                           ["REQ-2", "Shop", "Anna"]])
    surface["Intake"].fills[(3, 3)] = "FFF2CC"  # the template's input colour
    surface["Intake"].notes[(3, 2)] = ("a person's own note", "Anna")
    return surface


def register(surface: MemorySurface) -> list[tuple]:
    sheet = surface[MARKS_SHEET]
    return [tuple(sheet.cells.get((r, c)) for c in range(1, 7)) for r in range(2, 20) if (r, 1) in sheet.cells]


def test_a_column_the_table_lacks_is_added_at_its_right_and_the_table_grows():
    surface = intake()
    apply_plan(surface, EditPlan(columns=[ColumnWrite("Intake", "Intake", "Validation", {2: "1 error", 3: "OK"})]))
    assert surface["Intake"].value("D1") == "Validation"
    assert [surface["Intake"].value(f"D{r}") for r in (2, 3)] == ["1 error", "OK"]
    assert surface.tables()[0].last_col == 4


def test_marks_record_what_they_cover_and_a_rerun_restores_what_is_no_longer_marked():
    surface = intake()
    first = [CellMark("Intake", 2, "C", ERROR_FILL, "ERROR: Sponsor is required"),
             CellMark("Intake", 3, "C", WARNING_FILL, "WARNING: check"),
             CellMark("Intake", 3, "B", WARNING_FILL, "WARNING: title")]
    apply_plan(surface, EditPlan(marks=first, scope="validate"))
    sheet = surface["Intake"]
    assert sheet.fills[(2, 3)] == ERROR_FILL and sheet.notes[(2, 3)] == ("ERROR: Sponsor is required", "xlportfolio")
    assert register(surface) == [("validate", "Intake", "C2", "", "", ""),
                                 ("validate", "Intake", "C3", "FFF2CC", "", ""),
                                 ("validate", "Intake", "B3", "", "a person's own note", "Anna")]
    assert surface[MARKS_SHEET].hidden  # the register is a hidden sheet

    apply_plan(surface, EditPlan(marks=[first[0]], scope="validate"))  # C3 and B3 were fixed
    assert sheet.fills.get((3, 3)) == "FFF2CC" and (3, 3) not in sheet.notes
    assert sheet.notes[(3, 2)] == ("a person's own note", "Anna") and (3, 2) not in sheet.fills
    assert register(surface) == [("validate", "Intake", "C2", "", "", "")]


def test_another_commands_marks_and_findings_rows_are_kept():
    surface = intake()
    findings = GeneratedSheet("Findings", ("Command", "Severity", "Code", "Sheet", "Cell", "Column", "Value", "What to do"),
                              (("gates", "error", "gate-refused", "Intake", Link("B2", "Intake", "B2"), "", "", "x"),),
                              shared=True)
    apply_plan(surface, EditPlan(marks=[CellMark("Intake", 2, "B", ERROR_FILL, "gates")], sheets=[findings],
                                 scope="gates"))
    mine = GeneratedSheet("Findings", findings.header, (("validate", "", "", "", "", "", "", "No findings"),),
                          shared=True)
    apply_plan(surface, EditPlan(marks=[CellMark("Intake", 2, "C", ERROR_FILL, "validate")], sheets=[mine],
                                 scope="validate"))
    sheet = surface["Findings"]
    # Every command's errors lead the shared sheet, so the gates error comes before validate's all-clear.
    assert [sheet.value(f"A{r}") for r in (2, 3)] == ["gates", "validate"]
    assert sheet.links[(2, 5)] == Link("B2", "Intake", "B2")  # rebuilt from the Sheet and Cell columns
    assert surface["Intake"].fills[(2, 2)] == ERROR_FILL  # the gates mark stays
    assert {row[0] for row in register(surface)} == {"gates", "validate"}


def test_rows_past_the_end_grow_the_table_like_rows_a_person_typed_without_copying_a_mark():
    surface = intake()
    surface["Intake"].fills[(2, 1)] = "FFF2CC"
    apply_plan(surface, EditPlan(marks=[CellMark("Intake", 2, "B", ERROR_FILL, "bad")], scope="validate"))
    apply_plan(surface, EditPlan(rows=[RowWrite("Intake", "Intake", {5: {"request_id": "REQ-5", "title": "New"}})]))
    sheet = surface["Intake"]
    assert surface.tables()[0].last_row == 5
    assert sheet.value("A5") == "REQ-5" and sheet.value("B5") == "New"
    assert sheet.fills[(4, 1)] == "FFF2CC" and sheet.fills[(5, 1)] == "FFF2CC"  # the model row's look
    assert (5, 2) not in sheet.fills  # its tool mark is not copied down


def test_a_plain_range_without_a_table_is_written_by_header():
    surface = MemorySurface()
    surface.add_sheet("Intake", [["Request ID", "Title"], ["REQ-1", "Portal"]])
    apply_plan(surface, EditPlan(columns=[ColumnWrite("Intake", "Intake", "Validation", {2: "OK"})]))
    assert surface["Intake"].value("C1") == "Validation" and surface["Intake"].value("C2") == "OK"


def test_the_surface_layer_and_the_live_adapter_import_no_file_library_and_no_command():
    offenders = []
    for folder, forbidden in (("surface", ("openpyxl", "xlwings", "fastapi")),
                              ("live", ("openpyxl",)), ("package", ("xlwings",))):
        for path in (PACKAGE / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [("." * node.level) + (node.module or "")] if isinstance(node, ast.ImportFrom) else [])
                for name in names:
                    if name.lstrip(".").split(".")[0] in forbidden or "commands" in name.split("."):
                        offenders.append(f"{folder}/{path.name}: {name}")
    assert offenders == []


def test_the_register_header():
    surface = intake()
    apply_plan(surface, EditPlan(marks=[CellMark("Intake", 2, "C", ERROR_FILL, "x")], scope="validate"))
    assert tuple(surface[MARKS_SHEET].cells[(1, c)] for c in range(1, 7)) == MARKS_HEADER


def test_a_plan_past_excels_last_row_is_refused_before_anything_is_written():
    import pytest

    from xlportfolio.errors import XlPortfolioError

    surface = intake()
    too_far = RowWrite("Intake", "Intake", {3: {"title": "kept"}, 1_048_577: {"request_id": "REQ-X"}})
    with pytest.raises(XlPortfolioError, match="row 1,048,577 of sheet 'Intake', past Excel's last row"):
        apply_plan(surface, EditPlan(rows=[too_far]))
    assert surface["Intake"].value("B3") == "Shop"  # nothing was written
    huge = GeneratedSheet("Findings", ("Command",), tuple(("validate",) for _ in range(1_048_576)))
    with pytest.raises(XlPortfolioError, match="the Findings sheet would need row 1,048,577"):
        apply_plan(surface, EditPlan(sheets=[huge]))
    assert "Findings" not in surface.sheets


def test_a_register_row_edited_into_nonsense_is_dropped_not_a_crash():
    surface = intake()
    apply_plan(surface, EditPlan(marks=[CellMark("Intake", 2, "C", ERROR_FILL, "x")], scope="validate"))
    surface[MARKS_SHEET].cells[(3, 1)] = "validate"
    surface[MARKS_SHEET].cells[(3, 2)] = "Intake"
    surface[MARKS_SHEET].cells[(3, 3)] = "not a cell"
    apply_plan(surface, EditPlan(marks=[], scope="validate"))
    assert (2, 3) not in surface["Intake"].fills and register(surface) == []
