"""Cell marks (a finding's fill and note) applied as a difference against the `xlp_marks` register.

Marks are never found by reading fills back (xlwings' remote engine cannot): a cell this command
marked last time and does not mark now gets back what the register says it held; a cell marked
again keeps its recorded prior state and only gets its new note; a newly marked cell's prior
state is read from the surface and recorded.
"""
from __future__ import annotations

from xlportfolio.core.book import split_cell
from xlportfolio.core.plan import NOTE_AUTHOR, CellMark
from xlportfolio.core.values import is_blank
from xlportfolio.surface.protocol import Cell, Prior
from xlportfolio.surface.session import Session


def apply_marks(session: Session, scope: str, mine: dict[tuple[str, str], Prior],
                 marks: list[CellMark]) -> list[tuple]:
    """Restore what this command no longer marks, mark what it marks now; return register rows."""
    surface = session.surface
    marked = {(m.sheet, f"{m.column}{m.row}"): m for m in marks}
    fills: dict[str, dict[Cell, str]] = {}
    notes: dict[str, dict[Cell, tuple[str, str] | None]] = {}
    for (where, coord), (fill, note, author) in mine.items():
        sheet = session.sheet(where)
        if (where, coord) in marked or sheet is None:
            continue
        cell = split_cell(coord)
        fills.setdefault(sheet, {})[cell] = fill
        notes.setdefault(sheet, {})[cell] = (note, author) if not is_blank(note) else None
    new = {}
    for (where, coord) in marked:
        sheet = session.sheet(where)
        if sheet is not None and (where, coord) not in mine:
            new.setdefault(sheet, []).append(split_cell(coord))
    priors = {sheet: surface.priors(sheet, cells) for sheet, cells in new.items()}
    register = []
    for (where, coord), mark in marked.items():
        sheet = session.sheet(where)
        if sheet is None:
            continue
        cell = split_cell(coord)
        prior = mine.get((where, coord)) or priors[sheet].get(cell)
        if prior is None:
            continue  # someone else's note the surface cannot read: leave the cell as it is
        fills.setdefault(sheet, {})[cell] = mark.fill
        notes.setdefault(sheet, {})[cell] = (mark.note, NOTE_AUTHOR)
        register.append((scope, where, coord, *prior))
    for sheet, cells in fills.items():
        surface.paint(sheet, cells)
    for sheet, cells in notes.items():
        surface.set_notes(sheet, cells)
    return register
