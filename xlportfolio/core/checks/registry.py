"""One place that lists every check; the finding codes they emit are in core/codes.py."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.findings import Finding, Severity


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


CHECKS: dict[str, Check] = {}


def check(name: str, table: str, codes: Iterable[str]) -> Callable[[CheckFunc], CheckFunc]:
    """Register a check: `@check("dates", "Intake", [DUE_PAST, ...])`."""

    def register(func: CheckFunc) -> CheckFunc:
        if name in CHECKS:
            raise ValueError(f"check {name} registered twice")
        CHECKS[name] = Check(name, table, tuple(codes), func)
        return func

    return register


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
