"""Findings: bad user data reported as plain values that point at the cell to fix."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from xlportfolio.core.values import as_id, is_blank, show

if TYPE_CHECKING:
    from xlportfolio.core.book import Book


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
    item: str | None = None  # the item or request the row is about: 'IT-004 "Data platform"'
    count: int = 1  # rows this finding stands for: repeats of one kind for one item are one finding
    cells: tuple[str, ...] = ()  # with count > 1, every cell of those rows ('B12', ...), the first is `cell`

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
        out["cells"] = list(self.cells)
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
    def tally(self) -> str:
        """'5 errors, 1 warning': how a summary line counts them."""
        return f"{counted(self.errors, 'error')}, {counted(self.warnings, 'warning')}"

    @property
    def valid(self) -> bool:
        return self.errors == 0

    @property
    def leading(self) -> tuple[Finding, ...]:
        """Errors first, then warnings, each in sheet order: how every summary lists findings."""
        return tuple(sorted(self.findings, key=_severity_rank))

    def code_counts(self) -> list[tuple[str, int]]:
        """(code, findings) with the error codes first, the most frequent first within a severity."""
        counts = Counter((_severity_rank(f), f.code) for f in self.findings)
        return [(code, n) for (_, code), n in sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))]

    def per_row(self, sheet: str, severity: Severity) -> Counter:
        """How many findings of a severity each row of one sheet has."""
        return Counter(f.row for f in self.findings if f.sheet == sheet and f.severity is severity)

    def by_code(self) -> Counter:
        return Counter(f.code for f in self.findings)

    def flatten(self, fields: Iterable[str] = ("row", "column", "code")) -> list[list[Any]]:
        """Findings as short lists, which makes a test one line."""
        fields = list(fields)
        return [[getattr(f, name) for name in fields] for f in self.findings]


def _severity_rank(f: Finding) -> int:
    return 0 if f.severity is Severity.ERROR else 1


# --- one finding per item and kind ---------------------------------------------------------------

FIRST_CELLS = 3  # cells a repeated finding names before "and N more"

# How a repeated finding reads, by code; the fields are count, sheet, item, cells, values and
# first (the first row's own message). Codes without one read with REPEATED.
REPEATED = "{count} {sheet} rows of {item} have this finding ({cells}); the first: {first}"
REPEATED_BY_CODE: dict[str, str] = {}  # filled by checks.registry.define


def lead(report: Report, book: Book) -> Report:
    """The report as a person should read it: every finding names its item, and repeats of one
    code in one column of one sheet for one item become one finding with their count and cells.

    Only rows that belong to an item repeat that way: a table whose Item ID (or Request ID) is not
    its own key, such as Financials (a row per item and month), Milestones or Risks. Rows of Items
    and Intake are the items themselves, so each of their findings stays a finding of its own.
    """
    owners = _Owners(book)
    groups: dict[tuple, list[Finding]] = defaultdict(list)
    labels: dict[tuple, str] = {}
    out: list[Finding] = []
    for f in report.findings:
        owner = owners.of(f.sheet, f.row)
        if owner is None:
            out.append(f)
            continue
        key_id, label, repeats = owner
        if repeats and f.count == 1 and f.column:
            key = (f.sheet, f.code, f.severity, f.column, key_id)
            groups[key].append(f)  # named once the group is known: findings come by the hundred thousand
            labels[key] = label
        else:
            out.append(f if f.item else replace(f, item=label))
    for key, found in groups.items():
        first = found[0]
        out.append(replace(first, item=first.item or labels[key]) if len(found) == 1
                   else repeated(found, first.item or labels[key]))
    return Report.of(out)


def repeated(found: list[Finding], item: str) -> Finding:
    """One finding for the rows of one item that say the same thing; it points at the first."""
    found = sorted(found, key=lambda f: f.row or 0)
    first = found[0]
    cells = tuple(f"{f.column}{f.row}" for f in found)
    template = REPEATED_BY_CODE.get(first.code, REPEATED)
    message = template.format(count=len(found), sheet=first.sheet, item=item, cells=cells_text(first.sheet, cells),
                              values=values_text([f.value for f in found]), first=first.message)
    return replace(first, message=message, item=item, count=len(found), cells=cells)


def cells_text(sheet: str, cells: tuple[str, ...], first: int = FIRST_CELLS) -> str:
    """'Financials!B12, B13, B14 and 21 more'."""
    shown = ", ".join(cells[:first])
    more = len(cells) - first
    return f"{sheet}!{shown}" + (f" and {more} more" if more > 0 else "")


def values_text(values: list[Any]) -> str:
    """The values of repeated rows in brief: '2026-05-01 to 2028-04-01' when they sort, else the first few."""
    present = [v for v in values if not is_blank(v)]
    if not present:
        return "blank"
    try:
        low, high = min(present), max(present)
    except TypeError:  # text beside numbers: no order a person would expect
        distinct = list(dict.fromkeys(show(v) for v in present))
        return ", ".join(distinct[:FIRST_CELLS]) + (" ..." if len(distinct) > FIRST_CELLS else "")
    return show(low) if low == high else f"{show(low)} to {show(high)}"


class _Owners:
    """Which item each row of a table is about, read once per sheet that has findings."""

    # The column naming the item a row is about, and the table (and its name column) that names it.
    REFERENCES = (("item_id", "Items", "name"), ("request_id", "Intake", "title"))

    def __init__(self, book: Book):
        self.book = book
        self.sheets: dict[str, tuple[dict[int, Any], bool, dict[str, str]] | None] = {}
        self.names: dict[str, dict[str, str]] = {}
        self.seen: dict[tuple[str, Any], tuple[str, str, bool] | None] = {}  # a few thousand items, many rows

    def of(self, sheet: str, row: int | None) -> tuple[str, str, bool] | None:
        """(ID casefolded, 'ID "name"', whether its rows repeat per item) or None."""
        if row is None:
            return None
        if sheet not in self.sheets:
            self.sheets[sheet] = self._read(sheet)
        known = self.sheets[sheet]
        if known is None or row not in known[0]:
            return None
        raw = known[0][row]
        try:
            return self.seen[(sheet, raw)]
        except KeyError:
            pass
        except TypeError:  # an unhashable cell value: read it without the cache
            return self._owner(raw, known)
        self.seen[(sheet, raw)] = owner = self._owner(raw, known)
        return owner

    @staticmethod
    def _owner(raw: Any, known) -> tuple[str, str, bool] | None:
        iid = as_id(raw)
        if iid is None:
            return None
        return iid.casefold(), known[2].get(iid.casefold(), iid), known[1]

    def _read(self, sheet: str):
        table = next((t for t in self.book.tables.values() if t.sheet == sheet), None)
        if table is None:
            return None
        # A table keyed by one of the references is about that (Intake has an Item ID column too).
        own = [ref for ref in self.REFERENCES if ref[0] == table.schema.key]
        for column, named_by, name_column in own or self.REFERENCES:
            if column in table.frame:
                # Raw values by row: a million Financials rows are zipped, only rows with findings are read.
                ids = dict(zip(table.frame.index.tolist(), table.frame[column].tolist()))
                return ids, table.schema.key != column, self._labels(named_by, column, name_column)
        return None

    def _labels(self, table_name: str, column: str, name_column: str) -> dict[str, str]:
        if table_name not in self.names:
            table = self.book.table(table_name)
            labels: dict[str, str] = {}
            if table is not None and column in table.frame:
                names = table.frame[name_column] if name_column in table.frame else [None] * len(table.frame)
                for value, name in zip(table.frame[column], names):
                    if (iid := as_id(value)) and iid.casefold() not in labels:
                        labels[iid.casefold()] = f'{iid} "{str(name).strip()}"' if not is_blank(name) else iid
            self.names[table_name] = labels
        return self.names[table_name]


def counted(n: int, noun: str) -> str:
    """'1 error', '2 errors': a count a person reads."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
