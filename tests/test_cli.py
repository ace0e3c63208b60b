"""The command line as a person uses it: exit codes, clear messages, never a traceback."""
import json
import subprocess
import sys
import zipfile

import pytest
from openpyxl import load_workbook

from tests.support import AS_OF
from tests.support.cli import run
from xlportfolio.schema import INTAKE


def test_validate_exit_code_one_with_errors_and_json(demo_book):
    result = run("validate", demo_book, "--json", "--as-of", AS_OF)
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["figures"]["rows"] == 100 and payload["errors"] > 0
    first = payload["findings"][0]
    assert {"code", "severity", "message", "sheet", "row", "column", "header", "value", "cell"} <= set(first)


def test_validate_exit_code_zero_when_clean(tmp_path):
    from xlportfolio.demo.data import sample_intake
    from xlportfolio.files.template import INTAKE_KIND, build_workbook

    rows = [r for r in sample_intake(AS_OF, count=40)[:3]]
    path = tmp_path / "clean.xlsx"
    build_workbook(INTAKE_KIND, {"Intake": rows}).save(path)
    result = run("validate", path, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output


def test_new_templates_refuse_to_overwrite(tmp_path):
    target = tmp_path / "intake.xlsx"
    assert run("new", "intake", target).exit_code == 0
    wb = load_workbook(target)
    assert [c.value for c in wb["Intake"][1]] == [c.label for c in INTAKE.columns]
    again = run("new", "intake", target)
    assert again.exit_code == 2 and "--force" in again.output
    assert run("new", "portfolio", tmp_path / "p.xlsx").exit_code == 0
    assert run("new", "portfolio", tmp_path / "p.csv").exit_code == 2


@pytest.mark.parametrize("name, content, words", [
    ("renamed.xlsx", b"Request ID;Title\nREQ-1;Portal\n", "CSV"),
    ("page.xlsx", b"<!DOCTYPE html><html><table><tr><td>1</td></tr></table></html>", "HTML"),
    ("empty.xlsx", b"", "empty"),
    ("random.xlsx", bytes(range(256)) * 4, "not an Excel workbook"),
    ("ole.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "EncryptedPackage".encode("utf-16-le"), "password"),
])
def test_hostile_files_exit_two_with_a_clear_message(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    result = run("validate", path)
    assert result.exit_code == 2
    assert str(path) in result.output and words.lower() in result.output.lower()
    assert path.read_bytes() == content


def test_truncated_workbook(demo_book):
    data = demo_book.read_bytes()
    demo_book.write_bytes(data[: len(data) // 2])
    result = run("validate", demo_book)
    assert result.exit_code == 2 and "damaged" in result.output


def test_missing_file_and_bad_date(tmp_path, demo_book):
    assert run("validate", tmp_path / "nope.xlsx").exit_code == 2
    result = run("validate", demo_book, "--as-of", "30/06/2026")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_demo_writes_and_validates(tmp_path):
    result = run("demo", tmp_path / "demo", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    book = tmp_path / "demo" / "portfolio.xlsx"
    assert zipfile.is_zipfile(book)
    wb = load_workbook(book)
    assert {"Items", "Financials", "Intake", "Findings", "Gates", "Scoring", "Lists"} <= set(wb.sheetnames)
    assert wb["Items"].tables["Items"].ref.endswith(str(wb["Items"].max_row))
    assert "errors" in result.output and "Findings" in result.output


def test_console_script_runs_in_a_fresh_process(tmp_path):
    """The installed entry point, not just the in-process runner."""
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a workbook at all")
    proc = subprocess.run([sys.executable, "-m", "xlportfolio", "validate", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and str(path) in proc.stderr


def test_accept_consolidate_and_import_from_the_command_line(demo_book, tmp_path):
    from xlportfolio.demo.run import write_crm_export, write_inbox

    # The sample's Intake holds errors, and every command that leaves errors exits 1.
    result = run("accept", demo_book, "--as-of", AS_OF)
    assert result.exit_code == 1 and "items created" in result.output and "errors" in result.output
    write_inbox(tmp_path / "inbox", AS_OF)
    result = run("consolidate", tmp_path / "inbox", "--into", demo_book, "--as-of", AS_OF)
    assert result.exit_code == 1, result.output
    assert "hr-damaged.xlsx" in result.output and "not read" in result.output
    export = write_crm_export(tmp_path / "sf.csv", AS_OF)
    result = run("import-crm", export, "--into", demo_book, "--as-of", AS_OF)
    assert result.exit_code == 1 and "salesforce" in result.output and "12 new" in result.output
    assert "TBD" in result.output  # the unreadable amount is named, not guessed


def test_import_of_an_unrecognised_export_explains_the_mapping(demo_book, tmp_path):
    export = tmp_path / "other.csv"
    export.write_text("Foo,Bar\n1,2\n", encoding="utf-8")
    before = demo_book.read_bytes()
    result = run("import-crm", export, "--into", demo_book)
    assert result.exit_code == 2 and "mapping" in result.output.lower()
    assert demo_book.read_bytes() == before


def test_consolidate_needs_a_folder(demo_book, tmp_path):
    result = run("consolidate", tmp_path / "missing", "--into", demo_book)
    assert result.exit_code == 2 and "folder" in result.output
