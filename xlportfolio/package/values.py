"""The current values of one sheet during a command chain: as read, then as the plan wrote them."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class SheetValues:
    """Values by position: a dense grid (row 1 first) from calamine, or a sparse map of the cells
    present; both answer the same questions, so a hostile sheet costs only its cells."""

    def __init__(self, grid: list[list[Any]] | None, cells: dict[int, dict[int, Any]] | None):
        self.grid = grid
        self.cells = cells

    @classmethod
    def dense(cls, grid: list[list[Any]]) -> SheetValues:
        return cls(grid, None)

    @classmethod
    def sparse(cls, cells: dict[tuple[int, int], Any]) -> SheetValues:
        rows: dict[int, dict[int, Any]] = {}
        for (r, c), v in cells.items():
            rows.setdefault(r, {})[c] = v
        return cls(None, rows)

    def get(self, r: int, c: int) -> Any:
        if self.grid is not None:
            if r <= len(self.grid):
                row = self.grid[r - 1]
                return row[c - 1] if c <= len(row) else None
            return None
        return self.cells.get(r, {}).get(c)

    def set(self, r: int, c: int, value: Any) -> None:
        if self.grid is None:
            if value is None:
                self.cells.get(r, {}).pop(c, None)
            else:
                self.cells.setdefault(r, {})[c] = value
            return
        if value is None and self.get(r, c) is None:
            return
        while len(self.grid) < r:
            self.grid.append([])
        row = self.grid[r - 1]
        if len(row) < c:
            row.extend([None] * (c - len(row)))
        row[c - 1] = value

    def block(self, first_row: int, first_col: int, last_row: int, last_col: int) -> list[list[Any]]:
        last_row = min(last_row, max(self.extent()[0], first_row))
        return [[self.get(r, c) for c in range(first_col, last_col + 1)] for r in range(first_row, last_row + 1)]

    def rows(self, first_row: int, first_col: int, last_row: int, last_col: int) -> Iterator[tuple[int, list[Any]]]:
        width = last_col - first_col + 1
        if self.grid is None:
            for r in sorted(r for r in self.cells if first_row <= r <= last_row):
                row = self.cells[r]
                values = [row.get(c) for c in range(first_col, last_col + 1)]
                if any(v is not None for v in values):
                    yield r, values
            return
        grid = self.grid
        for r in range(first_row, min(last_row, len(grid)) + 1):
            row = grid[r - 1][first_col - 1:last_col]
            if any(v is not None for v in row):
                if len(row) < width:
                    row = row + [None] * (width - len(row))
                yield r, row

    def extent(self) -> tuple[int, int]:
        """(last row, last column) holding a value."""
        if self.grid is None:
            rows = [r for r, cols in self.cells.items() if cols]
            return max(rows, default=0), max((c for r in rows for c in self.cells[r]), default=0)
        last_row = 0
        for r in range(len(self.grid), 0, -1):
            if any(v is not None for v in self.grid[r - 1]):
                last_row = r
                break
        last_col = 0
        for row in self.grid[:last_row]:
            for c in range(len(row), last_col, -1):
                if row[c - 1] is not None:
                    last_col = c
                    break
        return last_row, last_col
