"""Cell marks on xlwings' remote engine as queued actions, with the sheet's notes indexed once.

On xlwings Server (and Lite) a Book is the JSON the Office.js client posted; every write only
appends an action to `book.json()["actions"]`, which the client applies in Excel afterwards.
Its note calls look the cell up by scanning all of the sheet's notes in that JSON:
`Range.add_note` (which first asks `Range.note`), `Range.note`, `Note.delete`. Marking n cells
so costs n x (notes on the sheet), the square of the findings. Here the sheet's notes are read
once into a set of cells (`NoteIndex`) and the actions those calls would queue are built
directly (`cell_action`), as are fills (`Range.color = ...`) and hyperlinks, which xlwings
would otherwise build through a Range object per cell.

The action format is xlwings' own, the one its Office.js client applies; `cell_action` matches
xlwings 0.37.8 (`xlwings.pro._xlremote`), which tests/live/test_live_actions.py checks against the
engine itself: the same actions, in the same order, as xlwings' calls would queue.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from xlportfolio.core.book import column_letter
from xlportfolio.core.values import is_blank

XLWINGS_VERSION = "0.37.8"  # the remote engine whose actions cell_action builds
_ADDRESS = re.compile(r"^\$?([A-Z]{1,3})\$?([1-9][0-9]*)$")

Cell = tuple[int, int]


def remote_book(book: Any) -> Any | None:
    """The remote engine's Book behind an xlwings Book, or None on a desktop engine."""
    impl = getattr(book, "impl", None)
    if type(impl).__module__ == "xlwings.pro._xlremote" and isinstance(getattr(impl, "api", None), dict):
        return impl
    return None


def address(row: int, col: int) -> str:
    """A cell's address as xlwings' remote engine writes it: '$M$5'."""
    return f"${column_letter(col)}${row}"


def cell_action(func: str, args: list[Any], sheet_position: int, row: int, col: int,
                rows: int = 1, cols: int = 1) -> dict[str, Any]:
    """The action xlwings' remote engine queues for `func` on a block of cells.

    Matches xlwings 0.37.8: `Range.append_json_action` (the block's 0-based start, its size, the
    sheet's 0-based position) through `Book.append_json_action` (every key present, `args` a list,
    `values` None unless set). `func` and `args` are those of the call it stands for:
    `Range.color = hex` -> ("setRangeColor", [hex]); `Range.add_note(text)` -> ("addNote",
    [address, text]); `Note.text = text` -> ("setNoteText", [address, text]); `Note.delete()` ->
    ("deleteNote", [address]); `Range.add_hyperlink(a, text, tip)` -> ("addHyperlink", [a, text, tip]).
    """
    return {"func": func, "args": args, "values": None, "sheet_position": sheet_position,
            "start_row": row - 1, "start_column": col - 1, "row_count": rows, "column_count": cols}


def values_action(values: list[list[Any]], sheet_position: int, row: int, col: int) -> dict[str, Any]:
    """The action `Range.value = values` queues for a 2-D list (rows of equal length) at (row, col).

    Matches xlwings 0.37.8's write pipeline on the remote engine: each value made JSON-ready by
    the engine's `prepare_xl_data_element` (the common types short-cut, same result), then
    `Range.raw_value = ...` -> ("setValues", [None], values). xlwings itself would also copy the
    whole sheet's values several times per write, to size the target range.
    """
    ready = [[_ready(v) for v in r] for r in values]
    action = cell_action("setValues", [None], sheet_position, row, col, len(ready), len(ready[0]) if ready else 0)
    action["values"] = ready
    return action


def _ready(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return value
    if value is None:
        return ""
    if kind is float:
        return "" if value != value else value  # NaN is a blank, as xlwings writes it
    return _engine().prepare_xl_data_element(value, {})


def _engine() -> Any:
    from xlwings.pro import _xlremote

    return _xlremote.Engine


def parse_address(text: Any) -> Cell | None:
    """(row, column) of a one-cell address ('M5', '$M$5', 'Intake!M5'), None for anything else."""
    if not isinstance(text, str):
        return None
    found = _ADDRESS.match(text.rsplit("!", 1)[-1].upper())
    if found is None:
        return None
    letters, digits = found.groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits), col


class NoteIndex:
    """Which cells of one sheet have a note, read once from the request's payload.

    Keeps the payload's list of notes in step with the actions queued (as `add_note` and
    `Note.delete` do), so a later xlwings call on the same book sees the notes as Excel will.
    """

    def __init__(self, book: Any, sheet: Any):
        self.book = book  # the remote engine's Book
        self.api = sheet.api  # the sheet's part of the payload
        entries = self.api.get("notes")
        supported = self.api.get("notes_supported") is not False
        # What `Range.add_note` needs, else it raises NotImplementedError (notes need ExcelApi 1.18).
        self.can_add = book.api.get("client") == "Office.js" and entries is not None and supported
        self.cells: set[Cell] = set()
        if supported:
            for entry in entries or []:
                cell = parse_address(entry.get("address")) if isinstance(entry, dict) else None
                if cell is not None:
                    self.cells.add(cell)

    def __contains__(self, cell: Cell) -> bool:
        return cell in self.cells

    def write(self, sheet_position: int, notes: Iterable[tuple[Cell, str | None]]) -> None:
        """Give each cell its note text, or none when blank: one action per cell that changes."""
        actions = self.book.json()["actions"]
        added, deleted = [], set()
        for (row, col), text in notes:
            where = address(row, col)
            if is_blank(text):
                if (row, col) in self.cells:
                    actions.append(cell_action("deleteNote", [where], sheet_position, row, col))
                    self.cells.discard((row, col))
                    deleted.add((row, col))
            elif (row, col) in self.cells:
                actions.append(cell_action("setNoteText", [where, text], sheet_position, row, col))
            elif self.can_add:
                actions.append(cell_action("addNote", [where, text], sheet_position, row, col))
                self.cells.add((row, col))
                added.append({"address": where})
            # else: no notes in this client; the fill and the Findings sheet remain
        if deleted or added:
            entries = self.api.setdefault("notes", [])
            if deleted:
                entries[:] = [e for e in entries
                              if not (isinstance(e, dict) and parse_address(e.get("address")) in deleted)]
            entries.extend(added)
