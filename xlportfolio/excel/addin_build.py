"""Build xlportfolio.xlam: a macro-enabled Excel add-in whose ribbon is the command registry.

The package holds one tiny sheet, a ribbon (customUI/customUI14.xml, rendered from the
registry by xlportfolio.excel.manifest.ribbon_xml) and a VBA project with a single module
(templates/xlportfolio.bas): the callback every button shares. It hands the button's id to
xlwings' own add-in, which runs `xlportfolio.excel.ribbon.dispatch(id)` in Python; so the add-in
holds no logic and a new registry command needs nothing but a rebuild.

vbaProject.bin is written by ms-ovba (pip install xlportfolio[addin]). It writes VBA source
only, no compiled p-code, so Excel compiles the module on first load. Its compressor is
known to corrupt longer streams, so the module stays tiny and every compressed stream is
decompressed again and compared before anything is written.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
import threading
import uuid
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from xlportfolio.errors import AddinBuildError
from xlportfolio.excel.templates import template_path

ADDIN_NAME = "xlportfolio.xlam"
VBA_TEMPLATE = "xlportfolio.bas"
VBA_LIMIT = 600  # bytes; ms-ovba's compressor corrupts longer modules

# Content types and relationship types (ECMA-376 part 2; [MS-OFFMACRO2]; [MS-CUSTOMUI]).
CT_ADDIN_MAIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_APP = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
CT_XML = "application/xml"

RT_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
RT_APP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
# customUI14.xml (namespace 2009/07/customui) hangs off the 2007 relationship type; the
# older customUI.xml (2006/01/customui) would use .../office/2006/relationships/ui/extensibility.
RT_RIBBON = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RT_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
RT_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
RT_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_PR = "http://schemas.openxmlformats.org/package/2006/relationships"

RIBBON_PART = "customUI/customUI14.xml"
SHEET_NAME = "xlportfolio"
VBA_MODULE = "XlpRibbon"  # Attribute VB_Name in templates/xlportfolio.bas
# A fixed project id, so that a rebuilt add-in is the same project to Excel.
PROJECT_ID = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "https://xlportfolio/excel")).upper() + "}"
ZIP_TIME = (2024, 1, 1, 0, 0, 0)  # a stable timestamp inside the zip

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ovba_lock = threading.Lock()


def vba_source() -> str:
    """The VBA module's text as it is in templates/xlportfolio.bas."""
    return template_path(VBA_TEMPLATE).read_text(encoding="ascii")


def build_addin(out: Path | str) -> Path:
    """Write xlportfolio.xlam to `out` (a folder, or a path ending in .xlam); return its path.

    Written to a temporary file first and then moved in place, so a failed build never
    leaves half an add-in behind.
    """
    from xlportfolio import __version__
    from xlportfolio.excel.manifest import ribbon_xml

    out = Path(out)
    target = out if out.suffix.lower() == ".xlam" else out / ADDIN_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    parts = package_parts(ribbon_xml(), vba_project_bin(vba_source()), __version__)
    fd, tmp = tempfile.mkstemp(prefix=".xlportfolio-", suffix=".xlam", dir=target.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts.items():
                info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def package_parts(custom_ui: str, vba_bin: bytes, version: str) -> dict[str, bytes]:
    """Every part of the add-in package, [Content_Types].xml first."""
    content_types = (
        f'{_XML}<Types xmlns="{NS_CT}">'
        f'<Default Extension="rels" ContentType="{CT_RELS}"/>'
        f'<Default Extension="xml" ContentType="{CT_XML}"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT_ADDIN_MAIN}"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT_WORKSHEET}"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{CT_STYLES}"/>'
        f'<Override PartName="/xl/vbaProject.bin" ContentType="{CT_VBA}"/>'
        f'<Override PartName="/docProps/core.xml" ContentType="{CT_CORE}"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{CT_APP}"/>'
        "</Types>")
    root_rels = _rels([("rId1", RT_OFFICE_DOCUMENT, "xl/workbook.xml"),
                       ("rId2", RT_CORE, "docProps/core.xml"),
                       ("rId3", RT_APP, "docProps/app.xml"),
                       ("rId4", RT_RIBBON, RIBBON_PART)])
    workbook = (
        f'{_XML}<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
        '<workbookPr codeName="ThisWorkbook"/>'
        '<bookViews><workbookView/></bookViews>'
        f'<sheets><sheet name="{SHEET_NAME}" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>")
    workbook_rels = _rels([("rId1", RT_WORKSHEET, "worksheets/sheet1.xml"),
                           ("rId2", RT_STYLES, "styles.xml"),
                           ("rId3", RT_VBA, "vbaProject.bin")])
    note = (f"xlportfolio {version} add-in: its ribbon buttons run xlportfolio's commands on the open "
            "workbook through xlwings. Built by `xlportfolio addin build`; do not edit.")
    sheet = (
        f'{_XML}<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
        '<sheetPr codeName="Sheet1"/><dimension ref="A1"/>'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        f"{escape(note)}</t></is></c></row></sheetData></worksheet>")
    styles = (
        f'{_XML}<styleSheet xmlns="{NS_MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>")
    stamp = dt.datetime(*ZIP_TIME, tzinfo=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # Title and Description are what Excel's Add-ins dialog shows.
    core = (
        f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>xlportfolio</dc:title>"
        "<dc:description>Ribbon buttons that validate, score, gate and roll up the portfolio "
        "workbook (needs the xlwings add-in).</dc:description>"
        "<dc:creator>xlportfolio</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>")
    app = (
        f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        f"<Application>Microsoft Excel</Application><AppVersion>16.0300</AppVersion></Properties>")
    texts = {
        "[Content_Types].xml": content_types,
        "_rels/.rels": root_rels,
        "docProps/core.xml": core,
        "docProps/app.xml": app,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": workbook_rels,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/styles.xml": styles,
        RIBBON_PART: custom_ui,
    }
    parts = {name: text.encode("utf-8") for name, text in texts.items()}
    parts["xl/vbaProject.bin"] = vba_bin
    return parts


def _rels(items: list[tuple[str, str, str]]) -> str:
    body = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in items)
    return f'{_XML}<Relationships xmlns="{NS_PR}">{body}</Relationships>'


def vba_project_bin(source: str) -> bytes:
    """vbaProject.bin with ThisWorkbook, Sheet1 and one standard module holding `source`."""
    try:
        import ms_ovba
        from ms_ovba.Models.Entities.doc_module import DocModule
        from ms_ovba.Models.Entities.reference import Reference
        from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
        from ms_ovba.Models.Entities.std_module import StdModule
        from ms_ovba.Models.Fields.libid_reference import LibidReference
        from ms_ovba.vbaProject import VbaProject
        from ms_ovba.Views.dirStream import DirStream
        from ms_ovba.Views.project_ole_file import ProjectOleFile
    except ImportError as exc:
        raise AddinBuildError("building the add-in needs ms-ovba: pip install 'xlportfolio[addin]' "
                              f"({exc})") from exc

    data = source.replace("\r\n", "\n").encode("ascii")
    if len(data.replace(b"\n", b"\r\n")) > VBA_LIMIT:
        raise AddinBuildError(f"{VBA_TEMPLATE} is {len(data)} bytes; ms-ovba's compressor corrupts "
                              f"modules longer than about {VBA_LIMIT} bytes, keep it shorter.")
    blanks = Path(ms_ovba.__file__).parent / "blank_files"
    with _ovba_lock, tempfile.TemporaryDirectory(prefix="xlp-vba-") as tmp, contextlib.chdir(tmp):
        # ms-ovba writes its intermediate streams into the current folder.
        project = VbaProject()
        project.project_id = PROJECT_ID
        for name, guid in (("ThisWorkbook", "0002081900000000C000000000000046"),
                           ("Sheet1", "0002082000000000C000000000000046")):
            shutil.copyfile(blanks / f"{name}.cls", f"{name}.cls")
            module = DocModule(name)
            module.add_file(os.path.abspath(f"{name}.cls"))
            module.add_guid(uuid.UUID(guid))
            module.normalize_file()
            project.add_module(module)
        Path(f"{VBA_MODULE}.bas").write_bytes(data)
        module = StdModule(VBA_MODULE)
        module.add_file(os.path.abspath(f"{VBA_MODULE}.bas"))
        module.normalize_file()
        project.add_module(module)
        # stdole and the Office library (IRibbonControl), as every Excel VBA project has.
        project.add_reference(Reference(ReferenceRegistered(LibidReference(
            uuid.UUID("0002043000000000C000000000000046"), "2.0", "0",
            "C:\\Windows\\System32\\stdole2.tlb", "OLE Automation")), "stdole"))
        project.add_reference(Reference(ReferenceRegistered(LibidReference(
            uuid.UUID("2DF8D04C5BFA101BBDE500AA0044DE52"), "2.0", "0",
            "C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL",
            "Microsoft Office 16.0 Object Library")), "Office"))
        for module in project.modules:
            _check_roundtrip(Path(module._file_path + ".new").read_bytes(), module.name)
        _check_roundtrip(DirStream(project).to_bytes(), "dir")
        ProjectOleFile.write_file(project)
        return Path("vbaProject.bin").read_bytes()


def _check_roundtrip(raw: bytes, what: str) -> None:
    """Refuse to write a stream that ms-ovba's compressor cannot give back byte for byte."""
    from ms_ovba_compression.ms_ovba import MsOvba

    try:
        same = MsOvba().decompress(MsOvba().compress(raw)) == raw
    except Exception:  # noqa: BLE001 - a broken stream fails the decompressor in many ways
        same = False
    if not same:
        raise AddinBuildError(f"ms-ovba cannot compress the VBA stream {what!r} ({len(raw)} bytes) "
                              "without corrupting it; shorten templates/xlportfolio.bas.")
