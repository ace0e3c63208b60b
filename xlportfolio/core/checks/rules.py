"""Intake rules the PMO keeps in the workbook: required-for-category, ranges, formats, people."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ...schema import INTAKE, Column
from ..book import Book, SheetTable
from ..findings import Finding, Severity
from ..values import as_id, is_blank, is_number
from .registry import Context, check, define, finding

REQUIRED_FOR_CATEGORY = define(
    "required-for-category", Severity.ERROR, "{header} is required for {category} requests. {note}")
OUT_OF_RANGE = define(
    "out-of-range", Severity.ERROR, "{value} is outside the allowed range {low} to {high}. {note}")
BAD_FORMAT = define(
    "bad-format", Severity.WARNING, "'{value}' does not have the expected form ({pattern}). {note}")
BAD_RULE = define(
    "bad-rule", Severity.ERROR, "This intake rule cannot be used: {problem}; correct it on the Rules sheet.")
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


def yes(value: object) -> bool:
    return str(value or "").strip().casefold() in {"yes", "y", "true", "1", "x"}


def read_rules(book: Book) -> tuple[list[Rule], list[Finding]]:
    """The enabled rules of the IntakeRules table, and findings for rules that make no sense."""
    table = book.table("IntakeRules")
    if table is None:
        return [], []
    rules, problems = [], []
    for row, rec in table.frame.iterrows():
        rec = rec.to_dict()
        if not yes(rec.get("enabled")):
            continue
        try:
            rules.append(_rule(rec))
        except ValueError as exc:
            problems.append(finding(BAD_RULE, table, int(row), "rule", rec.get("rule"), problem=str(exc)))
    return rules, problems


def _rule(rec: dict) -> Rule:
    column = INTAKE.match_header(rec.get("column"))
    if column is None:
        raise ValueError(f"there is no Intake column '{rec.get('column')}'")
    kind = str(rec.get("rule") or "").strip().casefold()
    severity = Severity.WARNING if str(rec.get("severity")).strip().casefold() == "warning" else Severity.ERROR
    low, high = rec.get("minimum"), rec.get("maximum")
    pattern = None
    if kind == "range" and not (is_number(low) or is_number(high)):
        raise ValueError("a range needs a minimum or a maximum number")
    if kind == "format":
        try:
            pattern = re.compile(str(rec.get("pattern") or ""))
        except re.error as exc:
            raise ValueError(f"the pattern is not a valid regular expression ({exc})") from None
    if kind == "required for category" and is_blank(rec.get("category")):
        raise ValueError("'required for category' needs a category")
    if kind not in {"range", "format", "required for category"}:
        raise ValueError(f"unknown rule kind '{rec.get('rule')}'")
    return Rule(kind, column, str(rec.get("category") or "").strip() or None,
                low if is_number(low) else None, high if is_number(high) else None,
                pattern, severity, str(rec.get("note") or "").strip())


@check("intake-rules", "Intake", [REQUIRED_FOR_CATEGORY, OUT_OF_RANGE, BAD_FORMAT, BAD_RULE])
def intake_rules(table: SheetTable, book: Book, context: Context) -> Iterator[Finding]:
    rules, problems = read_rules(book)
    yield from problems
    frame = table.frame
    for rule in rules:
        if rule.column.name not in frame:
            continue
        values = frame[rule.column.name]
        if rule.kind == "required for category":
            if "category" not in frame:
                continue
            wanted = rule.category.casefold()
            for row, value, category in zip(frame.index, values, frame["category"]):
                if is_blank(value) and str(category or "").strip().casefold() == wanted:
                    yield finding(REQUIRED_FOR_CATEGORY, table, int(row), rule.column.name, value,
                                  severity=rule.severity, category=rule.category, note=rule.note)
        elif rule.kind == "range":
            for row, value in values.items():
                if is_number(value) and not _within(value, rule):
                    yield finding(OUT_OF_RANGE, table, int(row), rule.column.name, value, severity=rule.severity,
                                  low=_num(rule.low), high=_num(rule.high), note=rule.note)
        else:
            for row, value in values.items():
                text = as_id(value)
                if text and not rule.pattern.fullmatch(text):
                    yield finding(BAD_FORMAT, table, int(row), rule.column.name, value, severity=rule.severity,
                                  pattern=rule.pattern.pattern, note=rule.note)


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
    for column in ("sponsor", "owner"):
        if column in table.frame:
            for row, value in table.frame[column].items():
                if not is_blank(value) and str(value).strip().casefold() not in known:
                    yield finding(UNKNOWN_PERSON, table, int(row), column, value)


@check("intake-consistency", "Intake", [EFFORT_WITHOUT_FUNCTION, COST_WITHOUT_CURRENCY])
def intake_consistency(table: SheetTable, book: Book, context: Context) -> Iterator[Finding]:
    frame = table.frame
    pairs = ((EFFORT_WITHOUT_FUNCTION, ("effort_days",), "function"),
             (COST_WITHOUT_CURRENCY, ("cost_estimate", "expected_revenue", "retention_effect"), "currency"))
    for code, sources, needed in pairs:
        if needed not in frame:
            continue
        present = [c for c in sources if c in frame]
        for row in frame.index:
            if is_blank(frame.at[row, needed]) and any(not is_blank(frame.at[row, c]) for c in present):
                yield finding(code, table, int(row), needed)
