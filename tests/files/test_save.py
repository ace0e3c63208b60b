"""Every save keeps the file the user had: real files in tmp_path, one test per refusal and guarantee.

The module never looks inside a workbook, so a "workbook" here is a few ledger lines of bytes.
"""
from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys

import pytest

from tests.support import ROOT
from tests.support.saves import LEDGER, leftovers, posix_only, writer
from xlportfolio.errors import ContentWouldBeLost, SaveRefused, WorkbookChanged
from xlportfolio.files.save import check_output, check_writable, save_atomic, stamp

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


# -- independence ---------------------------------------------------------------------------------

def test_module_does_not_import_openpyxl():
    code = "import sys, xlportfolio.files.save; print('openpyxl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "False"
