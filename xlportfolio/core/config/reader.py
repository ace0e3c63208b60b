"""One reader for every configuration table: rows become models, bad cells become findings.

A configuration table is small (a few dozen rows) and each row is a rule the commands follow,
so each row is validated as a whole with pydantic. A row that fails is left out and every one of
its bad cells becomes a finding at that cell, in the same form as a data finding (sheet, row,
column letter and header, the value, the row's name as the item) and in words a PMO reads.
Large data tables are not read this way: their checks work column by column (core/checks).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from xlportfolio.core.book import SheetTable
from xlportfolio.core.codes import finding
from xlportfolio.core.config.fields import shown
from xlportfolio.core.findings import Finding
from xlportfolio.core.values import is_blank, show, yes
from xlportfolio.errors import ConfigProblem
from xlportfolio.schema import Table


class ConfigRow(BaseModel):
    """One row of a configuration table; subclasses name their table, code and the words of their findings."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    row: int | None = None  # the Excel row it was read from; None for a schema default

    table_schema: ClassVar[Table]
    code: ClassVar[str]  # the finding code of a bad cell of this table
    noun: ClassVar[str]  # "scoring criterion": what a finding calls the row
    name_field: ClassVar[str]  # the column that names the row: the finding's item
    effect: ClassVar[str]  # what the command does instead: "the scores leave it out"
    switch: ClassVar[str | None] = None  # an Enabled column: rows set to No are not read at all

    @classmethod
    def wanted(cls, raw: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
        """Whether the row is read; a row switched off is the PMO's choice, not a problem."""
        return cls.switch is None or yes(raw.get(cls.switch))

    @classmethod
    def name_of(cls, raw: Mapping[str, Any]) -> str | None:
        value = raw.get(cls.name_field)
        return None if is_blank(value) else show(value).strip()


Row = TypeVar("Row", bound=ConfigRow)


@dataclass
class Rows(Generic[Row]):
    """The usable rows of a configuration table, in sheet order, and a finding per bad cell."""

    rows: list[Row] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def read_rows(table: SheetTable, model: type[Row], context: Mapping[str, Any] | None = None) -> Rows[Row]:
    """Every wanted row of `table` as a `model`; a row with a bad cell becomes findings instead.

    `context` carries what a cell is checked against besides itself (the workbook's Stage list).
    A column the table lacks reads as blank, so a required one is reported on every row.
    """
    context = dict(context or {})
    names = [n for n in model.model_fields if n != "row"]
    if model.switch and model.switch not in names:
        names.append(model.switch)
    present = [n for n in names if n in table.frame.columns]
    out = Rows[Row]()
    for row, *values in zip(table.frame.index, *(table.frame[n] for n in present)):
        raw = dict.fromkeys(names) | {n: None if is_blank(v) else v for n, v in zip(present, values)}
        if not model.wanted(raw, context):
            continue
        try:
            out.rows.append(model.model_validate(raw | {"row": int(row)}, context=context))
        except ValidationError as exc:
            out.findings += [_finding(model, table, int(row), raw, error) for error in exc.errors()]
    return out


def defaults(model: type[Row], rows: tuple[tuple, ...], context: Mapping[str, Any] | None = None) -> list[Row]:
    """The schema's default rows as models (a workbook made before the table existed reads them)."""
    names = [c.name for c in model.table_schema.columns]
    out = []
    for values in rows:
        raw = dict(zip(names, values))
        if model.wanted(raw, context or {}):
            out.append(model.model_validate(raw, context=dict(context or {})))
    return out


def _finding(model: type[ConfigRow], table: SheetTable, row: int, raw: dict[str, Any], error: Any) -> Finding:
    problem = (error.get("ctx") or {}).get("error")
    problem = problem if isinstance(problem, ConfigProblem) else None
    column = (problem and problem.column) or (error["loc"][0] if error["loc"] else model.name_field)
    value = raw.get(column)
    name = model.name_of(raw)
    if problem and problem.whole:
        text = problem.text
    else:
        named = f"'{name}'" if name else f"in row {row}"
        text = f"The {model.noun} {named} cannot be used ({model.effect}): {explain(error, table.header(column), value)}"
    found = finding(model.code, table, row, column, value, severity=problem.severity if problem else None,
                    problem=text)
    return replace(found, item=name)


def explain(error: Mapping[str, Any], header: str, value: Any) -> str:
    """A pydantic error as a PMO reads it: 'Weight must be a number, not 'high''."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if isinstance(ctx.get("error"), ConfigProblem):
        return f"{header} {ctx['error'].text}"
    if kind == "missing":
        return f"{header} is blank; fill it in"
    if kind == "literal_error":
        return f"{header} must be {ctx['expected']}, not {shown(value)}"
    if kind == "greater_than_equal":
        return f"{header} must be {show(ctx['ge'])} or more, not {shown(value)}"
    if kind in ("less_than_equal", "less_than"):
        return f"{header} must be at most {show(ctx.get('le', ctx.get('lt')))}, not {shown(value)}"
    if kind == "greater_than":
        return f"{header} must be above {show(ctx['gt'])}, not {shown(value)}"
    return f"{header} cannot be read: {shown(value)}"
