"""Notes of a desktop workbook through xlwings: read once per sheet, what a cell held before its
first mark, and putting or removing the tool's note.

The remote engine's notes go through `xlportfolio.live.actions.NoteIndex` instead.
"""
from __future__ import annotations

from typing import Any

from xlportfolio.core.values import is_blank
from xlportfolio.surface.protocol import Cell, Prior


def prior_of(cell: Any, note: Any | None) -> Prior | None:
    """What a cell held before its first mark, as far as the engine can read it."""
    try:
        rgb = cell.color
    except NotImplementedError:
        rgb = None
    fill = "{:02X}{:02X}{:02X}".format(*rgb) if rgb else ""
    if note is None:
        return fill, "", ""
    try:
        text = note.text
    except NotImplementedError:
        return None
    try:
        author = note.author or ""
    except NotImplementedError:
        author = ""
    return fill, text, author


def book_notes(sheet: Any) -> Any:
    """A desktop sheet's notes by (row, column), from one walk of its notes; before xlwings 0.37.5
    (no `Note.location`) each cell's note is asked for instead, a direct call on desktop engines."""
    notes = {}
    try:
        for note in sheet.notes:
            cell = note.location
            notes[(cell.row, cell.column)] = note
    except NotImplementedError:  # an engine without notes has none to keep
        pass
    except AttributeError:
        return _CellNotes(sheet)
    return notes


class _CellNotes(dict):
    """Notes looked up cell by cell, remembered once looked up or written."""

    def __init__(self, sheet: Any):
        super().__init__()
        self.sheet = sheet

    def __missing__(self, cell: Cell) -> Any | None:
        try:
            note = self.sheet.range(cell).note
        except NotImplementedError:
            note = None
        self[cell] = note
        return note

    def get(self, cell: Cell, default: Any = None) -> Any | None:
        return self[cell]


def put_note(cell: Any, note: Any | None, text: str) -> Any | None:
    """Give a cell (whose current note is `note`) the note `text`, or none when it is blank;
    return the cell's note now."""
    try:
        if is_blank(text):
            if note is not None:
                note.delete()
            return None
        if note is not None:
            note.text = text
            return note
        return cell.add_note(text)
    except NotImplementedError:  # an engine without notes: the fill and the Findings sheet remain
        return note
