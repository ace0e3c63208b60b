"""Who else has the workbook: Excel's and LibreOffice's lock files, and one xlportfolio command at a
time (WorkbookLock). Real files in tmp_path, real processes for the concurrent and killed runs.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.saves import LEDGER, leftovers, posix_only, spawn, writer
from xlportfolio.errors import WorkbookBusy
from xlportfolio.files.locks import WorkbookLock
from xlportfolio.files.save import check_output, check_writable, save_atomic, stamp

try:
    import fcntl
except ImportError:  # Windows: the tests that need it are skipped
    fcntl = None


def command(path: Path, entry: str) -> None:
    """One xlportfolio command as the engine will run it: lock, read, stamp, append, save."""
    with WorkbookLock(path):
        data = path.read_bytes()
        opened = stamp(path, data)
        save_atomic(path, writer(data + entry.encode() + b"\n"), opened=opened)


def excel_owner_file(user: str) -> bytes:
    """An owner file as Excel writes it: 165 bytes; a length byte and the name in the ANSI code
    page, spaces up to byte 55, then a 2-byte length and the name in UTF-16-LE, then padding."""
    data = bytes([len(user)]) + user.encode("cp1252")
    data += b" " * (55 - len(data)) + bytes([len(user), 0]) + user.encode("utf-16-le")
    return (data + b" \x00" * 60)[:165]


# -- open in Excel or LibreOffice ----------------------------------------------------------------

def test_workbook_open_in_excel_is_refused_naming_the_person(book):
    (book.parent / "~$BOOK.xlsx").write_bytes(excel_owner_file("Jörg Müller"))
    with pytest.raises(WorkbookBusy) as err:
        check_output(book, None, macros=False)
    assert str(err.value) == (
        f"{book}: the workbook is open in Excel (by Jörg Müller). Close it there, or use --output NEW.xlsx "
        "to write the result to another file. If nobody has it open, Excel left its lock file ~$BOOK.xlsx "
        "behind after a crash: delete that file and try again. Nothing was changed.")


def test_excel_owner_file_takes_the_whole_name_however_long(tmp_path):
    book = tmp_path / "Portfolio 2026.xlsx"
    book.write_bytes(LEDGER)
    # Word would name it "~$rtfolio 2026.xlsx"; for Excel that is the owner file of another workbook.
    (tmp_path / "~$rtfolio 2026.xlsx").write_bytes(excel_owner_file("Someone Else"))
    check_writable(book)
    (tmp_path / "~$Portfolio 2026.xlsx").write_bytes(excel_owner_file("Ana Lima"))
    with pytest.raises(WorkbookBusy, match=r"open in Excel \(by Ana Lima\)"):
        check_writable(book)


def test_owner_file_without_a_readable_name_still_refuses(book):
    (book.parent / "~$BOOK.xlsx").write_bytes(b"\x00garbage")
    with pytest.raises(WorkbookBusy, match=r"open in Excel\. Close it there"):
        check_writable(book)


def test_workbook_open_in_libreoffice_is_refused_naming_the_person(book):
    (book.parent / ".~lock.BOOK.xlsx#").write_text("Lima\\, Ana,ana,pmo-laptop,30.06.2026 10:00,"
                                                   f"file://{book};", encoding="utf-8")
    with pytest.raises(WorkbookBusy, match=r"open in LibreOffice \(by Lima, Ana\)"):
        check_writable(book)


def test_excel_opening_the_workbook_during_the_command_refuses_the_save(book):
    target = check_output(book, None, macros=False)
    (book.parent / "~$BOOK.xlsx").write_bytes(excel_owner_file("Ana Lima"))
    with pytest.raises(WorkbookBusy, match="Ana Lima"):
        save_atomic(target, writer(b"new"))
    assert book.read_bytes() == LEDGER and leftovers(book.parent) == []


# -- one command at a time -------------------------------------------------------------------------

CHILD_COMMAND = """
import sys
from pathlib import Path
from xlportfolio.files.locks import WorkbookLock
from xlportfolio.files.save import save_atomic, stamp
path = Path(sys.argv[1])
with WorkbookLock(path):
    data = path.read_bytes()
    opened = stamp(path, data)
    print("locked", flush=True)
    sys.stdin.readline()
    save_atomic(path, lambda fh: fh.write(data + sys.argv[2].encode() + b"\\n"), opened=opened)
print("saved", flush=True)
"""


@posix_only
def test_second_lock_on_a_workbook_is_refused_at_once(book):
    with WorkbookLock(book):
        with pytest.raises(WorkbookBusy) as err:
            WorkbookLock(book).acquire()
    assert str(err.value) == (f"{book}: another xlportfolio command is working on this workbook; try again "
                              "when it has finished. Nothing was changed.")
    with WorkbookLock(book):  # released at the end of the first
        pass


@posix_only
def test_two_concurrent_commands_on_one_workbook_lose_no_ledger_entry(book):
    first = spawn(CHILD_COMMAND, book, "entry from run 1")
    try:
        assert first.stdout.readline() == "locked\n"
        with pytest.raises(WorkbookBusy, match="another xlportfolio command"):
            command(book, "entry from run 2")
        assert book.read_bytes() == LEDGER
        first.stdin.write("\n")
        first.stdin.flush()
        assert first.stdout.readline() == "saved\n"
    finally:
        first.stdin.close()
        first.wait()
    command(book, "entry from run 2")  # tried again when the first had finished
    assert book.read_bytes() == LEDGER + b"entry from run 1\nentry from run 2\n"


@posix_only
def test_lock_is_released_when_its_process_is_killed(book):
    holder = spawn(CHILD_COMMAND, book, "never saved")
    assert holder.stdout.readline() == "locked\n"
    holder.kill()  # SIGKILL: no cleanup runs
    holder.wait()
    holder.stdin.close()
    holder.stdout.close()
    command(book, "entry after the crash")
    assert book.read_bytes() == LEDGER + b"entry after the crash\n"


@posix_only
def test_lock_takes_the_new_file_when_it_is_replaced_while_locking(book, monkeypatch):
    real_flock = fcntl.flock
    replaced = []

    def flock_after_another_save(fd, operation):
        if not replaced:
            replaced.append(True)
            newer = book.with_name("newer.xlsx")
            newer.write_bytes(b"saved by another command")
            os.replace(newer, book)
        return real_flock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", flock_after_another_save)
    with WorkbookLock(book):
        with pytest.raises(WorkbookBusy):  # the lock is on the file now at the path
            WorkbookLock(book).acquire()


def test_locking_a_missing_workbook_names_it(tmp_path):
    with pytest.raises(Exception, match="there is no such file") as err:
        WorkbookLock(tmp_path / "NOPE.xlsx").acquire()
    assert str(err.value).startswith(str(tmp_path / "NOPE.xlsx"))
