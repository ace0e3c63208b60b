"""Open a workbook file safely for a command and save it back atomically, losing nothing."""
from __future__ import annotations

import io
import os
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from ..errors import ContentWouldBeLost, WorkbookUnusable, XlPortfolioError
from .guards import PackageReport, inspect_package

MACRO_SUFFIXES = {".xlsm", ".xltm"}


@dataclass
class OpenedBook:
    path: Path
    wb: Workbook
    package: PackageReport
    target: Path | None = None  # where a command saves: --output, or the file itself

    def save(self) -> Path:
        """Save atomically where the command was told to write; return that path."""
        target = self.target or self.path
        save_atomic(self.wb, target)
        return target


def open_book(path: str | Path, *, output: str | Path | None = None) -> OpenedBook:
    """Check the file, refuse a save that would lose content, then load it for editing."""
    path = Path(path)
    package = inspect_package(path)
    target = Path(output) if output else path
    if package.lossy_parts and target.resolve() == path.resolve():
        raise ContentWouldBeLost(path, _lossy_message(package))
    if package.macro_enabled and target.suffix.lower() not in MACRO_SUFFIXES:
        raise ContentWouldBeLost(path, f"it holds macros, which a {target.suffix or 'plain'} file "
                                 "cannot keep; write to a file ending in .xlsm.")
    return OpenedBook(path, load(path, package), package, target)


def read_book_file(path: str | Path) -> OpenedBook:
    """Load a workbook only to read it (a source file is never written back)."""
    path = Path(path)
    package = inspect_package(path)
    return OpenedBook(path, load(path, package), package)


def load(path: Path, package: PackageReport) -> Workbook:
    """openpyxl's load, with its failures turned into a message a person can act on."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it drops; the guard has already judged them.
            warnings.simplefilter("ignore")
            # From memory: a load that fails half-way then leaves no open file behind.
            data = io.BytesIO(path.read_bytes())
            return load_workbook(data, keep_vba=package.macro_enabled, rich_text=package.rich_text,
                                 keep_links=True)
    except XlPortfolioError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, IndexError, AttributeError,
            SyntaxError, EOFError) as exc:
        raise WorkbookUnusable(path, f"the workbook cannot be read ({type(exc).__name__}: {exc}); "
                               "open it in Excel, save it again as .xlsx and retry.") from exc


def _lossy_message(package: PackageReport) -> str:
    parts = "; ".join(package.lossy_parts)
    return (f"it contains content this tool cannot write back without losing it ({parts}). "
            "Nothing was changed. Use --output NEW.xlsx to write the result to a new file "
            "and keep this one as it is.")


def save_atomic(wb: Workbook, target: str | Path) -> None:
    """Write to a temporary file beside the target, then replace it in one step.

    On any error the original file is left byte-identical and the temporary file removed.
    """
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix or ".xlsx",
                               dir=target.parent if str(target.parent) else ".")
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
