"""Exceptions that abort a command; bad user *data* is a finding, never an exception.

    XlPortfolioError
     ├── WorkbookUnusable      the file cannot be used at all (exit code 2):
     │                         not a workbook, encrypted, corrupt, hostile, no Intake table
     ├── ContentWouldBeLost    saving would drop content the tool did not create (exit code 2)
     ├── TemplateError         a table in the workbook does not match the schema (exit code 2)
     └── SaveRefused           the result cannot be saved where asked; the file on disk is
          │                    unchanged (exit code 2): read-only file or folder, bad --output
          ├── WorkbookBusy     someone else is working on it: open in Excel (its ~$ lock
          │                    file) or LibreOffice, or another xlportfolio command's lock
          └── WorkbookChanged  the file changed on disk between reading and saving

Every exception class of the package lives here (a test checks it), the ones outside that tree
too: the add-in's build and install errors, the server's settings and refusals, the server's
command timeout, which must not be an Exception at all, and a configuration cell's problem,
which the configuration reader turns into a finding.

Every message names the file, and where it applies the sheet, row and column, and says what
to do next. The CLI prints the message; it never shows a traceback.
"""
from __future__ import annotations

from pathlib import Path


class XlPortfolioError(Exception):
    """Base of every abort; `str()` is the message a person reads."""

    exit_code = 2

    def __init__(self, path: str | Path | None, message: str):
        self.path = str(path) if path is not None else None
        self.message = message
        super().__init__(f"{self.path}: {message}" if self.path else message)


class WorkbookUnusable(XlPortfolioError):
    """The file is not a workbook we can read (wrong format, encrypted, corrupt, hostile)."""


class ContentWouldBeLost(XlPortfolioError):
    """Saving in place would drop parts the tool did not create; nothing was written."""


class TemplateError(XlPortfolioError):
    """A governed table is missing or its header does not fit the schema."""


class SaveRefused(XlPortfolioError):
    """The result cannot be saved where asked; the file on disk is as it was."""


class WorkbookBusy(SaveRefused):
    """Someone else is working on the workbook: Excel, LibreOffice or another xlportfolio command."""


class WorkbookChanged(SaveRefused):
    """The workbook changed on disk after the command read it; saving would overwrite that change."""


class BadEnvironment(XlPortfolioError):
    """An environment variable holds a value xlportfolio cannot use (xlportfolio.env names it)."""


class LedgerKeyError(XlPortfolioError):
    """The ledger key is named but cannot be read: no command may run as if there were none."""


class NoLedger(XlPortfolioError):
    """The workbook has no ledger at all: there is nothing to verify."""


class BadCopy(XlPortfolioError):
    """The ledger copy given to compare with is not an intact ledger chain."""


class LedgerTampered(XlPortfolioError):
    """The ledger does not verify: nothing may be chained onto it."""


class WrongWorkbook(TemplateError):
    """The workbook is not the kind the command works on; nothing was read or changed."""


class BadBudget(XlPortfolioError):
    """The budget given is no amount, or not above zero (exit code 2, nothing is written)."""


class InstallError(RuntimeError):
    """A step of `xlportfolio addin install` failed; the message says what to do."""


class AddinBuildError(RuntimeError):
    """The add-in cannot be built (ms-ovba missing, module too long, compression failed)."""


class SettingsError(ValueError):
    """The server's configuration cannot be used; the message says what to change."""


class ConfigProblem(ValueError):
    """A configuration cell that cannot be used, raised inside a configuration model's validator.

    Never an abort: the configuration reader (core/config) turns it into a finding at the cell.
    `text` continues the column's header ("must be a number, not 'high'") unless `whole` says it
    is a sentence of its own; `column` names the cell when a rule spans fields (a range without
    its bounds is the Minimum cell's problem); `severity` overrides the table's finding code's.
    """

    def __init__(self, text: str, *, column: str | None = None, whole: bool = False, severity: str | None = None):
        super().__init__(text)
        self.text, self.column, self.whole, self.severity = text, column, whole, severity


class Refusal(Exception):
    """A request to the server refused before any work: its HTTP status and the message the person sees."""

    def __init__(self, status: int, message: str, outcome: str):
        super().__init__(message)
        self.status, self.message, self.outcome = status, message, outcome


class CommandTimeout(BaseException):
    """Raised inside a server command's thread when it runs past the timeout. A BaseException, so
    the ribbon's last-line `except Exception` does not turn it into a message and carry on."""
