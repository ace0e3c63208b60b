"""Every save keeps the file the user had: real files in tmp_path, one test per refusal and guarantee.

The module never looks inside a workbook, so a "workbook" here is a few ledger lines of bytes.
"""
from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xlportfolio.errors import ContentWouldBeLost, SaveRefused, WorkbookBusy, WorkbookChanged
from xlportfolio.files import save
from xlportfolio.files.save import WorkbookLock, check_output, check_writable, save_atomic, stamp

try:
    import fcntl
except ImportError:  # Windows: the tests that need it are skipped
    fcntl = None

ROOT = Path(__file__).resolve().parents[2]
LEDGER = b"ledger: P-001 DI1 -> DI2 approved by Ana\n"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions, flock and signals")


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "BOOK.xlsx"
    path.write_bytes(LEDGER)
    return path


def writer(data: bytes):
    return lambda fh: fh.write(data)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".xlportfolio-" in p.name)


def command(path: Path, entry: str) -> None:
    """One xlportfolio command as the engine will run it: lock, read, stamp, append, save."""
    with WorkbookLock(path):
        data = path.read_bytes()
        opened = stamp(path, data)
        save_atomic(path, writer(data + entry.encode() + b"\n"), opened=opened)


def spawn(code: str, *args) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)


def excel_owner_file(user: str) -> bytes:
    """An owner file as Excel writes it: 165 bytes; a length byte and the name in the ANSI code
    page, spaces up to byte 55, then a 2-byte length and the name in UTF-16-LE, then padding."""
    data = bytes([len(user)]) + user.encode("cp1252")
    data += b" " * (55 - len(data)) + bytes([len(user), 0]) + user.encode("utf-16-le")
    return (data + b" \x00" * 60)[:165]


# -- the save itself -----------------------------------------------------------------------------

def test_save_swaps_in_the_new_bytes_and_returns_the_target(book):
    assert save_atomic(book, writer(LEDGER + b"new entry\n")) == book
    assert book.read_bytes() == LEDGER + b"new entry\n"
    assert leftovers(book.parent) == []


@pytest.mark.parametrize("failure", [RuntimeError("the engine broke"), KeyboardInterrupt()])
def test_failure_mid_write_leaves_the_original_byte_identical_and_no_temp(book, failure):
    def half_then_fail(fh):
        fh.write(b"PK\x03\x04 half a workbook")
        raise failure

    with pytest.raises(type(failure)):
        save_atomic(book, half_then_fail)
    assert book.read_bytes() == LEDGER
    assert leftovers(book.parent) == []


def test_disk_full_is_a_clear_refusal_naming_the_users_file(book):
    def disk_full(fh):
        raise OSError(errno.ENOSPC, "No space left on device", fh.name)

    with pytest.raises(SaveRefused) as err:
        save_atomic(book, disk_full)
    assert str(err.value).startswith(f"{book}: saving failed (No space left on device)")
    assert "disk is full" in str(err.value) and ".xlportfolio-" not in str(err.value)
    assert book.read_bytes() == LEDGER and leftovers(book.parent) == []


@posix_only
def test_symlinked_workbook_is_saved_where_it_points_and_stays_a_link(tmp_path, book):
    link = tmp_path / "shared" / "LINK.xlsx"
    link.parent.mkdir()
    link.symlink_to(book)
    save_atomic(link, writer(b"new"))
    assert link.is_symlink() and book.read_bytes() == b"new"


# -- permissions -------------------------------------------------------------------------------

@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o664, 0o640])
def test_in_place_save_keeps_the_mode(book, mode):
    book.chmod(mode)
    save_atomic(book, writer(b"new"))
    assert stat.S_IMODE(book.stat().st_mode) == mode


@posix_only
@pytest.mark.skipif(os.name == "posix" and os.geteuid() != 0, reason="only root may give a file away")
def test_in_place_save_keeps_owner_and_group(book):
    os.chown(book, 4321, 8765)
    save_atomic(book, writer(b"new"))
    assert (book.stat().st_uid, book.stat().st_gid) == (4321, 8765)


@posix_only
def test_a_refused_chown_is_ignored(book, monkeypatch):
    def refuse(*args):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    book.chmod(0o664)
    monkeypatch.setattr(os, "fchown", refuse)
    save_atomic(book, writer(b"new"))
    assert book.read_bytes() == b"new" and stat.S_IMODE(book.stat().st_mode) == 0o664


@posix_only
def test_temporary_file_is_private_until_it_gets_the_originals_mode(book, monkeypatch):
    real_fchmod, seen = os.fchmod, []

    def watch(fd, mode):
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        real_fchmod(fd, mode)

    book.chmod(0o664)
    monkeypatch.setattr(os, "fchmod", watch)
    save_atomic(book, writer(b"new"))
    assert seen == [0o600] and stat.S_IMODE(book.stat().st_mode) == 0o664


@posix_only
def test_new_output_gets_the_mode_of_any_new_file(tmp_path, book):
    out = tmp_path / "OUT.xlsx"
    old = os.umask(0o027)
    try:
        save_atomic(check_output(book, out, macros=False), writer(b"new"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640  # 0666 less the umask, not mkstemp's 0600


@posix_only
def test_output_onto_an_existing_file_keeps_its_mode(tmp_path, book):
    out = tmp_path / "OUT.xlsx"
    out.write_bytes(b"last month's copy")
    out.chmod(0o600)
    save_atomic(check_output(book, out, macros=False), writer(b"new"))
    assert out.read_bytes() == b"new" and stat.S_IMODE(out.stat().st_mode) == 0o600


# -- read-only file or folder ------------------------------------------------------------------

def test_read_only_workbook_is_refused_before_any_work_and_untouched(book):
    book.chmod(0o444)
    with pytest.raises(SaveRefused) as err:
        check_output(book, None, macros=False)
    assert str(err.value) == (
        f"{book}: the file is read-only. Make it writable (Windows: Properties, untick Read-only; macOS or "
        "Linux: chmod u+w), or use --output NEW.xlsx to write the result to another file. Nothing was changed.")
    with pytest.raises(SaveRefused, match="read-only"):
        save_atomic(book, writer(b"new"))
    assert book.read_bytes() == LEDGER and stat.S_IMODE(book.stat().st_mode) == 0o444
    assert leftovers(book.parent) == []


@posix_only
def test_folder_without_write_access_is_refused(tmp_path, book):
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(SaveRefused, match="does not let you create files") as err:
            check_writable(book)
        assert str(err.value).startswith(f"{book}: the folder {tmp_path} ")
        with pytest.raises(SaveRefused):
            save_atomic(book, writer(b"new"))
    finally:
        tmp_path.chmod(0o755)
    assert book.read_bytes() == LEDGER


def test_temp_file_that_cannot_be_created_is_refused_naming_the_users_file(book, monkeypatch):
    real_open = os.open

    def deny_temp(path, flags, mode=0o777, *, dir_fd=None):
        if ".xlportfolio-" in os.fspath(path):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", deny_temp)
    with pytest.raises(SaveRefused, match=r"takes no new file \(Permission denied\)") as err:
        save_atomic(book, writer(b"new"))
    assert str(err.value).startswith(f"{book}: ") and ".xlportfolio-" not in str(err.value)
    assert book.read_bytes() == LEDGER


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


# -- changed on disk -----------------------------------------------------------------------------

def test_workbook_changed_on_disk_is_refused_and_that_version_untouched(book):
    opened = stamp(book)
    theirs = LEDGER.replace(b"Ana", b"Bob")  # same size, saved in Excel meanwhile
    book.write_bytes(theirs)
    with pytest.raises(WorkbookChanged) as err:
        save_atomic(book, writer(b"ours"), opened=opened)
    assert str(err.value).startswith(f"{book}: the file changed on disk while this command was working")
    assert str(err.value).endswith("run the command again; it will read the new version.")
    assert book.read_bytes() == theirs and leftovers(book.parent) == []


def test_stamp_is_of_the_bytes_the_command_read(book):
    data = book.read_bytes()
    book.write_bytes(LEDGER + b"saved in Excel between the read and the stamp\n")
    with pytest.raises(WorkbookChanged):
        save_atomic(book, writer(b"ours"), opened=stamp(book, data))


def test_touched_but_identical_workbook_is_saved(book):
    opened = stamp(book)
    os.utime(book, ns=(opened.mtime_ns + 10**9, opened.mtime_ns + 10**9))  # a sync client's rewrite
    save_atomic(book, writer(b"ours"), opened=opened)
    assert book.read_bytes() == b"ours"


def test_workbook_deleted_during_the_command_is_refused(book):
    opened = stamp(book)
    book.unlink()
    with pytest.raises(WorkbookChanged, match="moved or deleted"):
        save_atomic(book, writer(b"ours"), opened=opened)
    assert not book.exists() and leftovers(book.parent) == []


def test_a_changed_source_does_not_stop_an_output_elsewhere(tmp_path, book):
    opened = stamp(book)
    book.write_bytes(b"saved in Excel meanwhile")
    out = save_atomic(tmp_path / "OUT.xlsx", writer(b"ours"), opened=opened)
    assert out.read_bytes() == b"ours" and book.read_bytes() == b"saved in Excel meanwhile"


# -- one command at a time -------------------------------------------------------------------------

CHILD_COMMAND = """
import sys
from pathlib import Path
from xlportfolio.files.save import WorkbookLock, save_atomic, stamp
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


# -- --output --------------------------------------------------------------------------------------

def test_without_output_the_target_is_the_workbook(book):
    assert check_output(book, None, macros=False) == book


@pytest.mark.parametrize("spelling", ["same path", "dotted", "symlink", "hard link"])
def test_output_onto_the_workbook_itself_is_refused(tmp_path, book, spelling):
    if spelling == "same path":
        out = book
    elif spelling == "dotted":
        (tmp_path / "sub").mkdir()
        out = tmp_path / "sub" / ".." / "BOOK.xlsx"
    elif spelling == "symlink":
        out = tmp_path / "alias.xlsx"
        out.symlink_to(book)
    else:
        out = tmp_path / "hardlink.xlsx"
        os.link(book, out)
    with pytest.raises(SaveRefused) as err:
        check_output(book, out, macros=False)
    assert str(err.value) == (f"{out}: --output names the workbook itself ({book}). Leave out --output to "
                              "save in place, or give the name of a new file.")


def test_output_into_a_missing_folder_is_refused(tmp_path, book):
    out = tmp_path / "reports" / "OUT.xlsx"
    with pytest.raises(SaveRefused) as err:
        check_output(book, out, macros=False)
    assert str(err.value) == (f"{out}: the folder {tmp_path / 'reports'} does not exist. Create it first, "
                              "or write to a file in a folder that exists.")


@pytest.mark.parametrize("name", ["OUT.csv", "OUT", "OUT.xls", "OUT.xlsx.bak"])
def test_output_must_be_an_excel_workbook(tmp_path, book, name):
    with pytest.raises(SaveRefused, match=r"must be an Excel workbook: end its name in \.xlsx") as err:
        check_output(book, tmp_path / name, macros=False)
    assert str(err.value).startswith(f"{tmp_path / name}: ")


@pytest.mark.parametrize("name", ["OUT.xlsx", "OUT.XLSX", "OUT.xlsm", "OUT.xltx", "OUT.xltm"])
def test_excel_outputs_are_accepted(tmp_path, book, name):
    assert check_output(book, tmp_path / name, macros=False) == tmp_path / name


def test_workbook_with_macros_needs_a_macro_enabled_output(tmp_path):
    source = tmp_path / "BOOK.xlsm"
    source.write_bytes(LEDGER)
    with pytest.raises(ContentWouldBeLost) as err:
        check_output(source, tmp_path / "OUT.xlsx", macros=True)
    assert str(err.value) == (f"{tmp_path / 'OUT.xlsx'}: BOOK.xlsm holds macros, which a .xlsx file cannot "
                              "keep; write to a file ending in .xlsm.")
    assert check_output(source, tmp_path / "OUT.xlsm", macros=True) == tmp_path / "OUT.xlsm"


def test_output_onto_a_folder_is_refused(tmp_path, book):
    (tmp_path / "OUT.xlsx").mkdir()
    with pytest.raises(SaveRefused, match="this is a folder"):
        check_output(book, tmp_path / "OUT.xlsx", macros=False)


def test_output_onto_a_read_only_file_is_refused(tmp_path, book):
    out = tmp_path / "OUT.xlsx"
    out.write_bytes(b"frozen copy")
    out.chmod(0o444)
    with pytest.raises(SaveRefused, match="read-only"):
        check_output(book, out, macros=False)


# -- temporaries left by killed runs ---------------------------------------------------------------

KILLED_MID_SAVE = """
import sys
from pathlib import Path
from xlportfolio.files.save import save_atomic
def write(fh):
    fh.write(b"PK half a workbook")
    fh.flush()
    print("writing", flush=True)
    sys.stdin.readline()
save_atomic(Path(sys.argv[1]), write)
"""


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert not save._alive(proc.pid)
    return proc.pid


@posix_only
def test_run_killed_mid_save_leaves_the_original_and_the_next_save_removes_its_temp(book):
    run = spawn(KILLED_MID_SAVE, book)
    assert run.stdout.readline() == "writing\n"
    run.kill()
    run.wait()
    run.stdin.close()
    run.stdout.close()
    assert book.read_bytes() == LEDGER
    [stray] = leftovers(book.parent)
    assert stray.startswith(f".BOOK.xlsx.xlportfolio-{save.HOST}-{run.pid}-") and stray.endswith(".tmp")
    save_atomic(book, writer(b"new"))
    assert leftovers(book.parent) == [] and book.read_bytes() == b"new"


@posix_only
def test_only_stale_temporaries_of_the_same_workbook_are_removed(tmp_path, book):
    def temp(pid, host=save.HOST, name="BOOK.xlsx", age_days=0.0):
        path = tmp_path / save._temp_name(name, pid, host, token="0123abcd")
        path.write_bytes(b"half")
        then = time.time() - age_days * 86400
        os.utime(path, (then, then))
        return path

    dead, live = dead_pid(), os.getppid()
    removed = [temp(dead), temp(live, host="otherpc", age_days=2)]
    kept = [temp(live), temp(dead, host="otherpc"), temp(dead, name="OTHER.xlsx"),
            tmp_path / ".BOOK.xlsx.swp", tmp_path / ".BOOK.xlsx.xlportfolio-notes.txt"]
    for path in kept[-2:]:
        path.write_bytes(b"someone else's")
    save_atomic(book, writer(b"new"))
    assert [p.exists() for p in removed] == [False, False]
    assert [p.exists() for p in kept] == [True] * len(kept)


# -- independence ---------------------------------------------------------------------------------

def test_module_does_not_import_openpyxl():
    code = "import sys, xlportfolio.files.save; print('openpyxl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "False"
