"""One place that lists every check and every finding code it may emit."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..book import Book, SheetTable
from ..findings import REPEATED_BY_CODE, Finding, Severity
from ..values import show


@dataclass(frozen=True)
class Code:
    """A stable finding code with its severity and message template."""

    code: str
    severity: Severity
    template: str  # str.format fields: header, value and whatever the check passes


@dataclass(frozen=True)
class Context:
    """What a check may know besides the workbook: today's date and the switched-off checks."""

    as_of: dt.date
    disabled: frozenset[str] = field(default_factory=frozenset)


CheckFunc = Callable[[SheetTable, Book, Context], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    name: str
    table: str  # the schema table it runs on
    codes: tuple[str, ...]
    func: CheckFunc


CODES: dict[str, Code] = {}
CHECKS: dict[str, Check] = {}


def define(code: str, severity: Severity, template: str, repeated: str | None = None) -> str:
    """A finding code; `repeated` words the one finding that stands for an item's repeated rows
    (see findings.lead: fields count, sheet, item, cells, values and first)."""
    if code in CODES and CODES[code] != Code(code, severity, template):
        raise ValueError(f"finding code {code} defined twice")
    CODES[code] = Code(code, severity, template)
    if repeated:
        REPEATED_BY_CODE[code] = repeated
    return code


def check(name: str, table: str, codes: Iterable[str]) -> Callable[[CheckFunc], CheckFunc]:
    """Register a check: `@check("dates", "Intake", [DUE_PAST, ...])`."""

    def register(func: CheckFunc) -> CheckFunc:
        if name in CHECKS:
            raise ValueError(f"check {name} registered twice")
        CHECKS[name] = Check(name, table, tuple(codes), func)
        return func

    return register


def finding(code: str, table: SheetTable, row: int | None, column: str | None,
            value: Any = None, severity: Severity | None = None, **fields: Any) -> Finding:
    """Build a finding at table cell (row, column name) from the code's template.

    `severity` overrides the code's default where the workbook's own rules say so.
    """
    spec = CODES[code]
    header = table.header(column) if column else None
    text = spec.template.format(header=header, value=show(value) if value is not None else "",
                                sheet=table.sheet, **fields)
    # Positional: a large portfolio makes hundreds of thousands of findings.
    return Finding(code, severity or spec.severity, text, table.sheet, row,
                   table.letters.get(column) if column else None, header, value)


def run_checks(book: Book, context: Context, table: str) -> list[Finding]:
    """Run every enabled check of one table; a crashing check becomes a finding, not an abort."""
    target = book.table(table)
    if target is None:
        return []
    out: list[Finding] = []
    for chk in CHECKS.values():
        if chk.table != table or chk.name in context.disabled:
            continue
        try:
            out.extend(chk.func(target, book, context))
        except Exception as exc:  # noqa: BLE001 - one broken check must not stop the others
            out.append(Finding("check-failed", Severity.ERROR,
                               f"The check '{chk.name}' failed ({type(exc).__name__}: {exc}); "
                               "please report this with the workbook.", target.sheet))
    return out
