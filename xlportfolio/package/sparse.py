"""The sparse reader: a sheet's values at a cost proportional to the cells present.

Used where calamine's dense grid would be unsafe (cells far apart) or where the XML is not
what Excel writes (cells or rows without positions). Slower per cell than calamine, but it
never allocates for cells that are not there, so a hostile sheet costs what it holds.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from xlportfolio.core.values import CellError, Uncalculated
from xlportfolio.errors import WorkbookUnusable
from xlportfolio.package.reading import MAX_COLS, MAX_ROWS, _column, prefix_of
from xlportfolio.package.xml import MAIN

_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(/?)>")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_REF = re.compile(r"([A-Z]{1,3})(\d{1,7})$")
_V = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_F = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)")
_T = re.compile(rb"<(?:\w+:)?t\b[^>]*?(?:/>|>((?:[^<]|<!\[CDATA\[.*?\]\]>)*)</(?:\w+:)?t>)", re.S)
_PHONETIC = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_MAX_CELLS = 50_000_000
_EPOCH_1900, _EPOCH_1904 = dt.datetime(1899, 12, 30), dt.datetime(1904, 1, 1)


def read_sparse(data: bytes, strings: list[str], date_styles: set[int], date1904: bool,
                source: Any, sheet: str, duration_styles: frozenset[int] = frozenset()) -> dict[tuple[int, int], Any]:
    """(row, column) -> value for every cell holding one, as calamine (then `from_calamine`) reads it."""
    out: dict[tuple[int, int], Any] = {}
    row_no = 0
    for row_attrs, cells in _rows(data):
        r = _attrs(row_attrs).get("r")
        row_no = int(r) if r and r.isdigit() else row_no + 1
        col_no = 0
        for attrs, body in cells:
            a = _attrs(attrs)
            m = _REF.match(a.get("r", ""))
            if m:
                row_no = int(m.group(2)) if int(m.group(2)) else row_no
                col_no = _column(m.group(1))
            else:
                col_no += 1
            if row_no > MAX_ROWS or col_no > MAX_COLS:
                raise WorkbookUnusable(source, f"sheet '{sheet}' has a cell beyond Excel's last row or column "
                                       "(XFD1048576); the file is damaged or not from Excel")
            value = _value(a, body or b"", strings, date_styles, date1904, duration_styles)
            if value is not None:
                out[(row_no, col_no)] = value
                if len(out) > _MAX_CELLS:
                    raise WorkbookUnusable(source, f"sheet '{sheet}' holds more than {_MAX_CELLS:,} cells, "
                                           "beyond what this tool reads; split the workbook")
    return out


def _rows(data: bytes) -> Iterator[tuple[bytes, list[tuple[bytes, bytes]]]]:
    p = prefix_of(data)
    start = data.find(b"<" + p + b"sheetData")
    end = data.rfind(b"</" + p + b"sheetData>")
    if start == -1 or end == -1:
        return
    pos = start
    close = b"</" + p + b"row>"
    while True:
        m = _ROW.search(data, pos, end)
        if m is None:
            return
        if m.group(2):
            yield m.group(1), []
            pos = m.end()
            continue
        stop = data.find(close, m.end(), end)
        stop = end if stop == -1 else stop
        yield m.group(1), [(c.group(1), c.group(2)) for c in _CELL.finditer(data, m.end(), stop)]
        pos = stop


def _attrs(raw: bytes) -> dict[str, str]:
    return {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(raw)}


def _value(a: dict[str, str], body: bytes, strings: list[str], date_styles: set[int], date1904: bool,
           duration_styles: frozenset[int]) -> Any:
    kind = a.get("t", "n")
    v = _V.search(body)
    raw = _unescape(v.group(1)) if v else None
    f = _F.search(body)
    if f is not None and not raw and kind != "inlineStr":
        return Uncalculated("=" + _unescape(f.group(1) or b""))
    if kind == "inlineStr":
        text = "".join(_unescape(t or b"") for t in _T.findall(_PHONETIC.sub(b"", body)))
        return _trimmed(text, body) or None
    if raw is None or raw == "":
        return None
    if kind == "s":
        i = int(raw) if raw.strip().isdigit() else -1
        return (strings[i] or None) if 0 <= i < len(strings) else None
    if kind == "b":
        return raw.strip() not in ("0", "false")
    if kind == "e":
        return CellError(raw)
    if kind == "str":
        return raw
    if kind == "d":
        return _iso(raw)
    try:
        number: int | float = int(raw) if re.fullmatch(r"[+-]?\d+", raw.strip()) else float(raw)
    except ValueError:
        return raw
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    style = a.get("s", "0")
    if style.isdigit() and int(style) in duration_styles:
        return dt.timedelta(days=float(number))
    if style.isdigit() and int(style) in date_styles:
        return _date(float(number), date1904)
    return number


def _iso(raw: str) -> Any:
    """An ISO cell date (t="d"): a time alone reads as a time of day."""
    try:
        if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?", raw):
            return dt.time.fromisoformat(raw)
        return dt.datetime.fromisoformat(raw.rstrip("Z"))
    except ValueError:
        return raw


def _trimmed(text: str, body: bytes) -> str:
    """Text without xml:space="preserve" loses its leading and trailing whitespace, as in Excel."""
    return text if b'xml:space="preserve"' in body else text.strip()


def _date(serial: float, date1904: bool) -> Any:
    if date1904:
        return _EPOCH_1904 + dt.timedelta(days=serial)
    if 0 <= serial < 1:
        seconds = round(serial * 86400)
        return dt.time(seconds // 3600 % 24, seconds // 60 % 60, seconds % 60)
    if 0 < serial < 60:
        serial += 1  # Excel's 1900 leap-year bug: serials before March 1900 are a day off
    try:
        return _EPOCH_1900 + dt.timedelta(days=serial)
    except OverflowError:
        return serial


def _unescape(raw: bytes) -> str:
    raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")  # as an XML parser reads line ends
    if b"<![CDATA[" in raw:
        raw = re.sub(rb"<!\[CDATA\[(.*?)\]\]>", lambda m: m.group(1).replace(b"&", b"&amp;").replace(b"<", b"&lt;"),
                     raw, flags=re.S)
    text = raw.decode("utf-8", "replace")
    text = html.unescape(text) if "&" in text else text
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def shared_strings(data: bytes) -> list[str]:
    """Every shared string's plain text (runs joined, phonetic guides left out)."""
    out: list[str] = []
    si, t, rph = f"{{{MAIN}}}si", f"{{{MAIN}}}t", f"{{{MAIN}}}rPh"
    space = "{http://www.w3.org/XML/1998/namespace}space"
    parser = etree.XMLPullParser(events=("end",), resolve_entities=False, no_network=True, load_dtd=False)
    parser.feed(data)
    for _, el in parser.read_events():
        if el.tag == si:
            # Direct text or runs' text; phonetic guides (rPh) are reading aids, not the value.
            texts = [x for x in el.iter(t) if not any(a.tag == rph for a in x.iterancestors())]
            text = "".join(x.text or "" for x in texts)
            preserved = any(x.get(space) == "preserve" for x in texts)
            out.append(text if preserved else text.strip())
            el.clear()
    return [_unescape(s.encode()) if "_x" in s else s for s in out]
