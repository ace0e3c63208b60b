"""inspect_package on good, unusual, damaged and hostile packages, each built from real bytes inside the test.

Files that are not workbooks at all are tests/files/test_identify.py's. The guard refuses only what cannot be used; a user's content (charts, pictures, pivots ...) is
never a reason to refuse, since the package engine keeps every part it does not change.
"""
from __future__ import annotations

import io
import random
import struct
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.worksheet.table import Table

from xlportfolio.errors import WorkbookUnusable
from xlportfolio.files import package_check
from xlportfolio.files.package_check import PackageReport, inspect_package

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "calamine"
CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.is_file()) if CORPUS.is_dir() else []
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SHEET1 = "xl/worksheets/sheet1.xml"

X14_DATA_VALIDATION = (
    b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    b'<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    b'<x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>Lists!$A$1:$A$3</xm:f></x14:formula1>'
    b"<xm:sqref>B2:B50</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>"
)
DRAWING = (
    b'<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    b'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b"<xdr:oneCellAnchor><xdr:from><xdr:col>3</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row>"
    b'<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="952500" cy="952500"/>%s<xdr:clientData/>'
    b"</xdr:oneCellAnchor></xdr:wsDr>"
)
PICTURE = (b'<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="Logo"/><xdr:cNvPicPr/></xdr:nvPicPr>'
           b'<xdr:blipFill><a:blip r:embed="rId1"/></xdr:blipFill><xdr:spPr/></xdr:pic>')
SHAPE = (b'<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="Arrow"/><xdr:cNvSpPr/>'
         b'</xdr:nvSpPr><xdr:spPr><a:prstGeom prst="rightArrow"/></xdr:spPr></xdr:sp>')
BUTTON_VML = (b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:x="urn:schemas-microsoft-com:office:excel">'
              b'<v:shape id="_x0000_s1025" type="#_x0000_t201"><x:ClientData ObjectType="Button">'
              b"<x:Anchor>1, 0, 1, 0, 3, 0, 3, 0</x:Anchor><x:FmlaMacro>[0]!Refresh</x:FmlaMacro>"
              b"</x:ClientData></v:shape></xml>")


# --- builders ---------------------------------------------------------------------------------

def good_workbook(tmp_path: Path, name: str = "portfolio.xlsx", extra=None) -> Path:
    """Sheets 'Data' (an item list) and 'Notes', written by openpyxl; `extra(wb)` may add more."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for row in (["Item", "Amount"], ["Laptop", 1200], ["Desk", 300], ["Chair", 150]):
        ws.append(row)
    wb.create_sheet("Notes")
    if extra:
        extra(wb)
    path = tmp_path / name
    wb.save(path)
    return path


def rezip(src: Path, dst: Path, *, drop=(), replace=None, add=None) -> Path:
    """Copy a package member by member, dropping, replacing or adding parts."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename in drop:
                continue
            data = replace[item.filename](zin.read(item)) if item.filename in replace else zin.read(item)
            zout.writestr(item, data)
        for name, data in add.items():
            zout.writestr(name, data)
    return dst


def patch_declared_size(path: Path, member: str, size: int) -> None:
    """Make both zip headers of `member` claim `size` uncompressed bytes, as a hostile file would."""
    data, name = bytearray(path.read_bytes()), member.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        pos = data.find(signature)
        while pos != -1:
            if data[pos + name_at:pos + name_at + len(name)] == name:
                struct.pack_into("<I", data, pos + size_at, size)
            pos = data.find(signature, pos + 1)
    path.write_bytes(bytes(data))


def expect_unusable(path: Path, *phrases: str, **limits) -> str:
    """inspect_package must raise WorkbookUnusable naming the file and every phrase."""
    with pytest.raises(WorkbookUnusable) as caught:
        inspect_package(path, **limits)
    message = str(caught.value)
    assert str(path) in message
    for phrase in phrases:
        assert phrase.lower() in message.lower(), message
    return message


# --- good workbooks, whatever they hold ----------------------------------------------------------

def test_good_workbook_reports_its_sheets(tmp_path):
    path = good_workbook(tmp_path)
    assert inspect_package(path) == PackageReport(path, False, ("Data", "Notes"))


def _with_chart(wb):
    ws, chart = wb["Data"], BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    ws.add_chart(chart, "D2")


def _with_note_and_table(wb):
    wb["Data"]["A2"].comment = Comment("check the supplier", "controller")
    wb["Data"].add_table(Table(displayName="Items", ref="A1:B4"))


@pytest.mark.parametrize("extra", [_with_chart, _with_note_and_table], ids=["chart", "note and table"])
def test_content_openpyxl_could_not_keep_is_no_reason_to_refuse(tmp_path, extra):
    path = good_workbook(tmp_path, extra=extra)
    assert inspect_package(path).sheet_names == ("Data", "Notes")


@pytest.mark.parametrize("part, content", [
    ("xl/drawings/drawing1.xml", DRAWING % PICTURE), ("xl/drawings/drawing1.xml", DRAWING % SHAPE),
    ("xl/drawings/vmlDrawing9.vml", BUTTON_VML), ("xl/pivotTables/pivotTable1.xml", b"<x/>"),
    ("xl/externalLinks/externalLink1.xml", b"<x/>"), ("xl/slicers/slicer1.xml", b"<x/>"),
    ("xl/threadedComments/threadedComment1.xml", b"<x/>"), ("xl/model/item.data", b"<x/>"),
    ("customXml/item1.xml", b"<x/>"),
], ids=["picture", "shape", "button", "pivot", "external-link", "slicer", "threaded", "data-model", "custom-xml"])
def test_parts_of_any_kind_are_no_reason_to_refuse(tmp_path, part, content):
    path = rezip(good_workbook(tmp_path), tmp_path / "rich.xlsx", add={part: content})
    assert inspect_package(path).sheet_names == ("Data", "Notes")


def test_x14_extensions_are_no_reason_to_refuse(tmp_path):
    path = rezip(good_workbook(tmp_path), tmp_path / "x14.xlsx", replace={
        SHEET1: lambda xml: xml.replace(b"</worksheet>", X14_DATA_VALIDATION + b"</worksheet>")})
    assert inspect_package(path).sheet_names == ("Data", "Notes")


def test_vba_project_makes_it_macro_enabled(tmp_path):
    path = rezip(good_workbook(tmp_path), tmp_path / "macros.xlsm", add={"xl/vbaProject.bin": OLE_MAGIC})
    assert inspect_package(path).macro_enabled


def test_absolute_workbook_target_in_package_rels_is_resolved(tmp_path):
    path = rezip(good_workbook(tmp_path), tmp_path / "absolute.xlsx", replace={
        "_rels/.rels": lambda xml: xml.replace(b'Target="xl/workbook.xml"', b'Target="/xl/workbook.xml"')})
    assert inspect_package(path).sheet_names == ("Data", "Notes")


def test_the_guard_reads_only_the_small_parts_that_say_what_the_package_is(tmp_path, monkeypatch):
    """A 100 MB sheet costs the guard nothing: it never inflates a sheet."""
    rng = random.Random(7)
    block = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><v>%.6f</v></c></row>'
                     % (i, i, rng.randrange(10**6), i, rng.random()) for i in range(2, 15_000))
    src, path = good_workbook(tmp_path), tmp_path / "big.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for item in zin.infolist():
            if item.filename != SHEET1:
                zout.writestr(item, zin.read(item))
        with zout.open(SHEET1, "w") as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for _ in range(100_000_000 // len(block)):
                sheet.write(block)
            sheet.write(b"</sheetData>" + X14_DATA_VALIDATION + b"</worksheet>")
    read = []
    original = package_check._Reader.chunks

    def counting(self, info):
        read.append(info.filename)
        return original(self, info)

    monkeypatch.setattr(package_check._Reader, "chunks", counting)
    assert inspect_package(path).sheet_names == ("Data", "Notes")
    assert SHEET1 not in read and not any(n.startswith("xl/worksheets/") for n in read)


# --- damaged packages ------------------------------------------------------------------------

def test_truncated_zip_is_damaged(tmp_path):
    good = good_workbook(tmp_path).read_bytes()
    path = tmp_path / "half.xlsx"
    path.write_bytes(good[:len(good) // 2])
    expect_unusable(path, "damaged (corrupt zip", "repair")


def test_duplicate_member_names_are_damage(tmp_path):
    path = good_workbook(tmp_path)
    with warnings.catch_warnings(), zipfile.ZipFile(path, "a") as zf:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we are writing on purpose
        zf.writestr(SHEET1, b"<worksheet/>")
    expect_unusable(path, "corrupt zip", "appears twice")


def test_missing_workbook_part_is_named(tmp_path):
    path = rezip(good_workbook(tmp_path), tmp_path / "headless.xlsx", drop={"xl/workbook.xml"})
    expect_unusable(path, "no workbook part (xl/workbook.xml)")


def test_missing_content_types_is_named(tmp_path):
    path = rezip(good_workbook(tmp_path), tmp_path / "untyped.xlsx", drop={"[Content_Types].xml"})
    expect_unusable(path, "[Content_Types].xml")


def test_workbook_without_sheets(tmp_path):
    path = rezip(good_workbook(tmp_path), tmp_path / "nosheets.xlsx", replace={
        "xl/workbook.xml": lambda xml: xml[:xml.index(b"<sheets>")] + b"<sheets/>"
                                       + xml[xml.index(b"</sheets>") + 9:]})
    expect_unusable(path, "no sheets")


def test_strict_open_xml_is_refused_because_openpyxl_would_see_no_sheets(tmp_path):
    path = rezip(good_workbook(tmp_path), tmp_path / "strict.xlsx", replace={
        "xl/workbook.xml": lambda xml: xml.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                                   b"http://purl.oclc.org/ooxml/spreadsheetml/main")})
    expect_unusable(path, "Strict Open XML", "Save As")


# --- zip bombs and lying headers ------------------------------------------------------------

def test_zip_bomb_member_with_huge_ratio(tmp_path):
    path = good_workbook(tmp_path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("xl/media/zeros.bin", "w") as member:  # streamed: 300 MB never sits in memory
            zeros = bytes(1 << 20)
            for _ in range(300):
                member.write(zeros)
    assert path.stat().st_size < 2_000_000
    expect_unusable(path, "xl/media/zeros.bin", "314.6 MB", "cap 200:1", "zip bomb")


def test_declared_total_above_the_cap(tmp_path):
    expect_unusable(good_workbook(tmp_path), "declares", "above the 0.0 MB safety cap", max_unzipped_bytes=10)


def test_member_claiming_2_gb_is_refused_before_inflating(tmp_path):
    path = good_workbook(tmp_path)
    patch_declared_size(path, SHEET1, 2_000_000_000)
    expect_unusable(path, "2,000.0 MB", "1,500.0 MB safety cap")


def test_member_hiding_its_real_size_is_damage_not_a_hang(tmp_path):
    # The header says 100 bytes; the data inflates to 20 MB. zipfile stops at the declared size
    # and the CRC no longer matches: the command that reads the sheet says "damaged", never
    # reading the rest. (The guard itself reads no sheet.)
    from xlportfolio.files.workbook import read_book_file

    path = rezip(good_workbook(tmp_path), tmp_path / "liar.xlsx",
                 replace={SHEET1: lambda xml: xml.replace(b"</worksheet>", b" " * 20_000_000 + b"</worksheet>")})
    patch_declared_size(path, SHEET1, 100)
    inspect_package(path)
    before = path.read_bytes()
    with pytest.raises(WorkbookUnusable) as caught, read_book_file(path) as wb:
        wb.sheet_rows("Data")
    assert str(path) in str(caught.value) and "damaged" in str(caught.value)
    assert path.read_bytes() == before


@pytest.mark.parametrize("declared, budget, phrase", [(10, 10**9, "declared size"), (10**9, 100, "safety cap")])
def test_reader_stops_when_a_part_inflates_past_its_size_or_the_budget(tmp_path, declared, budget, phrase):
    class EndlessZip:  # what a reader without zipfile's own size check would see
        def open(self, info):
            return io.BytesIO(b"x" * (3 << 20))
    info = zipfile.ZipInfo(SHEET1)
    info.file_size = declared
    reader = package_check._Reader(tmp_path / "liar.xlsx", EndlessZip(), budget)
    with pytest.raises(WorkbookUnusable, match=phrase):
        list(reader.chunks(info))


# --- a corpus of real-world files (skipped when the shared corpus is absent) ---------------------

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")


@needs_corpus
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_file_gives_a_report_or_unusable(path):
    try:
        assert isinstance(inspect_package(path), PackageReport)
    except WorkbookUnusable as exc:
        assert str(path) in str(exc)


@needs_corpus
def test_corpus_password_protected_file():
    expect_unusable(CORPUS / "tests__pass_protected.xlsx", "password-protected")


@needs_corpus
def test_corpus_vba_workbook_is_macro_enabled():
    assert inspect_package(CORPUS / "tests__vba.xlsm").macro_enabled
