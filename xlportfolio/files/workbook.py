"""Open a workbook file for a command and save it back part by part, keeping the file the user had.

    with open_book(path, output=output) as wb:     # guard, lock, stamp, package
        outcome = validate.run(wb, options)         # the one plan walk, through the package
        written = wb.save()                         # only changed parts rewritten; atomic

The guard refuses what cannot be used (not a workbook, encrypted, a zip bomb, Strict Open XML);
content is never a reason to refuse, since the package engine copies every part it does not
change byte for byte. New standard workbooks are still written by openpyxl (`save_new`).
"""
from __future__ import annotations

import gc
import io
from collections.abc import Sequence
from pathlib import Path

from openpyxl.workbook import Workbook

from xlportfolio.core.book import Book
from xlportfolio.core.plan import EditPlan
from xlportfolio.errors import XlPortfolioError
from xlportfolio.files.locks import WorkbookLock
from xlportfolio.files.package_check import PackageReport, inspect_package
from xlportfolio.files.save import FileStamp, check_output, save_atomic, stamp
from xlportfolio.package.book import Package
from xlportfolio.package.surface import PackageSurface
from xlportfolio.schema import Table
from xlportfolio.surface.workbook import SurfaceWorkbook


class FileWorkbook(SurfaceWorkbook):
    """A workbook file opened as a package for one command (or a chain of them)."""

    def __init__(self, path: Path, report: PackageReport, *, target: Path | None, lock: WorkbookLock | None,
                 opened: FileStamp | None, on_status=None):
        self.path, self.report, self.target = path, report, target
        self._lock, self._opened = lock, opened
        self.package = Package(path)
        super().__init__(PackageSurface(self.package), on_status)
        self.source = str(path)
        self._gc = _fewer_collections()

    def save(self) -> Path:
        """Write the changed parts where the command was told to (in place or --output); return it.

        Saving in place when nothing changed leaves the file as it was, not even its date touched.
        """
        if self.target is None:
            raise XlPortfolioError(self.path, "this workbook was opened to be read only")
        surface: PackageSurface = self.surface
        surface.prepare()
        if self.target == self.path and not surface.changed():
            return self.target
        if self.target != self.path:
            self.package.match_kind(self.target.suffix)
        return save_atomic(self.target, surface.save_to, opened=self._opened)

    def close(self) -> None:
        self.surface.close()
        if self._gc is not None:
            gc.set_threshold(*self._gc)
            self._gc = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> FileWorkbook:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _fewer_collections() -> tuple[int, ...]:
    """Let Python's cycle collector run less often while a command works; return the old setting.

    A command holds hundreds of thousands of cell values, findings and plan entries at once, none
    of them in reference cycles; the default thresholds make the collector walk them all again and
    again (a third of a big run's time). Memory is unaffected: reference counting frees them.
    """
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], 100_000), max(old[1], 50), max(old[2], 100))
    return old


def open_book(path: str | Path, *, output: str | Path | None = None, on_status=None) -> FileWorkbook:
    """A workbook to change: checked, locked against a second command, and stamped, so that a
    save made meanwhile in Excel is never overwritten."""
    path = Path(path)
    report = inspect_package(path)
    target = check_output(path, output, macros=report.macro_enabled)
    lock = WorkbookLock(path)
    lock.acquire()
    try:
        return FileWorkbook(path, report, target=target, lock=lock, opened=stamp(path), on_status=on_status)
    except BaseException:
        lock.release()
        raise


def read_book_file(path: str | Path) -> FileWorkbook:
    """A workbook only to read (a source file is never written back)."""
    path = Path(path)
    return FileWorkbook(path, inspect_package(path), target=None, lock=None, opened=None)


def save_new(wb: Workbook, target: str | Path) -> Path:
    """A workbook openpyxl built from scratch (the standard templates, the demo), saved atomically."""
    def write(fh) -> None:
        data = io.BytesIO()
        wb.save(data)
        fh.write(data.getvalue())

    return save_atomic(Path(target), write)


def apply_plan_file(path: str | Path, plan: EditPlan, *, output: str | Path | None = None) -> Path:
    """Apply one edit plan to a workbook file and save it (a command without a core step)."""
    with open_book(path, output=output) as wb:
        wb.apply(plan)
        return wb.save()


def read_tables(path: str | Path, tables: Sequence[Table]) -> Book:
    """The governed tables of a workbook file, as every command reads them."""
    with read_book_file(path) as wb:
        return wb.read(tables)
