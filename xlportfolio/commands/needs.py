"""What each command works on: the kind of workbook and the tables it cannot do without.

Every command checks this before it reads or changes anything, so that `score` given an intake
form, or `gates` given someone's budget sheet, stops with a message naming what is missing
instead of adding Findings, marks and generated sheets to a workbook that is not one of ours.
Only table and sheet names are looked at, so the check costs nothing beside the command.

A table counts as present the way the reader finds it: an Excel Table of its name, or a sheet of
its name with headers in row 1. Only tables without which the command has nothing to work on are
required: configuration tables (Scoring, Gates, Stage weights, Rules) fall back to the schema's
defaults, and the other data tables (Financials, Capacity, Approvals, ...) are used when present.
A governed portfolio is told by its Items table.
"""
from __future__ import annotations

from dataclasses import dataclass

from xlportfolio.commands.base import Workbook
from xlportfolio.errors import WrongWorkbook
from xlportfolio.schema import DATA_TABLES, INTAKE, ITEMS, Table

SHEETS_SHOWN = 8  # a workbook with dozens of sheets is named by its first few


@dataclass(frozen=True)
class Kind:
    what: str  # how a message names the kind of workbook
    start: str  # how to get one


PORTFOLIO = Kind("a governed portfolio workbook",
                 "use the portfolio workbook, or start one with: xlportfolio new portfolio BOOK.xlsx")
INTAKE_BOOK = Kind("a workbook with an Intake table (an intake workbook or a governed portfolio)",
                   "start from the intake template: xlportfolio new intake TEMPLATE.xlsx")


SCORABLE = Kind("a workbook with requests or items to score (an intake workbook or a governed portfolio)",
                "use the intake or portfolio workbook, or start one with: xlportfolio new intake|portfolio BOOK.xlsx")


@dataclass(frozen=True)
class Needs:
    kind: Kind
    tables: tuple[Table, ...]  # every one of them
    any_of: tuple[Table, ...] = ()  # at least one of them, when given


# One entry per registry command (a test holds them together).
NEEDS: dict[str, Needs] = {
    "validate": Needs(INTAKE_BOOK, (INTAKE,)),
    "consolidate": Needs(INTAKE_BOOK, (INTAKE,)),  # the workbook the requests are merged into
    "import-crm": Needs(INTAKE_BOOK, (INTAKE,)),
    "accept": Needs(PORTFOLIO, (INTAKE, ITEMS)),  # requests in, items out
    # The intake template carries Score, Rank and Why too: a PMO may rank requests before any portfolio exists.
    "score": Needs(SCORABLE, (), (INTAKE, ITEMS)),
    "select": Needs(PORTFOLIO, (ITEMS,)),
    "gates": Needs(PORTFOLIO, (ITEMS,)),
    "verify": Needs(PORTFOLIO, (ITEMS,)),
    "rollup": Needs(PORTFOLIO, (ITEMS,)),
    "report": Needs(PORTFOLIO, (ITEMS,)),
    "run": Needs(PORTFOLIO, (INTAKE, ITEMS)),  # validate and accept need the requests
}


def check_workbook(wb: Workbook, command: str) -> None:
    """Stop `command` before any work when `wb` lacks a table it needs, naming every one missing."""
    needs = NEEDS[command]
    missing = [t for t in needs.tables if not wb.has_table(t)]
    if needs.any_of and not any(wb.has_table(t) for t in needs.any_of):
        missing += list(needs.any_of)
    if missing:
        raise WrongWorkbook(wb.source, wrong_workbook_message(wb, command, needs, missing))


def wrong_workbook_message(wb: Workbook, command: str, needs: Needs, missing: list[Table]) -> str:
    if needs.any_of and missing == list(needs.any_of):
        absent = "neither " + " nor ".join(f"an {t.name} table" for t in missing)
    else:
        absent = " and ".join(f"no {t.name} table" for t in missing)
    if len(missing) == 1:
        how = f"an Excel Table named '{missing[0].name}', or a sheet '{missing[0].sheet}' with headers in row 1"
    else:
        how = "each an Excel Table of that name, or a sheet of that name with headers in row 1"
    text = f"{command} works on {needs.kind.what}, and this workbook has {absent} ({how})."
    present = [t for t in DATA_TABLES if t not in missing and wb.has_table(t)]
    if needs.kind is PORTFOLIO and [t.name for t in present] == [INTAKE.name]:
        text += " It is an intake workbook: it holds requests, not the portfolio's items."
    elif not present:
        sheets = wb.sheet_names()
        shown = ", ".join(sheets[:SHEETS_SHOWN]) + (f" and {len(sheets) - SHEETS_SHOWN} more"
                                                    if len(sheets) > SHEETS_SHOWN else "")
        text += f" Its sheets are: {shown or 'none'}."
    return text + f" Nothing was changed; {needs.kind.start}"
