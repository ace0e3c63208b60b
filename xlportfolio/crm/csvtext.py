"""Decode a CSV export and split it into cells, whatever encoding and delimiter its CRM chose.

Exports arrive as UTF-8 (with or without BOM), as Windows-1252 from older Excel versions, as
UTF-16 from Excel's "Unicode text", comma- or semicolon- or tab-separated. The encoding is
tried strictly (UTF-8 first, which cannot misread Windows-1252 text silently); the delimiter
is the one the header line uses most outside quotes.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ..errors import WorkbookUnusable

DELIMITERS = (",", ";", "\t")
_SEP_LINE = re.compile(r"sep=(.)\r?\n")  # Excel's hint line: sep=;


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """The export's text and the encoding it was read with."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(path, data, "utf-16"), "utf-16"
    if b"\x00" in data:
        raise _binary(path)
    try:
        text = data.decode("utf-8-sig")
        encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        text, encoding = _decode(path, data, "cp1252"), "cp1252"
    controls = sum(1 for ch in text[:65536] if ch < " " and ch not in "\t\r\n")
    if controls > len(text[:65536]) // 100:
        raise _binary(path)
    return text, encoding


def split_cells(path: Path, text: str) -> tuple[list[list[str]], str]:
    """Rows of cells (a quoted line break stays in its cell) and the delimiter used."""
    if m := _SEP_LINE.match(text):
        delimiter, text = m[1], text[m.end():]
    else:
        delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader), delimiter
    except csv.Error as exc:
        raise WorkbookUnusable(path, f"line {reader.line_num} cannot be read as CSV ({exc}); open the file "
                                     "in Excel, save it as CSV UTF-8 and try again") from None


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
        raise WorkbookUnusable(path, f"the text is neither UTF-8 nor Windows-1252 (byte {exc.start}); "
                                     "export it from the CRM as CSV UTF-8, or open it in Excel and save "
                                     "it as 'CSV UTF-8'") from None


def _binary(path: Path) -> WorkbookUnusable:
    return WorkbookUnusable(path, "this is a binary file, not a CSV or Excel export; export the report "
                                  "from the CRM as CSV or as Excel (.xlsx) and try again")
