"""Who else is working on this workbook: another xlportfolio command, or a person in Excel or LibreOffice.

    WorkbookLock(path)                  exclusive per-workbook lock, from open to end of save
    refuse_if_open_elsewhere(shown, real)   an Excel or LibreOffice lock file beside the workbook

Where the lock reaches
- POSIX: WorkbookLock is fcntl.flock on the workbook itself (no lock file is left behind). The
  kernel drops it when the process ends, even by SIGKILL. flock is used, not fcntl/lockf
  record locks, because closing any other descriptor of the file (the engine reading it)
  would drop those. On NFS, Linux emulates flock with record locks (that drawback included),
  and on SMB mounts the lock may only be seen on the same machine: there the stamp check
  (`xlportfolio.files.save`) is what stops a lost update.
- Windows: no lock (holding the workbook open would make the final replace fail, and a byte
  lock would keep Excel from reading it): a second command is caught by the stamp check at
  save time, not at once.
"""
from __future__ import annotations

import os
import re
from contextlib import suppress
from pathlib import Path

from xlportfolio.errors import WorkbookBusy, WorkbookUnusable

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

# The sentences every refusal of a save ends with.
UNCHANGED = "Nothing was changed."
ELSEWHERE = "or use --output NEW.xlsx to write the result to another file."


class WorkbookLock:
    """An exclusive lock on one workbook, held from the moment a command opens it until its save.

    A second command on a locked workbook is refused at once. See the module notes for where
    the lock reaches (POSIX: flock; Windows: none, the stamp check stands in).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fd: int | None = None

    def __enter__(self) -> WorkbookLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()

    def acquire(self) -> None:
        if fcntl is None:
            return
        for _ in range(5):
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise WorkbookBusy(self.path, "another xlportfolio command is working on this workbook; try "
                                              f"again when it has finished. {UNCHANGED}") from None
            except OSError:  # a filesystem without locks: the stamp check still guards the save
                os.close(fd)
                return
            if _same_inode(fd, self.path):
                self._fd = fd
                return
            os.close(fd)  # the file was replaced between open and lock: lock the new one
        raise WorkbookBusy(self.path, "the file keeps being replaced while this command tries to open it; "
                                      f"try again in a moment. {UNCHANGED}")

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            raise WorkbookUnusable(self.path, "there is no such file; check its name and folder.") from None


def _same_inode(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path)
    except OSError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)



# -- someone else has the workbook open ------------------------------------------------------------

def refuse_if_open_elsewhere(shown: Path, real: Path) -> None:
    """Refuse a workbook whose Excel or LibreOffice lock file lies beside it."""
    places = {(shown.parent, shown.name), (real.parent, real.name)}
    for folder, name in sorted(places):
        # Excel names its owner file "~$" + the whole name (Word, unlike Excel, drops leading
        # characters of long names; LibreOffice's msodocumentlockfile.cxx follows the same rule).
        for app, lock, owner in (("Excel", folder / f"~${name}", _excel_owner),
                                 ("LibreOffice", folder / f".~lock.{name}#", _libreoffice_owner)):
            found, data = _read_lock(lock)
            if not found:
                continue
            who = owner(data) if data else None
            by = f" (by {who})" if who else ""
            raise WorkbookBusy(shown, f"the workbook is open in {app}{by}. Close it there, {ELSEWHERE} If "
                                      f"nobody has it open, {app} left its lock file {lock.name} behind "
                                      f"after a crash: delete that file and try again. {UNCHANGED}")


def _read_lock(lock: Path) -> tuple[bool, bytes]:
    try:
        with open(lock, "rb") as fh:
            return True, fh.read(512)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False, b""
    except OSError:  # present but unreadable: Excel on Windows may hold it open
        return True, b""


def _excel_owner(data: bytes) -> str | None:
    """The user name in an Office owner file: a length byte and the name in the ANSI code page,
    padding, then a 2-byte length and the name in UTF-16-LE (at byte 54 for Word, 55 for Excel)."""
    n = data[0]
    if not 0 < n <= 52 or len(data) < 1 + n:
        return None
    at = 55 if len(data) > 55 and data[54] == 0x20 and (data[53] or data[52]) else 54
    m = data[at] if len(data) > at else 0
    if 0 < m <= 52 and len(data) >= at + 2 + 2 * m:
        with suppress(UnicodeDecodeError):
            return data[at + 2:at + 2 + 2 * m].decode("utf-16-le").strip() or None
    return data[1:1 + n].decode("cp1252", errors="replace").strip() or None


def _libreoffice_owner(data: bytes) -> str | None:
    """The user in a LibreOffice lock file: `name,login,host,date,url;` with `\\` escapes."""
    fields = [re.sub(r"\\(.)", r"\1", f) for f in re.split(r"(?<!\\),", data.decode("utf-8", "replace"))]
    return next((f.strip() for f in fields[:2] if f.strip()), None)
