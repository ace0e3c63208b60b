"""Findings: bad user data reported as plain values that point at the cell to fix."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem at one place. `row` is the Excel row a person sees (1-based)."""

    code: str  # stable kebab-case, e.g. "missing-value"
    severity: Severity
    message: str  # what is wrong and what to do
    sheet: str
    row: int | None = None
    column: str | None = None  # column letter, e.g. "C"
    header: str | None = None  # the column's header as it stands in the workbook
    value: Any = None  # the offending value, as read

    @property
    def cell(self) -> str | None:
        if self.row is None:
            return None
        return f"{self.column or 'A'}{self.row}"

    def location(self) -> str:
        """Where a person clicks: 'Intake!C7 (Customer name)'."""
        where = self.sheet
        if self.cell:
            where += f"!{self.cell}"
        if self.header:
            where += f" ({self.header})"
        return where

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["severity"] = str(self.severity)
        out["cell"] = self.cell
        out["value"] = plain(self.value)
        return out


def plain(value: Any) -> Any:
    """A JSON-friendly form of a cell value."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


@dataclass(frozen=True)
class Report:
    """All findings of a run, in a stable order (sheet, row, column, code)."""

    findings: tuple[Finding, ...]

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Report:
        def order(f: Finding):
            return (f.sheet, f.row or 0, len(f.column or ""), f.column or "", f.code)

        return cls(tuple(sorted(findings, key=order)))

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)

    @property
    def valid(self) -> bool:
        return self.errors == 0

    def per_row(self, sheet: str, severity: Severity) -> Counter:
        """How many findings of a severity each row of one sheet has."""
        return Counter(f.row for f in self.findings if f.sheet == sheet and f.severity is severity)

    def by_code(self) -> Counter:
        return Counter(f.code for f in self.findings)

    def flatten(self, fields: Iterable[str] = ("row", "column", "code")) -> list[list[Any]]:
        """Findings as short lists, which makes a test one line."""
        fields = list(fields)
        return [[getattr(f, name) for name in fields] for f in self.findings]
