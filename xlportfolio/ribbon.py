"""The ribbon's side of the add-in: one function VBA calls, and the ribbon XML.

A click on any xlportfolio button runs the add-in's only VBA callback, which asks xlwings'
add-in to run, in Python:

    import xlportfolio.ribbon as r; r.dispatch('xlp_validate')

`dispatch` finds the workbook the click came from, looks the button up in the command
registry, runs the command on the open workbook through the live adapter and reports the
outcome in a message box. A person never sees a traceback: a workbook problem shows its
message, anything else a short "internal error" line. The same function serves the Office.js
add-in (xlportfolio.server), where the message box becomes an alert action.

This module is imported on every click, so it imports nothing heavy at module level.
"""
from __future__ import annotations

import os

from . import registry
from .commands.base import Outcome
from .errors import XlPortfolioError
from .registry import Command

TITLE = "xlportfolio"
TAB_ID = "xlp_tab"
ON_ACTION = "XlpOnAction"  # the VBA callback in templates/xlportfolio.bas
DETAIL_LINES = 15  # a message box is no report: the rest is on the Findings sheet
PROMPT_LIMIT = 1000  # VBA's MsgBox and Windows' MessageBox stay readable below ~1,000 characters


def dispatch(control_id: str, book=None) -> Outcome | None:
    """Run the command behind ribbon button `control_id` on `book` (default: the caller's).

    Returns the command's Outcome; for an abort, an Outcome whose exit_code is 2 (a workbook
    problem) or 3 (an internal error) and whose summary is the message shown; None when the
    button is unknown. Every result is also shown in a message box; nothing is raised, except
    with XLPORTFOLIO_DEBUG=1, where an internal error propagates so that xlwings shows it whole.
    """
    if book is None:
        book = _caller()
    command = registry.BY_CONTROL.get(control_id)
    if command is None:
        known = ", ".join(sorted(registry.BY_CONTROL))
        _alert(book, f"xlportfolio has no ribbon button {control_id!r} (known: {known}). The add-in "
                     "is older or newer than the installed package: run `xlportfolio addin install` "
                     "and restart Excel.", TITLE, critical=True)
        return None
    return run_command(command, book)


def _caller():
    """The workbook the click came from. Without it there is no message box to use: one clear
    line on stderr and a failing exit make xlwings' add-in show that line instead."""
    import xlwings as xw

    try:
        return xw.Book.caller()
    except Exception as exc:  # noqa: BLE001
        import sys

        print(f"xlportfolio: cannot reach the workbook that was clicked ({type(exc).__name__}: {exc}). "
              "Check that xlwings' add-in is installed and matches the xlwings package: "
              "run `xlportfolio addin install` and restart Excel.", file=sys.stderr)
        raise SystemExit(1) from None


def run_command(command: Command, book) -> Outcome:
    """Run one registry command on an open xlwings Book and report it in a message box."""
    title = f"{TITLE}: {command.label}"
    workbook = None
    try:
        workbook = _live(book)
        _status(workbook, f"{TITLE}: {command.label}…")
        outcome = command.function()(workbook)
    except XlPortfolioError as exc:
        message = str(exc)
        _status(workbook, "")
        _alert(book, message, title, critical=True)
        return Outcome(summary=message, exit_code=exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for a person's screen
        _status(workbook, "")
        if os.environ.get("XLPORTFOLIO_DEBUG"):
            raise
        message = internal_error(exc)
        _alert(book, message, title, critical=True)
        return Outcome(summary=message, exit_code=3)
    _status(workbook, "")
    _alert(book, outcome_text(outcome), title, critical=outcome.exit_code != 0)
    return outcome


def internal_error(exc: BaseException) -> str:
    return (f"internal error ({type(exc).__name__}: {exc}). Nothing was saved; if the workbook "
            "looks half-changed, close it without saving. Set XLPORTFOLIO_DEBUG=1 to see the "
            "details and please report them.")


def outcome_text(outcome: Outcome, limit: int = DETAIL_LINES) -> str:
    """What the message box says: the summary line, then the first details, as the CLI prints."""
    lines = [outcome.summary]
    details = list(outcome.details)
    lines += [f"  {d}" for d in details[:limit]]
    if len(details) > limit:
        lines.append(f"  ... {len(details) - limit} more; see the Findings sheet.")
    text = "\n".join(lines)
    if len(text) > PROMPT_LIMIT:
        text = text[:PROMPT_LIMIT - 40].rsplit("\n", 1)[0] + "\n  ... more on the Findings sheet."
    return text


def _live(book):
    """The Workbook protocol over an xlwings Book (desktop or remote engine)."""
    from .live.workbook import LiveWorkbook

    return LiveWorkbook(book)


def _status(workbook, text: str) -> None:
    """Progress in Excel's status bar; "" clears it. A status bar that cannot be set (the remote
    engine has none) must not stop the command or hide its result."""
    if workbook is None:
        return
    try:
        workbook.status(text)
    except Exception:  # noqa: BLE001
        pass


def _alert(book, prompt: str, title: str, critical: bool = False) -> None:
    """A message box on desktop Excel; an alert action for the Office.js client."""
    try:
        book.app.alert(prompt, title=title, mode="critical" if critical else "info")
    except Exception:  # noqa: BLE001 - no message box (e.g. no display): say it on stderr
        import sys

        print(f"{title}: {prompt}", file=sys.stderr)


def ribbon_groups(commands: list[Command] | None = None) -> list[dict]:
    """The ribbon's groups in GROUPS order, each with its buttons in registry order; empty
    groups are left out."""
    commands = registry.ribbon_commands() if commands is None else commands
    groups = []
    for name in registry.GROUPS:
        members = [c for c in commands if c.group == name]
        if members:
            groups.append({"id": "xlp_group_" + "".join(ch if ch.isalnum() else "_" for ch in name),
                           "label": name, "commands": members})
    return groups


def ribbon_xml() -> str:
    """customUI14.xml for the add-in: one tab, one group per GROUPS entry with buttons, one
    large button per ribbon command."""
    from .addin.templates import render

    return render("customUI.xml.j2", tab_id=TAB_ID, tab_label=TITLE, groups=ribbon_groups(),
                  on_action=ON_ACTION)
