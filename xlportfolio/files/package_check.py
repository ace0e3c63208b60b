"""Is this workbook package whole, and safe to read?

The second question the guard asks, once `xlportfolio.files.identify` has found a zip package:
a zip bomb, a damaged or hostile member list, a package missing the parts every workbook has
(content types, the workbook part and its relationships, its sheets), or Strict Open XML,
becomes one WorkbookUnusable naming what is wrong and what to do. It reads only the small parts
that say what the package is (content types, relationships, the workbook part), with the stdlib
and within a budget. Content is never a reason to refuse: the package engine keeps every part it
does not change byte for byte.

`inspect_package` asks both questions, in that order, and is what every command calls.
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
from xlportfolio.files.identify import opendocument_problem, read_head, reject_non_zip
from xlportfolio.package.archive import Budget

_SMALL_PART_CAP = 64 << 20     # parts parsed whole (content types, rels, workbook.xml) are never this big
_RATIO_FLOOR = 50 << 20        # small XML parts legitimately compress 100x+; only big members are suspect
_MAX_MEMBERS = 100_000
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
    head = read_head(path)
    try:
        reject_non_zip(path, head)
        with zipfile.ZipFile(path) as zf:
            return _inspect_zip(path, zf, max_unzipped_bytes, max_ratio)
    except WorkbookUnusable:
        raise
    except _ZIP_ERRORS as exc:
        raise WorkbookUnusable(path, f"the file is damaged (corrupt zip or unreadable part: {exc}); open and "
                                     "repair it in Excel, save it as .xlsx and try again") from None


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
    if "[Content_Types].xml" not in parts and (odf := opendocument_problem(path, parts, reader)):
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
