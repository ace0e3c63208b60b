"""Every command's save keeps the file the user had: seen through the command line, on real files.

The save module's own tests (test_save.py) go through each guarantee; these show that a command
on a governed workbook gets them, with messages that name the user's own path.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import zipfile

import pytest
from typer.testing import CliRunner

from tests.support import AS_OF
from xlportfolio.cli import app
from xlportfolio.commands.files import on_file
from xlportfolio.commands.validate import Options as ValidateOptions
from xlportfolio.errors import WorkbookBusy, WorkbookChanged
from xlportfolio.files.temps import temp_name

runner = CliRunner()


def cli(*args):
    result = runner.invoke(app, [*map(str, args), "--as-of", AS_OF.isoformat()])
    assert "Traceback" not in result.output and not isinstance(result.exception, (AttributeError, KeyError))
    return result


@pytest.mark.parametrize("mode", [0o644, 0o664, 0o640])
def test_an_in_place_save_keeps_the_files_permissions(demo_book, mode):
    os.chmod(demo_book, mode)
    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    assert stat.S_IMODE(os.stat(demo_book).st_mode) == mode


@pytest.mark.parametrize("output, phrase", [
    ("same", "names the workbook itself"),
    ("missing/out.xlsx", "does not exist"),
    ("out.csv", "must be an Excel workbook"),
])
def test_a_bad_output_gets_a_message_naming_the_users_path(demo_book, tmp_path, output, phrase):
    target = demo_book if output == "same" else tmp_path / output
    before = demo_book.read_bytes()
    result = cli("validate", demo_book, "--output", target)
    assert result.exit_code == 2 and phrase in result.output and str(target.name) in result.output
    assert ".tmp" not in result.output and demo_book.read_bytes() == before


def test_a_read_only_workbook_is_refused_before_any_work(demo_book):
    os.chmod(demo_book, 0o444)
    before = demo_book.read_bytes()
    result = cli("validate", demo_book)
    assert result.exit_code == 2 and "read-only" in result.output and str(demo_book) in result.output
    assert demo_book.read_bytes() == before


def test_a_workbook_open_in_excel_is_refused(demo_book):
    owner = demo_book.parent / f"~${demo_book.name}"
    name = "Jörg Müller"
    owner.write_bytes(bytes([len(name)]) + name.encode("cp1252") + b" " * (54 - len(name)) +
                      len(name).to_bytes(2, "little") + name.encode("utf-16-le") + b"\0" * 40)
    before = demo_book.read_bytes()
    result = cli("validate", demo_book)
    assert result.exit_code == 2 and "open in Excel" in result.output and name in result.output
    assert demo_book.read_bytes() == before


def test_a_save_made_in_excel_meanwhile_is_never_overwritten(demo_book, monkeypatch):
    """Someone saves the workbook while the command works: the command refuses, their version stays."""
    from xlportfolio.package.surface import PackageSurface

    original_prepare = PackageSurface.prepare

    def excel_saves_meanwhile(self):
        original_prepare(self)
        with zipfile.ZipFile(demo_book, "a") as zf:  # what Excel's save looks like from here: new bytes
            zf.writestr("customXml/theirs.xml", "<saved-in-excel/>")

    monkeypatch.setattr(PackageSurface, "prepare", excel_saves_meanwhile)
    with pytest.raises(WorkbookChanged) as caught:
        on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    assert str(demo_book) in str(caught.value) and "run the command again" in str(caught.value)
    assert b"saved-in-excel" in demo_book.read_bytes()  # their version, not ours
    assert [p.name for p in demo_book.parent.iterdir()] == [demo_book.name]


def test_a_second_command_on_the_same_workbook_is_refused_at_once(demo_book, tmp_path):
    """Two runs on one file at once lost a ledger entry: now the second is refused, nothing lost."""
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        from xlportfolio.files.workbook import open_book
        with open_book({str(demo_book)!r}) as wb:
            print("holding", flush=True)
            sys.stdin.readline()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(WorkbookBusy, match="another xlportfolio command"):
            on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    finally:
        holder.communicate("done\n")
    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))  # once the first has finished, it runs


def test_a_stale_temporary_of_a_killed_run_is_cleaned_up_by_the_next_save(demo_book):
    dead = 2 ** 22 + 12345  # above the kernel's pid range: no process has it
    stale = demo_book.parent / temp_name(demo_book.name, pid=dead)
    stale.write_bytes(b"half a workbook")
    other = demo_book.parent / ".something-else.tmp"
    other.write_bytes(b"not ours")
    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    assert not stale.exists() and other.exists()


def test_an_xlsx_written_as_xlsm_says_so_in_its_content_type(demo_book, tmp_path):
    out = tmp_path / "copy.xlsm"
    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF), output=out)
    with zipfile.ZipFile(out) as zf:
        assert b"macroEnabled.main+xml" in zf.read("[Content_Types].xml")
    with zipfile.ZipFile(demo_book) as zf:
        assert b"macroEnabled" not in zf.read("[Content_Types].xml")
