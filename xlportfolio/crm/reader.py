"""Read a CRM export into Intake requests: pick the mapping, convert each column, report the rest.

This is the reading half of `import-crm`: it never touches the portfolio workbook. Each export
row becomes a dict keyed by Intake column names, holding only the columns the mapping provides,
so merging into existing requests can tell "not in the export" from "blank in the export".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlportfolio.core.findings import Finding, Severity
from xlportfolio.crm.convert import convert_column
from xlportfolio.crm.dates import column_order
from xlportfolio.crm.mapping import Mapping, read_mapping
from xlportfolio.crm.numbers import column_decimal
from xlportfolio.crm.presets import PRESETS, describe_presets, match_preset
from xlportfolio.crm.rows import cut_long_texts, encoding_finding, id_clashes
from xlportfolio.crm.source import Export, read_export
from xlportfolio.errors import WorkbookUnusable
from xlportfolio.schema import INTAKE, header_key


@dataclass(frozen=True)
class CrmImport:
    """An export read as Intake requests, with what could not be read or mapped."""

    source: str  # the export's path, for messages
    preset: str | None  # the preset used ('salesforce', 'hubspot', 'dynamics'), None for a mapping file
    rows: list[dict[str, Any]]  # one per export data row, keyed by Intake column names
    row_numbers: list[int]  # the export row each dict came from, as a person sees it (header = 1)
    findings: list[Finding]  # what reading changed or could not read; sheet, row, column point into the export
    unmapped: list[str]  # export headers that feed no Intake column
    missing: list[str]  # labels of required Intake columns that nothing in the export fills
    encoding: str | None = None  # how a CSV export was decoded ('utf-8', 'utf-8-sig', 'cp1252', 'utf-16', or
    #                              'utf-8+cp1252': UTF-8 but for a few bytes read as Windows-1252)
    delimiter: str | None = None  # the CSV delimiter found
    columns: dict[str, str] = field(default_factory=dict)  # Intake column name -> export header feeding it
    rejected: dict[int, str] = field(default_factory=dict)  # export rows not to import (ID clashes) -> why


def read_crm_export(path: str | Path, mapping: str | Path | None = None, preset: str | None = None) -> CrmImport:
    """Read a CRM export (CSV or XLSX) with a preset, found from its headers or named, or a mapping file."""
    export = read_export(path)
    chosen = _choose_mapping(export, mapping, preset)
    sources, unmapped = _resolve(chosen, export)
    if mapping is not None and not sources:
        raise WorkbookUnusable(path, f"none of the export columns in the mapping {mapping} is in the export; "
                                     f"its headers are: {', '.join(h for h in export.headers if h)}")
    values, findings = _convert(export, chosen, sources)
    findings += chosen.findings
    ids = values.get("request_id", [None] * len(export.rows))
    findings += cut_long_texts(export, sources, values, ids)
    clashes, rejected = id_clashes(export, sources.get("request_id"), ids)
    findings += clashes
    if guessed := encoding_finding(export, {row: rid for (row, _), rid in zip(export.rows, ids)}):
        findings.append(guessed)
    findings.sort(key=lambda f: (f.severity is not Severity.ERROR, f.sheet != export.sheet, f.row or 0,
                                 len(f.column or ""), f.column or ""))
    defaults = dict(chosen.defaults)
    names = [c.name for c in INTAKE.input_columns if c.name in sources or c.name in defaults]
    rows = [{name: _or_default(values.get(name), i, defaults.get(name)) for name in names}
            for i in range(len(export.rows))]
    missing = [c.label for c in INTAKE.input_columns if c.required and c.name not in names]
    return CrmImport(
        source=str(path), preset=chosen.preset, rows=rows, row_numbers=[n for n, _ in export.rows],
        findings=findings, unmapped=unmapped, missing=missing, encoding=export.encoding,
        delimiter=export.delimiter, columns={name: export.headers[i] for name, i in sources.items()},
        rejected=rejected,
    )


def _choose_mapping(export: Export, mapping: str | Path | None, preset: str | None) -> Mapping:
    if mapping is not None and preset is not None:
        raise WorkbookUnusable(export.source, "give either a preset or a mapping file, not both")
    if mapping is not None:
        return read_mapping(mapping)
    if preset is not None:
        if preset.lower() not in PRESETS:
            raise WorkbookUnusable(export.source, f"there is no preset '{preset}'; the presets are "
                                                  f"{', '.join(PRESETS)}")
        return PRESETS[preset.lower()].mapping()
    found = match_preset(export.headers)
    if found is None:
        raise WorkbookUnusable(export.source, (
            f"the export's headers ({', '.join(h for h in export.headers if h)}) match no built-in CRM "
            f"preset: {describe_presets()}. For any other export, write a mapping file: a CSV whose first "
            "row is 'export column,intake column,default' and then one row per export column, such as "
            "'Deal Ref,Request ID' or ',Source,CRM' for a constant, and pass it with --mapping MAP.csv"))
    return found.mapping()


def _resolve(chosen: Mapping, export: Export) -> tuple[dict[str, int], list[str]]:
    """Intake column name -> export column index feeding it; and the export headers feeding nothing."""
    index: dict[str, int] = {}
    for i, header in enumerate(export.headers):
        if header:
            index.setdefault(header_key(header), i)
    sources: dict[str, int] = {}
    for header, name in chosen.columns:
        i = index.get(header_key(header))
        if i is not None and name not in sources:
            sources[name] = i
    used = set(sources.values())
    unmapped = [h or f"(no header, column {export.letter(i)})" for i, h in enumerate(export.headers)
                if i not in used and (h or any(cells[i] is not None for _, cells in export.rows))]
    return sources, unmapped


def _convert(export: Export, chosen: Mapping, sources: dict[str, int]) -> tuple[dict[str, list], list[Finding]]:
    order = _date_order(export, chosen, sources)
    values: dict[str, list] = {}
    findings: list[Finding] = []
    for name, i in sources.items():
        prefix = chosen.id_prefix if name == "request_id" else ""
        values[name], found = convert_column(export, i, INTAKE.column(name), date_order=order, id_prefix=prefix)
        findings += found
    return values, findings


def _date_order(export: Export, chosen: Mapping, sources: dict[str, int]) -> str | None:
    """The slash-date order for columns without evidence of their own: what other dates of the export
    show (one locale wrote them all), else the CRM's default unless the export looks European."""
    if shown := column_order(t for i in range(len(export.headers)) for t in _texts(export, i)):
        return shown
    amounts = [i for name, i in sources.items() if INTAKE.column(name).type.is_numeric]
    european = export.delimiter == ";" or any(column_decimal(_texts(export, i)) == "," for i in amounts)
    return None if european else chosen.date_order


def _texts(export: Export, index: int) -> list[str]:
    return [cells[index] for _, cells in export.rows if isinstance(cells[index], str)]


def _or_default(values: list | None, i: int, default: Any) -> Any:
    value = values[i] if values is not None else None
    return default if value is None else value
