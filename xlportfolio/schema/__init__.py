"""One declarative schema for the governed workbook: tables, columns, types, lists, defaults."""
from __future__ import annotations

from xlportfolio.schema.config import CHECKS_TABLE, CONFIG_TABLES, GATES, INTAKE_RULES, SCORING, STAGE_WEIGHTS
from xlportfolio.schema.lists import LISTS, LISTS_BY_NAME, STAGES
from xlportfolio.schema.model import NUMBER_FORMATS, Column, ColumnType, ConfigTable, Table, ValueList, header_key
from xlportfolio.schema.settings import SETTINGS
from xlportfolio.schema.tables import (
                  APPROVALS,
                  CAPACITY,
                  DATA_TABLES,
                  DEPENDENCIES,
                  FINANCIALS,
                  INTAKE,
                  ITEMS,
                  MILESTONES,
                  PEOPLE,
                  RISKS,
)

TABLES_BY_NAME = ({t.name: t for t in DATA_TABLES} | {c.table.name: c.table for c in CONFIG_TABLES}
                  | {CHECKS_TABLE.name: CHECKS_TABLE})

__all__ = [
    "APPROVALS", "CAPACITY", "CHECKS_TABLE", "CONFIG_TABLES", "INTAKE_RULES", "PEOPLE", "DATA_TABLES", "DEPENDENCIES", "FINANCIALS", "GATES",
    "INTAKE", "ITEMS", "LISTS", "LISTS_BY_NAME", "MILESTONES", "NUMBER_FORMATS", "RISKS", "SCORING",
    "SETTINGS", "STAGE_WEIGHTS", "STAGES", "TABLES_BY_NAME", "Column", "ColumnType", "ConfigTable", "Table", "ValueList", "header_key",
]
