"""Governed portfolio workbooks that also carry a controller's own content, for the package engine's tests.

`governed_with_user_content(path)` writes the governed demo portfolio (or a copy of `source`) with content
a finance controller adds in Excel and openpyxl would drop, grafted in at the package level (parts,
relationships, [Content_Types].xml, workbook.xml):

- sheet "My analysis": a small data table with a native column chart, a PNG picture, a sparkline group, a
  threaded comment with its reply (plus the legacy note and VML that Excel writes beside it) -- written by
  xlsxwriter in a donor workbook whose parts are moved over;
- on the governed Items sheet: a native chart over Items data ('Items'!$A$2:$A$30 and the Estimated
  value column), printer settings (a real printerSettings1.bin), and an Excel 2010 (x14) list validation
  in the sheet's extLst; the rest of the sheet's XML is kept byte for byte;
- sheets "Pivot data" and "Pivot": a pivot table with its cache definition and records, taken from the
  calamine corpus (tests__pivots.xlsx: DataSheet, PivotSheet1, pivotTable1, pivotCacheDefinition1 and
  pivotCacheRecords1), and a slicer with its slicer cache on that pivot table, written by hand after
  MS-XLSX (no corpus file has a slicer);
- with `macros=True`: a VBA project (xl/vbaProject.bin of the corpus file tests__vba.xlsm, an Excel-written
  project with ThisWorkbook, Sheet1-3 and a module) and the macro-enabled main content type;
- docProps/thumbnail.jpeg, a custom XML part (customXml/item1.xml with its itemProps) and a user-defined name.

`UserContent` says what is where, so that a test can check, after a command rewrote the workbook, that the
user's parts are still there (byte for byte) and that the user's elements in the governed sheets survived:
`missing_user_content(path, content)` does both checks.

The corpus lives in ../shared/corpus/calamine; without it (a plain clone) the helper skips the test.
"""
from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

import pytest
import xlsxwriter
from lxml import etree
from PIL import Image, ImageDraw

from tests.support import AS_OF, SHARED

CORPUS = SHARED / "corpus" / "calamine"
PIVOT_SOURCE = "tests__pivots.xlsx"  # DataSheet + PivotSheet1 (pivotTable1 over pivotCacheDefinition1)
VBA_SOURCE = "tests__vba.xlsm"  # xl/vbaProject.bin: ThisWorkbook, Sheet1..Sheet3, module testVBA
PRINTER_SOURCE = "tests__issues.xlsx"  # xl/printerSettings/printerSettings1.bin

SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
TC = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"

#: Prefixes of the XPath expressions in `UserContent` and `SheetEdit`.
NS = {"main": SML, "r": R, "x14": X14, "xm": XM}

RT_WORKSHEET = R + "/worksheet"
RT_DRAWING = R + "/drawing"
RT_PRINTER = R + "/printerSettings"
RT_PIVOT_CACHE = R + "/pivotCacheDefinition"
RT_CUSTOM_XML = R + "/customXml"
RT_CUSTOM_XML_PROPS = R + "/customXmlProps"
RT_SLICER = "http://schemas.microsoft.com/office/2007/relationships/slicer"
RT_SLICER_CACHE = "http://schemas.microsoft.com/office/2007/relationships/slicerCache"
RT_THREADED = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
RT_PERSON = "http://schemas.microsoft.com/office/2017/10/relationships/person"
RT_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
RT_THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_SLICER = "application/vnd.ms-excel.slicer+xml"
CT_SLICER_CACHE = "application/vnd.ms-excel.slicerCache+xml"
CT_THREADED = "application/vnd.ms-excel.threadedcomments+xml"
CT_PERSON = "application/vnd.ms-excel.person+xml"
CT_PRINTER = "application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"
CT_VBA = "application/vnd.ms-office.vbaProject"
CT_CUSTOM_XML_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
CT_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_MAIN_MACROS = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
# content types Excel declares by extension rather than part by part
DEFAULTS = {"png": "image/png", "jpeg": "image/jpeg", "vml": "application/vnd.openxmlformats-officedocument.vmlDrawing",
            "bin": CT_PRINTER}

EXT_X14_DATA_VALIDATIONS = "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"
EXT_X14_SPARKLINES = "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}"
EXT_X14_SLICER_LIST = "{A8765BA9-456A-4dab-B4F3-ACF838C121DE}"
EXT_X14_SLICER_CACHES = "{BBE1A952-AA13-448e-AADC-164F8A28A991}"

# CT_Worksheet and CT_Workbook child order (ECMA-376 Part 1, sml.xsd)
WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr", "sheetProtection",
    "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate", "customSheetViews", "mergeCells",
    "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins",
    "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors",
    "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
    "webPublishItems", "tableParts", "extLst")
WORKBOOK_ORDER = (
    "fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets", "functionGroups",
    "externalReferences", "definedNames", "calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr",
    "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")

# the user's sheets, and the VBA document module (code name) each gets in the .xlsm
ANALYSIS, PIVOT_DATA, PIVOT = "My analysis", "Pivot data", "Pivot"
CODE_NAMES = {ANALYSIS: "Sheet1", PIVOT_DATA: "Sheet2", PIVOT: "Sheet3"}
USER_NAME = "Controller_Plan"  # a user-defined name over the plan column of "My analysis"
SLICER_CACHE_NAME = "Slicer_Category"
PIVOT_CACHE_X14_ID = 1  # x14:pivotCacheDefinition/@pivotCacheId, which the slicer cache's tabular element names

PERSONS = (("{5B1D3E8A-2C47-4F61-9A0B-7E3C1D2F4A51}", "Dana Controller"),
           ("{8E2F4A6C-1B3D-4C5E-8F70-9A1B2C3D4E62}", "Sam PMO"))
THREAD_ROOT, THREAD_REPLY = "{0C7A5E21-6D4B-4A8F-B1E2-3F4A5B6C7D81}", "{1D8B6F32-7E5C-4B90-82F3-4A5B6C7D8E92}"
THREAD_CELL = "C7"
THREAD_TEXTS = ("June actual includes the one-off licence true-up.", "Agreed; left out of the forecast.")
LEGACY_THREAD_NOTE = (
    "[Threaded comment]\n\nYour version of Excel allows you to read this threaded comment; however, any edits to it "
    "will get removed if the file is opened in a newer version of Excel. Learn more: "
    "https://go.microsoft.com/fwlink/?linkid=870924\n\nComment:\n    {}\nReply:\n    {}")


@dataclass(frozen=True)
class SheetEdit:
    """What the user put into the XML of one governed sheet (the rest of that part is kept byte for byte)."""

    sheet: str  # the sheet's name, e.g. "Items"
    part: str  # its part, e.g. "xl/worksheets/sheet3.xml"
    elements: tuple[str, ...]  # XPath (prefixes in NS), from the worksheet root, of each element the user added
    rels: dict[str, tuple[str, str]]  # relationship id -> (type, target part) added to the sheet's rels part


@dataclass(frozen=True)
class UserContent:
    """What `governed_with_user_content` added, and where."""

    path: Path
    macros: bool
    parts: tuple[str, ...]  # every part added (zip member names), rels parts of added parts included
    content_types: dict[str, str]  # part -> content type, for every added part
    sheets: dict[str, str]  # the user's sheets: name -> worksheet part
    governed: dict[str, SheetEdit]  # governed sheet name -> what was put into its XML
    workbook: tuple[str, ...]  # XPath (prefixes in NS) of the user's elements in xl/workbook.xml
    workbook_rels: dict[str, tuple[str, str]]  # relationship id -> (type, target) added to xl/workbook.xml's rels
    package_rels: dict[str, tuple[str, str]]  # relationship id -> (type, target) added to _rels/.rels
    edited: tuple[str, ...]  # governed parts that were changed to hold the above
    names: tuple[str, ...] = field(default=())  # user-defined names (workbook scope)

    def of_type(self, fragment: str) -> tuple[str, ...]:
        """The added parts whose content type contains `fragment`, e.g. "chart+xml", "pivotTable", "image/"."""
        return tuple(p for p in self.parts if fragment in self.content_types.get(p, ""))


# --- a package held in memory ---------------------------------------------------------------------------------

def rels_part(part: str) -> str:
    """The relationships part of `part` ("" is the package)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source: str, target: str) -> str:
    """The part a relationship of `source` points at."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relationships(parts: dict[str, bytes], source: str) -> list[tuple[str, str, str, bool]]:
    """(id, type, target part or URL, external) of each relationship of `source`."""
    data = parts.get(rels_part(source))
    if data is None:
        return []
    out = []
    for rel in etree.fromstring(data):
        external = rel.get("TargetMode") == "External"
        target = rel.get("Target") if external else resolve(source, rel.get("Target"))
        out.append((rel.get("Id"), rel.get("Type"), target, external))
    return out


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _serialize(root, like: bytes | None) -> bytes:
    """`root` as bytes, with the XML declaration Excel writes if `like` (the part it replaces) had one."""
    declare = like is None or like.lstrip().startswith(b"<?xml")
    return (XML_DECLARATION if declare else b"") + etree.tostring(root, encoding="UTF-8")


class Package:
    """The parts of a zip package, with its content types and relationships."""

    def __init__(self, data: bytes | Path):
        source = io.BytesIO(data) if isinstance(data, bytes) else data
        with zipfile.ZipFile(source) as zf:
            self.parts: dict[str, bytes] = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
        self.added: list[str] = []
        self.edited: set[str] = set()

    # content types
    def _types(self):
        return etree.fromstring(self.parts["[Content_Types].xml"])

    def content_type(self, part: str) -> str | None:
        defaults, overrides = {}, {}
        for el in self._types():
            if etree.QName(el).localname == "Default":
                defaults[el.get("Extension").lower()] = el.get("ContentType")
            else:
                overrides[el.get("PartName").lstrip("/").lower()] = el.get("ContentType")
        return overrides.get(part.lower()) or defaults.get(part.rsplit(".", 1)[-1].lower())

    def set_content_type(self, part: str, ctype: str) -> None:
        types = self._types()
        ext = part.rsplit(".", 1)[-1].lower()
        default = next((el for el in types if etree.QName(el).localname == "Default"
                        and el.get("Extension").lower() == ext), None)
        override = next((el for el in types if etree.QName(el).localname == "Override"
                         and el.get("PartName").lstrip("/").lower() == part.lower()), None)
        if default is None and DEFAULTS.get(ext) == ctype:
            default = etree.Element(f"{{{CT}}}Default", Extension=ext, ContentType=ctype)
            first_override = next((i for i, el in enumerate(types) if etree.QName(el).localname == "Override"),
                                  len(types))
            types.insert(first_override, default)
        if default is not None and default.get("ContentType") == ctype:
            if override is not None:
                types.remove(override)
        elif override is not None:
            override.set("ContentType", ctype)
        else:
            etree.SubElement(types, f"{{{CT}}}Override", PartName="/" + part, ContentType=ctype)
        self._write("[Content_Types].xml", _serialize(types, self.parts["[Content_Types].xml"]))

    # parts
    def _write(self, part: str, data: bytes) -> None:
        if part not in self.parts:
            self.added.append(part)
        elif part not in self.added:
            self.edited.add(part)
        self.parts[part] = data

    def free_name(self, wanted: str) -> str:
        """`wanted`, or the same name numbered so that it clashes with no part (names are case-insensitive)."""
        taken = {p.lower() for p in self.parts}
        if wanted.lower() not in taken:
            return wanted
        stem, _, ext = re.match(r"^(.*?)(\d*)(\.[^./]*)?$", wanted).groups()
        n = 1
        while f"{stem}{n}{ext or ''}".lower() in taken:
            n += 1
        return f"{stem}{n}{ext or ''}"

    def put(self, part: str, data: bytes, ctype: str | None = None) -> str:
        self._write(part, data)
        if ctype and self.content_type(part) != ctype:
            self.set_content_type(part, ctype)
        return part

    def edit(self, part: str, change: Callable[[bytes], bytes]) -> None:
        self._write(part, change(self.parts[part]))

    # relationships
    def relate(self, source: str, rtype: str, target: str, rid: str | None = None, external: bool = False) -> str:
        """Add a relationship from `source` to the part (or URL) `target`; return its id."""
        name = rels_part(source)
        old = self.parts.get(name)
        root = etree.fromstring(old) if old is not None else etree.Element(f"{{{PKG_RELS}}}Relationships",
                                                                            nsmap={None: PKG_RELS})
        ids = {rel.get("Id") for rel in root}
        if rid is None or rid in ids:
            n = 1
            while f"rId{n}" in ids:
                n += 1
            rid = f"rId{n}"
        ref = target if external or not source else posixpath.relpath(target, posixpath.dirname(source))
        rel = etree.SubElement(root, f"{{{PKG_RELS}}}Relationship", Id=rid, Type=rtype, Target=ref)
        if external:
            rel.set("TargetMode", "External")
        self._write(name, _serialize(root, old))
        return rid

    def graft(self, donor: Package, part: str, memo: dict[str, str], name: str | None = None,
              change: Callable[[str, bytes], bytes] | None = None) -> str:
        """Copy `part` of `donor` and, recursively, every part it relates to, under names free here.

        Relationship ids are kept, so the XML that refers to them stays valid; `memo` maps donor parts
        already copied to their new names; `change(donor part, data)` may rewrite a part on the way.
        """
        if part in memo:
            return memo[part]
        new = self.free_name(name or part)
        memo[part] = new
        data = donor.parts[part]
        self.put(new, change(part, data) if change else data, donor.content_type(part))
        for rid, rtype, target, external in relationships(donor.parts, part):
            self.relate(new, rtype, target if external else self.graft(donor, target, memo, change=change),
                        rid=rid, external=external)
        return new

    def save(self, path: Path) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            first = ["[Content_Types].xml"]
            for name in first + [p for p in self.parts if p not in first]:
                zf.writestr(name, self.parts[name])


# --- XML helpers ------------------------------------------------------------------------------------------------

def top_level(xml: bytes) -> tuple[list[tuple[str, str, int, int]], int]:
    """The root's children as (namespace, local name, start offset, end offset), and the root's end-tag offset.

    Byte offsets come from expat, so that an element can be spliced in without re-serialising the rest.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    children: list[list] = []
    depth = 0
    root_end = -1

    def start(name, _attrs):
        nonlocal depth
        depth += 1
        if depth == 2:
            ns, _, local = name.rpartition(" ")
            children.append([ns, local, parser.CurrentByteIndex, -1])

    def end(_name):
        nonlocal depth, root_end
        if depth == 2:
            children[-1][3] = parser.CurrentByteIndex  # start of the end tag (or of the empty element)
        elif depth == 1:
            root_end = parser.CurrentByteIndex
        depth -= 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.Parse(xml, True)
    return [tuple(c) for c in children], root_end


def splice(xml: bytes, fragment: bytes, local: str, order: tuple[str, ...], ns: str = SML) -> bytes:
    """Insert `fragment` (one element named `local`) as a child of the root at its schema position.

    Every other byte of `xml` is kept. An element that must be unique (pageSetup, drawing, ...) must be absent.
    """
    children, root_end = top_level(xml)
    assert not any(n == ns and name == local for n, name, _, _ in children), f"<{local}> is already there"
    rank = order.index(local)
    at = next((start for n, name, start, _ in children if n == ns and name in order and order.index(name) > rank),
              root_end)
    return xml[:at] + fragment + xml[at:]


def add_ext(xml: bytes, ext: bytes) -> bytes:
    """Append an <ext> to the root's <extLst>, creating the list at its place if there is none."""
    children, _ = top_level(xml)
    ext_list = next((c for c in children if c[0] == SML and c[1] == "extLst"), None)
    if ext_list is None:
        return splice(xml, b"<extLst>" + ext + b"</extLst>", "extLst", WORKSHEET_ORDER)
    at = ext_list[3]
    return xml[:at] + ext + xml[at:]


def insert_ordered(parent, child, order: tuple[str, ...]) -> None:
    """Insert an lxml `child` into `parent` before the first sibling that the schema puts after it."""
    rank = order.index(etree.QName(child).localname)
    for i, sibling in enumerate(parent):
        if not isinstance(sibling.tag, str):
            continue
        q = etree.QName(sibling)
        if q.namespace == SML and q.localname in order and order.index(q.localname) > rank:
            parent.insert(i, child)
            return
    parent.append(child)


def column_values(sheet_xml: bytes, column: str, last_row: int) -> list[tuple[int, object]]:
    """(row, value) of the cells of `column` in rows 1..last_row of a worksheet (inline strings and numbers)."""
    out = []
    for c in etree.fromstring(sheet_xml).iterfind(f".//{{{SML}}}c"):
        m = re.fullmatch(r"([A-Z]+)(\d+)", c.get("r", ""))
        if not m or m.group(1) != column or int(m.group(2)) > last_row:
            continue
        if c.get("t") == "inlineStr":
            value = "".join(c.find(f"{{{SML}}}is").itertext())
        else:
            v = c.find(f"{{{SML}}}v")
            value = None if v is None or v.text is None else float(v.text)
        if value not in (None, ""):
            out.append((int(m.group(2)), value))
    return out


def user_sheet(data: bytes, shared: list | None, code_name: str | None) -> bytes:
    """A sheet copied from another workbook, made to stand in this one.

    Shared strings become inline strings (the governed workbook has no shared-string table), style indexes
    (which point into the other workbook's styles) are dropped, the tab is not selected, and in an .xlsm the
    sheet gets the code name of its VBA document module.
    """
    root = etree.fromstring(data)
    q = lambda name: f"{{{SML}}}{name}"  # noqa: E731
    for c in root.iter(q("c")):
        c.attrib.pop("s", None)
        if c.get("t") == "s":
            v = c.find(q("v"))
            si = shared[int(v.text)]
            c.remove(v)
            c.set("t", "inlineStr")
            inline = etree.SubElement(c, q("is"))
            for kid in si:
                inline.append(etree.fromstring(etree.tostring(kid)))
    for row in root.iter(q("row")):
        row.attrib.pop("s", None)
        row.attrib.pop("customFormat", None)
    for col in root.iter(q("col")):
        col.attrib.pop("style", None)
    for view in root.iter(q("sheetView")):
        view.attrib.pop("tabSelected", None)
    if code_name:
        pr = root.find(q("sheetPr"))
        if pr is None:
            pr = etree.Element(q("sheetPr"))
            root.insert(0, pr)
        pr.set("codeName", code_name)
    return _serialize(root, data)


def shared_strings(pkg: Package) -> list:
    part = next((p for p in pkg.parts if p.lower().endswith("sharedstrings.xml")), None)
    return [] if part is None else list(etree.fromstring(pkg.parts[part]))


def sheet_parts(pkg_parts: dict[str, bytes], workbook: str = "xl/workbook.xml") -> dict[str, str]:
    """Sheet name -> worksheet part, in tab order."""
    targets = {rid: target for rid, _, target, _ in relationships(pkg_parts, workbook)}
    sheets = etree.fromstring(pkg_parts[workbook]).find(f"{{{SML}}}sheets")
    return {s.get("name"): targets[s.get(f"{{{R}}}id")] for s in sheets}


# --- the user's content -----------------------------------------------------------------------------------------

def picture_png(width: int = 96, height: int = 64) -> bytes:
    """A small PNG: a controller's logo, a two-tone badge."""
    img = Image.new("RGB", (width, height), (31, 78, 121))
    ImageDraw.Draw(img).ellipse((8, 8, height - 8, height - 8), fill=(242, 169, 0))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def thumbnail_jpeg() -> bytes:
    """A preview picture like the docProps/thumbnail.jpeg Excel saves."""
    img = Image.new("RGB", (128, 96), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for i in range(6):
        draw.line((0, 16 * i, 128, 16 * i), fill=(200, 200, 200))
    draw.rectangle((0, 0, 127, 15), fill=(31, 78, 121))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def donor_workbook(items_xml: bytes) -> Package:
    """What xlsxwriter writes best: a user sheet with a chart, a picture, sparklines and a note; and a copy of
    the first Items rows with a chart over them, whose drawing moves to the governed Items sheet."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(ANALYSIS)
    ws.write_row(0, 0, ["Month", "Plan", "Actual", "Trend"])
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]
    for i, month in enumerate(months):
        ws.write_row(i + 1, 0, [month, 100 + 10 * i, 95 + 12 * i])
    ws.add_sparkline("D2", {"range": f"'{ANALYSIS}'!B2:C2"})
    for row in range(3, 8):
        ws.add_sparkline(f"D{row}", {"range": f"'{ANALYSIS}'!B{row}:C{row}", "type": "column"})
    chart = wb.add_chart({"type": "column"})
    for col in "BC":
        chart.add_series({"name": f"='{ANALYSIS}'!${col}$1", "categories": f"='{ANALYSIS}'!$A$2:$A$7",
                          "values": f"='{ANALYSIS}'!${col}$2:${col}$7"})
    chart.set_title({"name": "Plan against actual"})
    ws.insert_chart("F2", chart)
    ws.insert_image("F18", "logo.png", {"image_data": io.BytesIO(picture_png())})
    ws.write_comment(THREAD_CELL, LEGACY_THREAD_NOTE.format(*THREAD_TEXTS), {"author": f"tc={THREAD_ROOT}"})

    items = wb.add_worksheet("Items")  # a copy of the governed rows the chart reads, for its caches
    for column in "AP":
        for row, value in column_values(items_xml, column, 30):
            items.write(f"{column}{row}", value)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "=Items!$P$1", "categories": "=Items!$A$2:$A$30", "values": "=Items!$P$2:$P$30"})
    chart.set_title({"name": "Estimated value by item"})
    chart.set_legend({"none": True})
    items.insert_chart("AM2", chart, {"x_scale": 1.5, "y_scale": 1.2})
    wb.close()
    return Package(buf.getvalue())


def threaded_comments() -> bytes:
    (p1, _), (p2, _) = PERSONS
    root_text, reply_text = THREAD_TEXTS
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<ThreadedComments xmlns="{TC}" xmlns:x="{SML}">'
        f'<threadedComment ref="{THREAD_CELL}" dT="2026-06-30T09:15:04.21" personId="{p1}" id="{THREAD_ROOT}">'
        f'<text>{root_text}</text></threadedComment>'
        f'<threadedComment ref="{THREAD_CELL}" dT="2026-06-30T10:02:37.50" personId="{p2}" id="{THREAD_REPLY}" '
        f'parentId="{THREAD_ROOT}"><text>{reply_text}</text></threadedComment>'
        '</ThreadedComments>').encode()


def person_list() -> bytes:
    people = "".join(f'<person displayName="{name}" id="{pid}" userId="{name}" providerId="None"/>'
                     for pid, name in PERSONS)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<personList xmlns="{TC}" xmlns:x="{SML}">{people}</personList>').encode()


def slicer_parts(pivot_table: str, tab_id: int, field_items: int) -> tuple[bytes, bytes, bytes]:
    """slicers part, slicer cache part and drawing of a slicer on the Category field of the pivot table.

    After MS-XLSX 2.3.2 (slicers) and 2.6.33 (x14:pivotCacheDefinition/@pivotCacheId, which the slicer cache's
    tabular element names); the drawing holds the slicer in mc:AlternateContent with the shape Excel 2007
    shows instead, as Excel writes it.
    """
    slicers = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<slicers xmlns="{X14}" xmlns:mc="{MC}" mc:Ignorable="x" xmlns:x="{SML}">'
               f'<slicer name="Category" cache="{SLICER_CACHE_NAME}" caption="Category" rowHeight="241300"/>'
               '</slicers>').encode()
    items = "".join(f'<i x="{i}" s="1"/>' for i in range(field_items))
    cache = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             f'<slicerCacheDefinition xmlns="{X14}" xmlns:mc="{MC}" mc:Ignorable="x" xmlns:x="{SML}" '
             f'name="{SLICER_CACHE_NAME}" sourceName="Category">'
             f'<pivotTables><pivotTable tabId="{tab_id}" name="{pivot_table}"/></pivotTables>'
             f'<data><tabular pivotCacheId="{PIVOT_CACHE_X14_ID}"><items count="{field_items}">{items}</items>'
             '</tabular></data></slicerCacheDefinition>').encode()
    anchor = ('<xdr:from><xdr:col>7</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff>'
              '</xdr:from><xdr:to><xdr:col>10</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>14</xdr:row>'
              '<xdr:rowOff>0</xdr:rowOff></xdr:to>')
    xfrm = '<a:off x="0" y="0"/><a:ext cx="1828800" cy="2476500"/>'
    drawing = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<xdr:wsDr xmlns:xdr="{XDR}" xmlns:a="{A}">'
        f'<mc:AlternateContent xmlns:mc="{MC}">'
        '<mc:Choice xmlns:a14="http://schemas.microsoft.com/office/drawing/2010/main" Requires="a14">'
        f'<xdr:twoCellAnchor editAs="oneCell">{anchor}<xdr:graphicFrame macro="">'
        '<xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="Category"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>'
        f'<xdr:xfrm>{xfrm}</xdr:xfrm><a:graphic>'
        '<a:graphicData uri="http://schemas.microsoft.com/office/drawing/2010/slicer">'
        '<sle:slicer xmlns:sle="http://schemas.microsoft.com/office/drawing/2010/slicer" name="Category"/>'
        '</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor></mc:Choice>'
        f'<mc:Fallback><xdr:twoCellAnchor editAs="oneCell">{anchor}<xdr:sp macro="" textlink="">'
        '<xdr:nvSpPr><xdr:cNvPr id="0" name=""/><xdr:cNvSpPr><a:spLocks noTextEdit="1"/></xdr:cNvSpPr></xdr:nvSpPr>'
        f'<xdr:spPr><a:xfrm>{xfrm}</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        '<a:solidFill><a:prstClr val="white"/></a:solidFill><a:ln w="1"><a:solidFill><a:prstClr val="green"/>'
        '</a:solidFill></a:ln></xdr:spPr><xdr:txBody><a:bodyPr vertOverflow="clip" horzOverflow="clip"/>'
        '<a:lstStyle/><a:p><a:r><a:rPr lang="en-US" sz="1100"/><a:t>This shape represents a slicer. Slicers are '
        'supported in Excel 2010 or later.</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/>'
        '</xdr:twoCellAnchor></mc:Fallback></mc:AlternateContent></xdr:wsDr>').encode()
    return slicers, cache, drawing


def custom_xml() -> tuple[bytes, bytes]:
    item = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<controllerNotes xmlns="urn:example:controller-notes"><note item="PF-1">Budget review in Q3.</note>'
            b'<note item="PG-01">Benefit plan to be rebased after the DI4 gate.</note></controllerNotes>')
    props = (b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
             b'<ds:datastoreItem ds:itemID="{3F2504E0-4F89-41D3-9A0C-0305E82C3301}" '
             b'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
             b'<ds:schemaRefs><ds:schemaRef ds:uri="urn:example:controller-notes"/></ds:schemaRefs>'
             b'</ds:datastoreItem>')
    return item, props


def x14_list_validation(sqref: str, source: str) -> bytes:
    """An Excel 2010 list validation over a range of another sheet, in a worksheet <ext> as Excel writes it."""
    return (f'<ext xmlns:x14="{X14}" uri="{EXT_X14_DATA_VALIDATIONS}">'
            f'<x14:dataValidations xmlns:xm="{XM}" count="1">'
            '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1" '
            'promptTitle="Reviewed" prompt="Yes once the controller has reviewed the row.">'
            f'<x14:formula1><xm:f>{source}</xm:f></x14:formula1><xm:sqref>{sqref}</xm:sqref>'
            '</x14:dataValidation></x14:dataValidations></ext>').encode()


# --- the workbook -----------------------------------------------------------------------------------------------

def governed_portfolio(target: Path | io.BytesIO, as_of: dt.date = AS_OF) -> Path | io.BytesIO:
    """Write the governed demo portfolio to `target` (a path or a buffer), as conftest.py's `demo_book` does."""
    from xlportfolio.demo.data import sample_portfolio
    from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook

    data = sample_portfolio(as_of)
    build_workbook(PORTFOLIO_KIND, {"Intake": data["Intake"], "Items": data["Items"]}).save(target)
    return target


def corpus_file(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"the calamine corpus ({path}) is not here: it is in ../shared, not in a plain clone")
    return path


def governed_with_user_content(path: Path, *, macros: bool = False, source: Path | None = None) -> UserContent:
    """Write at `path` the governed portfolio (a copy of `source`, or a new demo portfolio) with a
    controller's own content grafted in; return what was added where.

    With `macros`, the file is an .xlsm (`path` must end in .xlsm) with the corpus' VBA project.
    """
    path = Path(path)
    if macros != (path.suffix.lower() == ".xlsm"):
        raise ValueError(f"{path.name}: a workbook with macros is an .xlsm, one without is not")
    pkg = Package(governed_portfolio(io.BytesIO()).getvalue() if source is None else Path(source))
    pivots = Package(corpus_file(PIVOT_SOURCE))
    printer = Package(corpus_file(PRINTER_SOURCE))
    vba = Package(corpus_file(VBA_SOURCE)) if macros else None

    workbook_part = resolve("", next(t for _, rt, t, _ in relationships(pkg.parts, "") if rt.endswith("/officeDocument")))
    governed_sheets = sheet_parts(pkg.parts, workbook_part)
    for name in (ANALYSIS, PIVOT_DATA, PIVOT):
        assert name.lower() not in {s.lower() for s in governed_sheets}, f"the governed workbook has a {name!r}"
    items_part = governed_sheets["Items"]
    workbook = etree.fromstring(pkg.parts[workbook_part])
    wb_rels: dict[str, tuple[str, str]] = {}
    wb_elements: list[str] = []

    def wb_relate(rtype: str, target: str) -> str:
        rid = pkg.relate(workbook_part, rtype, target)
        wb_rels[rid] = (rtype, target)
        return rid

    sheets_el = workbook.find(f"{{{SML}}}sheets")
    sheet_ids = {int(s.get("sheetId")) for s in sheets_el}
    added_sheets: dict[str, str] = {}

    def add_sheet(name: str, part: str) -> int:
        rid = wb_relate(RT_WORKSHEET, part)
        sheet_id = max(sheet_ids) + 1
        sheet_ids.add(sheet_id)
        el = etree.SubElement(sheets_el, f"{{{SML}}}sheet", nsmap={"r": R})
        el.set("name", name)
        el.set("sheetId", str(sheet_id))
        el.set(f"{{{R}}}id", rid)
        added_sheets[name] = part
        wb_elements.append(f"main:sheets/main:sheet[@name={_xpath_str(name)}][@r:id='{rid}']")
        return sheet_id

    def code(sheet: str) -> str | None:
        return CODE_NAMES[sheet] if macros else None

    # 1, 3, 5, 6: "My analysis" -- chart, picture, threaded comment, sparklines -- from the xlsxwriter donor
    donor = donor_workbook(pkg.parts[items_part])
    donor_sheets = sheet_parts(donor.parts)
    donor_shared = shared_strings(donor)
    memo: dict[str, str] = {}
    analysis = pkg.graft(donor, donor_sheets[ANALYSIS], memo, name="xl/worksheets/sheet1.xml",
                         change=lambda part, data: (user_sheet(data, donor_shared, code(ANALYSIS))
                                                    if part == donor_sheets[ANALYSIS] else data))
    threaded = pkg.put(pkg.free_name("xl/threadedComments/threadedComment1.xml"), threaded_comments(), CT_THREADED)
    pkg.relate(analysis, RT_THREADED, threaded)
    add_sheet(ANALYSIS, analysis)
    persons = pkg.put(pkg.free_name("xl/persons/person.xml"), person_list(), CT_PERSON)
    wb_relate(RT_PERSON, persons)

    # 2, 8: on the governed Items sheet -- a chart over Items data, printer settings, an x14 list validation
    donor_items_drawing = next(t for _, rt, t, _ in relationships(donor.parts, donor_sheets["Items"])
                               if rt == RT_DRAWING)
    items_drawing = pkg.graft(donor, donor_items_drawing, memo)
    settings = pkg.put(pkg.free_name("xl/printerSettings/printerSettings1.bin"),
                       printer.parts["xl/printerSettings/printerSettings1.bin"], CT_PRINTER)
    items_rels: dict[str, tuple[str, str]] = {}
    for rtype, target in ((RT_PRINTER, settings), (RT_DRAWING, items_drawing)):
        items_rels[pkg.relate(items_part, rtype, target)] = (rtype, target)
    setup_rid, drawing_rid = items_rels
    last_row = int(re.search(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', pkg.parts[items_part]).group(1))
    r_decl = f'xmlns:r="{R}"'
    pkg.edit(items_part, lambda xml: splice(
        xml, f'<pageSetup {r_decl} paperSize="9" orientation="landscape" r:id="{setup_rid}"/>'.encode(),
        "pageSetup", WORKSHEET_ORDER))
    pkg.edit(items_part, lambda xml: splice(xml, f'<drawing {r_decl} r:id="{drawing_rid}"/>'.encode(), "drawing",
                                            WORKSHEET_ORDER))
    pkg.edit(items_part, lambda xml: add_ext(xml, x14_list_validation(f"AK2:AK{last_row}", "Lists!$AE$2:$AE$3")))
    items_edit = SheetEdit(
        "Items", items_part,
        (f"main:pageSetup[@r:id='{setup_rid}']", f"main:drawing[@r:id='{drawing_rid}']",
         f"main:extLst/main:ext[@uri='{EXT_X14_DATA_VALIDATIONS}']/x14:dataValidations"),
        items_rels)

    # 4: a pivot table with its cache from the corpus, and a slicer on it
    corpus_sheets = sheet_parts(pivots.parts)
    corpus_shared = shared_strings(pivots)
    pivot_names = {corpus_sheets["DataSheet"]: PIVOT_DATA, corpus_sheets["PivotSheet1"]: PIVOT}
    pivot_memo: dict[str, str] = {}
    corpus_pivot_table = next(t for _, rt, t, _ in relationships(pivots.parts, corpus_sheets["PivotSheet1"])
                              if rt.endswith("/pivotTable"))
    cache_def = next(t for _, rt, t, _ in relationships(pivots.parts, corpus_pivot_table) if rt == RT_PIVOT_CACHE)
    cache_ids = {int(c.get("cacheId")) for c in workbook.iterfind(f"{{{SML}}}pivotCaches/{{{SML}}}pivotCache")}
    cache_id = next(i for i in [65, *range(max(cache_ids | {65}) + 1, 10**6)] if i not in cache_ids)

    def pivot_change(part: str, data: bytes) -> bytes:
        if part in pivot_names:
            return user_sheet(data, corpus_shared, code(pivot_names[part]))
        if part == cache_def:
            root = etree.fromstring(data)
            root.find(f".//{{{SML}}}worksheetSource").set("sheet", PIVOT_DATA)
            root.find(f".//{{{X14}}}pivotCacheDefinition").set("pivotCacheId", str(PIVOT_CACHE_X14_ID))
            return _serialize(root, data)
        if pivots.content_type(part).endswith("pivotTable+xml"):
            return re.sub(rb'cacheId="\d+"', f'cacheId="{cache_id}"'.encode(), data, count=1)
        return data

    pivot_data = pkg.graft(pivots, corpus_sheets["DataSheet"], pivot_memo, name="xl/worksheets/sheet1.xml",
                           change=pivot_change)
    add_sheet(PIVOT_DATA, pivot_data)
    pivot_sheet = pkg.graft(pivots, corpus_sheets["PivotSheet1"], pivot_memo, name="xl/worksheets/sheet1.xml",
                            change=pivot_change)
    pivot_tab = add_sheet(PIVOT, pivot_sheet)
    new_cache_def = pivot_memo[cache_def]
    pivot_caches = workbook.find(f"{{{SML}}}pivotCaches")
    if pivot_caches is None:
        pivot_caches = etree.Element(f"{{{SML}}}pivotCaches")
        insert_ordered(workbook, pivot_caches, WORKBOOK_ORDER)
    rid = wb_relate(RT_PIVOT_CACHE, new_cache_def)
    el = etree.SubElement(pivot_caches, f"{{{SML}}}pivotCache", nsmap={"r": R})
    el.set("cacheId", str(cache_id))
    el.set(f"{{{R}}}id", rid)
    wb_elements.append(f"main:pivotCaches/main:pivotCache[@cacheId='{cache_id}'][@r:id='{rid}']")

    pivot_table_part = next(v for k, v in pivot_memo.items() if pivots.content_type(k).endswith("pivotTable+xml"))
    pivot_table = etree.fromstring(pkg.parts[pivot_table_part])
    category = [f.get("name") for f in etree.fromstring(pkg.parts[new_cache_def]).iter(f"{{{SML}}}cacheField")]
    category_items = len(etree.fromstring(pkg.parts[new_cache_def]).findall(
        f".//{{{SML}}}cacheField[@name='Category']/{{{SML}}}sharedItems/*"))
    assert "Category" in category and category_items
    slicers, slicer_cache, slicer_drawing = slicer_parts(pivot_table.get("name"), pivot_tab, category_items)
    slicer_part = pkg.put(pkg.free_name("xl/slicers/slicer1.xml"), slicers, CT_SLICER)
    drawing_part = pkg.put(pkg.free_name("xl/drawings/drawing1.xml"), slicer_drawing, CT_DRAWING)
    drawing_rid = pkg.relate(pivot_sheet, RT_DRAWING, drawing_part)
    slicer_rid = pkg.relate(pivot_sheet, RT_SLICER, slicer_part)
    pkg.edit(pivot_sheet, lambda xml: splice(xml, f'<drawing {r_decl} r:id="{drawing_rid}"/>'.encode(), "drawing",
                                             WORKSHEET_ORDER))
    pkg.edit(pivot_sheet, lambda xml: add_ext(xml, (
        f'<ext xmlns:x14="{X14}" uri="{EXT_X14_SLICER_LIST}"><x14:slicerList>'
        f'<x14:slicer {r_decl} r:id="{slicer_rid}"/></x14:slicerList></ext>').encode()))
    cache_part = pkg.put(pkg.free_name("xl/slicerCaches/slicerCache1.xml"), slicer_cache, CT_SLICER_CACHE)
    rid = wb_relate(RT_SLICER_CACHE, cache_part)
    ext_list = workbook.find(f"{{{SML}}}extLst")
    if ext_list is None:
        ext_list = etree.Element(f"{{{SML}}}extLst")
        insert_ordered(workbook, ext_list, WORKBOOK_ORDER)
    ext_list.append(etree.fromstring(
        f'<ext xmlns="{SML}" xmlns:x14="{X14}" xmlns:r="{R}" uri="{EXT_X14_SLICER_CACHES}"><x14:slicerCaches>'
        f'<x14:slicerCache r:id="{rid}"/></x14:slicerCaches></ext>'))
    wb_elements.append(f"main:extLst/main:ext[@uri='{EXT_X14_SLICER_CACHES}']/x14:slicerCaches"
                       f"/x14:slicerCache[@r:id='{rid}']")

    # 8: names -- the slicer cache's (Excel defines one per slicer cache) and the user's own
    names = workbook.find(f"{{{SML}}}definedNames")
    if names is None:
        names = etree.Element(f"{{{SML}}}definedNames")
        insert_ordered(workbook, names, WORKBOOK_ORDER)
    for name, value in ((SLICER_CACHE_NAME, "#N/A"), (USER_NAME, f"'{ANALYSIS}'!$B$2:$B$7")):
        etree.SubElement(names, f"{{{SML}}}definedName", name=name).text = value
        wb_elements.append(f"main:definedNames/main:definedName[@name='{name}']")

    # 8: custom XML, thumbnail
    item, props = custom_xml()
    item_part = pkg.put(pkg.free_name("customXml/item1.xml"), item)
    props_part = pkg.put(pkg.free_name("customXml/itemProps1.xml"), props, CT_CUSTOM_XML_PROPS)
    pkg.relate(item_part, RT_CUSTOM_XML_PROPS, props_part)
    wb_relate(RT_CUSTOM_XML, item_part)
    thumb = pkg.put(pkg.free_name("docProps/thumbnail.jpeg"), thumbnail_jpeg(), "image/jpeg")
    root_rels = {pkg.relate("", RT_THUMBNAIL, thumb): (RT_THUMBNAIL, thumb)}

    # 7: macros
    if vba is not None:
        project = pkg.put(pkg.free_name("xl/vbaProject.bin"), vba.parts["xl/vbaProject.bin"], CT_VBA)
        wb_relate(RT_VBA, project)
        pr = workbook.find(f"{{{SML}}}workbookPr")
        if pr is None:
            pr = etree.Element(f"{{{SML}}}workbookPr")
            insert_ordered(workbook, pr, WORKBOOK_ORDER)
        pr.set("codeName", "ThisWorkbook")
        wb_elements.append("main:workbookPr[@codeName='ThisWorkbook']")
        pkg.set_content_type(workbook_part, CT_MAIN_MACROS)

    pkg.edit(workbook_part, lambda data: _serialize(workbook, data))
    pkg.save(path)
    parts = tuple(pkg.added)
    return UserContent(
        path=path, macros=macros, parts=parts, content_types={p: pkg.content_type(p) or "" for p in parts},
        sheets=added_sheets, governed={"Items": items_edit}, workbook=tuple(wb_elements), workbook_rels=wb_rels,
        package_rels=root_rels, edited=tuple(sorted(pkg.edited)), names=(USER_NAME,))


def _xpath_str(text: str) -> str:
    return f'"{text}"' if "'" in text else f"'{text}'"


# --- checking that a rewritten workbook kept it all ---------------------------------------------------------------

def missing_user_content(path: Path, content: UserContent, original: dict[str, bytes] | None = None,
                         ) -> list[str]:
    """What of `content` the workbook at `path` no longer has; [] when it kept everything.

    Checks that every user part is there (byte for byte when `original`, the parts of the workbook as
    `governed_with_user_content` wrote it, is given), that the user's sheets are there, and that each user
    element in a governed sheet or in workbook.xml is still there with its relationship.
    """
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    problems = []
    for part in content.parts:
        if part not in parts:
            problems.append(f"part {part} is gone")
        elif original is not None and part in original and parts[part] != original[part]:
            problems.append(f"part {part} changed")
    workbook_part = resolve("", next(t for _, rt, t, _ in relationships(parts, "") if rt.endswith("/officeDocument")))
    sheets = sheet_parts(parts, workbook_part)
    for name, part in content.sheets.items():
        if sheets.get(name) != part:
            problems.append(f"sheet {name!r} ({part}) is gone")

    def check(part: str, xpaths: Iterable[str], rels: dict[str, tuple[str, str]], what: str) -> None:
        if part not in parts:
            problems.append(f"{what}: part {part} is gone")
            return
        root = etree.fromstring(parts[part])
        for xpath in xpaths:
            if not root.xpath(xpath, namespaces=NS):
                problems.append(f"{what}: no {xpath}")
        have = {rid: (rtype, target) for rid, rtype, target, _ in relationships(parts, part)}
        for rid, rel in rels.items():
            if have.get(rid) != rel:
                problems.append(f"{what}: relationship {rid} -> {rel[1]} is gone (now {have.get(rid)})")

    for name, edit in content.governed.items():
        check(sheets.get(name, edit.part), edit.elements, edit.rels, f"sheet {name!r}")
    check(workbook_part, content.workbook, content.workbook_rels, "workbook")
    have = {rid: (rtype, target) for rid, rtype, target, _ in relationships(parts, "")}
    problems += [f"package relationship {rid} -> {rel[1]} is gone" for rid, rel in content.package_rels.items()
                 if have.get(rid) != rel]
    return problems
