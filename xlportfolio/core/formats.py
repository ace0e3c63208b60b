"""How generated sheets show numbers and colours: one place, so every sheet speaks alike.

A controller reads money in the workbook's currency, negatives in red parentheses and zero as
a dash (the accounting convention); counts, days and shares stay plain numbers. The status heat
map is coloured by what a cell means (green good, amber, red bad), its shade by how many items
it holds. Column widths follow the headers and values a sheet holds, so no header is cut off.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from xlportfolio.core.book import column_letter
from xlportfolio.core.plan import ERROR_FILL, WARNING_FILL, Block, Formula, GeneratedSheet, Link, Look

DEFAULT_CURRENCY = "EUR"
COUNT, SHARE = "0", "0%"
NUMBER = "#,##0"  # days, counts summed up: thousands grouped, no currency

# Where a currency's sign stands. A code not listed (a PMO may add one to the Currency list)
# is written after the amount, as its ISO code.
_SIGNS = {"EUR": ("", " €"), "USD": ("$", ""), "GBP": ("£", ""), "CHF": ("CHF ", ""), "JPY": ("¥", "")}


def money_format(currency: str = DEFAULT_CURRENCY) -> str:
    """The number format of every money cell: `#,##0 "€"_);[Red](#,##0 "€");"–"_)` for EUR.

    Positive amounts leave room for the parenthesis (`_)`), so a column of both lines up. An
    empty `currency` gives the same without a sign, for a table whose rows name their currency.
    """
    code = currency.strip().upper()
    before, after = _SIGNS.get(code, ("", f" {code}")) if code else ("", "")
    amount = _literal(before) + "#,##0" + _literal(after)
    return f'{amount}_);[Red]({amount});"–"_)'


def _literal(text: str) -> str:
    return f'"{text}"' if text else ""


# --- fills ---------------------------------------------------------------------------------------------

# The marks' fills (ERROR_FILL, WARNING_FILL) are the plan's; the input cells' pale yellow and the
# computed cells' grey are the template's.
INPUT_FILL = "FFF2CC"
COMPUTED_FILL = "EDEDED"

# What each fill means, as the legend on the Findings sheet and the Instructions say it.
LEGEND = (
    (ERROR_FILL, "Error: fix the value (the cell's note says how)"),
    (WARNING_FILL, "Warning: check the value"),
    (INPUT_FILL, "Input: type here"),
    (COMPUTED_FILL, "Computed by a command: do not type"),
)
LEGEND_TITLE = "What the fills mean:"


def legend(row: int, column: int) -> tuple[Block, tuple[Look, ...]]:
    """The legend as one header row from (row, column): its title, then each meaning in its own fill.

    A header row, not a column of cells, so a filter on the sheet's table never hides it.
    """
    block = Block(row, column, "", (LEGEND_TITLE, *(text for _, text in LEGEND)), ())
    looks = tuple(Look(f"{column_letter(column + n)}{row}", fill=rgb, font_color="000000")
                  for n, (rgb, _) in enumerate(LEGEND, start=1))
    return block, looks

# The heat map's hues, from a pale tint (no items) to the full colour (the most items).
HEAT_GOOD, HEAT_MIXED, HEAT_BAD = "63BE7B", "FFC000", "F8696B"
_PALEST = 0.15  # share of the hue an empty cell still shows, so its meaning stays visible


def status_meaning(statuses: Sequence[str], implementation: str, potential: str) -> str:
    """The hue of a status pair: the worse of the two decides (first in the list is best)."""
    worst = max(statuses.index(implementation), statuses.index(potential))
    return HEAT_GOOD if worst == 0 else HEAT_BAD if worst == len(statuses) - 1 else HEAT_MIXED


def heat_fill(hue: str, count: float, most: float) -> str:
    """The hue shaded by `count` against the largest count of the map: more items, fuller colour."""
    share = _PALEST + (1 - _PALEST) * (max(count, 0) / most if most > 0 else 0)
    channels = (int(hue[i:i + 2], 16) for i in (0, 2, 4))
    return "".join(f"{round(255 - (255 - c) * share):02X}" for c in channels)


# --- column widths ---------------------------------------------------------------------------------------

MAX_FIT = 60  # a long text wraps or runs on; it does not widen its column past this
_PADDING = 2  # Excel's width counts characters of the default font; bold headers and the filter button need more
_SAMPLE = 1000  # rows looked at per table: the top rows hold the largest totals, and 100,000 rows would be slow


def fit_widths(spec: GeneratedSheet) -> tuple[float, ...]:
    """Column widths that fit every header and the values under them, never narrower than the
    sheet asks for. Titles (a block's first line, a note in row 1) run on across empty cells and
    do not count."""
    widths = list(spec.widths)
    tables = [(1, spec.header, spec.rows, spec.formats)]
    tables += [(b.column, b.header, b.rows, b.formats) for b in spec.blocks]
    for first, header, rows, formats in tables:
        # A header longer than any column should be is a sentence (the Dashboard's ledger line): it runs on.
        wanted = [len(str(h)) if h is not None and len(str(h)) <= MAX_FIT else 0 for h in header]
        for row in _sample(rows):
            for c, value in enumerate(row):
                if c >= len(wanted):
                    wanted.append(0)
                fmt = formats[c] if c < len(formats) else None
                wanted[c] = max(wanted[c], shown_length(value, fmt))
        for c, length in enumerate(wanted):
            if not length:
                continue
            col = first - 1 + c
            if col >= len(widths):
                widths += [0.0] * (col + 1 - len(widths))
            widths[col] = max(widths[col], min(length + _PADDING, MAX_FIT))
    return tuple(w or 9.0 for w in widths)  # a gap keeps Excel's default width


def _sample(rows: Sequence[Sequence[Any]]) -> Iterable[Sequence[Any]]:
    if len(rows) <= _SAMPLE + 50:
        return rows
    return [*rows[:_SAMPLE], *rows[-50:]]  # the top of a table and its totals


def shown_length(value: Any, fmt: str | None) -> int:
    """About how many characters a cell shows with its number format (0 for a blank)."""
    if isinstance(value, Formula):
        value = value.value
    if value is None or value == "":
        return 0
    if isinstance(value, Link):
        return len(value.text)
    if isinstance(value, bool):
        return 5
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            return 0
        if fmt and "%" in fmt:
            return len(f"{value:.0%}")
        text = f"{abs(value):,.0f}" if fmt and "#,##0" in fmt else f"{value:g}"
        extra = _format_extra(fmt) if fmt else 0
        return len(text) + extra + (1 if value < 0 and not extra else 0)
    return max((len(line) for line in str(value).splitlines()), default=0)


def _format_extra(fmt: str) -> int:
    """Characters a money format adds around the digits: its sign and the parentheses' room."""
    first = fmt.split(";", 1)[0]
    literal = "".join(first.split('"')[1::2])
    return len(literal) + (2 if "_)" in first or "(" in fmt else 0)
