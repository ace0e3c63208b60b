"""The building blocks of the declarative workbook schema: columns, tables, value lists.

Template generation, reading, validation and the Instructions sheet are all derived from
instances of these classes (see `xlportfolio.schema.governed`); nothing restates a column by
hand anywhere else.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property


class ColumnType(StrEnum):
    TEXT = "text"
    ID = "id"  # an item or request identifier, kept as text
    ID_LIST = "id list"  # several identifiers separated by commas or semicolons
    NUMBER = "number"
    INTEGER = "integer"
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"
    MONTH = "month"  # a date on the first of a month (a financial period)
    CHOICE = "choice"  # one value of a list kept on the Lists sheet

    # Worked out once per member: checks ask for every cell, and enum comparisons are slow.
    @cached_property
    def is_numeric(self) -> bool:
        return self in (ColumnType.NUMBER, ColumnType.INTEGER, ColumnType.MONEY, ColumnType.PERCENT)

    @cached_property
    def is_date(self) -> bool:
        return self in (ColumnType.DATE, ColumnType.MONTH)


# Excel number formats per type; the template writer applies them, the reader ignores them.
NUMBER_FORMATS = {
    ColumnType.NUMBER: "#,##0.0",
    ColumnType.INTEGER: "0",
    ColumnType.MONEY: "#,##0",
    ColumnType.PERCENT: "0%",
    ColumnType.DATE: "yyyy-mm-dd",
    ColumnType.MONTH: "yyyy-mm",
}


@dataclass(frozen=True)
class Column:
    name: str  # the stable name code uses (snake_case); also accepted as a header
    label: str  # the header a person sees in the workbook
    type: ColumnType = ColumnType.TEXT
    description: str = ""
    required: bool = False
    choices: str | None = None  # name of a ValueList when type is CHOICE
    computed: bool = False  # written by a command, locked in templates
    width: float | None = None

    def __post_init__(self) -> None:
        if (self.type is ColumnType.CHOICE) != (self.choices is not None):
            raise ValueError(f"column {self.name}: a choice column names its list, others do not")

    @property
    def header_key(self) -> str:
        return header_key(self.label)


@dataclass(frozen=True)
class Table:
    name: str  # the Excel Table (ListObject) name, stable across versions
    sheet: str
    description: str
    columns: tuple[Column, ...]
    key: str | None = None  # the column that identifies a row, if any

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.computed)

    def match_header(self, header: object) -> Column | None:
        """The schema column a workbook header stands for (by label or name), or None."""
        key = header_key(header)
        for col in self.columns:
            if key in (col.header_key, header_key(col.name)):
                return col
        return None


@dataclass(frozen=True)
class ValueList:
    name: str  # used as the table name suffix and in Column.choices
    label: str
    values: tuple[str, ...]
    description: str = ""

    @property
    def table_name(self) -> str:
        return f"List_{self.name}"

    @property
    def range_name(self) -> str:
        """The defined name a dropdown refers to."""
        return f"lst_{self.name}"


@dataclass(frozen=True)
class ConfigTable:
    """A configuration table (Scoring, Gates) with its default rows."""

    table: Table
    rows: tuple[tuple, ...] = field(default=())


def header_key(text: object) -> str:
    """Headers match ignoring case, spaces, punctuation and line breaks: 'Due date' == 'due_date'."""
    return re.sub(r"[^0-9a-z%]+", "", str(text or "").lower())
