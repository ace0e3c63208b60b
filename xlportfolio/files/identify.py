"""Is this file a workbook at all, and if not, what is it?

The first question the guard asks, before any part is parsed: a file that is missing, a folder,
empty or unreadable, or that is not an Excel workbook whatever its name says (a CSV or text
file, an HTML page, a PDF, an old .xls, a password-encrypted workbook, an OpenDocument file),
becomes one WorkbookUnusable naming what it really is and what to do. It reads the file's first
4 KB (and, for an OLE file, scans for the encryption stream); the second question, whether a
workbook package is whole and safe to read, is `xlportfolio.files.package_check`'s.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from xlportfolio.errors import WorkbookUnusable

_CHUNK = 1 << 20
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def read_head(path: Path) -> bytes:
    """The file's first 4 KB; a missing, unreadable or empty file, or a folder, is refused here."""
    try:
        if not path.exists():
            raise WorkbookUnusable(path, "the file does not exist; check the folder and the file name")
        if not path.is_file():
            raise WorkbookUnusable(path, "this is a folder (or a device), not a workbook; "
                                         "give the path of the .xlsx file")
        with path.open("rb") as fh:
            head = fh.read(4096)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise WorkbookUnusable(path, f"the file cannot be read ({exc}); check that you may read it and that "
                                     "no other program has it locked, then try again") from None
    if not head:
        raise WorkbookUnusable(path, "the file is empty (0 bytes); it was not saved completely - "
                                     "save it again from Excel or restore it from a backup")
    return head


# What a file that is not a workbook really is: how to name it, the extensions it normally has, and
# what to do with it. The message says "named .xlsx" only when the extension hides what it is.
_FOREIGN = {
    "csv": ("a CSV text file", (".csv",),
            "import its rows with `xlportfolio import-crm {csv} --into PORTFOLIO.xlsx` (add --mapping when it "
            "is not a Salesforce, HubSpot or Dynamics export), or open it in Excel and save it as an Excel "
            "Workbook (.xlsx)"),
    "tsv": ("a tab-separated text file", (".tsv", ".tab", ".txt", ".csv"),
            "import its rows with `xlportfolio import-crm {csv} --into PORTFOLIO.xlsx` (add --mapping when it "
            "is not a Salesforce, HubSpot or Dynamics export), or open it in Excel and save it as an Excel "
            "Workbook (.xlsx)"),
    "text": ("a plain text file", (".txt", ".text", ".log", ".md"),
             "open it in Excel (Data > From Text/CSV), check the columns and save it as an Excel Workbook (.xlsx)"),
    "html": ("an HTML page", (".html", ".htm"),
             "web applications often export 'Excel' files as HTML, and login pages get saved by mistake; "
             "open it in Excel and save it as an Excel Workbook (.xlsx)"),
    "xml2003": ("an Excel 2003 XML spreadsheet", (".xml",),
                "open it in Excel and save it as an Excel Workbook (.xlsx)"),
    "pdf": ("a PDF document", (".pdf",),
            "a PDF holds a printed page, not its cells; ask for the Excel workbook it was made from"),
    "xls": ("a legacy Excel 97-2003 (.xls) file or another old-format Office file", (".xls", ".xlt"),
            "open it in Excel and save it as an Excel Workbook (.xlsx)"),
    "ods": ("an OpenDocument spreadsheet (.ods, as LibreOffice Calc and Google Sheets write)", (".ods", ".fods"),
            "open it in LibreOffice Calc or Excel and save it as an Excel Workbook (.xlsx)"),
    "odf": ("an OpenDocument file (a text document or presentation)", (".odt", ".odp", ".odg"),
            "check that you picked the right file; a workbook ends in .xlsx"),
}


def _foreign(path: Path, kind: str) -> WorkbookUnusable:
    """'this is a CSV text file named .xlsx, not an Excel workbook; <what to do>'."""
    what, suffixes, todo = _FOREIGN[kind]
    suffix = path.suffix.lower()
    if suffix in suffixes:
        named = ""
    else:
        named = f" named {path.suffix}" if suffix else " without a file extension"
    csv_name = path.name if suffix in (".csv", ".tsv", ".tab", ".txt") else path.stem + ".csv"  # import-crm reads these
    if kind in ("csv", "tsv") and csv_name != path.name:
        todo = f"rename it to {csv_name} and " + todo
    noun = "a .xlsx workbook" if kind == "xls" else "an Excel workbook"
    return WorkbookUnusable(path, f"this is {what}{named}, not {noun}; " + todo.format(csv=csv_name))


def reject_non_zip(path: Path, head: bytes) -> None:
    """Name the real format of a file that is not a zip package; usually it is a renamed file."""
    if head.startswith(_OLE_MAGIC):
        raise _ole_problem(path)
    if head.startswith(b"PK"):
        return
    if head.startswith(b"%PDF-"):  # before the text sniff: a PDF's header looks like text
        raise _foreign(path, "pdf")
    kind = _sniff_text(head)
    if kind:
        raise _foreign(path, kind)
    if not zipfile.is_zipfile(path):  # a zip may follow a stub (self-extractor); zipfile copes with that
        raise WorkbookUnusable(path, "this is not an Excel workbook (not a zip package); check that you "
                                     "picked the right file, or save it from Excel as .xlsx")


def _ole_problem(path: Path) -> WorkbookUnusable:
    # Excel keeps a password-encrypted .xlsx inside an OLE file, in a stream named EncryptedPackage.
    if _file_contains(path, _ENCRYPTED):
        return WorkbookUnusable(path, "the workbook is password-protected (encrypted) and cannot be read; remove "
                                      "the password in Excel: File > Info > Protect Workbook > Encrypt with "
                                      "Password, clear it, save, and try again")
    return _foreign(path, "xls")


def _file_contains(path: Path, needle: bytes) -> bool:
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle):]
    return False


def _sniff_text(head: bytes) -> str | None:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            head = head[len(bom):].decode(codec, "ignore").encode("utf-8")
            break
    lead = head.lstrip().lower()
    if lead.startswith((b"<html", b"<!doctype", b"<table")) or (lead.startswith(b"<?xml") and b"<html" in lead):
        return "html"
    if lead.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in lead:
        return "xml2003"
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    if b"\x00" in head or controls > len(head) // 100:
        return None
    return _delimited(head.decode("utf-8", "replace"), whole=len(head) < 4096) or "text"


def _delimited(text: str, whole: bool) -> str | None:
    """'csv' or 'tsv' when every line of the head holds the same separator, as an export's rows do."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not whole and len(lines) > 1:
        lines = lines[:-1]  # the head may end in the middle of a line
    lines = lines[:20]
    for sep, kind in (("\t", "tsv"), (",", "csv"), (";", "csv"), ("|", "csv")):
        if lines and all(sep in line for line in lines):
            return kind
    return None


def opendocument_problem(path: Path, parts: dict, reader) -> WorkbookUnusable | None:
    """An OpenDocument file (LibreOffice, Google Sheets) is a zip too, named by its 'mimetype' part.

    Asked of a zip without [Content_Types].xml; `reader` reads a part within the check's budget."""
    info = parts.get("mimetype")
    if info is None or info.file_size > 200:
        return None
    mimetype = reader.read(info).decode("ascii", "replace").strip()
    if mimetype.startswith("application/vnd.oasis.opendocument.spreadsheet"):
        return _foreign(path, "ods")
    if mimetype.startswith("application/vnd.oasis.opendocument."):
        return _foreign(path, "odf")
    return None
