"""Decode a CSV export and split it into cells, whatever encoding and delimiter its CRM chose.

Exports arrive as UTF-8 (with or without BOM), as Windows-1252 from older Excel versions, as
UTF-16 from Excel's "Unicode text", comma- or semicolon- or tab-separated. The encoding is
tried strictly (UTF-8 first, which cannot misread Windows-1252 text silently); bytes that are
not UTF-8 are read as Windows-1252, and the caller is told where, so that it can say so (see
Guess). The delimiter is the one the header line uses most outside quotes. A quote that runs
past a line end and swallows lines is refused (see quotes.py).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import get_column_letter

from xlportfolio.core.values import show
from xlportfolio.crm.quotes import runaway
from xlportfolio.errors import WorkbookUnusable

DELIMITERS = (",", ";", "\t")
_SEP_LINE = re.compile(r"sep=(.)(?:\r\n|\r|\n)")  # Excel's hint line: sep=;
_BOM = b"\xef\xbb\xbf"
_UTF8_TEXT = re.compile("[^\x00-\x7f\udc80-\udcff]")  # a character UTF-8 multi-byte sequences gave
_ESCAPED = re.compile("[\udc80-\udcff]+")  # bytes that are not UTF-8, as surrogateescape keeps them
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Guess:
    """Bytes that are not UTF-8 and were read as Windows-1252: how many, and where the first one is."""

    encoding: str  # 'cp1252' (the whole file) or 'utf-8+cp1252' (UTF-8 but for the bytes that are not)
    offset: int  # index in the decoded text of the first character read as Windows-1252
    byte: int  # the byte it was
    count: int  # how many bytes were read as Windows-1252
    line: int  # the file line of the first one, 1-based as an editor counts

    def describe(self, file: str = "The export") -> tuple[str, str]:
        """What the file is, and what was read as Windows-1252, in a person's words."""
        first = f"0x{self.byte:02X} in line {self.line}"
        if self.encoding == "cp1252":
            return f"{file} is not UTF-8 (byte {first} is not valid UTF-8)", "it"
        many = f"{self.count} bytes that are not (the first, {first})" if self.count > 1 else f"byte {first}"
        return f"{file} is UTF-8 except for {many}", "those bytes" if self.count > 1 else "that byte"


def decode(path: Path, data: bytes) -> tuple[str, str, Guess | None]:
    """The export's text, the encoding it was read with, and where Windows-1252 was guessed, if it was."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(path, data, "utf-16"), "utf-16", None
    if b"\x00" in data:
        raise _binary(path)
    guess = None
    try:
        text = data.decode("utf-8-sig")
        encoding = "utf-8-sig" if data.startswith(_BOM) else "utf-8"
    except UnicodeDecodeError:
        text, guess = _windows_1252(path, data)
        encoding = guess.encoding
    controls = sum(1 for ch in text[:65536] if ch < " " and ch not in "\t\r\n")
    if controls > len(text[:65536]) // 100:
        raise _binary(path)
    return text, encoding, guess


def _windows_1252(path: Path, data: bytes) -> tuple[str, Guess]:
    """Text that is not all UTF-8. If none of it is UTF-8 beyond ASCII (or a BOM), it is Windows-1252 from
    older Excel versions. If some is, a UTF-8 file had a few lines edited elsewhere: reading all of it as
    Windows-1252 would garble every accent ('é' as 'Ã©'), so only the stray bytes are read that way."""
    body = data[len(_BOM):] if data.startswith(_BOM) else data
    loose = body.decode("utf-8", "surrogateescape")
    if _UTF8_TEXT.search(loose) is None and not data.startswith(_BOM):
        text = _decode(path, body, "cp1252")
        guessed = [i for i, ch in enumerate(text) if ch > "\x7f"]
        first = guessed[0]
        return text, Guess("cp1252", first, body[first], len(guessed), _line(text, first))
    parts, done, count = [], 0, 0
    for m in _ESCAPED.finditer(loose):  # one byte is one character in Windows-1252: offsets stay as they are
        stray = bytes(ord(ch) - 0xDC00 for ch in m[0])
        try:
            parts += [loose[done:m.start()], stray.decode("cp1252")]
        except UnicodeDecodeError as exc:
            raise _neither(path, len(loose[:m.start()].encode("utf-8", "surrogateescape")) + exc.start) from None
        done, count = m.end(), count + len(stray)
    text = "".join(parts) + loose[done:]
    first = _ESCAPED.search(loose).start()
    return text, Guess("utf-8+cp1252", first, ord(loose[first]) - 0xDC00, count, _line(text, first))


def _line(text: str, offset: int) -> int:
    return len(_LINE_BREAK.findall(text, 0, offset)) + 1


def split_cells(path: Path, text: str) -> tuple[list[list[str]], str]:
    """Rows of cells (a quoted line break stays in its cell) and the delimiter used."""
    skipped = 0
    if m := _SEP_LINE.match(text):
        delimiter, text, skipped = m[1], text[m.end():], 1
    else:
        delimiter = sniff_delimiter(text)
    # No cell can be longer than the text: one over csv's default limit (128 Ki characters) is read, and
    # cut to Excel's limit with a finding later, rather than refused.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines, delimiter=delimiter)
    grid: list[list[str]] = []
    header: list[str] | None = None  # the first record with text
    start = 0  # the line the next record starts on, 0-based
    try:
        for record in reader:
            # A quoted cell holds a line break: the record spans lines, or (the last one, open to the end of
            # the file) a cell holds the file's last line break.
            if reader.line_num - start > 1 or (reader.line_num == len(lines) and _broken(record)):
                _check_quotes(path, "".join(lines[start:reader.line_num]), delimiter, header, record,
                              start + skipped + 1)
            if header is None and any(cell.strip() for cell in record):
                header = record
            grid.append(record)
            start = reader.line_num
    except csv.Error as exc:
        raise WorkbookUnusable(path, f"line {reader.line_num + skipped} cannot be read as CSV ({exc}); open the "
                                     "file in Excel, save it as CSV UTF-8 and try again") from None
    return grid, delimiter


def _broken(record: list[str]) -> bool:
    return any("\n" in cell or "\r" in cell for cell in record)


def _check_quotes(path: Path, raw: str, delimiter: str, header: list[str] | None, record: list[str],
                  line: int) -> None:
    if found := runaway(raw, delimiter, header, record, line):
        column = get_column_letter(found.cell + 1)
        if header is not None and found.cell < len(header) and header[found.cell].strip():
            column += f" ({show(header[found.cell].strip())})"
        raise WorkbookUnusable(path, (
            f"line {found.line}, column {column}: a quote opens a cell here ('{show(found.opening)}') and "
            f"{found.why}. Read this way, the rest of the line and the lines after it would run into one cell, "
            "so nothing was imported. If the quote is a stray one, delete it; if it belongs to the text, put "
            'the whole cell in quotes and double the quote (""); then save the file and import again.'))


def sniff_delimiter(text: str) -> str:
    """The delimiter the header line uses most often outside quotes; comma when it uses none."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "\r\n":
            break
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _decode(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _neither(path, exc.start) from None


def _neither(path: Path, byte: int) -> WorkbookUnusable:
    return WorkbookUnusable(path, f"the text is neither UTF-8 nor Windows-1252 (byte {byte}); export it from "
                                  "the CRM as CSV UTF-8, or open it in Excel and save it as 'CSV UTF-8'")


def _binary(path: Path) -> WorkbookUnusable:
    return WorkbookUnusable(path, "this is a binary file, not a CSV or Excel export; export the report "
                                  "from the CRM as CSV or as Excel (.xlsx) and try again")
