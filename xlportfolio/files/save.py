"""Save a workbook file so that the user keeps the file they had, whoever else is working on it.

How a command uses it (the bytes come from a callback, so any engine can write them)::

    with WorkbookLock(source):                                 # one command per workbook
        target = check_output(source, output, macros=report.macro_enabled)  # refuse early
        data = source.read_bytes()
        opened = stamp(source, data)                           # what the command read
        ...                                                    # core, edit plan, new parts
        save_atomic(target, engine.write_to, opened=opened)    # re-check, then swap in

API
    FileStamp, stamp(path, data=None)  size, mtime, inode and sha256 of the file as read
    check_output(source, output, *, macros) -> target   refuses a bad --output, then checks:
    check_writable(target)             read-only file or folder; open in Excel or LibreOffice
    save_atomic(target, write, *, opened=None) -> target   temp beside it, fsync, os.replace
    WorkbookLock(path)                 in xlportfolio.files.locks, with the other programs' lock files
    temporaries                        their names and clean-up in xlportfolio.files.temps

Every refusal is a `SaveRefused` (or `WorkbookBusy`, `WorkbookChanged`, `ContentWouldBeLost`)
whose message starts with the user's own path, never a temporary file's, and says what to do.

What a save keeps
- The bytes: the new file is written beside the target, fsynced and swapped in with os.replace;
  on any error, KeyboardInterrupt included, the original is untouched and the temp removed.
- The permissions: saving in place gives the new file the old one's mode, and its owner and
  group where the system allows (a failed chown is ignored). A new --output file gets the mode
  of any new file (0666 less the umask); an existing one keeps its mode.
- Symlinks: a symlinked workbook is saved where the link points, and the link stays a link.
  A hard link cannot be kept: the name saved to gets the new file, the other keeps the old.
- The other person's work: the save is refused if the file changed on disk since the command
  read it. The test is the content: sha256 of what the command read against the file right
  before the replace (a size change short-cuts it). Timestamps alone miss a same-size save
  within the clock tick of FAT or SMB, and they refuse a sync client's identical rewrite.
  The hash costs about 15 ms per 10 MB (measured on a 2-core VM), a fraction of reading the
  workbook; the only gap left is the instant between that check and the replace.

Where it runs
- The lock (POSIX flock; none on Windows) is described in xlportfolio.files.locks.
- Windows: Excel's lock of an open workbook makes os.replace fail; that is reported as the file
  being open in another program. The new file gets the folder's inherited permissions
  (os.replace copies no ACL from the file it replaces).
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from xlportfolio.errors import ContentWouldBeLost, SaveRefused, WorkbookChanged
from xlportfolio.files.locks import ELSEWHERE, UNCHANGED, refuse_if_open_elsewhere
from xlportfolio.files.temps import remove_stale_temps, temp_name

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
MACRO_SUFFIXES = (".xlsm", ".xltm")


@dataclass(frozen=True)
class FileStamp:
    """What a workbook file was when a command read it."""

    path: Path
    size: int
    mtime_ns: int
    inode: int
    device: int
    sha256: str


def stamp(path: str | Path, data: bytes | None = None) -> FileStamp:
    """Stamp a file; pass the bytes the command read, so the stamp is of exactly those."""
    path = Path(path)
    info = os.stat(path)
    if data is None:
        return FileStamp(path, info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev, _sha256(path))
    digest = hashlib.sha256(data).hexdigest()
    return FileStamp(path, len(data), info.st_mtime_ns, info.st_ino, info.st_dev, digest)


def check_output(source: str | Path, output: str | Path | None, *, macros: bool) -> Path:
    """Where a command will save (--output, or the workbook itself); refuse what cannot work."""
    source = Path(source)
    if output is None:
        check_writable(source)
        return source
    output = Path(output)
    if output.is_dir():
        raise SaveRefused(output, "this is a folder; give the name of a file ending in .xlsx.")
    suffix = output.suffix.lower()
    if suffix not in EXCEL_SUFFIXES:
        raise SaveRefused(output, "the output must be an Excel workbook: end its name in .xlsx, or .xlsm "
                                  "if it keeps macros (.xltx or .xltm for a template).")
    if macros and suffix not in MACRO_SUFFIXES:
        raise ContentWouldBeLost(output, f"{source.name} holds macros, which a {output.suffix} file cannot "
                                         "keep; write to a file ending in .xlsm.")
    if not output.parent.is_dir():
        raise SaveRefused(output, f"the folder {output.parent} does not exist. Create it first, or write "
                                  "to a file in a folder that exists.")
    if _same_file(source, output):
        raise SaveRefused(output, f"--output names the workbook itself ({source}). Leave out --output to "
                                  "save in place, or give the name of a new file.")
    check_writable(output)
    return output


def check_writable(target: str | Path) -> None:
    """Refuse a target that is read-only, in a folder that takes no new file, or open elsewhere."""
    target = Path(target)
    real = Path(os.path.realpath(target))
    if real.exists():
        if _read_only(real):
            raise SaveRefused(target, "the file is read-only. Make it writable (Windows: Properties, untick "
                                      f"Read-only; macOS or Linux: chmod u+w), {ELSEWHERE} {UNCHANGED}")
        refuse_if_open_elsewhere(target, real)
    if not _folder_writable(real.parent):
        raise SaveRefused(target, _folder_message(real.parent, "does not let you create files"))



def save_atomic(target: str | Path, write: Callable[[BinaryIO], None], *,
                opened: FileStamp | None = None) -> Path:
    """Write the new workbook beside the target with `write`, then swap it in; return the target.

    `opened` is the stamp taken when the command read the workbook; when the save replaces that
    same file, it is refused if the file changed on disk since.
    """
    target = Path(target)
    real = Path(os.path.realpath(target))
    check_writable(target)
    remove_stale_temps(real)
    previous = _stat_or_none(real)
    # Private until it has the old file's mode: a descriptor opened in between would stay usable.
    tmp, fd = _create_temp(target, real, 0o666 if previous is None else 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            _keep_permissions(fh.fileno(), previous)
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if opened is not None and _is_target(opened, real, previous):
            _check_unchanged(opened, target)
        os.replace(tmp, real)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _save_failed(target, exc) from exc
        raise
    _fsync_folder(real.parent)
    return target


# -- the file's state -----------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _check_unchanged(opened: FileStamp, shown: Path) -> None:
    try:
        info = os.stat(opened.path)
    except FileNotFoundError:
        raise WorkbookChanged(shown, "the file was moved or deleted while this command was working; nothing "
                                     "was written. Run the command again.") from None
    if info.st_size == opened.size and _sha256(opened.path) == opened.sha256:
        return
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info.st_mtime))
    raise WorkbookChanged(shown, f"the file changed on disk while this command was working (it was saved "
                                 f"again at {when}, in Excel or by another command). That version is "
                                 "untouched and nothing was written: run the command again; it will read "
                                 "the new version.")


def _is_target(opened: FileStamp, real: Path, previous: os.stat_result | None) -> bool:
    """Whether the save replaces the file the command read (and so must not lose its changes)."""
    if Path(os.path.realpath(opened.path)) == real:
        return True
    return previous is not None and (previous.st_dev, previous.st_ino) == (opened.device, opened.inode)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _read_only(path: Path) -> bool:
    # The mode bits count even for root: a file marked read-only was marked so by a person.
    return not os.access(path, os.W_OK) or not os.stat(path).st_mode & 0o222


def _folder_writable(folder: Path) -> bool:
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    # Windows' read-only flag on a folder means "customised", not read-only: POSIX bits only.
    return os.name != "posix" or bool(os.stat(folder).st_mode & 0o222)


def _folder_message(folder: Path, why: str) -> str:
    return (f"the folder {folder} {why}, and a save writes a new file beside the workbook before "
            "swapping it in. Ask for write access to the folder, or use --output with a file in a folder "
            f"you can write to. {UNCHANGED}")


# -- the new file ---------------------------------------------------------------------------------

def _create_temp(shown: Path, real: Path, mode: int) -> tuple[Path, int]:
    tmp = real.parent / temp_name(real.name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        return tmp, os.open(tmp, flags, mode)  # the umask applies: 0666 gives any new file's mode
    except OSError as exc:
        raise SaveRefused(shown, _folder_message(real.parent, f"takes no new file ({exc.strerror})")) from None


def _keep_permissions(fd: int, previous: os.stat_result | None) -> None:
    """Give the new file the mode, and where allowed the owner and group, of the one it replaces."""
    if previous is None or os.name != "posix":
        return
    try:
        os.fchown(fd, previous.st_uid, previous.st_gid)  # before chmod: chown may clear setgid
    except OSError:
        with suppress(OSError):
            os.fchown(fd, -1, previous.st_gid)
    os.fchmod(fd, stat.S_IMODE(previous.st_mode))


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no directory handles to flush)."""
    if os.name != "posix":
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _save_failed(shown: Path, exc: OSError) -> SaveRefused:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        hint = "The disk is full: free some space and run the command again."
    elif isinstance(exc, PermissionError):
        hint = ("The file may be open in another program (on Windows, Excel keeps an open workbook "
                f"locked): close it and run the command again, {ELSEWHERE}")
    else:
        hint = f"Run the command again, {ELSEWHERE}"
    return SaveRefused(shown, f"saving failed ({exc.strerror or exc}); the file on disk is unchanged and "
                              f"no temporary file was left. {hint}")
