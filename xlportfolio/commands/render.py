"""One renderer for every Outcome: the lines the ribbon's message box shows are the lines the CLI prints.

The summary line, the counts of findings (unless the summary gives them), the first errors by item
and cell, the first details, and where the result was written. It reads only the Outcome's data,
so an Outcome read back from `--json` renders to the same words.
"""
from __future__ import annotations

from xlportfolio.commands.base import Outcome
from xlportfolio.core.findings import counted

DETAIL_LINES = 15  # a message box is no report: the rest is on the Findings sheet
FIRST_ERRORS = 3  # errors named by item
MESSAGE_LIMIT = 160  # of each of those errors' messages


def lines(outcome: Outcome, limit: int = DETAIL_LINES, items: dict[tuple[str, int], str] | None = None) -> list[str]:
    """What a person reads about `outcome`. `items` names the item on a (sheet, row) when the
    finding does not (the ribbon knows them from the tables it read)."""
    items = items or {}
    out = [outcome.summary]
    if outcome.errors or outcome.warnings:
        counts = f"{counted(outcome.errors, 'error')}, {counted(outcome.warnings, 'warning')}"
        if counts not in outcome.summary:
            out.append(f"Found {counts}.")
    errors = [f for f in outcome.findings if f.severity == "error"][:FIRST_ERRORS]
    if errors:
        out.append(f"First error{'s' if len(errors) > 1 else ''}:")
        for f in errors:
            item = f.item or items.get((f.sheet, f.row))
            message = f.message if len(f.message) <= MESSAGE_LIMIT else f.message[:MESSAGE_LIMIT - 1] + "…"
            out.append(f"  {item + ', ' if item else ''}{f.location()}: {message}")
    out += [f"  {d}" for d in outcome.details[:limit]]
    if len(outcome.details) > limit:
        out.append(f"  ... {len(outcome.details) - limit} more; see the Findings sheet.")
    if outcome.written:
        out.append(f"Written to {outcome.written}.")
    return out
