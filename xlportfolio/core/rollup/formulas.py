"""Formula text for the rollup sheets: references to source tables as a person would type them.

A source that is an Excel Table is referenced by its structured reference (`Financials[Plan]`,
with the Table's actual name and header), which grows with the table; a plain range by absolute
cell ranges (`'Financials'!$E$2:$E$900`), which cover the rows the sheet held when the command ran.
"""
from __future__ import annotations

from xlportfolio.core.book import SheetTable


def letter(column: int) -> str:
    """Column number (1 = A) to its letters."""
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def sheet_ref(sheet: str) -> str:
    """A sheet name as a formula names it: always quoted, quotes doubled."""
    return "'" + sheet.replace("'", "''") + "'"


def text(value: str) -> str:
    """A text constant in a formula."""
    return '"' + str(value).replace('"', '""') + '"'


def _column_specifier(header: str) -> str:
    """A header inside a structured reference: [ ] # and ' are escaped with '."""
    return "".join("'" + c if c in "[]#'" else c for c in header)


class Source:
    """How formulas reference the columns of one governed table."""

    def __init__(self, table: SheetTable):
        self.table = table
        self._refs: dict[str, str] = {}  # built once per column: formulas on every row repeat them

    def has(self, name: str) -> bool:
        return name in self.table.letters

    def ref(self, name: str) -> str:
        if name not in self._refs:
            self._refs[name] = self._ref(name)
        return self._refs[name]

    def _ref(self, name: str) -> str:
        t = self.table
        if t.table_name:
            return f"{t.table_name}[{_column_specifier(t.header(name))}]"
        first = t.header_row + 1
        last = max(t.last_row or first, first)
        col = t.letters[name]
        return f"{sheet_ref(t.sheet)}!${col}${first}:${col}${last}"


def local(column: int) -> str:
    """A whole column of the sheet the formula sits on ($D:$D)."""
    c = letter(column)
    return f"${c}:${c}"


def span(sheet: str | None, column: int, first: int, last: int) -> str:
    """An absolute range of one column, on another sheet when `sheet` is given."""
    c = letter(column)
    where = f"{sheet_ref(sheet)}!" if sheet else ""
    return f"{where}${c}${first}:${c}${max(last, first)}"
