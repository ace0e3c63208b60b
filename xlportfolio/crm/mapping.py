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

from xlportfolio.core.findings import Finding
from xlportfolio.core.values import is_blank, show
from xlportfolio.crm.convert import date_value, number_value, text_value
from xlportfolio.crm.rows import encoding_finding
from xlportfolio.crm.source import read_export
from xlportfolio.crm.texts import EXCEL_TEXT_LIMIT
from xlportfolio.errors import WorkbookUnusable
from xlportfolio.schema import INTAKE, Column, header_key

SHEET = "Mapping"
_HEADERS = {"exportcolumn": "export", "intakecolumn": "intake", "default": "default"}


@dataclass(frozen=True)
class Mapping:
    """Which export column feeds which Intake column, and the constants to fill in."""

    preset: str | None  # the preset's name, or None for a mapping file
    columns: tuple[tuple[str, str], ...]  # (export header, Intake column name); the first present one wins
    defaults: tuple[tuple[str, Any], ...] = ()  # (Intake column name, value) where the export gives none
    id_prefix: str = ""  # request IDs are this prefix and the CRM's ID: 'CRM-salesforce-0065g...'
    date_order: str | None = None  # the CRM's default for slash dates the export gives no evidence on
    findings: tuple[Finding, ...] = ()  # what reading the mapping file guessed (its encoding)


def read_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; any unusable row aborts, naming the file and row."""
    table = read_export(path, sheet=SHEET, footer=False)
    where = {_HEADERS.get(header_key(h)): i for i, h in enumerate(table.headers)}
    if "export" not in where or "intake" not in where:
        raise WorkbookUnusable(path, f"the mapping's first row must name the columns 'export column' and "
                                     f"'intake column' (and optionally 'default'); it has: "
                                     f"{', '.join(h for h in table.headers if h)}")
    columns: list[tuple[str, str]] = []
    defaults: list[tuple[str, Any]] = []
    for row, cells in table.rows:
        export, intake = cells[where["export"]], cells[where["intake"]]
        default = cells[where["default"]] if "default" in where else None
        column = _intake_column(path, row, intake)
        if is_blank(export) and is_blank(default):
            raise WorkbookUnusable(path, f"row {row}: give the export column that feeds "
                                         f"'{column.label}', or a default value, or delete the row")
        if not is_blank(export):
            columns.append((str(export).strip(), column.name))
        if not is_blank(default):
            defaults.append((column.name, _typed_default(path, row, column, default)))
    guessed = encoding_finding(table, {}, f"The mapping file {Path(path).name}")
    return Mapping(None, tuple(columns), tuple(defaults), findings=(guessed,) if guessed else ())


def _intake_column(path: str | Path, row: int, intake: Any) -> Column:
    column = None if is_blank(intake) else INTAKE.match_header(intake)
    if column is None or column.computed:
        labels = ", ".join(c.label for c in INTAKE.input_columns)
        what = "the intake column is blank" if is_blank(intake) else f"'{intake}' is not an Intake column"
        raise WorkbookUnusable(path, f"row {row}: {what}; use one of: {labels}")
    return column


def _typed_default(path: str | Path, row: int, column: Column, raw: Any) -> Any:
    if column.type.is_numeric:
        value, problem = number_value(raw, None)
    elif column.type.is_date:
        value, problem = date_value(raw, None, None)
    else:
        value, problem = text_value(raw, column)
    if problem:
        raise WorkbookUnusable(path, f"row {row}: the default '{show(raw)}' for '{column.label}' cannot be read; "
                                     "write amounts like 12500.50 and dates like 2026-03-31")
    if isinstance(value, str) and len(value) > EXCEL_TEXT_LIMIT:
        raise WorkbookUnusable(path, f"row {row}: the default for '{column.label}' has {len(value):,} characters, "
                                     f"more than an Excel cell holds ({EXCEL_TEXT_LIMIT:,}); shorten it")
    return value
