"""The live reader gives the file reader's frames, from one read per table, on xlwings' remote engine."""
import datetime as dt
import re

import pytest
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.worksheet.table import Table as ExcelTable

from tests.live.payload import book_payload
from tests.live.remote import open_remote
from xlportfolio.core.values import CellError
from xlportfolio.errors import TemplateError
from xlportfolio.files.workbook import open_book, read_book_file, read_tables
from xlportfolio.live import LiveWorkbook
from xlportfolio.schema import INTAKE, TABLES_BY_NAME

ALL_TABLES = list(TABLES_BY_NAME.values())


def file_book(path, tables=ALL_TABLES):
    return read_tables(path, list(tables))


def assert_same_tables(live, file):
    assert set(live.tables) == set(file.tables)
    assert live.lists == file.lists
    for name, expected in file.tables.items():
        got = live.tables[name]
        assert got.sheet == expected.sheet
        assert (got.letters, got.headers) == (expected.letters, expected.headers), name
        assert (got.header_row, got.table_name, got.last_row) == (
            expected.header_row, expected.table_name, expected.last_row), name
        assert list(got.frame.index) == list(expected.frame.index), name
        assert list(got.frame.columns) == list(expected.frame.columns), name
        for col in expected.frame.columns:
            for row in expected.frame.index:
                a, b = got.frame.at[row, col], expected.frame.at[row, col]
                assert a == b and type(a) is type(b), (name, row, col, a, b)


@pytest.mark.parametrize("fixture", ["portfolio", "intake"])
def test_frames_match_the_file_reader(fixture, request):
    path = request.getfixturevalue(fixture)
    live = LiveWorkbook(open_remote(book_payload(path))).read(ALL_TABLES)
    file = file_book(path)
    assert_same_tables(live, file)
    intake = live.tables["Intake"].frame
    assert len(intake) == 100  # the intake template's 200 blank rows are dropped
    assert isinstance(intake.at[2, "due_date"], dt.datetime)  # a date, as openpyxl gives it


def test_one_read_per_table(portfolio):
    """Tables are read whole, never cell by cell: count the engine's range reads."""
    from xlwings.pro import _xlremote

    book = open_remote(book_payload(portfolio))
    calls = []
    original = _xlremote.Range.raw_value.fget

    def counting(self):
        calls.append(self.shape)
        return original(self)

    _xlremote.Range.raw_value = property(counting, _xlremote.Range.raw_value.fset)
    try:
        live = LiveWorkbook(book).read([INTAKE])
    finally:
        _xlremote.Range.raw_value = property(original, _xlremote.Range.raw_value.fset)
    lists = len(live.lists) - sum(1 for v in live.lists.values() if v == ())
    settings = int("Settings" in live.tables)  # every read takes the small Settings table too (the currency)
    assert settings and len(calls) == 1 + lists + settings
    assert (101, 32) in calls  # the whole Intake table at once


def plain_workbook(path, header, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "Intake"
    ws.append(header)
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, as a person typed it with a leading apostrophe
    wb.save(path)
    return path


def test_plain_sheet_without_an_excel_table(tmp_path):
    path = plain_workbook(tmp_path / "plain.xlsx", ["Request ID", "Title", "Due date", "Note", "Cost estimate"], [
        ["R-1", "First", dt.datetime(2026, 7, 1), "x", 1200],
        [None, None, None, None, None],
        ["R-3", "=text that is not a formula", None, None, 99.5],
        ["R-4", None, dt.datetime(2026, 1, 2, 13, 30), None, None],
    ])
    live = LiveWorkbook(open_remote(book_payload(path))).read([INTAKE])
    file = file_book(path, [INTAKE])
    assert_same_tables(live, file)
    table = live.tables["Intake"]
    assert table.table_name is None and list(table.frame.index) == [2, 4, 5]
    assert table.headers["Note"] == "Note" and table.letters["cost_estimate"] == "E"


def test_error_values_read_as_cell_errors(tmp_path):
    path = plain_workbook(tmp_path / "errors.xlsx", ["Request ID", "Cost estimate"], [["R-1", "#N/A"]])
    wb = __import__("openpyxl").load_workbook(path)
    wb["Intake"]["B2"].data_type = "e"
    wb.save(path)
    frame = LiveWorkbook(open_remote(book_payload(path))).read([INTAKE]).tables["Intake"].frame
    assert frame.at[2, "cost_estimate"] == CellError("#N/A")
    assert frame.at[2, "cost_estimate"] == file_book(path, [INTAKE]).tables["Intake"].frame.at[2, "cost_estimate"]


@pytest.mark.parametrize("header, message", [
    (["Request ID", None, "Title"], "sheet 'Intake', B1: a header cell is blank"),
    (["Request ID", "Title", "title"], "sheet 'Intake', C1: header 'title' appears twice (also B1)"),
])
@pytest.mark.filterwarnings("ignore:File may not be readable")
def test_bad_headers_give_the_file_readers_message(tmp_path, header, message):
    wb = Workbook()
    ws = wb.active
    ws.title = "Intake"
    ws.append(header)
    ws.append(["R-1", "a", "b"])
    ws.add_table(ExcelTable(displayName="Intake", ref="A1:C2"))
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    with pytest.raises(TemplateError, match=re.escape(message)) as live_error:
        LiveWorkbook(open_remote(book_payload(path))).read([INTAKE])
    with pytest.raises(TemplateError) as file_error:
        file_book(path, [INTAKE])
    assert str(live_error.value).replace("bad.xlsx", "") == str(file_error.value).replace(str(path), "")


def test_sheet_rows_match_the_file_adapter(portfolio):
    live = LiveWorkbook(open_remote(book_payload(portfolio)))
    with read_book_file(portfolio) as file:
        for name in ("Intake", "Gates", "Lists"):
            assert live.sheet_rows(name) == file.sheet_rows(name)
    assert live.sheet_rows("No such sheet") is None


def test_properties_live_in_workbook_names(portfolio):
    with open_book(portfolio) as file:
        file.set_property("xlportfolio.ledger_head", 'Seq 12:ab"cd')
        file.save()
    book = open_remote(book_payload(portfolio))
    live = LiveWorkbook(book)
    assert live.get_property("xlportfolio.ledger_head") == 'Seq 12:ab"cd'
    assert live.get_property("xlportfolio.nothing") is None
    live.set_property("xlportfolio.ledger_head", "Seq 13:ef")
    live.set_property("xlportfolio.other", "1")
    assert book.json()["actions"] == [
        {"func": "setNameRefersTo", "args": ["xlp_ledger_head", True, None, '="Seq 13:ef"'], "values": None,
         "sheet_position": None, "start_row": None, "start_column": None, "row_count": None,
         "column_count": None},
        {"func": "namesAdd", "args": ["xlp_other", '="1"'], "values": None, "sheet_position": None,
         "start_row": None, "start_column": None, "row_count": None, "column_count": None},
    ]
    assert live.get_property("xlportfolio.ledger_head") == "Seq 13:ef"  # the snapshot follows its writes


def test_status_and_save_are_harmless_on_the_server(portfolio):
    book = open_remote(book_payload(portfolio))
    live = LiveWorkbook(book)
    live.status("Validating 100 requests")  # Excel on the web has no status bar
    live.save()
    assert book.json()["actions"] == [] and live.source == "portfolio.xlsx"


def test_table_grid(portfolio):
    sheet, ref, rows = LiveWorkbook(open_remote(book_payload(portfolio))).table_grid("AHP")
    assert (sheet, ref) == ("Scoring", "I2:P9")
    assert len(rows) == 8 and all(isinstance(name, str) for name in rows[0][1:])
    assert [r[0] for r in rows[1:]] == list(rows[0][1:])  # criteria down and across, as read_ahp wants
    assert LiveWorkbook(open_remote(book_payload(portfolio))).table_grid("Nope") is None


def test_user_fill_does_not_matter_for_reading(tmp_path):
    path = plain_workbook(tmp_path / "fill.xlsx", ["Request ID", "Title"], [["R-1", "x"]])
    wb = __import__("openpyxl").load_workbook(path)
    wb["Intake"]["B2"].fill = PatternFill("solid", fgColor="FFFF00")
    wb.save(path)
    assert LiveWorkbook(open_remote(book_payload(path))).read([INTAKE]).tables["Intake"].frame.at[2, "title"] == "x"
