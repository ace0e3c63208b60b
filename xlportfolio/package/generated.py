"""A generated sheet (Findings, Rollup, Dashboard, ...) as the plan walk builds it, and its part.

The walk writes a generated sheet in a few big blocks; they are kept as given (no cell-by-cell
copy) and streamed out as the sheet part, rows in order, when the package is written.
"""
from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from xlportfolio.core.book import column_letter, split_cell
from xlportfolio.core.plan import CellIs, ChartSpec, ColorScale, Formula, Link, PrintSetup
from xlportfolio.package.cells import encode, number
from xlportfolio.package.styles import StyleBook
from xlportfolio.package.xml import MAIN, NEEDS_ESCAPE, REL, attr, cell_text
from xlportfolio.surface.protocol import CellStyle

Block = tuple[int, int, list]  # first row, first column, rows of values
_INFINITE = (float("inf"), float("-inf"))
# Excel fits a row to its wrapped text when it draws the sheet; a file has nobody to draw it, and
# LibreOffice prints such a row one line high, its lines over the next rows. So a row whose wrapped
# text needs more lines states their height: about 1.15 characters of text per unit of column width.
LINE_POINTS, CHARS_PER_WIDTH, DEFAULT_WIDTH = 15.0, 1.15, 9.0


@dataclass
class Generated:
    name: str
    hidden: bool = False
    blocks: list[Block] = field(default_factory=list)
    styles: list[tuple[int, int, int, int, CellStyle]] = field(default_factory=list)
    links: list[tuple[int, int, Link]] = field(default_factory=list)
    widths: tuple[float, ...] = ()
    freeze: str | None = None
    autofilter: str | None = None
    charts: list[tuple[ChartSpec, tuple[str, ...]]] = field(default_factory=list)
    conditional: list[ColorScale | CellIs] = field(default_factory=list)
    print: PrintSetup | None = None
    _cells: dict[int, dict[int, Any]] | None = None

    def write(self, row: int, col: int, rows: list) -> None:
        self.blocks.append((row, col, rows))
        self._cells = None

    def cells(self) -> dict[int, dict[int, Any]]:
        """Row -> column -> value, later writes winning (built once for reading back)."""
        if self._cells is None:
            out: dict[int, dict[int, Any]] = {}
            for row, col, rows in self.blocks:
                for r, values in enumerate(rows, start=row):
                    target = out.setdefault(r, {})
                    for c, v in enumerate(values, start=col):
                        v = _plain(v)
                        if v is None:
                            target.pop(c, None)
                        else:
                            target[c] = v
            self._cells = out
        return self._cells

    def rows(self, first_row: int, first_col: int, last_row: int, last_col: int):
        """(row, values) of the rows in the range that hold a value, read back as written."""
        width = last_col - first_col + 1
        if len(self.blocks) == 1:  # a generated sheet is mostly one block: read it where it is
            top, left, rows = self.blocks[0]
            for r in range(max(first_row, top), min(last_row, top + len(rows) - 1) + 1):
                source = rows[r - top]
                values = [_plain(source[c - left]) if 0 <= c - left < len(source) else None
                          for c in range(first_col, last_col + 1)]
                if any(v is not None for v in values):
                    yield r, values
            return
        cells = self.cells()
        for r in sorted(r for r in cells if first_row <= r <= last_row):
            values = [cells[r].get(c) for c in range(first_col, last_col + 1)]
            if any(v is not None for v in values):
                yield r, values[:width]

    def extent(self) -> tuple[int, int]:
        """(last row, last column) the blocks reach (a blank at a block's edge may count)."""
        if len(self.blocks) == 1:
            row, col, rows = self.blocks[0]
            width = max((len(r) for r in rows), default=0)
            return (row + len(rows) - 1, col + width - 1) if rows and width else (0, 0)
        cells = self.cells()
        rows = [r for r, cols in cells.items() if cols]
        return max(rows, default=0), max((c for r in rows for c in cells[r]), default=0)

    def has_formulas(self) -> bool:
        return any(isinstance(v, Formula) for _, _, rows in self.blocks for values in rows for v in values)


def _plain(value: Any) -> Any:
    """A value as a reader of the written sheet gets it: a link's text, blank for empty text."""
    if type(value) is Link:
        return value.text
    return None if value == "" else value


def sheet_xml(gen: Generated, styles: StyleBook, date1904: bool, drawing_rid: str | None,
              selected: bool = False) -> Iterator[bytes]:
    """The sheet part, streamed: header, rows, then filter, conditional formats, links, page
    setup, drawing. `selected`: the tab the workbook opens on."""
    last_row, last_col = gen.extent()
    dimension = f"A1:{column_letter(max(last_col, 1))}{max(last_row, 1)}"
    # fitToPage makes Excel and LibreOffice honour pageSetup's fitToWidth/fitToHeight
    fit = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if gen.print else ""
    tab = ' tabSelected="1"' if selected else ""
    yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" '
           f'xmlns:r="{REL}">{fit}<dimension ref="{dimension}"/><sheetViews><sheetView{tab} workbookViewId="0">'
           f"{_pane(gen.freeze)}</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>").encode()
    if gen.widths:
        yield ("<cols>" + "".join(f'<col min="{c}" max="{c}" width="{w:g}" customWidth="1"/>'
                                  for c, w in enumerate(gen.widths, start=1)) + "</cols>").encode()
    yield b"<sheetData>"
    yield from _rows(gen, styles, date1904)
    yield b"</sheetData>"
    if gen.autofilter:
        yield f'<autoFilter ref="{gen.autofilter}"/>'.encode()
    yield from _conditional(gen, styles)
    if gen.links:
        yield b"<hyperlinks>"
        for r, c, link in gen.links:
            yield (f'<hyperlink ref="{column_letter(c)}{r}" location="{attr(link.location)}" '
                   f'display="{attr(link.text)}"/>').encode()
        yield b"</hyperlinks>"
    yield b'<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
    if gen.print:
        yield _page_setup(gen.print).encode()
    if drawing_rid:
        yield f'<drawing r:id="{drawing_rid}"/>'.encode()
    yield b"</worksheet>"


def _page_setup(setup: PrintSetup) -> str:
    orientation = "landscape" if setup.landscape else "portrait"
    return (f'<pageSetup orientation="{orientation}" fitToWidth="{setup.fit_width}" '
            f'fitToHeight="{setup.fit_height}"/>'
            f'<headerFooter><oddFooter>{attr(setup.footer)}</oddFooter></headerFooter>'
            + (f'<rowBreaks count="{len(setup.breaks)}" manualBreakCount="{len(setup.breaks)}">'
               + "".join(f'<brk id="{row - 1}" max="16383" man="1"/>' for row in setup.breaks) + "</rowBreaks>"
               if setup.breaks else ""))


def print_titles_ref(sheet: str, rows: tuple[int, int]) -> str:
    """The _xlnm.Print_Titles formula of rows repeated on every page, as Excel writes it."""
    return "'" + sheet.replace("'", "''") + f"'!${rows[0]}:${rows[1]}"


def print_area_ref(sheet: str, area: str) -> str:
    """The _xlnm.Print_Area formula of a range ("A1:G40"), absolute, as Excel writes it."""
    first, last = area.split(":")
    absolute = [re.sub(r"^([A-Z]+)(\d+)$", r"$\1$\2", ref) for ref in (first, last)]
    return "'" + sheet.replace("'", "''") + "'!" + ":".join(absolute)


def _pane(freeze: str | None) -> str:
    if not freeze or freeze == "A1":
        return ""
    row, col = split_cell(freeze)
    x, y = col - 1, row - 1
    pane = "bottomRight" if x and y else "bottomLeft" if y else "topRight"
    split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
    return (f'<pane{split} topLeftCell="{freeze}" activePane="{pane}" state="frozen"/>'
            f'<selection pane="{pane}" activeCell="{freeze}" sqref="{freeze}"/>')


def _lines(text: str, width: float) -> int:
    """How many lines a wrapped text takes in a column this wide (each paragraph apart)."""
    per_line = max(int(width * CHARS_PER_WIDTH), 1)
    return sum(max(-(-len(part) // per_line), 1) for part in text.split("\n"))


def _rows(gen: Generated, styles: StyleBook, date1904: bool) -> Iterator[bytes]:
    """Each row's cells from every block covering it, with the style of every range covering them."""
    letters: dict[int, str] = {}
    ranges = sorted(gen.styles, key=lambda s: s[0])
    active: list[tuple[int, int, tuple]] = []  # (last row, order, range)
    looks: dict[tuple, dict[int, int]] = {}
    wrapping: dict[tuple, frozenset[int]] = {}
    wraps: frozenset[int] = frozenset()
    next_range = 0
    rows = gen.cells() if len(gen.blocks) > 1 else None
    order = sorted(rows) if rows is not None else range(gen.blocks[0][0], gen.blocks[0][0] + len(gen.blocks[0][2])) \
        if gen.blocks else ()
    out: list[str] = []
    look: dict[int, int] = {}
    changed = True
    plain = NEEDS_ESCAPE.search
    escaped: dict[str, str] = {}  # a generated sheet repeats its texts (commands, codes, sheet names)
    for r in order:
        while next_range < len(ranges) and ranges[next_range][0] <= r:
            rng = ranges[next_range]
            heapq.heappush(active, (rng[2], next_range, rng))
            next_range += 1
            changed = True
        while active and active[0][0] < r:
            heapq.heappop(active)
            changed = True
        if changed:  # the set of style ranges over this row: most rows share their neighbour's
            key = tuple(sorted(i for _, i, _ in active))
            if key not in looks:
                looks[key] = _looks([rng for _, i, rng in sorted(active, key=lambda a: a[1])], styles)
                wrapping[key] = frozenset(c for _, _, rng in active if rng[4].wrap
                                          for c in range(rng[1], rng[3] + 1))
            look, wraps = looks[key], wrapping[key]
            changed = False
        if rows is not None:
            values = rows[r].items()
        else:
            first_col = gen.blocks[0][1]
            values = ((c, v) for c, v in enumerate(gen.blocks[0][2][r - gen.blocks[0][0]], start=first_col)
                      if v is not None and v != "")
        cells = []
        lines = 1
        for c, v in values:
            letter = letters.get(c) or letters.setdefault(c, column_letter(c))
            s = look.get(c, 0)
            kind = type(v)
            if kind is str:  # most cells of a generated sheet: text, then whole numbers
                attrs = f' s="{s}" t="inlineStr"' if s else ' t="inlineStr"'
                space = ' xml:space="preserve"' if v[:1].isspace() or v[-1:].isspace() else ""
                text = escaped.get(v)
                if text is None:
                    text = v if plain(v) is None else cell_text(v)
                    if len(escaped) < 100_000:
                        escaped[v] = text
                cells.append(f'<c r="{letter}{r}"{attrs}><is><t{space}>{text}</t></is></c>')
                if c in wraps:
                    lines = max(lines, _lines(v, gen.widths[c - 1] if c <= len(gen.widths) else DEFAULT_WIDTH))
                continue
            if kind is int:
                cells.append(f'<c r="{letter}{r}" s="{s}"><v>{v}</v></c>' if s else f'<c r="{letter}{r}"><v>{v}</v></c>')
                continue
            if kind is Formula:  # the rollup sheets: a formula and the engine's own result
                result = v.value
                rkind = type(result)
                if rkind is int or (rkind is float and result == result and result not in _INFINITE):
                    style = f' s="{s}"' if s else ""
                    f = v.text[1:]
                    if "<" in f or ">" in f or "&" in f or "_x" in f:  # a formula the tool wrote holds no control character
                        f = cell_text(f)
                    cells.append(f'<c r="{letter}{r}"{style}><f>{f}</f><v>{number(result)}</v></c>')
                    continue
            t, inner, date_format = encode(v, date1904)
            if date_format and not styles.is_date(s):
                s = styles.derive(s, number_format=date_format)
            cells.append(f'<c r="{letter}{r}"' + (f' s="{s}"' if s else "") + (f' t="{t}"' if t else "")
                         + f">{inner}</c>")
        if cells:
            height = f' ht="{lines * LINE_POINTS:g}" customHeight="1"' if lines > 1 else ""
            out.append(f'<row r="{r}"{height}>' + "".join(cells) + "</row>")
        if len(out) >= 2000:
            yield "".join(out).encode("utf-8")
            out = []
    if out:
        yield "".join(out).encode("utf-8")


def _looks(ranges: list[tuple], styles: StyleBook) -> dict[int, int]:
    """Column -> style index for a row covered by `ranges` (later ranges win per aspect)."""
    merged: dict[int, CellStyle] = {}
    for _, first_col, _, last_col, style in ranges:
        for c in range(first_col, last_col + 1):
            old = merged.get(c)
            merged[c] = style if old is None else CellStyle(
                **{k: v if v is not None else getattr(old, k) for k, v in vars(style).items()})
    return {c: styles.look(style) for c, style in merged.items()}


def _conditional(gen: Generated, styles: StyleBook) -> Iterator[bytes]:
    for priority, rule in enumerate(gen.conditional, start=1):
        if isinstance(rule, ColorScale):
            body = (f'<cfRule type="colorScale" priority="{priority}"><colorScale><cfvo type="min"/>'
                    f'<cfvo type="max"/><color rgb="FF{rule.low}"/><color rgb="FF{rule.high}"/></colorScale></cfRule>')
        else:
            value = rule.value
            operand = '"' + str(value).replace('"', '""') + '"' if isinstance(value, str) else repr(value)
            body = (f'<cfRule type="cellIs" dxfId="{styles.dxf_fill(rule.fill)}" priority="{priority}" '
                    f'operator="equal"><formula>{attr(operand)}</formula></cfRule>')
        yield f'<conditionalFormatting sqref="{rule.ref}">{body}</conditionalFormatting>'.encode()
