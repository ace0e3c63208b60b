"""Read a CRM export file (CSV or XLSX) into its header and raw rows, each row with its number.

Nothing is converted here: CSV cells stay text and XLSX cells keep the type Excel stored, so
the mapping step can tell a real date from a date typed as text.
"""
from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from xlportfolio.core.values import CellError, is_blank
from xlportfolio.crm.csvtext import Guess, decode, split_cells
from xlportfolio.errors import WorkbookUnusable, XlPortfolioError
from xlportfolio.files.package_check import inspect_package

TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".tab", ""}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OPENPYXL_ERRORS = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError,
                    IndexError, AttributeError, SyntaxError, EOFError)


@dataclass(frozen=True)
class Export:
    """An export as read: header texts by column, and data rows as (row number, cells)."""

    source: str  # the path as given, for messages
    sheet: str  # the file name (CSV) or the sheet name (XLSX): where findings point
    headers: tuple[str, ...]  # '' where a column has no header
    rows: tuple[tuple[int, tuple[Any, ...]], ...]  # cells padded to len(headers)
    header_row: int = 1
    encoding: str | None = None  # CSV only
    delimiter: str | None = None  # CSV only
    epoch: dt.datetime | None = None  # XLSX only: the workbook's date system, for serial numbers
    guess: EncodingGuess | None = None  # CSV only: where bytes that are not UTF-8 were read as Windows-1252

    def letter(self, index: int) -> str:
        return get_column_letter(index + 1)


@dataclass(frozen=True)
class EncodingGuess:
    """Bytes of a CSV export read as Windows-1252, and the cell the first one is in."""

    guess: Guess
    row: int | None  # the export row as Excel numbers it (None if the byte is in no cell)
    index: int | None  # the cell's column index
    sample: str  # the decoded text around the first such byte


def read_export(path: str | Path, sheet: str | None = None, *, footer: bool = True) -> Export:
    """Read a CSV or XLSX export; `sheet` names the sheet to read in a workbook (default: the first);
    `footer` drops a report footer (see _drop_footer)."""
    path = Path(path)
    data = _read_bytes(path)
    if data.startswith((b"PK", _OLE)):
        title, grid, epoch = _read_xlsx(path, data, sheet)
        return _export(path, title, grid, footer, epoch=epoch)
    _reject_other_text(path, data)
    text, encoding, guess = decode(path, data)
    grid, delimiter = split_cells(path, text)
    found = None if guess is None else _locate(guess, text, grid)
    return _export(path, path.name, grid, footer, encoding=encoding, delimiter=delimiter, guess=found)


def _locate(guess: Guess, text: str, grid: list[list[str]]) -> EncodingGuess:
    """The cell holding the first character read as Windows-1252. Such a character is never a quote,
    delimiter or line break, so it is the k-th of its kind in the cells as in the text."""
    char = text[guess.offset]
    k = text.count(char, 0, guess.offset)
    for r, row in enumerate(grid):
        for i, cell in enumerate(row):
            if k < (n := cell.count(char)):
                at = -1
                for _ in range(k + 1):
                    at = cell.index(char, at + 1)
                sample = " ".join(cell[max(0, at - 20):at + 20].split())
                return EncodingGuess(guess, r + 1, i, sample)
            k -= n
    line = text.splitlines()[guess.line - 1] if guess.line <= len(text.splitlines()) else ""
    return EncodingGuess(guess, None, None, line[:40])  # in Excel's sep= line: no cell to point at


def _read_bytes(path: Path) -> bytes:
    try:
        if not path.is_file():
            what = "a folder" if path.is_dir() else "not there"
            raise WorkbookUnusable(path, f"the export is {what}; give the path of the CSV or XLSX file")
        data = path.read_bytes()
    except (OSError, ValueError) as exc:
        raise WorkbookUnusable(path, f"the file cannot be read ({exc}); check that you may read it and "
                                     "that no other program has it locked") from None
    if not data.strip():
        raise WorkbookUnusable(path, "the file is empty; export the report from the CRM again")
    return data


def _reject_other_text(path: Path, data: bytes) -> None:
    lead = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lead.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")):
        raise WorkbookUnusable(path, "this is an HTML or XML file, not a CSV or Excel export; export the "
                                     "report from the CRM as CSV or as Excel (.xlsx)")
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise WorkbookUnusable(path, f"a {path.suffix} file is not a CSV or Excel export; export the report "
                                     "from the CRM as CSV or as Excel (.xlsx)")


def _read_xlsx(path: Path, data: bytes, wanted: str | None) -> tuple[str, list[list[Any]], dt.datetime]:
    inspect_package(path)  # a renamed, encrypted, legacy or hostile file fails here with its reason
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            ws = _pick_sheet(path, wb, wanted)
            ws.reset_dimensions()  # a stale <dimension> would otherwise cut rows off
            grid = [[_cell(c) for c in row] for row in ws.iter_rows()]
            return ws.title, grid, wb.epoch
        finally:
            wb.close()
    except XlPortfolioError:
        raise
    except _OPENPYXL_ERRORS as exc:
        raise WorkbookUnusable(path, f"the workbook cannot be read ({type(exc).__name__}: {exc}); open it in "
                                     "Excel, save it again as .xlsx and retry") from None


def _pick_sheet(path: Path, wb: Any, wanted: str | None) -> Any:
    """The sheet asked for; else the visible sheet named like the file; else the first visible one."""
    sheets = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    names = ", ".join(f"'{ws.title}'" for ws in wb.worksheets)
    if wanted:
        found = [ws for ws in wb.worksheets if ws.title.casefold() == wanted.casefold()]
        if not found:
            raise WorkbookUnusable(path, f"there is no sheet '{wanted}' (sheets: {names}); add it or rename one")
        return found[0]
    if not sheets:
        raise WorkbookUnusable(path, "the workbook has no visible worksheet with data; unhide the export sheet")
    return next((ws for ws in sheets if ws.title.casefold() == path.stem.casefold()), sheets[0])


def _cell(cell: Any) -> Any:
    if cell.data_type == "e" and cell.value is not None:
        return CellError(str(cell.value))
    return None if cell.value == "" else cell.value


def _export(path: Path, sheet: str, grid: list[list[Any]], footer: bool, **extra: Any) -> Export:
    grid = [[None if c == "" else c for c in row] for row in grid]
    start = next((i for i, row in enumerate(grid) if not _blank_row(row)), None)
    if start is None:
        raise WorkbookUnusable(path, f"'{sheet}' holds no header row and no data; export the report again")
    header_cells = grid[start]
    if not any(isinstance(c, str) and any(ch.isalpha() for ch in c) for c in header_cells):
        raise WorkbookUnusable(path, f"'{sheet}' row {start + 1} should hold the column headers (such as "
                                     "'Opportunity Name') but holds none; export the report with its header row")
    body = grid[start + 1:]
    if footer and sum(not is_blank(c) for c in header_cells) > 1:
        body = _drop_footer(body)
    width = max([len(header_cells)] + [_used_width(row) for row in body])
    headers = tuple("" if is_blank(c) else str(c).strip() for c in header_cells) + ("",) * (width - len(header_cells))
    rows = tuple((start + 2 + i, tuple(row[:width]) + (None,) * (width - len(row)))
                 for i, row in enumerate(body) if not _blank_row(row))
    return Export(str(path), sheet, headers, rows, header_row=start + 1, **extra)


def _drop_footer(body: list[list[Any]]) -> list[list[Any]]:
    """Cut a report footer: after a blank row, only lines of one cell in column A
    ('Confidential Information - Do Not Distribute', 'Copyright ... salesforce.com')."""
    end = len(body)
    while end and (_blank_row(body[end - 1]) or _footer_line(body[end - 1])):
        end -= 1
        if _blank_row(body[end]) and any(_footer_line(r) for r in body[end:]):
            return body[:end]
    return body


def _footer_line(row: list[Any]) -> bool:
    return bool(row) and isinstance(row[0], str) and not is_blank(row[0]) and all(is_blank(c) for c in row[1:])


def _blank_row(row: list[Any]) -> bool:
    return all(is_blank(c) for c in row)


def _used_width(row: list[Any]) -> int:
    return max((i + 1 for i, c in enumerate(row) if not is_blank(c)), default=0)
