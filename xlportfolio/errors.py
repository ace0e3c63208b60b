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
