"""Mapping files: how a person tells the import which export column feeds which Intake column.

A mapping is a small table, as CSV or as a sheet named "Mapping" in a workbook:

    export column , intake column , default
    Deal Ref      , Request ID    ,
    Client        , Customer name ,
    Value (k)     , expected_revenue ,
                  , Source        , CRM       <- a constant: no export column, just a default

Intake columns are given by label or name. A default fills the column where the export
gives no value. The same shape describes the built-in presets (see presets.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator, model_validator

from xlportfolio.core.book import column_letter
from xlportfolio.core.findings import Finding
from xlportfolio.core.values import is_blank, show
from xlportfolio.crm.convert import date_value, number_value, text_value
from xlportfolio.crm.rows import encoding_finding
from xlportfolio.crm.source import read_export
from xlportfolio.crm.texts import EXCEL_TEXT_LIMIT
from xlportfolio.errors import ConfigProblem, WorkbookUnusable
from xlportfolio.schema import INTAKE, Column, header_key

SHEET = "Mapping"
_HEADERS = {"exportcolumn": "export", "intakecolumn": "intake", "default": "default"}
MAX_PROBLEMS = 5  # bad cells one message names; a mapping is short, so more are rare


@dataclass(frozen=True)
class Mapping:
    """Which export column feeds which Intake column, and the constants to fill in."""

    preset: str | None  # the preset's name, or None for a mapping file
    columns: tuple[tuple[str, str], ...]  # (export header, Intake column name); the first present one wins
    defaults: tuple[tuple[str, Any], ...] = ()  # (Intake column name, value) where the export gives none
    id_prefix: str = ""  # request IDs are this prefix and the CRM's ID: 'CRM-salesforce-0065g...'
    date_order: str | None = None  # the CRM's default for slash dates the export gives no evidence on
    findings: tuple[Finding, ...] = ()  # what reading the mapping file guessed (its encoding)


class MappingRow(BaseModel):
    """One row of a mapping file: an export column (or none) feeding an Intake column, and its default."""

    model_config = ConfigDict(frozen=True)

    export: str | None = None
    intake: str  # the Intake column's schema name
    default: Any = None  # typed for the Intake column: a number, a date or text

    @field_validator("export", mode="before")
    @classmethod
    def _export(cls, value: Any) -> str | None:
        return None if is_blank(value) else str(value).strip()

    @field_validator("intake", mode="before")
    @classmethod
    def _intake(cls, value: Any) -> str:
        column = None if is_blank(value) else INTAKE.match_header(value)
        if column is None or column.computed:
            labels = ", ".join(c.label for c in INTAKE.input_columns)
            what = "the intake column is blank" if is_blank(value) else f"'{value}' is not an Intake column"
            raise ConfigProblem(f"{what}; use one of: {labels}")
        return column.name

    @field_validator("default", mode="before")
    @classmethod
    def _default(cls, value: Any, info: ValidationInfo) -> Any:
        if is_blank(value) or "intake" not in info.data:  # an unknown Intake column is its own problem
            return None
        return _typed_default(INTAKE.column(info.data["intake"]), value)

    @model_validator(mode="after")
    def _feeds(self) -> MappingRow:
        if self.export is None and self.default is None:
            raise ConfigProblem(f"give the export column that feeds '{INTAKE.column(self.intake).label}', "
                          "or a default value, or delete the row", column="export")
        return self


def read_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; any unusable row aborts, naming the file, row and column of each bad cell."""
    table = read_export(path, sheet=SHEET, footer=False)
    where = {_HEADERS.get(header_key(h)): i for i, h in enumerate(table.headers)}
    if "export" not in where or "intake" not in where:
        raise WorkbookUnusable(path, f"the mapping's first row must name the columns 'export column' and "
                                     f"'intake column' (and optionally 'default'); it has: "
                                     f"{', '.join(h for h in table.headers if h)}")
    columns: list[tuple[str, str]] = []
    defaults: list[tuple[str, Any]] = []
    problems: list[str] = []
    for row, cells in table.rows:
        raw = {field: cells[i] for field, i in where.items() if field}
        try:
            mapped = MappingRow.model_validate(raw)
        except ValidationError as exc:
            problems += [_problem(table.headers, where, row, error) for error in exc.errors()]
            continue
        if mapped.export is not None:
            columns.append((mapped.export, mapped.intake))
        if mapped.default is not None:
            defaults.append((mapped.intake, mapped.default))
    if problems:
        shown = problems[:MAX_PROBLEMS] + ([f"and {len(problems) - MAX_PROBLEMS} more"]
                                          if len(problems) > MAX_PROBLEMS else [])
        raise WorkbookUnusable(path, "; ".join(shown))
    guessed = encoding_finding(table, {}, f"The mapping file {Path(path).name}")
    return Mapping(None, tuple(columns), tuple(defaults), findings=(guessed,) if guessed else ())


def _problem(headers: list[str], where: dict[str | None, int], row: int, error: Any) -> str:
    """'row 3, column B (intake column): ...': where the bad cell is, and what to do."""
    problem = (error.get("ctx") or {}).get("error")
    field = (problem.column if isinstance(problem, ConfigProblem) and problem.column else None) or error["loc"][0]
    at = where[field]
    text = problem.text if isinstance(problem, ConfigProblem) else error["msg"]
    return f"row {row}, column {column_letter(at + 1)} ({headers[at]}): {text}"


def _typed_default(column: Column, raw: Any) -> Any:
    if column.type.is_numeric:
        value, problem = number_value(raw, None)
    elif column.type.is_date:
        value, problem = date_value(raw, None, None)
    else:
        value, problem = text_value(raw, column)
    if problem:
        raise ConfigProblem(f"the default '{show(raw)}' for '{column.label}' cannot be read; "
                      "write amounts like 12500.50 and dates like 2026-03-31")
    if isinstance(value, str) and len(value) > EXCEL_TEXT_LIMIT:
        raise ConfigProblem(f"the default for '{column.label}' has {len(value):,} characters, "
                      f"more than an Excel cell holds ({EXCEL_TEXT_LIMIT:,}); shorten it")
    return value
