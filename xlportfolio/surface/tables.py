"""The governed tables of user sheets the plan writes into: which column a header is in (added at
the right when missing), and the rows a table grows to, looking like rows a person typed.
"""
from __future__ import annotations

from typing import Any

from xlportfolio.core.book import split_cell
from xlportfolio.core.plan import ColumnWrite, RowWrite
from xlportfolio.core.values import is_blank
from xlportfolio.schema import TABLES_BY_NAME
from xlportfolio.surface.read import header_of
from xlportfolio.surface.session import Session


class TableTarget:
    """Where a governed table sits: an Excel Table, or a plain range under headers in row 1."""

    def __init__(self, session: Session, name: str, sheet: str):
        self.session = session
        self.surface = session.surface
        self.schema = TABLES_BY_NAME.get(name)
        self.table = session.tables.get(name.casefold())
        if self.table is not None:
            self.sheet = self.table.sheet
            self.header_row, self.first_col = self.table.first_row, self.table.first_col
            self.last_row, self.last_col = self.table.last_row, self.table.last_col
            header = header_of(self.surface, self.sheet, self.header_row, self.first_col, self.last_col)
        else:
            found = session.sheet(sheet)
            if found is None:
                raise ValueError(f"the plan writes to sheet '{sheet}', which the workbook does not have")
            self.sheet = found
            last_row, last_col = self.surface.extent(found)
            header = header_of(self.surface, found, 1, 1, max(last_col, 1))
            self.header_row, self.first_col = 1, 1
            self.last_col = max((c for c, v in enumerate(header, start=1) if not is_blank(v)), default=1)
            header = header[:self.last_col]
            body = [r for r, _ in self.surface.rows(found, 2, 1, max(last_row, 1), self.last_col)]
            self.last_row = body[-1] if body else 1
        self.headers = {c: "" if is_blank(v) else str(v).strip() for c, v in enumerate(header, start=self.first_col)}
        self.columns: dict[str, int] = {}

    def column(self, header: str) -> int:
        """The column whose header is `header` (case-insensitive), added at the right if missing."""
        for col, text in self.headers.items():
            if text.casefold() == header.casefold():
                return col
        self.last_col += 1
        self.surface.write(self.sheet, self.header_row, self.last_col, [[header]])
        self.headers[self.last_col] = header
        self._resize([header])
        return self.last_col

    def column_of(self, name: str) -> int:
        """The column a schema column name stands for, matched by label or name."""
        if name not in self.columns:
            col = None
            for c, text in self.headers.items():
                match = self.schema.match_header(text) if self.schema else None
                if match is not None and match.name == name:
                    col = c
                    break
            self.columns[name] = col or self.column(self.schema.column(name).label if self.schema else name)
        return self.columns[name]

    def reach(self, row: int) -> None:
        """Grow the table down to `row`; new rows look like the rows a person typed.

        A tool mark on the row they copy is not carried: the register says what fill it replaced.
        """
        if row <= self.last_row:
            return
        if self.last_row > self.header_row:
            marked = {split_cell(coord): fill for (where, coord), fill in self.session.marked.items()
                      if where == self.sheet}
            self.surface.copy_formats(self.sheet, self.header_row + 1, self.first_col, self.last_col,
                                      self.last_row + 1, row, marked)
        self.last_row = row
        self._resize([])

    def _resize(self, new_headers: list[str]) -> None:
        if self.table is not None:
            self.table = self.surface.resize_table(self.table, self.last_row, self.last_col, new_headers)
            self.session.tables[self.table.name.casefold()] = self.table


def table_target(session: Session, table: str, sheet: str) -> TableTarget:
    """The plan's one TableTarget per table, so what one write grew the next one sees."""
    if table not in session.targets:
        session.targets[table] = TableTarget(session, table, sheet)
    return session.targets[table]


def write_column(session: Session, write: ColumnWrite) -> None:
    target = table_target(session, write.table, write.sheet)
    col = target.column(write.header)
    if write.clear_other_rows:  # the whole column block, blanks included, in one write
        first, last = target.header_row + 1, target.last_row
        blocks = [(first, [write.values.get(r) for r in range(first, last + 1)])] if last >= first else []
    else:
        blocks = runs(write.values)
    for first, values in blocks:
        session.surface.write(target.sheet, first, col, [[v] for v in values], write.number_format)


def write_rows(session: Session, write: RowWrite) -> None:
    if not write.rows:
        return
    target = table_target(session, write.table, write.sheet)
    target.reach(max(write.rows))
    by_column: dict[int, dict[int, Any]] = {}
    for row, values in write.rows.items():
        for name, value in values.items():
            by_column.setdefault(target.column_of(name), {})[row] = value
    for col, cells in by_column.items():
        for first, values in runs(cells):
            session.surface.write(target.sheet, first, col, [[v] for v in values])


def runs(cells: dict[int, Any]) -> list[tuple[int, list[Any]]]:
    """Consecutive rows as (first row, values), so each run is one call."""
    out: list[tuple[int, list[Any]]] = []
    for row in sorted(cells):
        if out and out[-1][0] + len(out[-1][1]) == row:
            out[-1][1].append(cells[row])
        else:
            out.append((row, [cells[row]]))
    return out
