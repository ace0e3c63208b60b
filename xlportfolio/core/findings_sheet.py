"""Findings written back: a mark and note on each offending cell, and the shared Findings sheet.

Every command that reports findings writes them the same way, so these live beside the findings,
not in one command's core.
"""
from __future__ import annotations

from collections import defaultdict

from xlportfolio.core.findings import Finding, Report, Severity
from xlportfolio.core.formats import legend
from xlportfolio.core.plan import ERROR_FILL, WARNING_FILL, CellMark, GeneratedSheet, Link
from xlportfolio.core.values import read_once, show

FINDINGS_SHEET = "Findings"
FINDINGS_HEADER = ("Command", "Severity", "Code", "Sheet", "Cell", "Column", "Value", "Item", "Rows", "What to do")
FINDINGS_WIDTHS = (11, 10, 22, 12, 10, 18, 24, 28, 7, 90)


def marks_for(report: Report) -> list[CellMark]:
    """One mark per offending cell; several findings on a cell share one note.

    Pass the report `lead` made: a finding that stands for an item's repeated rows marks its first
    cell only, and its note names the others, so thousands of rows do not each carry a note.
    """
    by_cell: dict[tuple[str, int, str], list[Finding]] = defaultdict(list)
    for f in report.findings:
        if f.row is not None and f.column:
            by_cell[(f.sheet, f.row, f.column)].append(f)
    marks = []
    for (sheet, row, column), found in by_cell.items():
        worst = Severity.ERROR in [f.severity for f in found]
        note = "\n".join([f"{_LABEL[f.severity]}: {f.message}" for f in found])
        marks.append(CellMark(sheet, row, column, ERROR_FILL if worst else WARNING_FILL, note))
    return marks


_LABEL = {s: s.upper() for s in Severity}  # how a note names a severity: ERROR, WARNING


def findings_sheet(report: Report, command: str, all_clear: str) -> GeneratedSheet:
    """Every finding of one command with a link to its cell; errors first, then in sheet order.

    The sheet is shared: each command replaces its own rows and keeps the others' (the walk puts
    every command's errors before the warnings); column A names the command for the autofilter.
    """
    ordered = report.leading
    shown = read_once([f.value for f in ordered], _shown)  # findings by the thousand share a few values
    rows = tuple(
        (
            command,
            str(f.severity),
            f.code,
            f.sheet,
            Link(cell, f.sheet, cell) if (cell := f.cell) else "",
            f.header or "",
            value,
            f.item or "",
            f.count if f.row is not None else "",
            f.message,
        )
        for f, value in zip(ordered, shown)
    )
    if not rows:
        rows = ((command, "", "", "", "", "", "", "", "", f"No findings: {all_clear}."),)
    key, looks = legend(1, len(FINDINGS_HEADER) + 2)  # right of the table, in the frozen header row
    return GeneratedSheet(FINDINGS_SHEET, FINDINGS_HEADER, rows, FINDINGS_WIDTHS, shared=True,
                          blocks=(key,), looks=looks)


def _shown(value: object) -> str:
    return show(value) if value is not None else ""
