"""What the import checks once every column is converted, when each row's request ID is known.

Text too long for an Excel cell is cut here and reported, so nothing is cut later without a
word. Rows whose IDs differ as exported but become one request ID (once invisible and formula
characters are taken off, and letter case is ignored as the Intake table ignores it) are never
merged: each gets an error and none of them is imported, because which one is right is a guess.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from xlportfolio.core.findings import Finding
from xlportfolio.core.values import show
from xlportfolio.crm.codes import ENCODING_GUESSED, ID_CLASH, TEXT_CUT, cell_finding
from xlportfolio.crm.source import Export
from xlportfolio.crm.texts import EXCEL_TEXT_LIMIT, cut, visible


def cut_long_texts(export: Export, sources: dict[str, int], values: dict[str, list[Any]],
                   ids: list[Any]) -> list[Finding]:
    """Cut every value over Excel's limit in place; a finding for each, saying how much went."""
    findings = []
    for name, i in sources.items():
        column = values[name]
        for k, value in enumerate(column):
            if isinstance(value, str) and len(value) > EXCEL_TEXT_LIMIT:
                column[k] = cut(value)
                row = export.rows[k][0]
                findings.append(cell_finding(
                    TEXT_CUT, export.sheet, row, export.letter(i), export.headers[i], column[k],
                    before=len(value), after=EXCEL_TEXT_LIMIT, cut=len(value) - EXCEL_TEXT_LIMIT,
                    item=_item(ids[k] if name != "request_id" else None)))
    return findings


def id_clashes(export: Export, index: int | None, ids: list[Any]) -> tuple[list[Finding], dict[int, str]]:
    """An error at each row whose ID clashes with another row's, and those rows (export row -> why)."""
    if index is None:
        return [], {}
    groups: dict[str, list[int]] = defaultdict(list)
    for k, rid in enumerate(ids):
        if isinstance(rid, str) and rid:
            groups[rid.casefold()].append(k)
    findings, rejected = [], {}
    for members in groups.values():
        raws = {k: _raw(export.rows[k][1][index]) for k in members}
        if len(set(raws.values())) < 2:
            continue  # the same ID repeated as exported: the rows stay as they were (the last one counts)
        cleaned = {ids[k] for k in members}
        why = ("invisible and formula characters are taken off" if len(cleaned) == 1 else
               "invisible and formula characters are taken off and letter case is ignored")
        rows = [export.rows[k][0] for k in members]
        listed = ", ".join(f"'{visible(raw, 40)}'" for raw in dict.fromkeys(raws[k] for k in members))
        for k, row in zip(members, rows):
            findings.append(cell_finding(
                ID_CLASH, export.sheet, row, export.letter(index), export.headers[index], raws[k],
                raws=listed, rows=", ".join(map(str, rows)), rid=ids[members[0]], why=why))
            others = [str(r) for r in rows if r != row]
            rejected[row] = (f"its ID '{visible(raws[k], 40)}' clashes with row{'s' if len(others) > 1 else ''} "
                             f"{', '.join(others)} (see the crm-id-clash finding)")
    return findings, rejected


def encoding_finding(export: Export, ids_by_row: dict[int, Any], file: str = "The export") -> Finding | None:
    """One warning for a CSV export (or mapping `file`) some of whose bytes were read as Windows-1252."""
    found = export.guess
    if found is None:
        return None
    what, them = found.guess.describe(file)
    column = None if found.index is None else export.letter(found.index)
    header = "" if found.index is None or found.index >= len(export.headers) else export.headers[found.index]
    return cell_finding(ENCODING_GUESSED, export.sheet, found.row, column, header, found.sample,
                        what=what, them=them, encoding="Windows-1252 (the encoding of older Excel CSV files)",
                        sample=found.sample, item=_item(ids_by_row.get(found.row)))


def _item(rid: Any) -> str:
    return f" (request {show(rid)})" if isinstance(rid, str) and rid else ""


def _raw(cell: Any) -> str:
    return cell.strip(" ") if isinstance(cell, str) else show(cell)
