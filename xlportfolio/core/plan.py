"""The edit plan: what a command wants changed in a workbook, free of any Excel library's types.

Both adapters (openpyxl on files, xlwings on an open workbook) apply the same plan, so the
plan speaks only of sheets, rows, column letters or headers, plain values and RGB colours.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# An error is Excel's own "Bad" fill; a warning is orange, clearly apart from the input cells'
# pale yellow and from the error red (core/formats.py keeps the legend that says what each means).
ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFC000"

# A hidden generated sheet remembers which cells a command marked and what they held before,
# so the next run can restore them without reading formats back (xlwings' remote engine can't).
MARKS_SHEET = "xlp_marks"
MARKS_HEADER = ("Command", "Sheet", "Cell", "Prior fill", "Prior note", "Prior note author")
NOTE_AUTHOR = "xlportfolio"

# Sheets the tool owns and rewrites whole; anything in them (charts too) is the tool's own.
GENERATED_SHEETS = frozenset({
    "Findings", "Consolidation", "CRM Import", "Scenario", "Ledger", "Baseline", "Dashboard",
    "Rollup", "Rollup by month", "Breakdown", MARKS_SHEET,
})


@dataclass(frozen=True)
class ColumnWrite:
    """Write values into one column of a table, by header; the column is added if missing."""

    table: str
    sheet: str
    header: str
    values: dict[int, Any]  # Excel row -> value
    clear_other_rows: bool = True  # blank the rest of the column's data rows
    number_format: str | None = None  # e.g. "General" where the template's format does not fit


@dataclass(frozen=True)
class RowWrite:
    """Write cells of table rows by schema column name; rows past the table's end extend it.

    New rows take the formats of the table's first data row, so a row the tool adds looks
    like one a person typed. Columns the table lacks are added with their schema label.
    """

    table: str
    sheet: str
    rows: dict[int, dict[str, Any]]  # Excel row -> {column name: value}


@dataclass(frozen=True)
class CellMark:
    """Colour a cell and attach a note that says what is wrong and what to do."""

    sheet: str
    row: int
    column: str  # letter
    fill: str  # RGB hex
    note: str


@dataclass(frozen=True)
class Link:
    """A cell value that is a hyperlink to a place in the same workbook."""

    text: str
    sheet: str
    cell: str

    @property
    def location(self) -> str:
        return f"'{self.sheet}'!{self.cell}"


@dataclass(frozen=True)
class Formula:
    """A live Excel formula for a generated cell, with the engine's own result beside it.

    Adapters write `text` (it starts with "="), so a controller can trace the number to its
    source; a frozen snapshot (`--values`) writes `value` instead. Tests recalculate the
    workbook and compare the two.
    """

    text: str
    value: Any


@dataclass(frozen=True)
class Block:
    """A titled table placed anywhere on a generated sheet (the dashboard's KPI and chart data).

    `row` and `column` (1 = A) give the title cell; the header sits one row below it, the
    rows below that. An empty title puts the header in `row` itself.
    """

    row: int
    column: int
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    formats: tuple[str | None, ...] = ()  # number format per column, applied to numbers only

    @property
    def header_row(self) -> int:
        return self.row + 1 if self.title else self.row

    @property
    def last_row(self) -> int:
        return self.header_row + len(self.rows)


@dataclass(frozen=True)
class ColorScale:
    """Conditional formatting: a two-colour scale over a range of a generated sheet (a heat map)."""

    ref: str  # e.g. "B4:D6"
    low: str = "FFFFFF"  # RGB of the lowest value
    high: str = "F8696B"  # RGB of the highest value


@dataclass(frozen=True)
class CellIs:
    """Conditional formatting: cells of `ref` equal to `value` get `fill` (e.g. Red -> red)."""

    ref: str
    value: str | float
    fill: str


@dataclass(frozen=True)
class Look:
    """A fill or number format on cells of a generated sheet, over what their table gives them
    (a heat map cell's colour, a legend's fill, the money format of one key figure)."""

    ref: str  # e.g. "J4" or "J4:L4"
    fill: str | None = None  # RGB of a solid fill
    number_format: str | None = None
    font_color: str | None = None  # RGB


@dataclass(frozen=True)
class Span:
    """Cells of one column on a generated sheet: column number (1 = A), first and last row."""

    column: int
    first: int
    last: int


@dataclass(frozen=True)
class ChartSpec:
    """A native Excel chart over cells of the sheet it sits on (never a picture).

    `series` spans start at their header cell, which names the series.
    """

    kind: str  # "line", "column", "bar" or "scatter"
    title: str
    categories: Span
    series: tuple[Span, ...]
    anchor: str  # top-left cell, e.g. "J2"
    x_title: str = ""
    y_title: str = ""
    number_format: str = "#,##0"
    x_number_format: str = "#,##0"  # for scatter charts, whose x axis is numeric
    width_cm: float = 18
    height_cm: float = 9
    # scatter: markers only, no line between them (values known at these x only); every
    # series after the first is drawn as a larger marker, a point to pick out (the chosen one)
    points: bool = False


# The order generated tabs take among themselves, after the user's sheets: what a controller
# reads first comes first. A tab the tool adds goes before the first later one already there;
# a tab already in the workbook stays where it is (a person may have moved it on purpose).
TAB_ORDER = ("Dashboard", "Rollup", "Rollup by month", "Breakdown", "Scenario", "Baseline", "Findings",
             "Ledger", "Consolidation", "CRM Import", MARKS_SHEET)

# Printed pages: the workbook, the sheet and the print date in every footer (Excel's header codes).
FOOTER = "&L&F&C&A&R&D"


@dataclass(frozen=True)
class PrintSetup:
    """How a generated sheet prints: landscape, one page wide, its header rows on every page."""

    title_rows: tuple[int, int] | None  # first and last row repeated atop every page
    landscape: bool = True
    fit_width: int = 1  # pages across
    fit_height: int = 0  # pages down; 0 as many as it takes
    footer: str = FOOTER
    breaks: tuple[int, ...] = ()  # rows that start a new page
    # What prints ("A1:M80"): the sheet's cells and charts. Without it a long text that runs on
    # past the last column widens the page, and fitting that to one page shrinks every row.
    area: str | None = None


@dataclass(frozen=True)
class GeneratedSheet:
    """A sheet the tool owns: rewritten whole on every run."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    widths: tuple[float, ...] = ()
    hidden: bool = False
    charts: tuple[ChartSpec, ...] = ()
    shared: bool = False  # several commands list rows here; column A names the command, each replaces its own
    formats: tuple[str | None, ...] = ()  # number format per column, applied to numbers only
    blocks: tuple[Block, ...] = ()  # further tables placed below or beside the main one
    conditional: tuple[ColorScale | CellIs, ...] = ()
    freeze: str | None = "A2"  # top-left unfrozen cell; None for no frozen panes
    # Rows repeated atop every printed page; by default the rows above the frozen pane.
    print_titles: tuple[int, int] | None = None
    page_breaks: tuple[int, ...] = ()  # rows that start a printed page (a section kept whole)
    looks: tuple[Look, ...] = ()


@dataclass
class EditPlan:
    columns: list[ColumnWrite] = field(default_factory=list)
    rows: list[RowWrite] = field(default_factory=list)
    marks: list[CellMark] = field(default_factory=list)
    sheets: list[GeneratedSheet] = field(default_factory=list)
    # The command whose marks (and rows on shared sheets) this plan replaces. Before marking,
    # the cells that command marked last time get back what they held; other commands' marks
    # stay. None: a pure data write that leaves every mark as it is.
    scope: str | None = None
    # The sheet the workbook opens on once saved (the Dashboard after a rollup); None leaves it.
    activate: str | None = None
