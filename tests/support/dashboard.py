"""The Dashboard's sample workbook and the helpers its tests share: read a generated sheet's blocks
back as a grid, find a figure by its label, and evaluate the sheet's own formulas."""
import datetime as dt
import re

from tests.support.inline import book, table
from xlportfolio.core.plan import Formula
from xlportfolio.core.rollup.dashboard.formulas import value_of
from xlportfolio.core.rollup.dashboard.layout import CHART_ROWS
from xlportfolio.schema import CAPACITY, FINANCIALS, ITEMS

AS_OF = dt.date(2026, 3, 15)

ITEMS_TEXT = """
| Item ID | Parent ID | Level   | Name | Stage          | State   | Category   | Function | Estimated value | Implementation status | Potential status | Effort (days) | Start date | Due date   |
| P-1     |           | Project | One  | DI4 Decided    | Active  | Cost       | IT       | 900             | Green                 | Green            |               |            |            |
| M-1     | P-1       | Measure | A    | DI1 Defined    | Active  | Cost       | IT       | 100             | Green                 | Red              | 30            | 2026-03-01 | 2026-05-31 |
| M-2     | P-1       | Measure | B    | DI3 Detailed   | On hold | Strategy   | Sales    | 200             | Red                   | Red              | 12            |            | 2026-04-30 |
| M-3     | P-1       | Measure | C    | DI3 Detailed   | Active  | strategy   | IT       | 'lots'          | amber                 | Green            | 6             |            |            |
| M-4     | P-1       | Measure | D    | DI5 Implemented| Active  | Compliance | Sales    | #REF!           | Red                   | Amber            |               |            |            |
| M-5     | P-1       | Measure | E    | DI5 Implemented| Active  | Compliance | IT       | 50              | Red                   | Amber            |               |            |            |
"""

FINANCIALS_TEXT = """
| Item ID | Period     | Flow      | Recurrence | Plan   | Forecast | Actual |
| M-1     | 2026-01-01 | Cost      | One-time   | 1000   | 1100     | 900    |
| M-1     | 2026-02-01 | Cost      | One-time   | 1000   | 'tbd'    | 950    |
| M-1     | 2026-02-01 | cost      | One-time   | 10     | 10       | 10     |
| M-1     | 2026-03-01 | Cost      | One-time   | 500    | 600      |        |
| M-1     | 2026-04-01 | Benefit   | Recurring  | 300    | 250      |        |
| M-2     | 2026-04-01 | Benefit   | Recurring  | #N/A   | 50       |        |
| M-2     | 2026-05-01 | 'Benefit '| Recurring  | 7777   | 7777     |        |
| M-2     | 2026-05-01 | Benefit   | Recurring  | 200    | 210      |        |
"""

CAPACITY_TEXT = """
| Function | Period     | Available (days) |
| IT       | 2026-03-01 | 20               |
| IT       | 2026-04-01 | 20               |
| Sales    | 2026-03-01 | 5                |
| Sales    | 2027-06-01 | 99               |
"""




def sample(capacity=CAPACITY_TEXT):
    return book(table(ITEMS, ITEMS_TEXT), table(FINANCIALS, FINANCIALS_TEXT), table(CAPACITY, capacity))


def cells(sheet):
    """(row, column) -> value for every block cell, headers and titles included."""
    out = {}
    for b in sheet.blocks:
        if b.title:
            out[(b.row, b.column)] = b.title
        for c, text in enumerate(b.header):
            out[(b.header_row, b.column + c)] = text
        for r, values in enumerate(b.rows, start=b.header_row + 1):
            for c, value in enumerate(values):
                out[(r, b.column + c)] = value
    return out


def find(sheet, label, column_offset=1):
    """The cell right of the first cell holding `label`."""
    grid = cells(sheet)
    for (r, c), v in grid.items():
        if v == label:
            return grid.get((r, c + column_offset))
    raise AssertionError(f"no cell holds {label!r}")


def block(sheet, start):
    return next(b for b in sheet.blocks if b.title.startswith(start))


def column_number(letters):
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def evaluate(sheet):
    """Evaluate the sheet's own formulas (cell references, +, -, *, SUM) from the engine's source values."""
    grid = cells(sheet)

    def value(r, c):
        v = grid.get((r, c))
        if isinstance(v, Formula) and not re.search(r"IFS\(|COUNTA\(", v.text):
            return calc(v.text[1:])
        return value_of(v) or 0

    def calc(expr):
        expr = re.sub(r"SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)", lambda m: repr(sum(
            value(r, c) for r in range(int(m[2]), int(m[4]) + 1) for c in range(column_number(m[1]), column_number(m[3]) + 1))), expr)
        expr = re.sub(r"\b([A-Z]+)(\d+)\b", lambda m: repr(value(int(m[2]), column_number(m[1]))), expr)
        return eval(expr)  # only numbers and + - * remain

    return {(r, c): calc(v.text[1:]) for (r, c), v in grid.items()
            if isinstance(v, Formula) and not re.search(r"IFS\(|COUNTA\(", v.text)}


def rectangles(sheet):
    out = [("block " + b.title, b.row, b.column, b.last_row, b.column + len(b.header) - 1) for b in sheet.blocks]
    for chart in sheet.charts:
        m = re.fullmatch(r"([A-Z]+)(\d+)", chart.anchor)
        row, col = int(m[2]), column_number(m[1])
        out.append(("chart " + chart.title, row, col, row + CHART_ROWS - 1, col + 7))
    return out


def recorded(source, stages=(), states=()):
    """The Items frame as the ledger recorded it: {Item ID: stage} and {Item ID: state} differ from the cells."""
    frame = source.tables[ITEMS.name].frame.copy()
    for column, changes in (("stage", dict(stages)), ("state", dict(states))):
        for item, value in changes.items():
            frame.loc[frame["item_id"] == item, column] = value
    return frame
