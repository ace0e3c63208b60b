"""Stand-ins for the Excel side of xlwings' remote engine, built from real .xlsx files.

`book_payload` is the JSON an Office.js client (the xlwings add-in) posts to a server: the
book's names and, per sheet, the used range's values from A1 (blank cells as "", dates as UTC
ISO strings with milliseconds, as `Date.toISOString()` writes them), tables, notes, visibility.
`xw.Book(json=payload)` then runs on xlwings' remote engine exactly as on a server.

`Model` replays the actions that book queues (`book.json()["actions"]`) the way Excel would
apply them: a value is parsed as if typed (a leading apostrophe keeps text, "=" makes a
formula, number- and date-looking text becomes a number or date), fills, notes, hyperlinks,
sheets, names, tables, charts and conditional formats. Tests compare the model with what the
file adapter wrote. Funcs the model does not know are collected in `unknown`, so a test notices.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

# Blank, as the client sends it and as the model stores a cleared cell.
BLANK = ""


def _js_value(value: Any, data_type: str) -> Any:
    """A cell value as Office.js puts it into the payload."""
    if value is None:
        return BLANK
    if data_type == "e":
        return str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00.000Z"
    if isinstance(value, dt.time):
        return f"1899-12-30T{value.isoformat(timespec='seconds')}.000Z"
    if isinstance(value, float) and value.is_integer():
        return int(value)  # JSON.stringify(5.0) is "5"
    if isinstance(value, (int, float, bool, str)):
        return value
    return str(value)  # rich text and the like: the client sees the text


def _sheet_payload(ws, cached_ws) -> dict:
    rows, cols = max(ws.max_row, 1), max(ws.max_column, 1)
    values = [[BLANK] * cols for _ in range(rows)]
    for (r, c), cell in ws._cells.items():
        if cell.data_type == "f":  # Excel sends the result; openpyxl only has the cached one
            cached = cached_ws._cells.get((r, c)) if cached_ws is not None else None
            values[r - 1][c - 1] = _js_value(cached.value, cached.data_type) if cached else BLANK
        else:
            values[r - 1][c - 1] = _js_value(cell.value, cell.data_type)
    tables = []
    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        header = table.headerRowCount != 0
        totals = bool(table.totalsRowCount)
        first_body = min_row + 1 if header else min_row
        last_body = max_row - 1 if totals else max_row
        letters = get_column_letter(min_col), get_column_letter(max_col)
        tables.append({
            "name": table.name,
            "range_address": table.ref,
            "header_row_range_address": f"{letters[0]}{min_row}:{letters[1]}{min_row}" if header else None,
            "data_body_range_address": f"{letters[0]}{first_body}:{letters[1]}{last_body}",
            "total_row_range_address": f"{letters[0]}{max_row}:{letters[1]}{max_row}" if totals else None,
            "show_headers": header,
            "show_totals": totals,
            "table_style": table.tableStyleInfo.name if table.tableStyleInfo else "",
            "show_autofilter": table.autoFilter is not None,
            "columns": [c.name for c in table.tableColumns],
            "row_count": max_row - min_row + 1,
            "column_count": max_col - min_col + 1,
        })
    notes = [{"address": coord} for coord, cell in
             ((f"{get_column_letter(c)}{r}", cell) for (r, c), cell in ws._cells.items()) if cell.comment]
    return {
        "name": ws.title,
        "values": values,
        "visibility": {"visible": "Visible", "hidden": "Hidden"}.get(ws.sheet_state, "VeryHidden"),
        "used_range_address": f"A1:{get_column_letter(cols)}{rows}",
        "pictures": [],
        "shapes": [],
        "charts": [],
        "notes": notes,
        "notes_supported": True,
        "tables": tables,
        "print_area": None,
        "show_gridlines": True,
        "pivot_tables": [],
    }


def _names(wb) -> list[dict]:
    out = []
    scoped = [(None, n) for n in wb.defined_names.values()]
    scoped += [(i, n) for i, ws in enumerate(wb.worksheets) for n in ws.defined_names.values()]
    for scope, defined in scoped:
        if defined.name.startswith("_xlnm"):
            continue  # built-in names (print areas, filters) are not in the client's list
        refers_to = "=" + defined.attr_text.removeprefix("=")  # Excel reports one leading "="
        sheet_index = address = None
        match = re.fullmatch(r"=(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)", refers_to)
        if match:
            title = (match[1] or match[2]).replace("''", "'")
            if title in wb.sheetnames:
                sheet_index, address = wb.sheetnames.index(title), match[3].replace("$", "")
        out.append({
            "name": defined.name, "refers_to": refers_to, "sheet_index": sheet_index, "address": address,
            "book_scope": scope is None, "scope_sheet_index": scope,
            "scope_sheet_name": None if scope is None else wb.worksheets[scope].title,
        })
    return out


_MADE: dict[str, str] = {}  # file content hash -> payload JSON: the tests open the same workbooks often


def book_payload(path, *, version: str | None = None) -> dict:
    """The Office.js client's request body for the workbook file at `path` (a fresh copy each call)."""
    import hashlib
    import json
    from pathlib import Path

    key = hashlib.sha256(Path(path).read_bytes()).hexdigest() + str(getattr(path, "name", path)) + str(version)
    if key not in _MADE:
        _MADE[key] = json.dumps(_make_payload(path, version))
    return json.loads(_MADE[key])


def _make_payload(path, version: str | None) -> dict:
    import xlwings as xw

    wb = load_workbook(path, rich_text=True)
    formulas = any(c.data_type == "f" for ws in wb.worksheets for c in ws._cells.values())
    cached = load_workbook(path, data_only=True) if formulas else None
    return {
        "client": "Office.js",
        "version": version or xw.__version__,
        "book": {"name": str(getattr(path, "name", path)), "active_sheet_index": wb.index(wb.active),
                 "selection": "A1"},
        "names": _names(wb),
        "sheets": [_sheet_payload(ws, cached[ws.title] if cached else None) for ws in wb.worksheets],
    }


# --- replaying the actions -------------------------------------------------------------------

@dataclass(frozen=True)
class Formula:
    text: str


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    fills: dict[tuple[int, int], str | None] = field(default_factory=dict)
    notes: dict[tuple[int, int], str] = field(default_factory=dict)
    links: dict[tuple[int, int], str] = field(default_factory=dict)  # cell -> address
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    bold: set = field(default_factory=set)
    widths: dict[int, float] = field(default_factory=dict)
    visible: bool = True
    charts: list[dict] = field(default_factory=list)
    conditional: list[tuple[str, dict]] = field(default_factory=list)  # (address, rule)

    def value(self, coord: str) -> Any:
        col, row = _split(coord)
        return self.cells.get((row, col))

    def fill(self, coord: str) -> str | None:
        col, row = _split(coord)
        return self.fills.get((row, col))

    def note(self, coord: str) -> str | None:
        col, row = _split(coord)
        return self.notes.get((row, col))

    def link(self, coord: str) -> str | None:
        col, row = _split(coord)
        return self.links.get((row, col))


def _split(coord: str) -> tuple[int, int]:
    min_col, min_row, _, _ = range_boundaries(coord.replace("$", ""))
    return min_col, min_row


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def typed(value: Any) -> Any:
    """What Excel stores when a value is entered: the rules of typing into a cell.

    Only the parsing this adapter could trigger is modelled; anything the model cannot read
    as a number or date stays text, which is what makes the test strict about quoting.
    """
    if not isinstance(value, str):
        return value
    if value == BLANK:
        return None
    if value.startswith("'"):
        return value[1:]
    if value[0] in "=+-" and len(value) > 1 and not _NUMBER.match(value):
        return Formula(value if value[0] == "=" else "=" + value)
    if _NUMBER.match(value.replace(",", "")):
        number = float(value.replace(",", ""))
        return int(number) if number.is_integer() else number
    if value.casefold() in ("true", "false"):
        return value.casefold() == "true"
    if m := _DATE.match(value):
        parts = [int(p) if p else 0 for p in m.groups()]
        return dt.datetime(*parts)
    return value


class Model:
    """A workbook as Excel would hold it after the payload's state and the queued actions."""

    def __init__(self, path):
        wb = load_workbook(path, rich_text=True)
        self.sheets: list[Sheet] = []
        for ws in wb.worksheets:
            sheet = Sheet(ws.title, visible=ws.sheet_state == "visible")
            for (r, c), cell in ws._cells.items():
                if cell.value is not None:
                    sheet.cells[(r, c)] = (Formula(str(cell.value)) if cell.data_type == "f"
                                           else str(cell.value) if not isinstance(cell.value, (int, float, bool,
                                                                                               dt.date, dt.time))
                                           else cell.value)
                if cell.fill is not None and cell.fill.fill_type == "solid" and isinstance(cell.fill.fgColor.rgb, str):
                    sheet.fills[(r, c)] = cell.fill.fgColor.rgb[-6:].upper()
                if cell.comment:
                    sheet.notes[(r, c)] = cell.comment.text
                if cell.has_style and cell.number_format != "General":
                    sheet.formats[(r, c)] = cell.number_format
            self.sheets.append(sheet)
        self.names = {n.name: "=" + n.attr_text.removeprefix("=") for n in wb.defined_names.values()}
        self.tables = {t.name: [ws.title, t.ref] for ws in wb.worksheets for t in ws.tables.values()}
        self.active = wb.index(wb.active)
        self.unknown: list[str] = []
        self.calls: list[str] = []

    def __getitem__(self, name: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.name.casefold() == name.casefold():
                return sheet
        raise KeyError(name)

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def payload(self, book_name: str = "Book.xlsx") -> dict:
        """What the client would post for the workbook as it now stands (the next run's input)."""
        import xlwings as xw

        sheets = []
        for sheet in self.sheets:
            rows = max([r for r, _ in sheet.cells] + [1])
            cols = max([c for _, c in sheet.cells] + [1])
            values = [[BLANK] * cols for _ in range(rows)]
            for (r, c), value in sheet.cells.items():
                if isinstance(value, Formula):
                    value = BLANK  # nothing calculates here; no test reads a formula's result back
                values[r - 1][c - 1] = _js_value(value, "n")
            tables = []
            for name, (where, ref) in self.tables.items():
                if where != sheet.name:
                    continue
                min_col, min_row, max_col, max_row = range_boundaries(ref)
                first, last = get_column_letter(min_col), get_column_letter(max_col)
                tables.append({
                    "name": name, "range_address": ref,
                    "header_row_range_address": f"{first}{min_row}:{last}{min_row}",
                    "data_body_range_address": f"{first}{min_row + 1}:{last}{max_row}",
                    "total_row_range_address": None, "show_headers": True, "show_totals": False,
                    "table_style": "", "show_autofilter": True,
                    "columns": [str(sheet.cells.get((min_row, c), "")) for c in range(min_col, max_col + 1)],
                    "row_count": max_row - min_row + 1, "column_count": max_col - min_col + 1,
                })
            sheets.append({
                "name": sheet.name, "values": values, "visibility": "Visible" if sheet.visible else "Hidden",
                "used_range_address": f"A1:{get_column_letter(cols)}{rows}", "pictures": [], "shapes": [],
                "charts": [{"name": c["name"], "chart_type": c["type"], "left": 0, "top": 0,
                            "width": c["width"], "height": c["height"]} for c in sheet.charts],
                "notes": [{"address": f"{get_column_letter(c)}{r}"} for r, c in sheet.notes],
                "notes_supported": True, "tables": tables, "print_area": None, "show_gridlines": True,
                "pivot_tables": [],
            })
        names = [{"name": n, "refers_to": ref, "sheet_index": None, "address": None, "book_scope": True,
                  "scope_sheet_index": None, "scope_sheet_name": None} for n, ref in self.names.items()]
        return {"client": "Office.js", "version": xw.__version__,
                "book": {"name": book_name, "active_sheet_index": self.active, "selection": "A1"},
                "names": names, "sheets": sheets}

    def replay(self, actions: list[dict]) -> Model:
        for action in actions:
            self.calls.append(action["func"])
            handler = getattr(self, "_" + action["func"], None)
            if handler is None:
                self.unknown.append(action["func"])
            else:
                handler(action, action["args"])
        return self

    # where an action applies
    def _sheet(self, action) -> Sheet:
        return self.sheets[action["sheet_position"]]

    @staticmethod
    def _cells(action):
        r0, c0 = action["start_row"] + 1, action["start_column"] + 1
        for r in range(r0, r0 + action["row_count"]):
            for c in range(c0, c0 + action["column_count"]):
                yield r, c

    def _setValues(self, action, args):
        sheet, r0, c0 = self._sheet(action), action["start_row"] + 1, action["start_column"] + 1
        for i, row in enumerate(action["values"]):
            for j, value in enumerate(row):
                stored = typed(value)
                if stored is None:
                    sheet.cells.pop((r0 + i, c0 + j), None)
                else:
                    sheet.cells[(r0 + i, c0 + j)] = stored
                sheet.links.pop((r0 + i, c0 + j), None) if stored is None else None

    def _setFormula(self, action, args):
        sheet, r0, c0 = self._sheet(action), action["start_row"] + 1, action["start_column"] + 1
        for i, row in enumerate(action["values"]):
            for j, value in enumerate(row):
                sheet.cells[(r0 + i, c0 + j)] = Formula(value) if str(value).startswith("=") else typed(value)

    def _setRangeColor(self, action, args):
        sheet = self._sheet(action)
        for cell in self._cells(action):
            if args[0] is None:
                sheet.fills.pop(cell, None)
            else:
                sheet.fills[cell] = args[0].lstrip("#").upper()

    def _addNote(self, action, args):
        sheet = self._sheet(action)
        cell = (range_boundaries(args[0].replace("$", ""))[1], range_boundaries(args[0].replace("$", ""))[0])
        assert cell not in sheet.notes, f"addNote on {args[0]}, which has a note"
        sheet.notes[cell] = args[1]

    def _setNoteText(self, action, args):
        sheet = self._sheet(action)
        col, row = _split(args[0])
        assert (row, col) in sheet.notes, f"setNoteText on {args[0]}, which has no note"
        sheet.notes[(row, col)] = args[1]

    def _deleteNote(self, action, args):
        col, row = _split(args[0])
        self._sheet(action).notes.pop((row, col), None)

    def _addHyperlink(self, action, args):
        sheet = self._sheet(action)
        for cell in self._cells(action):
            sheet.links[cell] = args[0]
            sheet.cells[cell] = typed(args[1])

    def _setNumberFormat(self, action, args):
        sheet = self._sheet(action)
        for cell in self._cells(action):
            sheet.formats[cell] = args[0]

    def _setColumnWidth(self, action, args):
        sheet = self._sheet(action)
        for c in range(action["start_column"] + 1, action["start_column"] + 1 + action["column_count"]):
            sheet.widths[c] = args[0]

    def _setWrapText(self, action, args):
        pass

    def _setVerticalAlignment(self, action, args):
        pass

    def _setFontProperty(self, action, args):
        if args[0] == "bold" and args[1]:
            self._sheet(action).bold.update(self._cells(action))

    def _addSheet(self, action, args):
        self.sheets.insert(args[0], Sheet(args[1]))

    def _sheetDelete(self, action, args):
        del self.sheets[action["sheet_position"]]

    def _setSheetVisibility(self, action, args):
        self._sheet(action).visible = args[0] == "Visible"

    def _activateSheet(self, action, args):
        self.active = args[0]

    def _sheetClear(self, action, args):
        sheet = self._sheet(action)
        for part in (sheet.cells, sheet.fills, sheet.notes, sheet.links, sheet.formats):
            part.clear()
        sheet.bold.clear()
        sheet.conditional.clear()

    def _clearConditionalFormats(self, action, args):
        self._sheet(action).conditional.clear()

    def _addConditionalFormat(self, action, args):
        sheet = self._sheet(action)
        first = get_column_letter(action["start_column"] + 1) + str(action["start_row"] + 1)
        last = (get_column_letter(action["start_column"] + action["column_count"])
                + str(action["start_row"] + action["row_count"]))
        sheet.conditional.append((f"{first}:{last}", args[0]))

    def _namesAdd(self, action, args):
        self.names[args[0]] = args[1]

    def _setNameRefersTo(self, action, args):
        self.names[args[0]] = args[3]

    def _nameDelete(self, action, args):
        self.names.pop(args[2], None)

    def _resizeTable(self, action, args):
        sheet = self._sheet(action)
        name = [n for n, (s, _) in self.tables.items() if s == sheet.name][args[0]]
        self.tables[name][1] = args[1].replace("$", "")

    def _rangeAutofill(self, action, args):
        sheet = self._sheet(action)
        source = list(self._cells(action))
        min_col, min_row, max_col, max_row = range_boundaries(args[0].replace("$", ""))
        if args[1] == "FillFormats":
            for c in range(min_col, max_col + 1):
                model = [(r, cc) for r, cc in source if cc == c][-1]
                for r in range(min_row, max_row + 1):
                    if model in sheet.formats:
                        sheet.formats[(r, c)] = sheet.formats[model]

    def _addChart(self, action, args):
        name, kind, source_sheet, address, left, top, width, height, plot_by, anchor, style = args
        self._sheet(action).charts.append({"name": name, "type": kind, "source": (source_sheet, address),
                                           "anchor": anchor, "width": width, "height": height,
                                           "plot_by": plot_by})

    def _chart(self, action, index) -> dict:
        return self._sheet(action).charts[index]

    def _setChartTitle(self, action, args):
        self._chart(action, args[0])["title"] = args[1]

    def _setChartAxis(self, action, args):
        self._chart(action, args[0]).setdefault("axes", {}).setdefault(args[1], {}).update(args[2])

    def _setChartLegend(self, action, args):
        self._chart(action, args[0])["legend_" + args[1]] = args[2]

    def _setChartXAxisValues(self, action, args):
        self._chart(action, args[0])["categories"] = (args[1], args[2])

    def _setChartSeries(self, action, args):
        self._chart(action, args[0]).setdefault("series", {})[args[1]] = args[2]

    def _deleteChart(self, action, args):
        del self._sheet(action).charts[args[0]]


# --- comparing with the file adapter ---------------------------------------------------------

def file_state(path, sheet: str) -> dict[str, dict]:
    """Values, fills, notes and hyperlinks of one sheet of a saved file, by cell."""
    ws = load_workbook(path, rich_text=True)[sheet]
    state: dict[str, dict] = {"values": {}, "fills": {}, "notes": {}, "links": {}}
    for (r, c), cell in ws._cells.items():
        if cell.value is not None:
            state["values"][(r, c)] = Formula(cell.value) if cell.data_type == "f" else cell.value
        if cell.fill is not None and cell.fill.fill_type == "solid" and isinstance(cell.fill.fgColor.rgb, str):
            state["fills"][(r, c)] = cell.fill.fgColor.rgb[-6:].upper()
        if cell.comment:
            state["notes"][(r, c)] = cell.comment.text
        if cell.hyperlink is not None and cell.hyperlink.location:
            state["links"][(r, c)] = "#" + cell.hyperlink.location
    return state


def model_state(model: Model, sheet: str) -> dict[str, dict]:
    s = model[sheet]
    return {"values": dict(s.cells), "fills": dict(s.fills), "notes": dict(s.notes), "links": dict(s.links)}


def differences(file: dict[str, dict], live: dict[str, dict], skip: tuple[str, ...] = ()) -> list[tuple]:
    """Every cell where the two states differ: (what, (row, column), file's, live's)."""
    out = []
    for what in ("values", "fills", "notes", "links"):
        if what in skip:
            continue
        a, b = file[what], live[what]
        for cell in sorted(set(a) | set(b)):
            x, y = a.get(cell), b.get(cell)
            if x != y or type(x) is not type(y) and not (_number(x) and _number(y)):
                out.append((what, cell, x, y))
    return out


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
