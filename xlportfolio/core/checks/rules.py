"""Intake rules the PMO keeps in the workbook: required-for-category, ranges, formats, people."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from itertools import compress

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.checks.registry import Context, check
from xlportfolio.core.codes import define, finding
from xlportfolio.core.config import IntakeRule, read_rows
from xlportfolio.core.config.models import BAD_RULE
from xlportfolio.core.findings import Finding, Severity
from xlportfolio.core.values import as_id, is_blank, is_number, read_once
from xlportfolio.schema import INTAKE, Column

REQUIRED_FOR_CATEGORY = define(
    "required-for-category", Severity.ERROR, "{header} is required for {category} requests. {note}")
OUT_OF_RANGE = define(
    "out-of-range", Severity.ERROR, "{value} is outside the allowed range {low} to {high}. {note}")
BAD_FORMAT = define(
    "bad-format", Severity.WARNING, "'{value}' does not have the expected form ({pattern}). {note}")
UNKNOWN_PERSON = define(
    "unknown-person", Severity.WARNING,
    "{value} is not on the People list; check the spelling or ask the PMO to add the person.")
EFFORT_WITHOUT_FUNCTION = define(
    "effort-without-function", Severity.WARNING,
    "Effort is given but no function provides it; choose the function that does the work.")
COST_WITHOUT_CURRENCY = define(
    "cost-without-currency", Severity.WARNING,
    "Amounts are given but no currency; choose the currency of this row.")


@dataclass(frozen=True)
class Rule:
    kind: str
    column: Column
    category: str | None
    low: float | None
    high: float | None
    pattern: re.Pattern | None
    severity: Severity
    note: str


def read_rules(book: Book) -> tuple[list[Rule], list[Finding]]:
    """The enabled rules of the IntakeRules table, and a finding at each cell of a rule that makes no sense."""
    table = book.table("IntakeRules")
    if table is None:
        return [], []
    read = read_rows(table, IntakeRule)
    rules = [Rule(r.rule, INTAKE.column(r.column), r.category, r.minimum, r.maximum,
                  re.compile(r.pattern or "") if r.rule == "format" else None, r.severity, r.note or "")
             for r in read.rows]
    return rules, read.findings


@check("intake-rules", "Intake", [REQUIRED_FOR_CATEGORY, OUT_OF_RANGE, BAD_FORMAT, BAD_RULE])
def intake_rules(table: SheetTable, book: Book, context: Context) -> Iterator[Finding]:
    rules, problems = read_rules(book)
    yield from problems
    frame = table.frame
    rows = [int(r) for r in frame.index]
    # Each distinct value is judged once: a column of 50,000 rows holds few.
    categories = list(read_once(frame["category"].tolist(), _folded)) if "category" in frame else None
    for rule in rules:
        if rule.column.name not in frame:
            continue
        values = frame[rule.column.name].tolist()
        if rule.kind == "required for category":
            if categories is None:
                continue
            wanted = rule.category.casefold()
            broken = [category == wanted and is_blank(value) for value, category in zip(values, categories)]
            code, fields = REQUIRED_FOR_CATEGORY, {"category": rule.category}
        elif rule.kind == "range":
            broken = read_once(values, partial(_out_of_range, rule))
            code, fields = OUT_OF_RANGE, {"low": _num(rule.low), "high": _num(rule.high)}
        else:
            broken = read_once(values, partial(_bad_format, rule))
            code, fields = BAD_FORMAT, {"pattern": rule.pattern.pattern}
        for i in compress(range(len(rows)), broken):
            yield finding(code, table, rows[i], rule.column.name, values[i], severity=rule.severity,
                          note=rule.note, **fields)


def _folded(value: object) -> str:
    return str(value or "").strip().casefold()


def _out_of_range(rule: Rule, value: object) -> bool:
    """A number outside the rule's range; blanks and text are other checks' business."""
    return is_number(value) and not _within(value, rule)


def _bad_format(rule: Rule, value: object) -> bool:
    text = as_id(value)
    return bool(text) and not rule.pattern.fullmatch(text)


def _within(value: float, rule: Rule) -> bool:
    return (rule.low is None or value >= rule.low) and (rule.high is None or value <= rule.high)


def _num(value: float | None) -> str:
    return "any" if value is None else f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


@check("intake-people", "Intake", [UNKNOWN_PERSON])
def intake_people(table: SheetTable, book: Book, context: Context) -> Iterator[Finding]:
    people = book.table("People")
    if people is None or "name" not in people.frame or people.frame.empty:
        return  # no People list kept: nothing to compare with
    known = {str(n).strip().casefold() for n in people.frame["name"] if not is_blank(n)}
    rows = [int(r) for r in table.frame.index]
    for column in ("sponsor", "owner"):
        if column in table.frame:
            values = table.frame[column].tolist()
            unknown = read_once(values, lambda value: not is_blank(value) and str(value).strip().casefold() not in known)
            for i in compress(range(len(rows)), unknown):
                yield finding(UNKNOWN_PERSON, table, rows[i], column, values[i])


@check("intake-consistency", "Intake", [EFFORT_WITHOUT_FUNCTION, COST_WITHOUT_CURRENCY])
def intake_consistency(table: SheetTable, book: Book, context: Context) -> Iterator[Finding]:
    frame = table.frame
    pairs = ((EFFORT_WITHOUT_FUNCTION, ("effort_days",), "function"),
             (COST_WITHOUT_CURRENCY, ("cost_estimate", "expected_revenue", "retention_effect"), "currency"))
    rows = [int(r) for r in frame.index]
    for code, sources, needed in pairs:
        if needed not in frame:
            continue
        given = [frame[c].tolist() for c in sources if c in frame]
        for i in compress(range(len(rows)), read_once(frame[needed].tolist(), is_blank)):  # rows lacking it
            if any(not is_blank(values[i]) for values in given):
                yield finding(code, table, rows[i], needed)
