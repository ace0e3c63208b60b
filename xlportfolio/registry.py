"""Every command a person can run, in one list: the CLI, the ribbon, the dispatch table and the
Office manifest are all generated from it, so a button can never exist without its command.

A command added here appears on the ribbon after `xlportfolio addin build`; no VBA or XML is
edited by hand. The functions are named by import path so that reading the registry (for the
CLI's start-up, or to render the ribbon) imports none of the engine.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Command:
    id: str  # the CLI name, e.g. "validate"
    label: str  # the button's caption
    tooltip: str  # the button's screen tip and the CLI's one-line help
    group: str  # the ribbon group the button sits in
    image: str  # an Office imageMso name, so the add-in ships no icons
    # "module:run": run(wb, options) -> Outcome on the open Workbook (file or live); the module's
    # Options (a pydantic model) says what else it takes, its Figures what it counts.
    run: str
    ribbon: bool = True  # False: needs more than the open workbook (a folder, an export file)
    saves: bool = True  # False: the workbook is only read (verify, report)

    @property
    def control_id(self) -> str:
        """The ribbon control's id; VBA passes it back to Python on a click."""
        return "xlp_" + self.id.replace("-", "_")

    def module(self) -> ModuleType:
        """The command's module: its Options, Figures and run."""
        return importlib.import_module(self.run.partition(":")[0])

    def function(self) -> Callable:
        return getattr(self.module(), self.run.partition(":")[2])


# The ribbon shows groups in this order, and buttons in the order they are listed.
GROUPS = ("Intake", "Prioritise", "Gates", "Rollups")

COMMANDS: tuple[Command, ...] = (
    Command("validate", "Validate", "Check the Intake table and mark every problem in the workbook.",
            "Intake", "DataValidation", "xlportfolio.commands.validate:run"),
    Command("accept", "Accept", "Turn valid requests marked Accept = Yes into portfolio items at DI1 Defined.",
            "Intake", "AcceptInvitation", "xlportfolio.commands.accept:run"),
    Command("consolidate", "Consolidate", "Validate a folder of intake workbooks and merge the valid rows.",
            "Intake", "MergeCells", "xlportfolio.commands.consolidate:run", ribbon=False),
    Command("import-crm", "Import CRM", "Import opportunities from a CRM export as intake requests.",
            "Intake", "ImportExcel", "xlportfolio.commands.import_crm:run", ribbon=False),
    Command("score", "Score", "Score, rank and explain requests and items with the Scoring sheet's criteria.",
            "Prioritise", "SortDescendingExcel", "xlportfolio.commands.score:run"),
    Command("select", "Select", "Choose the best candidates under budget and capacity onto a Scenario sheet.",
            "Prioritise", "WhatIfAnalysisMenu", "xlportfolio.commands.select:run"),
    Command("gates", "Gates", "Check requested stage moves: apply and record passing ones, explain the others.",
            "Gates", "ReviewAcceptChange", "xlportfolio.commands.gates:run"),
    Command("verify", "Verify ledger", "Check that no ledger row was edited, deleted, inserted or reordered.",
            "Gates", "ReviewProtectWorkbook", "xlportfolio.commands.verify:run", saves=False),
    Command("rollup", "Refresh rollups", "Regenerate the rollup sheets, checks and the Dashboard with its charts.",
            "Rollups", "RefreshAll", "xlportfolio.commands.rollup:run"),
    Command("run", "Run all", "Run validate, accept, score, gates and rollup in order.",
            "Rollups", "MacroPlay", "xlportfolio.commands.run:run"),
    Command("report", "Report pack", "Write a steering-committee pack (HTML) beside the workbook.",
            "Rollups", "FileSaveAsWebPage", "xlportfolio.commands.report:run", ribbon=False,
            saves=False),
)

BY_ID = {c.id: c for c in COMMANDS}
BY_CONTROL = {c.control_id: c for c in COMMANDS if c.ribbon}


def ribbon_commands() -> list[Command]:
    """The buttons, group by group in GROUPS order."""
    return sorted((c for c in COMMANDS if c.ribbon), key=lambda c: GROUPS.index(c.group))
