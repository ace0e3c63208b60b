"""Excel's sheet and workbook protection, applied to the actions xlwings' remote engine queues.

The Office.js client sends no protection in its payload (the remote engine cannot see it, see
payload.py's sheet keys), so a command on a protected workbook builds the same actions as on an
unprotected one and Excel refuses them only when the client applies them. `ProtectedModel`
replays actions like `Model`, but first checks each one the way Excel does; the first refusal is
recorded and ends the replay, as Excel's error ends the client's run:

- on a protected sheet a value (or formula, hyperlink, autofill, clear) may go only into
  unlocked cells;
- formats (fills, number formats, fonts, alignment) need "Format cells" allowed, column widths
  "Format columns", notes and charts "Edit objects"; conditional formats, table resizes and
  clearing the whole sheet are refused outright;
- adding, deleting, hiding or moving sheets is refused while the workbook's structure is locked.

Protection comes from the .xlsx file (openpyxl): `<sheetProtection>` per sheet, each cell's
locked flag (a cell without a style is locked, as in Excel), `<workbookProtection lockStructure>`.
Sheets a command adds are unprotected.
"""
from __future__ import annotations

from dataclasses import dataclass

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tests.live.payload import Model

_VALUES = {"setValues", "setFormula", "addHyperlink", "rangeAutofill", "rangeClear",
           "rangeClearContents", "rangeDelete", "rangeInsert"}
_FORMATS = {"setRangeColor", "setNumberFormat", "setFontProperty", "setWrapText", "setVerticalAlignment",
            "setHorizontalAlignment", "rangeClearFormats"}
_OBJECTS = {"addNote", "setNoteText", "deleteNote", "addChart", "setChartTitle", "setChartAxis",
            "setChartLegend", "setChartXAxisValues", "setChartSeries", "deleteChart"}
_NEVER = {"addConditionalFormat", "clearConditionalFormats", "resizeTable", "sheetClear"}
_STRUCTURE = {"addSheet", "sheetDelete", "setSheetVisibility", "setSheetName", "sheetMove"}
_BOOK = {"namesAdd", "setNameRefersTo", "nameDelete", "activateSheet", "alert"}


@dataclass(frozen=True)
class SheetLock:
    format_cells: bool  # allowed while protected
    format_columns: bool
    edit_objects: bool
    unlocked: frozenset[tuple[int, int]]  # (row, column) of cells a person (or program) may change


class ProtectedModel(Model):
    def __init__(self, path):
        super().__init__(path)
        wb = load_workbook(path)
        self.locks: dict[str, SheetLock] = {}
        for ws in wb.worksheets:
            p = ws.protection
            if not p.sheet:
                continue
            # openpyxl's flags say what is protected (True: refused), as the XML attributes do
            unlocked = frozenset(cell for cell, c in ws._cells.items() if c.has_style and not c.protection.locked)
            self.locks[ws.title] = SheetLock(not p.formatCells, not p.formatColumns, not p.objects, unlocked)
        security = wb.security
        self.structure_locked = bool(security is not None and security.lockStructure)
        self.refused: list[str] = []  # Excel's refusal, if any, in one line

    def replay(self, actions: list[dict]) -> ProtectedModel:
        for action in actions:
            why = self._refusal(action)
            if why:
                self.refused.append(f"{action['func']}: {why}")
                break
            super().replay([action])
        return self

    def _refusal(self, action: dict) -> str | None:
        func = action["func"]
        if func in _STRUCTURE:
            return "the workbook's structure is protected" if self.structure_locked else None
        if func in _BOOK:
            return None
        position = action.get("sheet_position")
        sheet = self.sheets[position].name if position is not None else None
        lock = self.locks.get(sheet)
        if lock is None:
            return None
        if func in _VALUES:
            locked = [cell for cell in self._targets(action) if cell not in lock.unlocked]
            return f"{sheet}!{_where(locked[0])} is locked" if locked else None
        if func in _FORMATS:
            return None if lock.format_cells else f"{sheet} does not allow formatting cells"
        if func == "setColumnWidth":
            return None if lock.format_columns else f"{sheet} does not allow formatting columns"
        if func in _OBJECTS:
            return None if lock.edit_objects else f"{sheet} does not allow editing objects (notes, charts)"
        if func in _NEVER:
            return f"{sheet} is protected"
        return f"{sheet} is protected and the model does not know {func}"  # strict: a new action is noticed

    def _targets(self, action: dict):
        if action["func"] == "rangeAutofill":  # the destination range, as "A2:B9"
            from openpyxl.utils import range_boundaries

            min_col, min_row, max_col, max_row = range_boundaries(action["args"][0].replace("$", ""))
            return [(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]
        return list(self._cells(action))


def _where(cell: tuple[int, int]) -> str:
    return f"{get_column_letter(cell[1])}{cell[0]}"
