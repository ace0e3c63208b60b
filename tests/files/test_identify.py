"""A file that is not a workbook is described as what it is, under whatever name it was given
(xlportfolio.files.identify, the guard's first question, asked through inspect_package).

Each file is real bytes of its format (CSV, text, HTML, PDF, OLE2 .xls, OpenDocument), written
under its own extension and under a .xlsx name; the message must name the format, say when the
name hides it, and say what to do. The command line gives the same message with exit code 2.
"""
from __future__ import annotations

import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from xlportfolio.errors import WorkbookUnusable
from xlportfolio.files.package_check import inspect_package

ROOT = Path(__file__).resolve().parents[2]
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def ods(mimetype: str) -> bytes:
    """An OpenDocument package as LibreOffice writes it: an uncompressed 'mimetype' part first."""
    import io

    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        zf.writestr("content.xml", '<?xml version="1.0"?><office:document-content xmlns:office='
                                   '"urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
        zf.writestr("META-INF/manifest.xml", "<manifest/>")
    return data.getvalue()


CSV = b"Request ID,Title,Amount\r\nREQ-1,Portal,1200\r\nREQ-2,\"Desk, standing\",300\r\n"
SEMICOLON = "Request ID;Title;Betrag\nREQ-1;Portal;1.200,00\n".encode("cp1252")
TSV = "\ufeffRequest ID\tTitle\nREQ-1\tPortal\n".encode()
TEXT = b"Meeting notes\nThe portfolio review moved to Friday.\n"
HTML = (b"<html xmlns:x=\"urn:schemas-microsoft-com:office:excel\"><head><meta charset=utf-8></head>"
        b"<body><table><tr><td>Request ID</td><td>Title</td></tr><tr><td>REQ-1</td><td>Portal</td></tr>"
        b"</table></body></html>")
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + bytes(range(256))
XLS = OLE_MAGIC + bytes(504) + "Workbook".encode("utf-16-le") + bytes(3000)
ENCRYPTED = OLE_MAGIC + bytes(1000) + "EncryptedPackage".encode("utf-16-le") + bytes(3000)
ODS = ods("application/vnd.oasis.opendocument.spreadsheet")
ODT = ods("application/vnd.oasis.opendocument.text")

# (file name, content, phrases the message must hold)
CASES = [
    ("data.csv", CSV, ["data.csv: this is a CSV text file, not an Excel workbook",
                       "xlportfolio import-crm data.csv --into", "save it as an Excel Workbook (.xlsx)"]),
    ("book.xlsx", CSV, ["this is a CSV text file named .xlsx, not an Excel workbook",
                        "rename it to book.csv", "import-crm book.csv"]),
    ("german.xlsx", SEMICOLON, ["CSV text file named .xlsx"]),
    ("export.tsv", TSV, ["this is a tab-separated text file, not an Excel workbook", "import-crm export.tsv"]),
    ("export.xlsx", TSV, ["tab-separated text file named .xlsx", "rename it to export.csv"]),
    ("notes.txt", TEXT, ["this is a plain text file, not an Excel workbook", "From Text/CSV"]),
    ("notes.xlsx", TEXT, ["plain text file named .xlsx"]),
    ("report.xls", HTML, ["this is an HTML page named .xls, not an Excel workbook",
                          "export 'Excel' files as HTML", "save it as an Excel Workbook (.xlsx)"]),
    ("report.html", HTML, ["this is an HTML page, not an Excel workbook"]),
    ("signin.xlsx", b"<!DOCTYPE html><html><body>Sign in</body></html>", ["HTML page named .xlsx, not an Excel workbook"]),
    ("bom.xlsx", b"\xef\xbb\xbf  \n<HTML><table><tr><td>1</td></tr></table></HTML>", ["HTML page named .xlsx"]),
    ("table.xlsx", b"<table><tr><td>Laptop</td></tr></table>", ["HTML page named .xlsx, not an Excel workbook"]),
    ("scan.pdf", PDF, ["this is a PDF document, not an Excel workbook", "ask for the Excel workbook"]),
    ("scan.xlsx", PDF, ["PDF document named .xlsx"]),
    ("old.xls", XLS, ["legacy Excel 97-2003 (.xls) file or another old-format Office file, not a .xlsx workbook"]),
    ("old.xlsx", XLS, ["legacy Excel 97-2003 (.xls) file or another old-format Office file named .xlsx",
                       "save it as an Excel Workbook (.xlsx)"]),
    ("locked.xlsx", ENCRYPTED, ["password-protected", "File > Info > Protect Workbook > Encrypt with Password"]),
    ("noise.xlsx", b"\x01\x02" + random.Random(3).randbytes(8192), ["not an Excel workbook (not a zip package)"]),
    ("plan.ods", ODS, ["this is an OpenDocument spreadsheet (.ods", "LibreOffice Calc",
                       "save it as an Excel Workbook (.xlsx)"]),
    ("plan.xlsx", ODS, ["OpenDocument spreadsheet (.ods, as LibreOffice Calc and Google Sheets write) named .xlsx"]),
    ("letter.xlsx", ODT, ["OpenDocument file (a text document or presentation) named .xlsx"]),
    ("export", CSV, ["CSV text file without a file extension", "rename it to export.csv"]),
    ("empty.xlsx", b"", ["the file is empty (0 bytes)"]),
]


@pytest.mark.parametrize("name, content, phrases", CASES, ids=[c[0] for c in CASES])
def test_the_guard_names_what_the_file_really_is(tmp_path, name, content, phrases):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(WorkbookUnusable) as caught:
        inspect_package(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for phrase in phrases:
        assert phrase in message, message
    assert path.read_bytes() == content


def test_a_missing_file_and_a_folder_are_named_as_such(tmp_path):
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    for path, phrase in ((tmp_path / "nowhere.xlsx", "does not exist"), (folder, "this is a folder")):
        with pytest.raises(WorkbookUnusable) as caught:
            inspect_package(path)
        assert str(caught.value).startswith(f"{path}: ") and phrase in str(caught.value)


def test_csv_in_an_xlsx_is_never_called_plain_text_nor_text_a_csv(tmp_path):
    """The separator decides: every line of a CSV holds it, prose does not."""
    prose = tmp_path / "prose.xlsx"
    prose.write_bytes(b"Dear team, the review is on Friday.\nRegards\n")
    with pytest.raises(WorkbookUnusable, match="plain text file named .xlsx"):
        inspect_package(prose)
    long_csv = tmp_path / "long.xlsx"  # the guard reads a 4 KB head, cut mid-line: the cut line is no evidence
    long_csv.write_bytes(b"ID,Title\n" + b"".join(b"REQ-%05d,Request number %d\n" % (n, n) for n in range(500)))
    with pytest.raises(WorkbookUnusable, match="CSV text file named .xlsx"):
        inspect_package(long_csv)


@pytest.mark.parametrize("name, content, phrase", [
    ("data.csv", CSV, "this is a CSV text file, not an Excel workbook"),
    ("book.xlsx", CSV, "CSV text file named .xlsx"),
    ("report.xls", HTML, "HTML page named .xls"),
    ("plan.ods", ODS, "OpenDocument spreadsheet"),
    ("scan.pdf", PDF, "PDF document"),
])
def test_every_command_line_gives_the_same_description_with_exit_code_two(tmp_path, name, content, phrase):
    path = tmp_path / name
    path.write_bytes(content)
    proc = subprocess.run([sys.executable, "-m", "xlportfolio", "validate", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    text = " ".join(proc.stderr.split())  # the console wraps long messages
    assert phrase in text and "Traceback" not in proc.stderr
    assert path.read_bytes() == content
