"""Look inside a workbook file before anything reads it, so a bad file fails with a message a person can act on.

The guard's one job is safety: a file that is not a workbook (a CSV or text file, an HTML page,
a PDF, an old .xls, an OpenDocument spreadsheet, whatever its name), an encrypted workbook, a zip bomb, Strict Open XML, or a package missing the parts every
workbook has, becomes one WorkbookUnusable naming what it is and what to do. It reads only the
small parts that say what the package is (content types, relationships, the workbook part),
with the stdlib and within a budget. Content is never a reason to refuse: the package engine
keeps every part it does not change byte for byte.
"""
from __future__ import annotations

import html
import posixpath
import re
import struct
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from xlportfolio.errors import WorkbookUnusable
from xlportfolio.package.archive import Budget

_CHUNK = 1 << 20
_OVERLAP = 256                 # longer than any marker, so a marker split across two chunks is still seen
_SMALL_PART_CAP = 64 << 20     # parts parsed whole (content types, rels, workbook.xml) are never this big
_RATIO_FLOOR = 50 << 20        # small XML parts legitimately compress 100x+; only big members are suspect
_MAX_MEMBERS = 100_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_STRICT_NS = b"purl.oclc.org/ooxml/spreadsheetml/main"
_WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml",
    "application/vnd.ms-excel.template.macroenabled.main+xml",
}
# Everything zipfile, zlib and struct raise on a malformed archive; to a person they all mean "damaged".
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, RuntimeError,
               zlib.error, struct.error, KeyError, IndexError, OverflowError)

_ATTR = re.compile(r'([\w.:-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')


@dataclass(frozen=True)
class PackageReport:
    path: Path
    macro_enabled: bool               # has xl/vbaProject.bin or a macro-enabled content type
    sheet_names: tuple[str, ...]      # from the workbook part, in order


def inspect_package(path, *, max_unzipped_bytes: int = 1_500_000_000, max_ratio: int = 200) -> PackageReport:
    """Check that `path` is a readable .xlsx/.xlsm package; say what it is."""
    path = Path(path)
    head = _read_head(path)
    try:
        _reject_non_zip(path, head)
        with zipfile.ZipFile(path) as zf:
            return _inspect_zip(path, zf, max_unzipped_bytes, max_ratio)
    except WorkbookUnusable:
        raise
    except _ZIP_ERRORS as exc:
        raise WorkbookUnusable(path, f"the file is damaged (corrupt zip or unreadable part: {exc}); open and "
                                     "repair it in Excel, save it as .xlsx and try again") from None


def _read_head(path: Path) -> bytes:
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


def _reject_non_zip(path: Path, head: bytes) -> None:
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


def _odf_problem(path: Path, parts: dict, reader) -> WorkbookUnusable | None:
    """An OpenDocument file (LibreOffice, Google Sheets) is a zip too, named by its 'mimetype' part."""
    info = parts.get("mimetype")
    if info is None or info.file_size > 200:
        return None
    mimetype = reader.read(info).decode("ascii", "replace").strip()
    if mimetype.startswith("application/vnd.oasis.opendocument.spreadsheet"):
        return _foreign(path, "ods")
    if mimetype.startswith("application/vnd.oasis.opendocument."):
        return _foreign(path, "odf")
    return None


class _Reader:
    """Reads parts without trusting declared sizes: every inflated byte counts against one budget."""

    def __init__(self, path: Path, zf: zipfile.ZipFile, budget: int):
        self.path, self.zf, self.budget = path, zf, Budget(path, budget)

    def chunks(self, info: zipfile.ZipInfo):
        return self.budget.chunks(self.zf, info)

    def read(self, info: zipfile.ZipInfo) -> bytes:
        if info.file_size > _SMALL_PART_CAP:
            raise WorkbookUnusable(self.path, f"part {info.filename} declares {_mb(info.file_size)}, far more "
                                   "than such a part ever holds; the file is damaged or hostile")
        return b"".join(self.chunks(info))


def _inspect_zip(path: Path, zf: zipfile.ZipFile, cap: int, max_ratio: int) -> PackageReport:
    infos = [info for info in zf.infolist() if not info.filename.endswith("/")]
    _check_members(path, infos, cap, max_ratio)
    parts = {info.filename.lstrip("/"): info for info in infos}
    reader = _Reader(path, zf, cap)
    if "[Content_Types].xml" not in parts and (odf := _odf_problem(path, parts, reader)):
        raise odf
    types = _content_types(path, parts, reader)
    wb_name = _workbook_part(path, parts, reader, types)
    wb_xml = reader.read(parts[wb_name])
    if _STRICT_NS in wb_xml:  # the engine knows transitional names only: it would find no sheets
        raise WorkbookUnusable(path, "the workbook is saved as 'Strict Open XML', which this tool cannot read; "
                                     "in Excel use File > Save As > 'Excel Workbook (*.xlsx)' and try again")
    sheets = [(a.get("name", ""), a.get("id", "")) for a in _elements(_text(wb_xml), "sheet")]
    if not sheets:
        raise WorkbookUnusable(path, "the workbook has no sheets; open it in Excel, add a sheet, save, try again")
    rels = _relationships(path, parts, reader, wb_name)
    orphan = next((name for name, rid in sheets if rid not in rels), None)
    if orphan is not None:
        raise WorkbookUnusable(path, f"sheet '{orphan}' has no part in the package; the file is damaged - "
                                     "open it in Excel, let Excel repair it, and save it again")
    macro = any(n.lower().endswith("vbaproject.bin") for n in parts) or any(
        "macroenabled" in t or "vbaproject" in t for t in types.values())
    return PackageReport(path, macro, tuple(name for name, _ in sheets))


def _check_members(path: Path, infos: list[zipfile.ZipInfo], cap: int, max_ratio: int) -> None:
    """Refuse zip bombs and malformed member lists before inflating a single byte."""
    if len(infos) > _MAX_MEMBERS:
        raise WorkbookUnusable(path, f"the package holds {len(infos):,} parts, far more than any workbook; "
                                     "it is damaged or hostile - ask for a fresh copy")
    total = sum(info.file_size for info in infos)
    if total > cap:
        raise WorkbookUnusable(path, f"the package declares {_mb(total)} of uncompressed content, above the "
                                     f"{_mb(cap)} safety cap; it is a zip bomb or too big to process - if it is "
                                     "genuine, split it into smaller workbooks")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > max_ratio:
            raise WorkbookUnusable(path, f"part {info.filename} declares {_mb(info.file_size)} uncompressed from "
                                         f"{_mb(info.compress_size)} (ratio {ratio:,.0f}:1, cap {max_ratio}:1); "
                                         "this is a zip bomb, not a workbook - do not open it")
    names = [info.filename.lstrip("/") for info in infos]
    dup = next((name for name, count in Counter(names).items() if count > 1), None)
    if dup:
        raise WorkbookUnusable(path, f"the file is damaged (corrupt zip: part {dup} appears twice); "
                                     "open it in Excel, let Excel repair it, and save it again")
    bad = next((n for n in names if "\\" in n), None)
    if bad:
        raise WorkbookUnusable(path, f"the package uses Windows backslashes in part names ({bad}), so it cannot "
                                     "be read; open it in Excel and save it again as .xlsx")


def _content_types(path: Path, parts: dict, reader: _Reader) -> dict[str, str]:
    """Map each part name (and '*.ext' for defaults) to its lower-cased content type."""
    info = parts.get("[Content_Types].xml")
    if info is None:
        raise WorkbookUnusable(path, "the package has no [Content_Types].xml part, so it is not an Excel "
                                     "workbook (perhaps a zip of other files renamed .xlsx); save it from "
                                     "Excel as .xlsx")
    xml = _text(reader.read(info))
    types = {"*." + a.get("Extension", "").lower(): a.get("ContentType", "").lower()
             for a in _elements(xml, "Default")}
    types.update({_resolve("", a.get("PartName", "")): a.get("ContentType", "").lower()
                  for a in _elements(xml, "Override")})
    return types


def _type_of(types: dict[str, str], name: str) -> str:
    return types.get(name) or types.get("*." + name.rpartition(".")[2].lower(), "")


def _workbook_part(path: Path, parts: dict, reader: _Reader, types: dict[str, str]) -> str:
    """Find the workbook part the way Excel does (package rels first), then check it is really a workbook."""
    target = None
    if "_rels/.rels" in parts:
        for rel in _elements(_text(reader.read(parts["_rels/.rels"])), "Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                target = _resolve("", rel.get("Target", ""))
                break
    if target is None:  # no package rels: openpyxl goes by content type, so do the same
        target = next((n for n, t in types.items() if t in _WORKBOOK_TYPES and n in parts), "xl/workbook.xml")
    if target not in parts:
        raise WorkbookUnusable(path, f"the package has no workbook part ({target}); the file is incomplete or "
                                     "damaged - open it in Excel, let Excel repair it, or ask for a fresh copy")
    kind = _type_of(types, target)
    if kind not in _WORKBOOK_TYPES:
        raise WorkbookUnusable(path, f"the main part {target} has content type '{kind or 'none'}', not an .xlsx/"
                                     ".xlsm workbook (an .xlsb file or another Office document?); open it in "
                                     "Excel and save it as .xlsx")
    return target


def _relationships(path: Path, parts: dict, reader: _Reader, wb_name: str) -> dict[str, tuple[str, str]]:
    """The workbook's relationships as id -> (type suffix, part name); a missing target is damage."""
    rels_name = posixpath.join(posixpath.dirname(wb_name), "_rels", posixpath.basename(wb_name) + ".rels")
    if rels_name not in parts:
        raise WorkbookUnusable(path, f"the package has no {rels_name} part, so its sheets cannot be found; "
                                     "open it in Excel, let Excel repair it, and save it again")
    rels = {}
    for rel in _elements(_text(reader.read(parts[rels_name])), "Relationship"):
        if rel.get("TargetMode", "").lower() == "external":
            continue
        target = _resolve(posixpath.dirname(wb_name), rel.get("Target", ""))
        if target not in parts:
            near = next((n for n in parts if n.lower() == target.lower()), None)
            hint = f" (it has {near}, which differs only in letter case)" if near else ""
            raise WorkbookUnusable(path, f"the workbook refers to part {target}, which is not in the package"
                                         f"{hint}; the file is damaged - open it in Excel and save it again")
        rels[rel.get("Id", "")] = (rel.get("Type", "").rpartition("/")[2].lower(), target)
    return rels


def _elements(xml: str, local: str) -> list[dict[str, str]]:
    """Attributes, keyed by local name and unescaped, of each <local ...> element whatever its prefix."""
    # [^<>]* cannot run past the next tag, so hostile input stays linear.
    return [{key.rpartition(":")[2]: html.unescape(dq or sq) for key, dq, sq in _ATTR.findall(m.group(1))}
            for m in re.finditer(rf"<(?:[\w.-]+:)?{local}\s([^<>]*)>", xml)]


def _text(data: bytes) -> str:
    return data.decode("utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else data.decode("utf-8-sig")


def _resolve(base: str, target: str) -> str:
    """Part name of a relationship target: absolute ('/xl/x.xml') or relative to `base`."""
    target = unquote(target)
    joined = target if target.startswith("/") else posixpath.join("/" + base, target)
    return posixpath.normpath(joined).lstrip("/")


def _mb(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"
