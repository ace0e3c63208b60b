"""The Dashboard sheet: key figures on top, then each table with its native chart to its right, and
page breaks that never cut a section in two; for a steering committee.

The blocks lay out the figures of `dashboard_data` (see figures); cells the sheet derives from
other cells of its own (totals, net, headroom) are formulas over those cells.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from xlportfolio.core.book import Book
from xlportfolio.core.formats import COUNT, NUMBER, SHARE, heat_fill, money_format, status_meaning
from xlportfolio.core.plan import Block, CellIs, ChartSpec, ColorScale, Formula, GeneratedSheet, Look, Span
from xlportfolio.core.rollup.dashboard.figures import MEASURES, DashboardData, dashboard_data, month_start
from xlportfolio.core.rollup.dashboard.formulas import (
    LEDGER_COLUMN,
    LEDGER_HEADER,
    LEDGER_ROW,
    Cell,
    address,
    number,
    value_of,
)
from xlportfolio.core.rollup.formulas import letter

DASHBOARD_SHEET = "Dashboard"
STATUS_FILLS = ("C6EFCE", "FFEB9C", "FFC7CE")  # Excel's Good, Neutral and Bad fills: Green, Amber, Red
CHART_ROWS = 20  # rows a chart of the default height covers, with a little air
CHART_COLUMN = 9  # charts sit from column I, right of the data blocks (A to G)
WIDTHS = (34, 15, 15, 15, 15, 15, 15, 3, 30, 11, 11, 11, 11)


@dataclass
class _Layout:
    blocks: list[Block] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)
    conditional: list[ColorScale | CellIs] = field(default_factory=list)
    looks: list[Look] = field(default_factory=list)


def dashboard_sheet(book: Book, as_of: dt.date, *, values: bool = False,
                    stage_weights: dict[str, float] | None = None,
                    recorded: pd.DataFrame | None = None) -> GeneratedSheet:
    """The Dashboard sheet: key figures on top, then each table with its native chart to its right.

    With `values` every formula is replaced by its result (a frozen snapshot). With `recorded`
    (see dashboard_data) items typed over are counted at their ledger stage and state, and the
    sheet says so.
    """
    return layout(dashboard_data(book, as_of, stage_weights=stage_weights, recorded=recorded), values=values)


def layout(data: DashboardData, *, values: bool = False) -> GeneratedSheet:
    out = _Layout()
    money = _money_block(data, 3, 4)
    levels = _levels_block(data, (money.last_row if money else 2) + 2, 4)
    matrix = _matrix_block(data, 3, CHART_COLUMN, out)
    top_blocks = [b for b in (money, levels, matrix) if b]
    # The key figures come first on the sheet, but point at cells of the sections below.
    figures_rows = len(data.key_figures) + len(_derived_figures(data, {}))
    below = max([b.last_row for b in top_blocks] + [4 + figures_rows]) + 1
    meaning = _meaning_block(data, below)
    top = (meaning.last_row if meaning else below) + 3
    refs: dict[str, str] = {}
    if money:  # the Benefit line's Plan cell
        refs["benefit"] = address(money.header_row + 2, money.column + 1)
    sections = []
    row = top
    spans = [(1, top - 1)]  # rows of the top part and of each section, for the page breaks
    for make in (_stage_section, _category_section, _capacity_section, _month_section):
        made = make(data, row, refs)
        if made is None:
            continue
        block, charts = made
        sections.append(block)
        for n, chart in enumerate(charts):
            out.charts.append(replace(chart, anchor=address(block.row + n * CHART_ROWS, CHART_COLUMN)))
        row = max(block.last_row + 1, block.row + CHART_ROWS * max(len(charts), 1)) + 2
        spans.append((block.row, row - 1))
    figures = _figures_block(data, refs)
    out.looks += _figure_looks(data, figures)
    out.blocks = [*([figures] if figures.rows else []), *top_blocks, *([meaning] if meaning else []), *sections]
    if data.notes:
        out.blocks.append(Block(row, 1, "Not shown", ("Why",), tuple((n,) for n in data.notes)))
    if data.ledger:  # row 2 is free: the warning sits right under the title
        out.blocks += [Block(2, 1, "", (data.ledger.line(),), ()),
                       Block(LEDGER_ROW, LEDGER_COLUMN, "Counted at their ledger stage and state", LEDGER_HEADER,
                             tuple(data.ledger.rows), (None, None, None, money_format(data.currency)))]
    sheet = GeneratedSheet(
        DASHBOARD_SHEET, (f"Portfolio dashboard as of {data.as_of.isoformat()}",), (), WIDTHS,
        charts=tuple(out.charts), blocks=tuple(out.blocks), conditional=tuple(out.conditional), freeze=None,
        looks=tuple(out.looks), print_titles=(1, 1), page_breaks=page_breaks(spans))
    return frozen(sheet) if values else sheet


# Rows one landscape page holds at the Dashboard's fit-to-width scale: its columns and charts span
# about 1,200 points, scaled to A4's 734 printable points across (Letter holds a few rows more).
PAGE_ROWS = 46


def page_breaks(spans: list[tuple[int, int]]) -> tuple[int, ...]:
    """Rows that start a printed page, so that no section (a table with its chart) is cut in two:
    a section that would run past the page it starts on begins the next one."""
    breaks, page = [], 1
    for first, last in spans:
        if first > page and last - page + 1 > PAGE_ROWS:
            breaks.append(first)
            page = first
    return tuple(breaks)


def frozen(sheet: GeneratedSheet) -> GeneratedSheet:
    """The sheet with every formula replaced by its engine result."""
    blocks = tuple(replace(b, rows=tuple(tuple(value_of(c) for c in r) for r in b.rows)) for b in sheet.blocks)
    rows = tuple(tuple(value_of(c) for c in r) for r in sheet.rows)
    return replace(sheet, blocks=blocks, rows=rows)


def _derived_figures(data: DashboardData, refs: dict[str, str]) -> list[tuple[str, Cell]]:
    """Key figures that are cells of the sections below: the estimated and the stage-weighted value."""
    out = []
    if data.stages:
        label = f"Estimated value per year ({data.value_level} level)" if data.value_level else "Estimated value per year"
        out.append((label, _pointer(refs.get("value"), data.total_value)))
    if data.weighted:
        out.append(("Stage-weighted value per year", _pointer(refs.get("weighted"), data.weighted_value)))
    if data.stages and (PLAN, data.flows[1]) in data.money:  # beside the estimate, the money booked for it
        out.append((PLANNED_BENEFIT, _pointer(refs.get("benefit"), number(data.money[(PLAN, data.flows[1])]))))
    return out


PLAN = MEASURES[0]
PLANNED_BENEFIT = "Planned benefit, all months (Financials)"
# Estimated value and planned benefit differ in what they are, and a steering committee sees both
# side by side: say which is which in words, right under the figures.
MEANING = (
    "Estimated value: what the items' owners estimate they are worth (Items, Estimated value column); "
    "an estimate to rank requests by, not booked money.",
    "Planned benefit: the benefit booked in Financials under Plan, all months together; the Cost and benefit "
    "table sets it against the planned cost.",
)


def _meaning_block(data: DashboardData, row: int) -> Block | None:
    """Two plain lines under the key figures (an untitled block without a header: text, no table)."""
    if not data.stages or (PLAN, data.flows[1]) not in data.money:
        return None
    return Block(row, 1, "", (), tuple((line,) for line in MEANING))


def _pointer(ref: str | None, value: Any) -> Cell:
    return Formula(f"={ref}", value) if ref else value


def _figures_block(data: DashboardData, refs: dict[str, str]) -> Block:
    rows = [(label, cell) for label, cell in [*data.key_figures, *_derived_figures(data, refs)]]
    return Block(3, 1, "Key figures", ("Figure", "Value"), tuple(rows), (None, NUMBER))


def _figure_looks(data: DashboardData, figures: Block) -> list[Look]:
    """The key figures are counts, but for the values below them: those are money."""
    first = figures.header_row + 1 + len(data.key_figures)
    if not figures.rows or first > figures.last_row:
        return []
    return [Look(f"{address(first, 2)}:{address(figures.last_row, 2)}", number_format=money_format(data.currency))]


def _money_block(data: DashboardData, row: int, col: int) -> Block | None:
    if not data.money:
        return None
    header_row = row + 1
    cost, benefit = data.flows
    lines = []
    for flow in (cost, benefit):
        lines.append((flow, *(data.money.get((m, flow)) for m in MEASURES)))
    net = []
    for i, m in enumerate(MEASURES):
        if (m, cost) in data.money:
            col_letter = letter(col + 1 + i)
            net.append(Formula(f"={col_letter}{header_row + 2}-{col_letter}{header_row + 1}", data.net(m)))
        else:
            net.append(None)
    lines.append(("Net value", *net))
    header = ("All months", *(data.measures[m] for m in MEASURES))
    money = money_format(data.currency)
    return Block(row, col, "Cost and benefit", header, tuple(lines), (None, money, money, money))


def _levels_block(data: DashboardData, row: int, col: int) -> Block | None:
    if not data.levels:
        return None
    first, last = row + 2, row + 1 + len(data.levels)
    total = Formula(f"=SUM({address(first, col + 1)}:{address(last, col + 1)})", sum(number(c) for _, c in data.levels))
    return Block(row, col, "Items by level", ("Level", "Items"), (*data.levels, ("Total", total)), (None, COUNT))


def _matrix_block(data: DashboardData, row: int, col: int, out: _Layout) -> Block | None:
    if not data.matrix:
        return None
    statuses = data.statuses
    header_row, n = row + 1, len(statuses)
    lines = []
    for r, i in enumerate(statuses):
        cells = [data.matrix[(i, p)] for p in statuses]
        here = header_row + 1 + r
        lines.append((i, *cells, Formula(f"=SUM({address(here, col + 1)}:{address(here, col + n)})",
                                         sum(number(c) for c in cells))))
    totals = []
    for c in range(n + 1):
        col_letter = letter(col + 1 + c)
        column = [number(line[1 + c]) for line in lines]
        totals.append(Formula(f"=SUM({col_letter}{header_row + 1}:{col_letter}{header_row + n})", sum(column)))
    lines.append(("Total", *totals))
    # Each cell in the colour of what it means (the worse status decides), fuller the more items it holds.
    most = max((number(data.matrix[(i, p)]) for i in statuses for p in statuses), default=0.0)
    out.looks += [Look(address(header_row + 1 + r, col + 1 + c), fill=heat_fill(status_meaning(statuses, i, p),
                                                                           number(data.matrix[(i, p)]), most))
                  for r, i in enumerate(statuses) for c, p in enumerate(statuses)]
    labels = f"{address(header_row + 1, col)}:{address(header_row + n, col)}"
    out.conditional += [CellIs(labels, s, fill) for s, fill in zip(statuses, STATUS_FILLS)]
    header = ("Implementation \\ Potential", *statuses, "Total")
    return Block(row, col, "Items by implementation status (rows) and potential status (columns)", header,
                 tuple(lines), (None,) + (COUNT,) * (n + 1))


def _value_title(data: DashboardData, what: str) -> str:
    level = f", {data.value_level} level" if data.value_level else ""
    return f"Estimated value per year by {what}{level}"


def _stage_section(data: DashboardData, row: int, refs: dict[str, str]):
    if not data.stages:
        return None
    header_row = row + 1
    first, last = header_row + 1, header_row + len(data.stages)
    header = ["Stage", "Items", "Estimated value"]
    lines = []
    for n, s in enumerate(data.stages):
        line = [s.stage, s.items, s.value]
        if data.weighted:
            here = first + n
            line += [s.weight, Formula(f"=C{here}*D{here}", s.weighted)]
        lines.append(tuple(line))
    total = ["Total", Formula(f"=SUM(B{first}:B{last})", sum(number(s.items) for s in data.stages)),
             Formula(f"=SUM(C{first}:C{last})", data.total_value)]
    refs["value"] = f"C{last + 1}"
    money = money_format(data.currency)
    formats = [None, COUNT, money]
    series = [Span(3, header_row, last)]
    if data.weighted:
        header += ["Weight", "Weighted value"]
        total += [None, Formula(f"=SUM(E{first}:E{last})", data.weighted_value)]
        refs["weighted"] = f"E{last + 1}"
        formats += [SHARE, money]
        series.append(Span(5, header_row, last))
    lines.append(tuple(total))
    block = Block(row, 1, _value_title(data, "DI stage"), tuple(header), tuple(lines), tuple(formats))
    chart = ChartSpec("column", _value_title(data, "DI stage"), Span(1, header_row, last), tuple(series), "I1",
                      "DI stage", "Value per year", NUMBER)
    return block, [chart]


def _category_section(data: DashboardData, row: int, refs: dict[str, str]):
    if not data.categories:
        return None
    header_row = row + 1
    first, last = header_row + 1, header_row + len(data.categories)
    lines = [*data.categories,
             ("Total", Formula(f"=SUM(B{first}:B{last})", sum(number(c[1]) for c in data.categories)),
              Formula(f"=SUM(C{first}:C{last})", sum(number(c[2]) for c in data.categories)))]
    block = Block(row, 1, _value_title(data, "category"), ("Category", "Items", "Estimated value"), tuple(lines),
                  (None, COUNT, money_format(data.currency)))
    chart = ChartSpec("bar", _value_title(data, "category"), Span(1, header_row, last), (Span(3, header_row, last),),
                      "I1", "Category", "Value per year", NUMBER)
    return block, [chart]


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(day: dt.date) -> str:
    """'Jan 2026', whatever the machine's locale."""
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def _month_label(key: str) -> str:
    return month_label(month_start(key))


def _capacity_section(data: DashboardData, row: int, refs: dict[str, str]):
    if not data.capacity:
        return None
    header_row = row + 1
    first, last = header_row + 1, header_row + len(data.capacity)
    lines = []
    for n, c in enumerate(data.capacity):
        here = first + n
        lines.append((c.function, c.available, c.demand, Formula(f"=B{here}-C{here}", c.gap)))
    lines.append(("Total", Formula(f"=SUM(B{first}:B{last})", sum(number(c.available) for c in data.capacity)),
                  Formula(f"=SUM(C{first}:C{last})", sum(c.demand for c in data.capacity)),
                  Formula(f"=SUM(D{first}:D{last})", sum(c.gap for c in data.capacity))))
    a, b = data.capacity_months
    title = f"Capacity vs demand by function, {_month_label(a)} to {_month_label(b)} (days)"
    block = Block(row, 1, title, ("Function", "Available (days)", "Demand (days)", "Headroom (days)"),
                  tuple(lines), (None, NUMBER, NUMBER, NUMBER))  # days, not money
    chart = ChartSpec("column", title, Span(1, header_row, last), (Span(2, header_row, last), Span(3, header_row, last)),
                      "I1", "Function", "Person-days", NUMBER)
    return block, [chart]


def _month_section(data: DashboardData, row: int, refs: dict[str, str]):
    if not data.months:
        return None
    header_row = row + 1
    last = header_row + len(data.months)
    cost, benefit = data.flows
    pairs = [(m, f) for f in (cost, benefit) for m in MEASURES]
    header = ("Month", *(f"{data.measures[m]} {f.casefold()}" for m, f in pairs))
    # Months as text ("Jan 2026"): a chart's axis and every spreadsheet show them alike.
    lines = tuple((month_label(day), *(cells.get(p) for p in pairs)) for day, cells in data.months)
    block = Block(row, 1, "Cost and benefit by month: plan, forecast and actual", header, lines,
                  (None,) + (money_format(data.currency),) * len(pairs))
    charts = []
    for n, flow in enumerate((cost, benefit)):
        series = tuple(Span(2 + n * 3 + i, header_row, last) for i in range(3))
        charts.append(ChartSpec("line", f"{flow} by month: plan, forecast and actual", Span(1, header_row, last),
                                series, "I1", "Month", flow, NUMBER))
    return block, charts
