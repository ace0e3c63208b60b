"""The Dashboard's formulas: COUNTIFS and SUMIFS over the governed tables, and the number each gives.

Every number that a plain COUNTIFS or SUMIFS over a source table gives is a live formula with
structured references (`Financials[Plan]`), so a controller can trace it; the engine's own result
rides along and equals what Excel computes: criteria match text exactly but for case, as Excel's
do, and text or error cells in an amount column are never counted (where a matched row holds an
error, the formula gets a criterion that leaves it out, or SUMIFS would return the error).

Items typed over (Stage or State differing from the ledger) are counted at the ledger's: the
LedgerBlock lists them on the Dashboard and each figure by stage or state adds its correction.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlportfolio.core.book import SheetTable
from xlportfolio.core.gates.statuses import by_value
from xlportfolio.core.plan import Formula
from xlportfolio.core.prioritise.capacity import month_key
from xlportfolio.core.rollup.formulas import letter
from xlportfolio.core.values import CellError, Uncalculated, date_in_text, is_number, number_in_text

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 0 of the 1900 date system, as a number in a date column reads
GUARD = '"<1E+307"'  # a criterion that numbers meet and text or error cells never do

Cell = Any  # a Formula, a number, text or None


def value_of(cell: Cell) -> Any:
    """The number a cell shows: a formula's engine result, or the plain value."""
    return cell.value if isinstance(cell, Formula) else cell


def number(cell: Cell) -> float:
    """A cell's value as a float for arithmetic; blanks and anything not a number count 0."""
    value = value_of(cell)
    return float(value) if is_number(value) else 0.0


# --- criteria, as Excel's COUNTIFS and SUMIFS read them ---------------------------------------------------

@dataclass(frozen=True)
class Equals:
    """Column equals `label` (text; case ignored, as Excel's criteria do)."""

    column: str
    label: str


@dataclass(frozen=True)
class InMonths:
    """A date column falls in the months first..last ("YYYY-MM", both included)."""

    column: str
    first: str
    last: str


Criterion = Equals | InMonths


def address(row: int, col: int) -> str:
    """A cell's A1 address: address(3, 17) is Q3."""
    return f"{letter(col)}{row}"


def _column_spec(header: str) -> str:
    """A column specifier of a structured reference: [Plan], [Estimated value], [[Probability (1-5)]]."""
    escaped = re.sub(r"(['\[\]#])", r"'\1", header)
    special = re.search(r"[\t\n\r,:.\[\]#'\"{}$^&*+=\-<>/]", header) or header != header.strip()
    return f"[[{escaped}]]" if special else f"[{escaped}]"


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _criterion_text(label: str) -> str | None:
    """The criterion string that matches exactly `label`, or None where Excel would read it otherwise.

    Wildcards are escaped with ~ and a leading comparison sign is taken literally by an explicit
    "="; a label that reads as a number, a date or a logical would also match such cells.
    """
    if not label or number_in_text(label) or date_in_text(label) or label.strip().upper() in ("TRUE", "FALSE"):
        return None
    escaped = re.sub(r"([~*?])", r"~\1", label)
    return _quoted("=" + escaped if escaped[0] in "=<>" else escaped)


def _next_month(key: str) -> tuple[int, int]:
    y, m = int(key[:4]), int(key[5:7])
    return (y + 1, 1) if m == 12 else (y, m + 1)


def _month_of(value: Any) -> str | None:
    """The month a date cell falls in; a number counts as the date serial Excel's criteria compare."""
    if isinstance(value, dt.datetime):
        return month_key(value.date())
    if isinstance(value, dt.date):
        return month_key(value)
    if is_number(value) and 0 <= value < 2958466:
        return month_key(EXCEL_EPOCH + dt.timedelta(days=math.floor(value)))
    return None


class Source:
    """One governed table as COUNTIFS and SUMIFS see it: column references, and its cells read as they do."""

    def __init__(self, table: SheetTable, ledger: LedgerBlock | None = None):
        self.table = table
        self.ledger = ledger  # items counted at their ledger stage or state, whose cells say otherwise
        self._keys: dict[str, pd.Series] = {}
        self._masks: dict[tuple[Criterion, ...], np.ndarray] = {}

    def has(self, name: str) -> bool:
        return name in self.table.frame.columns and name in self.table.letters

    def ref(self, name: str) -> str:
        """`Financials[Plan]` for an Excel Table; `'Financials'!$E$2:$E$99` for a plain range."""
        t = self.table
        if t.table_name:
            return f"{t.table_name}{_column_spec(t.header(name))}"
        letter = t.letters[name]
        last = t.last_row or (int(t.frame.index.max()) if len(t.frame) else t.header_row + 1)
        sheet = "'" + t.sheet.replace("'", "''") + "'"
        return f"{sheet}!${letter}${t.header_row + 1}:${letter}${max(last, t.header_row + 1)}"

    def key(self, name: str) -> pd.Series:
        """Cells as criteria compare them: text case-folded, dates as their month, anything else None."""
        if name not in self._keys:
            cells = self.table.frame[name]
            if self.table.schema.column(name).type.is_date:
                self._keys[name] = by_value(cells, _month_of)
            else:
                self._keys[name] = by_value(cells, lambda v: v.casefold() if isinstance(v, str) else None)
        return self._keys[name]

    def mask(self, where: Iterable[Criterion]) -> np.ndarray:
        where = tuple(where)
        if where not in self._masks:  # the figures ask for the same rows again and again
            self._masks[where] = self._mask(where)
        return self._masks[where]

    def _mask(self, where: tuple[Criterion, ...]) -> np.ndarray:
        mask = np.ones(len(self.table.frame), dtype=bool)
        for c in where:
            keys = self.key(c.column)
            if isinstance(c, Equals):
                mask &= (keys == c.label.casefold()).to_numpy(dtype=bool)
            else:
                months = keys.fillna("")
                mask &= ((months >= c.first) & (months <= c.last) & (months != "")).to_numpy(dtype=bool)
        return mask

    def tally(self, by: tuple[str, ...], where: Iterable[Criterion] = (), amount: str | None = None
              ) -> dict[tuple, tuple[float, bool, int]]:
        """Per combination of the `by` columns' keys: the count (or the sum of `amount`'s numbers),
        whether a matched row holds an error or unknown value in `amount`, and how many numbers it has."""
        mask = self.mask(where)
        frame = pd.DataFrame({f"k{i}": self.key(name)[mask].to_numpy() for i, name in enumerate(by)})
        if amount is None:
            frame["v"], frame["e"] = 1.0, False
        else:
            frame["v"], frame["e"] = _amounts(self.table.frame[amount][mask])
        keys = [f"k{i}" for i in range(len(by))]
        frame = frame.dropna(subset=keys)
        if frame.empty:
            return {}
        grouped = frame.groupby(keys, sort=False)
        sums, errors, numbers = grouped["v"].sum(min_count=0), grouped["e"].any(), grouped["v"].count()
        return {(k if isinstance(k, tuple) else (k,)): (float(sums[k]), bool(errors[k]), int(numbers[k]))
                for k in sums.index}

    def criteria(self, where: Iterable[Criterion]) -> list[str] | None:
        """The criteria arguments of a COUNTIFS/SUMIFS, or None where no exact formula exists."""
        parts = []
        for c in where:
            ref = self.ref(c.column)
            if isinstance(c, Equals):
                text = _criterion_text(c.label)
                if text is None:
                    return None
                parts += [ref, text]
            else:
                (y1, m1), (y2, m2) = (int(c.first[:4]), int(c.first[5:7])), _next_month(c.last)
                parts += [ref, f'">="&DATE({y1},{m1},1)', ref, f'"<"&DATE({y2},{m2},1)']
        return parts

    def count(self, where: list[Criterion], stats: tuple | None) -> Cell:
        value = int(stats[0]) if stats else 0
        parts = self.criteria(where)
        if parts is None:
            return value
        moved = self.ledger.correction(where, None) if self.ledger else ""
        return Formula(f"=COUNTIFS({','.join(parts)}){moved}", value)

    def total(self, amount: str, where: list[Criterion], stats: tuple | None) -> Cell:
        value, error = stats[:2] if stats else (0.0, False)
        parts = self.criteria(where)
        if parts is None:
            return value
        moved = self.ledger.correction(where, amount) if self.ledger else ""
        # SUMIFS returns the error of any matched row; a criterion on the amounts leaves them out. The
        # cells' own stage may match a row holding an error that the ledger's stage does not: guard then too.
        if error or moved:
            parts += [self.ref(amount), GUARD]
        return Formula(f"=SUMIFS({','.join([self.ref(amount), *parts])}){moved}", value)


LEDGER_ROW, LEDGER_COLUMN = 3, 17  # the block of items counted at their ledger stage: Q3, right of the charts
CORRECTED = ("stage", "state")  # the Items columns the ledger records
LEDGER_HEADER = ("Item ID", "Name", "Level", "Estimated value", "Stage on Items", "Ledger stage",
                 "State on Items", "Ledger state")


@dataclass
class LedgerBlock:
    """Items whose Stage or State cell differs from the ledger, which the figures count at the ledger's.

    A figure filtering on stage (or state) stays a COUNTIFS/SUMIFS over Items, less these items as
    their cells stand, plus them as the ledger has them: `-COUNTIFS(<cells' stage>,"DI5 ...")
    +COUNTIFS(<ledger's stage>,"DI5 ...")` over this block, which the Dashboard writes at Q3.
    """

    rows: list[tuple[Any, ...]]  # one per Items row, in LEDGER_HEADER order

    @staticmethod
    def of(cells: pd.DataFrame, recorded: pd.DataFrame) -> LedgerBlock | None:
        differs = np.zeros(len(cells), dtype=bool)
        for name in CORRECTED:
            if name in cells and name in recorded:
                differs |= (_text_key(cells[name]) != _text_key(recorded[name])).to_numpy(dtype=bool)
        if not differs.any():
            return None
        rows = []
        for row in cells.index[differs]:
            cell, ledger = (lambda name, f=frame, r=row: f.at[r, name] if name in f else None
                            for frame in (cells, recorded))
            # As the criteria read them: text matches text, a number adds up; anything else neither.
            value = cell("estimated_value")
            rows.append((_plain(cell("item_id")), _plain(cell("name")), _text_or_none(cell("level")),
                         float(value) if is_number(value) else None,
                         _text_or_none(cell("stage")), _text_or_none(ledger("stage")),
                         _text_or_none(cell("state")), _text_or_none(ledger("state"))))
        return LedgerBlock(rows)

    def ref(self, header: str) -> str:
        """An absolute range of one column of the block on the Dashboard, e.g. $V$5:$V$6."""
        col = LEDGER_COLUMN + LEDGER_HEADER.index(header)
        first = LEDGER_ROW + 2
        return f"${letter(col)}${first}:${letter(col)}${first + len(self.rows) - 1}"

    def correction(self, where: list[Criterion], amount: str | None) -> str:
        """What turns a figure over the Items cells into one over the ledger's stage and state ("" if none)."""
        moved = [c for c in where if isinstance(c, Equals) and c.column in CORRECTED]
        if not moved or any(not isinstance(c, Equals) or c.column not in ("level", *CORRECTED) for c in where):
            return ""
        out = ""
        for sign, whose in (("-", "on Items"), ("+", "ledger")):
            parts = []
            for c in where:
                header = "Level" if c.column == "level" else (
                    f"{c.column.capitalize()} on Items" if whose == "on Items" else f"Ledger {c.column}")
                parts += [self.ref(header), _criterion_text(c.label)]
            if amount is None:
                out += f"{sign}COUNTIFS({','.join(parts)})"
            else:
                out += f"{sign}SUMIFS({','.join([self.ref('Estimated value'), *parts])})"
        return out

    def line(self) -> str:
        """One line for the top of the Dashboard, naming each item and both values."""
        said = []
        for item, name, _, _, stage, ledger_stage, state, ledger_state in self.rows:
            what = [f"{label} {_shown(cell)}, ledger {_shown(ledger)}"
                    for label, cell, ledger in (("Stage", stage, ledger_stage), ("State", state, ledger_state))
                    if _key(cell) != _key(ledger)]
            said.append(f"{item} {name}".strip() + f" (Items says {'; '.join(what)})")
        n = len(self.rows)
        return (f"{n} item{'s' if n != 1 else ''} counted at {'their' if n != 1 else 'its'} ledger stage and state, "
                f"not as typed on Items: {'; '.join(said)}. The figures by stage and state count "
                f"{'them' if n != 1 else 'it'} as the block at {address(LEDGER_ROW, LEDGER_COLUMN)} lists.")


def _key(value: Any) -> str | None:
    """A cell as a text criterion matches it: text, case-folded; anything else (or blank) matches none."""
    return value.casefold() if isinstance(value, str) and value else None


def _text_key(cells: pd.Series) -> pd.Series:
    return by_value(cells, _key).fillna("")


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _plain(value: Any) -> Any:
    """An Item ID or name copied into the block: blanks stay empty, anything but text or a number shows as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value if isinstance(value, (str, int, float)) else str(value)


def _shown(value: str | None) -> str:
    return value if value else "blank"


def _amounts(cells: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's number (NaN for anything else), and whether it holds an error or unknown value.

    Both are read once per distinct value (as `by_value` reads), from one factorization of the column.
    """
    codes, uniques = pd.factorize(cells)
    values = [*uniques, None]  # code -1, a blank, reads as None
    numbers = np.array([float(v) if is_number(v) else np.nan for v in values], dtype=float)
    errors = np.array([isinstance(v, (CellError, Uncalculated)) for v in values], dtype=bool)
    return numbers[codes], errors[codes]
