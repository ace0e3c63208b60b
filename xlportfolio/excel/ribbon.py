"""The ribbon's side of the add-in: the one function VBA calls (the ribbon XML is xlportfolio.excel.manifest).

A click on any xlportfolio button runs the add-in's only VBA callback, which asks xlwings'
add-in to run, in Python:

    import xlportfolio.excel.ribbon as r; r.dispatch('xlp_validate')

`dispatch` finds the workbook the click came from, looks the button up in the command
registry, runs the command on the open workbook through the live adapter, shows its steps in
the status bar and reports the outcome in a message box: counts, the first errors by item and
cell, and an offer to go to the Findings sheet. A person never sees a traceback: a workbook
problem shows its message, anything else a short "internal error" line. The same function serves the Office.js
add-in (xlportfolio.excel.server), where the message box becomes an alert action and the task pane's
JavaScript callback (FINDINGS_CALLBACK) takes a Yes to the Findings sheet.

This module is imported on every click, so it imports nothing heavy at module level.
"""
from __future__ import annotations

from xlportfolio import registry
from xlportfolio.commands import render
from xlportfolio.commands.base import Outcome
from xlportfolio.commands.render import DETAIL_LINES, FIRST_ERRORS
from xlportfolio.core.findings import Report, Severity
from xlportfolio.core.values import is_blank
from xlportfolio.env import env
from xlportfolio.errors import XlPortfolioError
from xlportfolio.excel.manifest import TITLE
from xlportfolio.registry import Command

PROMPT_LIMIT = 1000  # VBA's MsgBox and Windows' MessageBox stay readable below ~1,000 characters
FINDINGS = "Findings"  # the sheet the message box offers to go to
# The JavaScript function of the Office.js task pane (xlportfolio.excel.server) that xlwings' client
# calls with the button pressed in the remote engine's alert: on "yes" it activates FINDINGS.
FINDINGS_CALLBACK = "xlpGoToFindings"


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
    """Run one registry command on an open xlwings Book and report it in a message box.

    The status bar follows the command through its steps (reading, checking, writing); the
    message box gives the outcome with its counts and first errors by item, and, when there
    are findings, offers to go to the Findings sheet.
    """
    title = f"{TITLE}: {command.label}"
    workbook = progress = None
    try:
        workbook = _live(book)
        _status(workbook, f"{TITLE}: {command.label}…")
        progress = Progress(workbook, command.label)
        outcome = command.function()(progress, command.module().Options())
    except XlPortfolioError as exc:
        message = str(exc)
        _status(workbook, "")
        _alert(book, message, title, critical=True)
        return Outcome(command=command.id, summary=message, exit_code=exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for a person's screen
        _status(workbook, "")
        if env().debug:
            raise
        message = internal_error(exc)
        _alert(book, message, title, critical=True)
        return Outcome(command=command.id, summary=message, exit_code=3)
    _status(workbook, "")
    text = outcome_text(outcome, items=progress.items(outcome.report))
    critical = outcome.exit_code != 0
    findings = _findings_sheet(book) if outcome.report.findings else None
    if findings is None:
        _alert(book, text, title, critical=critical)
    elif _remote(book):  # its alert answers the task pane, not Python: the pane's callback acts on Yes
        _alert(book, f"{text}\n\nGo to the {FINDINGS} sheet?", title, critical=critical,
               buttons="yes_no", callback=FINDINGS_CALLBACK)
    elif _alert(book, f"{text}\n\nGo to the {FINDINGS} sheet?", title, critical=critical,
                buttons="yes_no") == "yes":
        _activate(findings)
    return outcome


class Progress:
    """The command's workbook, telling the status bar which step the command is in.

    Every command reads its tables, checks them in the core and applies one plan, so the steps
    a person sees are the ones this wrapper can honestly observe: reading, checking (between
    the read and the write) and writing. A chain (Run all) names its step through `status`.
    The tables read are kept, to name the items the first errors are about.
    """

    def __init__(self, workbook, label: str):
        self.workbook = workbook
        self._step = label
        self._label = label
        self._books: list = []

    def __getattr__(self, name: str):
        return getattr(self.workbook, name)

    def status(self, text: str) -> None:
        step = text.removeprefix(f"{TITLE}: ").rstrip("…").strip()
        self._step = f"{self._label} – {step}" if step else self._label
        self._show("")

    def read(self, tables):
        self._show("reading the workbook")
        book = self.workbook.read(tables)
        self._books.append(book)
        self._show("checking")
        return book

    def apply(self, plan) -> None:
        self._show("writing the results")
        self.workbook.apply(plan)

    def _show(self, phase: str) -> None:
        _status(self.workbook, f"{TITLE}: {self._step}" + (f": {phase}…" if phase else "…"))

    def items(self, report: Report) -> dict[tuple[str, int], str]:
        """'REQ-0004 "Customer portal"' for each (sheet, row) an error is on, from the last read
        that has the row; rows the command added after its read have none."""
        errors = [f for f in report.findings if f.row is not None and f.severity is Severity.ERROR]
        wanted = {(f.sheet, f.row) for f in errors[:FIRST_ERRORS]}
        found: dict[tuple[str, int], str] = {}
        try:
            for book in reversed(self._books):
                for table in book.tables.values():
                    for sheet, row in wanted - found.keys():
                        if sheet == table.sheet and row in table.frame.index:
                            found[(sheet, row)] = _item_name(table, row)
        except Exception:  # noqa: BLE001 - odd data: the errors are still shown by their cells
            return {}
        return {where: name for where, name in found.items() if name}


def _item_name(table, row: int) -> str:
    """A row's ID and name, as far as the table has them."""
    record = table.frame.loc[row]
    parts = []
    for column in (table.schema.key, "title", "name"):
        if column and column in record.index and not is_blank(value := record[column]):
            text = str(value).strip()
            if text not in parts:
                parts.append(text)
        if len(parts) == 2:
            break
    return f'{parts[0]} "{parts[1]}"' if len(parts) == 2 else "".join(parts)


def internal_error(exc: BaseException) -> str:
    return (f"internal error ({type(exc).__name__}: {exc}). Nothing was saved; if the workbook "
            "looks half-changed, close it without saving. Set XLPORTFOLIO_DEBUG=1 to see the "
            "details and please report them.")


def outcome_text(outcome: Outcome, limit: int = DETAIL_LINES,
                 items: dict[tuple[str, int], str] | None = None) -> str:
    """What the message box says: the renderer's lines (the very lines the CLI prints), cut to
    what a message box shows."""
    text = "\n".join(render.lines(outcome, limit, items))
    if len(text) > PROMPT_LIMIT:
        text = text[:PROMPT_LIMIT - 40].rsplit("\n", 1)[0] + "\n  ... more on the Findings sheet."
    return text


def _live(book):
    """The Workbook protocol over an xlwings Book (desktop or remote engine)."""
    from xlportfolio.live.workbook import LiveWorkbook

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


def _alert(book, prompt: str, title: str, critical: bool = False, buttons: str = "ok",
           callback: str | None = None) -> str | None:
    """A message box on desktop Excel; an alert action for the Office.js client, which calls the
    task pane's JavaScript function `callback` with the button pressed. Returns the button
    pressed ("ok", "yes", "no"...) where the engine can say (desktop), else None."""
    extra = {"callback": callback} if callback else {}
    try:
        return book.app.alert(prompt, title=title, buttons=buttons, mode="critical" if critical else "info",
                              **extra)
    except Exception:  # noqa: BLE001 - no message box (e.g. no display): say it on stderr
        import sys

        print(f"{title}: {prompt}", file=sys.stderr)
        return None


def _remote(book) -> bool:
    """xlwings' remote engine (a server answering Office.js), whose alert cannot return an answer
    to Python."""
    try:
        return book.app.engine.name == "remote"
    except Exception:  # noqa: BLE001 - a book without an engine is a desktop stand-in
        return False


def _findings_sheet(book):
    """The Findings sheet of `book`, if the command left one."""
    try:
        return next((s for s in book.sheets if s.name.casefold() == FINDINGS.casefold()), None)
    except Exception:  # noqa: BLE001 - no sheets to offer: the message box says it all
        return None


def _activate(sheet) -> None:
    try:
        sheet.activate()
    except Exception:  # noqa: BLE001 - not being taken there is no reason to hide the outcome
        pass
