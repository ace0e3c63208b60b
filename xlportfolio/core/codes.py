"""Every finding code, with its severity and message: one table for the checks, the commands and the CRM import."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xlportfolio.core.book import SheetTable
from xlportfolio.core.findings import REPEATED_BY_CODE, Finding, Severity
from xlportfolio.core.values import show


@dataclass(frozen=True)
class Code:
    """A stable finding code with its severity and message template."""

    code: str
    severity: Severity
    template: str  # str.format fields: header, value and whatever the check passes


CODES: dict[str, Code] = {}


def define(code: str, severity: Severity, template: str, repeated: str | None = None) -> str:
    """A finding code; `repeated` words the one finding that stands for an item's repeated rows
    (see findings.lead: fields count, sheet, item, cells, values and first)."""
    if code in CODES and CODES[code] != Code(code, severity, template):
        raise ValueError(f"finding code {code} defined twice")
    CODES[code] = Code(code, severity, template)
    if repeated:
        REPEATED_BY_CODE[code] = repeated
    return code


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
