"""The remote engine's actions built directly (xlportfolio.live.actions) against xlwings' own engine.

Each builder must queue exactly what the xlwings call it stands for queues, in the same order,
on a book opened from a real .xlsx file's payload; and the note index must keep the payload's
notes as xlwings' calls keep them. Then a whole validate run on a sheet full of notes: no note
is looked up by scanning the sheet's notes.
"""
import datetime as dt
import json

import pytest
import xlwings as xw
from openpyxl import load_workbook
from openpyxl.comments import Comment

from tests.live.payload import Model, book_payload, differences, model_state
from tests.live.remote import open_remote
from tests.support import AS_OF
from xlportfolio.commands.validate import BOOK_TABLES
from xlportfolio.core.intake.validate import validate_intake
from xlportfolio.live import LiveWorkbook
from xlportfolio.live.actions import (
    XLWINGS_VERSION,
    NoteIndex,
    address,
    cell_action,
    parse_address,
    remote_book,
    values_action,
)

NOTED = ("C3", "D4", "E5", "AA7")  # cells given a note in the file


@pytest.fixture
def noted(portfolio):
    """The portfolio workbook with a few notes on its Intake sheet."""
    wb = load_workbook(portfolio)
    for coord in NOTED:
        wb["Intake"][coord].comment = Comment(f"note on {coord}", "Controller")
    wb.save(portfolio)
    return portfolio


def two_books(path):
    """Two books on the same request: one for xlwings' calls, one for the builders."""
    text = json.dumps(book_payload(path))
    return open_remote(json.loads(text)), open_remote(json.loads(text))


def test_the_builders_match_the_installed_xlwings():
    """pyproject allows the 0.37 series only; the tests below compare every builder with the installed one."""
    assert xw.__version__.split(".")[:2] == XLWINGS_VERSION.split(".")[:2], \
        "check cell_action against this xlwings and update XLWINGS_VERSION and pyproject's bound"


def test_fills_hyperlinks_and_notes_queue_what_xlwings_queues(noted):
    theirs, ours = two_books(noted)
    sheet = theirs.sheets["Intake"]
    sheet.range((3, 2), (6, 2)).color = "#FFC7CE"
    sheet.range((9, 4)).color = None
    sheet.range((2, 30)).add_hyperlink("#Intake!B2", "B2", "Intake!B2")
    sheet.range((3, 3)).note.text = "changed"
    sheet.range((4, 4)).note.delete()
    sheet.range((8, 27)).add_note("new")
    position = ours.sheets["Intake"].index - 1
    assert position == 1  # not the first sheet: the position is really carried
    ours.json()["actions"].extend([
        cell_action("setRangeColor", ["#FFC7CE"], position, 3, 2, rows=4),
        cell_action("setRangeColor", [None], position, 9, 4),
        cell_action("addHyperlink", ["#Intake!B2", "B2", "Intake!B2"], position, 2, 30),
        cell_action("setNoteText", ["$C$3", "changed"], position, 3, 3),
        cell_action("deleteNote", ["$D$4"], position, 4, 4),
        cell_action("addNote", ["$AA$8", "new"], position, 8, 27),
    ])
    assert ours.json()["actions"] == theirs.json()["actions"]
    assert json.dumps(ours.json()) == json.dumps(theirs.json())  # key order too


def test_a_value_write_queues_what_xlwings_queues(portfolio):
    theirs, ours = two_books(portfolio)
    grid = [["text", 1, 2.5, True, None],
            [dt.date(2026, 6, 30), dt.datetime(2026, 6, 30, 12, 5, 7), dt.datetime(2026, 7, 1), float("nan"), ""],
            ["'=quoted", -3, 0.0, False, "=A1"]]
    theirs.sheets["Intake"].range((4, 2), (6, 6)).value = grid
    position = ours.sheets["Intake"].index - 1
    ours.json()["actions"].append(values_action(grid, position, 4, 2))
    assert json.dumps(ours.json()) == json.dumps(theirs.json())


def test_the_note_index_writes_what_add_note_text_and_delete_queue(noted):
    """Every kind of change on one sheet, in one order: same actions, same notes in the payload."""
    theirs, ours = two_books(noted)
    wanted = {(3, 3): "changed", (4, 4): None, (5, 5): "", (6, 6): None, (8, 27): "new one",
              (7, 27): "   ", (2, 2): "second new"}
    sheet = theirs.sheets["Intake"]
    for (row, col), text in wanted.items():  # what LiveSurface did before, call by call
        cell = sheet.range((row, col))
        note = cell.note
        if not text or not text.strip():
            if note is not None:
                note.delete()
        elif note is not None:
            note.text = text
        else:
            cell.add_note(text)
    index = NoteIndex(remote_book(ours), ours.sheets["Intake"].impl)
    assert index.cells == {parse_address(c) for c in NOTED}
    index.write(ours.sheets["Intake"].index - 1, wanted.items())
    assert ours.json()["actions"] == theirs.json()["actions"]
    assert ours.sheets["Intake"].impl.api["notes"] == sheet.impl.api["notes"]
    assert index.cells == {parse_address(c) for c in ("C3", "AA8", "B2")}


def test_the_note_index_never_scans_the_notes(noted, monkeypatch):
    """The index is the sheet's notes read once: writing looks up no note through xlwings."""
    from xlwings.pro import _xlremote

    _, ours = two_books(noted)
    index = NoteIndex(remote_book(ours), ours.sheets["Intake"].impl)

    def scan(*args):
        raise AssertionError("a note was looked up among all of the sheet's notes")

    monkeypatch.setattr(_xlremote, "_address_key", scan)
    index.write(ours.sheets["Intake"].index - 1, [((3, 3), "x"), ((9, 9), "y"), ((4, 4), None)])
    assert [a["func"] for a in ours.json()["actions"]] == ["setNoteText", "addNote", "deleteNote"]


@pytest.mark.parametrize("change", [{"notes_supported": False}, {"notes": None}])
def test_a_client_without_notes_gets_no_note_actions(portfolio, change):
    """Where xlwings' add_note raises NotImplementedError (notes need ExcelApi 1.18), nothing is queued."""
    payload = book_payload(portfolio)
    intake = next(s for s in payload["sheets"] if s["name"] == "Intake")
    intake.update(change)
    book = open_remote(payload)
    with pytest.raises(NotImplementedError):
        book.sheets["Intake"].range((3, 3)).add_note("x")
    book.json()["actions"].clear()
    NoteIndex(remote_book(book), book.sheets["Intake"].impl).write(1, [((3, 3), "x")])
    assert book.json()["actions"] == []


def test_addresses():
    assert address(5, 13) == "$M$5" and address(1, 27) == "$AA$1"
    assert [parse_address(a) for a in ("M5", "$M$5", "aa7", "Intake!B2", "'My sheet'!$C$3")] == \
        [(5, 13), (5, 13), (7, 27), (2, 2), (3, 3)]
    assert [parse_address(a) for a in ("A1:B2", "M0", "", None, "1A")] == [None] * 5


def test_desktop_books_are_not_remote():
    class Desktop:
        impl = object()

    assert remote_book(Desktop()) is None


def test_a_rerun_on_a_sheet_full_of_notes_looks_no_note_up(portfolio, monkeypatch):
    """Every marked cell holds the tool's note from the first run: the second run sets each one's
    text through the index, never through xlwings' lookups, and changes nothing."""
    from xlwings.pro import _xlremote

    model = Model(portfolio)
    book = open_remote(book_payload(portfolio))
    workbook = LiveWorkbook(book)
    workbook.apply(validate_intake(workbook.read(BOOK_TABLES), as_of=AS_OF)[1])
    model.replay(book.json()["actions"])
    before = model_state(model, "Intake")
    assert len(before["notes"]) > 10

    def scan(*args):
        raise AssertionError("a note was looked up among all of the sheet's notes")

    monkeypatch.setattr(_xlremote, "_address_key", scan)
    book = open_remote(model.payload("portfolio.xlsx"))
    workbook = LiveWorkbook(book)
    workbook.apply(validate_intake(workbook.read(BOOK_TABLES), as_of=AS_OF)[1])
    actions = book.json()["actions"]
    model.replay(actions)
    assert model.unknown == []
    assert differences(before, model_state(model, "Intake")) == []
    funcs = [a["func"] for a in actions]
    assert funcs.count("setNoteText") == len(before["notes"]) and "addNote" not in funcs
