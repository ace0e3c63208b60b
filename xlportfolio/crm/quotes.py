"""Quoted cells that run past a line end: a note of several lines, or a stray quote eating the file?

A CSV cell in quotes may hold line breaks; CRMs export multi-line descriptions that way. A stray
quote at the start of a cell looks the same to a CSV reader: everything up to the next quote
mark, many lines later or the end of the file, becomes one cell, and the requests on those
lines vanish into it. The import cannot repair that, so it refuses the file, naming the line
where the quote opens, when a quoted cell holding a line break

- is never closed (it would run to the end of the file);
- is closed by a quote followed by anything but spaces and a delimiter or a line end (the stray
  quote closed on the opening quote of a later cell, '..."Portal, phase 2"...');
- spans more than MAX_LINES lines;
- holds a whole line that reads as a record of its own: as many cells as the header and at
  least RECORD_CELLS of them (prose seldom has exactly that many delimiters);
- leaves its record with a different number of cells than the header has (more or fewer only by
  empty cells is a trailing delimiter, not a swallowed line).

A multi-line note closed on a plausible boundary passes all five. Only records that span
several lines are looked at, so an ordinary export costs nothing extra.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

MAX_LINES = 200
RECORD_CELLS = 5


@dataclass(frozen=True)
class Runaway:
    """A quoted cell the import refuses: where it opens (the file's line, 1-based; the cell's index) and why."""

    line: int
    cell: int
    why: str
    opening: str  # the line the quote opens on, from the quote


def runaway(raw: str, delimiter: str, header: list[str] | None, record: list[str], line: int) -> Runaway | None:
    """The first quoted cell of one record's raw text, which starts on file line `line` and was read as
    `record`, that the rules refuse; `header` is the header row's cells if it has been read."""
    width = None if header is None else len(header)
    first: tuple[int, int, int] | None = None  # the first multi-line cell (line, cell, index), blamed when only
    #                                           the record's width is wrong
    i, cell, n = 0, 0, len(raw)
    while i < n:
        if raw[i] == '"':
            close, content = _closing(raw, i)
            breaks = _breaks(content)
            if breaks:
                if why := _why(raw, close, content, breaks, delimiter, width, line):
                    return Runaway(line, cell, why, _line_from(raw, i))
                first = first or (line, cell, i)
            line += breaks
            if close is None:
                break
            i = close + 1
        # the rest of the cell, unquoted: up to the next delimiter or line end
        stop = _stops(delimiter).search(raw, i)
        if stop is None or stop[0] != delimiter:
            break
        cell, i = cell + 1, stop.end()
    if first is not None and header is not None and not _same_width(header, record):
        return Runaway(first[0], first[1], f"its row then has {len(record)} cells where the header has "
                                           f"{len(header)}", _line_from(raw, first[2]))
    return None


@cache
def _stops(delimiter: str) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(delimiter)}\r\n]")


def _same_width(header: list[str], record: list[str]) -> bool:
    """As many cells, or more only by empty ones (a trailing delimiter on one side)."""
    short = min(len(header), len(record))
    return not any(c.strip() for c in header[short:]) and not any(c.strip() for c in record[short:])


def _why(raw: str, close: int | None, content: str, breaks: int, delimiter: str, width: int | None,
         line: int) -> str:
    if close is None:
        return "it is never closed, so it would run to the end of the file"
    after = raw[close + 1:].lstrip(" ")[:1]  # spaces before the delimiter are a hand edit, not another cell
    if after not in (delimiter, "\r", "\n", ""):
        return (f"the next quote, in line {line + breaks}, is followed by '{after}': it opens another cell "
                "rather than closing this one")
    if breaks + 1 > MAX_LINES:
        return f"it runs to line {line + breaks}, longer than a note of up to {MAX_LINES} lines"
    if width is not None and width >= RECORD_CELLS:
        for k, text in enumerate(_whole_lines(content), start=1):
            if text.count(delimiter) >= width - 1 and len(next(csv.reader([text], delimiter=delimiter))) == width:
                return (f"line {line + k} inside it reads as a record of its own ({width} cells, like the "
                        f"header): '{text[:50]}'")
    return ""


def _closing(raw: str, start: int) -> tuple[int | None, str]:
    """The index of the quote closing the cell opened at `start` (None if none), and the cell's text."""
    j = start + 1
    while True:
        k = raw.find('"', j)
        if k == -1:
            return None, raw[start + 1:]
        if raw.startswith('""', k):
            j = k + 2
            continue
        return k, raw[start + 1:k]


def _breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _whole_lines(content: str) -> list[str]:
    """The lines a quoted cell holds from start to end: not the first (it began mid-line) nor the last."""
    return content.replace("\r\n", "\n").replace("\r", "\n").split("\n")[1:-1]


def _line_from(raw: str, start: int) -> str:
    return raw[start:].splitlines()[0]
