"""The workbooks `userbooks.governed_with_user_content` writes are sound packages that carry what it says.

Both variants (.xlsx, and .xlsm with a VBA project) are built once per module from one governed portfolio.
"""
import re
import sys
import zipfile

import pytest
from lxml import etree

from tests.support import SHARED

from .userbooks import (
    ANALYSIS,
    CT_MAIN,
    CT_MAIN_MACROS,
    EXT_X14_SLICER_CACHES,
    NS,
    PIVOT,
    PIVOT_CACHE_X14_ID,
    PIVOT_DATA,
    SML,
    THREAD_ROOT,
    X14,
    Package,
    governed_portfolio,
    governed_with_user_content,
    missing_user_content,
    relationships,
    sheet_parts,
)

sys.path.insert(0, str(SHARED / "ooxml"))
from check_ooxml import invalid_parts  # noqa: E402

C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
R = NS["r"]
TC = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
VARIANTS = {"xlsx": ("userbook.xlsx", False), "xlsm": ("userbook-macros.xlsm", True)}


@pytest.fixture(scope="module")
def governed(tmp_path_factory):
    return governed_portfolio(tmp_path_factory.mktemp("governed") / "portfolio.xlsx")


@pytest.fixture(scope="module")
def books(tmp_path_factory, governed):
    folder = tmp_path_factory.mktemp("userbooks")
    return {key: governed_with_user_content(folder / name, macros=macros, source=governed)
            for key, (name, macros) in VARIANTS.items()}


@pytest.fixture(params=list(VARIANTS))
def book(request, books):
    return books[request.param]


def read(path):
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def xml(parts, name):
    return etree.fromstring(parts[name])


def targets(parts, source, kind):
    """The parts `source` relates to with a relationship type ending in /`kind`."""
    return [t for _, rtype, t, external in relationships(parts, source) if rtype.endswith("/" + kind) and not external]


# --- the package --------------------------------------------------------------------------------------------------

def test_every_listed_part_exists_and_each_kind_is_there(book):
    parts = read(book.path)
    assert [p for p in book.parts if p not in parts] == []
    assert set(book.sheets) == {ANALYSIS, PIVOT_DATA, PIVOT}
    kinds = {"drawingml.chart+xml": 2, "image/png": 1, "image/jpeg": 1, "pivotTable+xml": 1,
             "pivotCacheDefinition+xml": 1, "pivotCacheRecords+xml": 1, "ms-excel.slicer+xml": 1,
             "slicerCache+xml": 1, "threadedcomments+xml": 1, "person+xml": 1, "spreadsheetml.comments+xml": 1, "vmlDrawing": 1,
             "printerSettings": 1, "customXmlProperties+xml": 1, "vbaProject": 1 if book.macros else 0}
    assert {k: len(book.of_type(k)) for k in kinds} == kinds
    assert "customXml/item1.xml" in book.parts


def test_content_types_cover_every_part(book):
    parts = read(book.path)
    types = xml(parts, "[Content_Types].xml")
    defaults = {el.get("Extension").lower() for el in types if etree.QName(el).localname == "Default"}
    overrides = [el.get("PartName").lstrip("/") for el in types if etree.QName(el).localname == "Override"]
    assert [p for p in overrides if p not in parts] == []
    assert len(overrides) == len(set(overrides))
    uncovered = [p for p in parts if p != "[Content_Types].xml" and p not in overrides
                 and p.rsplit(".", 1)[-1].lower() not in defaults]
    assert uncovered == []
    pkg = Package(book.path)
    assert pkg.content_type("xl/workbook.xml") == (CT_MAIN_MACROS if book.macros else CT_MAIN)
    assert {p: pkg.content_type(p) for p in book.parts} == book.content_types


def test_every_relationship_resolves(book):
    parts = read(book.path)
    for rels in (p for p in parts if p.endswith(".rels")):
        source = re.sub(r"_rels/([^/]*)\.rels$", r"\1", rels)
        assert source == "" or source in parts, f"{rels} belongs to no part"
        ids = [rel.get("Id") for rel in xml(parts, rels)]
        assert len(ids) == len(set(ids)), rels
        missing = [t for _, _, t, external in relationships(parts, source) if not external and t not in parts]
        assert missing == [], f"{rels} points at missing parts"
    for name in (p for p in parts if p.endswith(".xml")):  # every r:id, r:embed, ... names one of the part's rels
        ids = {rid for rid, _, _, _ in relationships(parts, name)}
        used = {v for el in xml(parts, name).iter() if isinstance(el.tag, str)
                for k, v in el.attrib.items() if k.startswith(f"{{{R}}}")}
        assert used <= ids, f"{name} refers to {used - ids}, which its rels part does not define"


def test_sheets_are_unique_and_each_is_a_worksheet(book):
    parts = read(book.path)
    sheets = xml(parts, "xl/workbook.xml").find(f"{{{SML}}}sheets")
    names = [s.get("name").lower() for s in sheets]
    ids = [s.get("sheetId") for s in sheets]
    assert len(names) == len(set(names)) and len(ids) == len(set(ids))
    pkg = Package(book.path)
    for name, part in sheet_parts(parts).items():
        assert pkg.content_type(part).endswith("worksheet+xml"), name
    assert {n: p for n, p in sheet_parts(parts).items() if n in book.sheets} == book.sheets


def test_known_parts_pass_the_ooxml_schemas(book):
    assert invalid_parts(book.path, mce=True) == []


def test_governed_parts_are_kept_byte_for_byte(book, governed):
    before, after = read(governed), read(book.path)
    items = sheet_parts(before)["Items"]
    expected = {"[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/workbook.xml", items,
                "xl/worksheets/_rels/" + items.rsplit("/", 1)[1] + ".rels"}
    assert set(book.edited) == expected
    assert [p for p in before if p not in book.edited and after.get(p) != before[p]] == []
    assert set(after) == set(before) | set(book.parts)


def test_the_items_sheet_gets_its_user_elements_spliced_in(book, governed):
    before, after = read(governed), read(book.path)
    edit = book.governed["Items"]
    assert edit.part == sheet_parts(before)["Items"]
    new = after[edit.part]
    root = etree.fromstring(new)
    assert [len(root.xpath(x, namespaces=NS)) for x in edit.elements] == [1] * len(edit.elements)
    assert [etree.QName(el).localname for el in root][-5:] == ["pageMargins", "pageSetup", "drawing", "tableParts",
                                                               "extLst"]
    stripped = re.sub(rb"<pageSetup [^>]*/>|<drawing [^>]*/>|<extLst>.*</extLst>", b"", new)
    assert stripped == before[edit.part]
    for rid, (rtype, target) in edit.rels.items():
        assert (rid, rtype, target, False) in relationships(after, edit.part)


def test_missing_user_content_finds_nothing_missing_and_finds_a_dropped_drawing(book, tmp_path):
    original = read(book.path)
    assert missing_user_content(book.path, book, original) == []
    # an engine that rewrote Items and the workbook the openpyxl way would lose the drawing and the pivot caches
    edit = book.governed["Items"]
    damaged = dict(original)
    damaged[edit.part] = re.sub(rb"<drawing [^>]*/>", b"", original[edit.part])
    damaged["xl/workbook.xml"] = re.sub(rb"<pivotCaches>.*</pivotCaches>", b"", original["xl/workbook.xml"])
    chart = book.of_type("chart+xml")[0]
    damaged[chart] = original[chart].replace(b"<c:chart>", b"<c:chart><!-- -->", 1)
    path = tmp_path / book.path.name
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in damaged.items():
            zf.writestr(name, data)
    problems = missing_user_content(path, book, original)
    assert any("main:drawing" in p for p in problems)
    assert any("pivotCache" in p for p in problems)
    assert f"part {chart} changed" in problems


# --- what the user's content is -----------------------------------------------------------------------------------

def test_the_chart_on_items_reads_items_data(book):
    parts = read(book.path)
    drawing = targets(parts, book.governed["Items"].part, "drawing")
    assert len(drawing) == 1
    (chart,) = targets(parts, drawing[0], "chart")
    root = xml(parts, chart)
    refs = [f.text for f in root.iter(f"{{{C}}}f")]
    assert refs == ["Items!$P$1", "Items!$A$2:$A$30", "Items!$P$2:$P$30"]
    categories = root.find(f".//{{{C}}}cat//{{{C}}}strCache")
    assert categories.find(f"{{{C}}}ptCount").get("val") == "29"
    assert categories.find(f"{{{C}}}pt/{{{C}}}v").text == "ORG"
    header = xml(parts, book.governed["Items"].part).find(f".//{{{SML}}}c[@r='P1']")
    assert "".join(header.itertext()) == "Estimated value"


def test_the_analysis_sheet_has_a_chart_a_picture_sparklines_and_a_thread(book):
    parts = read(book.path)
    sheet = book.sheets[ANALYSIS]
    (drawing,) = targets(parts, sheet, "drawing")
    assert len(targets(parts, drawing, "chart")) == 1
    (image,) = targets(parts, drawing, "image")
    assert parts[image].startswith(b"\x89PNG")
    root = xml(parts, sheet)
    assert root.xpath("main:extLst/main:ext/x14:sparklineGroups/x14:sparklineGroup", namespaces=NS)
    assert root.find(f".//{{{SML}}}c[@r='A1']/{{{SML}}}is/{{{SML}}}t").text == "Month"
    (thread,) = targets(parts, sheet, "threadedComment")
    (comments,) = targets(parts, sheet, "comments")
    assert targets(parts, sheet, "vmlDrawing")
    threads = xml(parts, thread).findall(f"{{{TC}}}threadedComment")
    assert [t.get("parentId") for t in threads] == [None, THREAD_ROOT]
    legacy = xml(parts, comments)
    assert legacy.find(f".//{{{SML}}}author").text == f"tc={THREAD_ROOT}"
    assert legacy.find(f".//{{{SML}}}comment").get("ref") == threads[0].get("ref")
    (persons,) = targets(parts, "xl/workbook.xml", "person")
    people = {p.get("id") for p in xml(parts, persons)}
    assert {t.get("personId") for t in threads} <= people


def test_the_pivot_table_its_cache_and_the_slicer_are_wired(book):
    parts = read(book.path)
    workbook = xml(parts, "xl/workbook.xml")
    wb_rels = {rid: t for rid, _, t, _ in relationships(parts, "xl/workbook.xml")}
    (pivot_table,) = targets(parts, book.sheets[PIVOT], "pivotTable")
    table = xml(parts, pivot_table)
    (cache_def,) = targets(parts, pivot_table, "pivotCacheDefinition")
    (cache,) = workbook.iterfind(f"{{{SML}}}pivotCaches/{{{SML}}}pivotCache")
    assert cache.get("cacheId") == table.get("cacheId") and wb_rels[cache.get(f"{{{R}}}id")] == cache_def
    definition = xml(parts, cache_def)
    assert definition.find(f".//{{{SML}}}worksheetSource").get("sheet") == PIVOT_DATA
    assert targets(parts, cache_def, "pivotCacheRecords")
    x14_id = definition.find(f".//{{{X14}}}pivotCacheDefinition").get("pivotCacheId")
    assert x14_id == str(PIVOT_CACHE_X14_ID)

    (slicer_rid,) = workbook.xpath(f"main:extLst/main:ext[@uri='{EXT_X14_SLICER_CACHES}']/x14:slicerCaches"
                                   "/x14:slicerCache/@r:id", namespaces=NS)
    slicer_cache = xml(parts, wb_rels[slicer_rid])
    assert slicer_cache.find(f".//{{{X14}}}tabular").get("pivotCacheId") == x14_id
    pivot_ref = slicer_cache.find(f".//{{{X14}}}pivotTable")
    tab_ids = {s.get("name"): s.get("sheetId") for s in workbook.find(f"{{{SML}}}sheets")}
    assert (pivot_ref.get("tabId"), pivot_ref.get("name")) == (tab_ids[PIVOT], table.get("name"))
    assert workbook.xpath(f"main:definedNames/main:definedName[@name='{slicer_cache.get('name')}']", namespaces=NS)
    (slicers,) = targets(parts, book.sheets[PIVOT], "slicer")
    slicer = xml(parts, slicers).find(f"{{{X14}}}slicer")
    assert slicer.get("cache") == slicer_cache.get("name")
    sheet = xml(parts, book.sheets[PIVOT])
    assert sheet.xpath("main:extLst/main:ext/x14:slicerList/x14:slicer/@r:id", namespaces=NS)
    (drawing,) = targets(parts, book.sheets[PIVOT], "drawing")
    shown = etree.fromstring(parts[drawing]).xpath("//*[local-name()='slicer']/@name")
    assert shown == [slicer.get("name")]


def test_names_custom_xml_thumbnail_and_printer_settings(book):
    parts = read(book.path)
    names = {n.get("name"): n.text for n in xml(parts, "xl/workbook.xml").iter(f"{{{SML}}}definedName")}
    assert names[book.names[0]] == f"'{ANALYSIS}'!$B$2:$B$7"
    (item,) = targets(parts, "xl/workbook.xml", "customXml")
    assert targets(parts, item, "customXmlProps")
    (thumbnail,) = [t for _, rtype, t, _ in relationships(parts, "") if rtype.endswith("/thumbnail")]
    assert parts[thumbnail].startswith(b"\xff\xd8")
    (settings,) = targets(parts, book.governed["Items"].part, "printerSettings")
    assert len(parts[settings]) > 1000  # a DEVMODE as Windows Excel saves it


def test_the_xlsm_carries_a_vba_project(books):
    plain, macros = books["xlsx"], books["xlsm"]
    assert not plain.of_type("vbaProject")
    (project,) = macros.of_type("vbaProject")
    parts = read(macros.path)
    assert parts[project].startswith(b"\xd0\xcf\x11\xe0")  # an OLE compound file
    assert targets(parts, "xl/workbook.xml", "vbaProject") == [project]
    assert xml(parts, "xl/workbook.xml").find(f"{{{SML}}}workbookPr").get("codeName") == "ThisWorkbook"
    code_names = [xml(parts, macros.sheets[s]).find(f"{{{SML}}}sheetPr").get("codeName") for s in macros.sheets]
    assert code_names == ["Sheet1", "Sheet2", "Sheet3"]
    olevba = pytest.importorskip("oletools.olevba")
    modules = {name for _, _, name, _ in olevba.VBA_Parser(project, data=parts[project]).extract_macros()}
    assert {"ThisWorkbook.cls", "Sheet1.cls", "testVBA.bas"} <= modules


# --- readers ------------------------------------------------------------------------------------------------------

def test_calamine_reads_every_sheet(book):
    calamine = pytest.importorskip("python_calamine")
    wb = calamine.CalamineWorkbook.from_path(str(book.path))
    rows = {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}
    assert set(book.sheets) <= set(rows) and "Items" in rows
    assert rows[ANALYSIS][0][:3] == ["Month", "Plan", "Actual"]
    assert rows[PIVOT_DATA][0][:3] == ["Id", "Name", "Category"]
    assert rows[PIVOT][2][0] == "Row Labels"
    assert len(rows["Items"]) == 432


@pytest.mark.libreoffice
def test_libreoffice_opens_the_workbooks_and_keeps_charts_picture_and_pivot(books, tmp_path_factory):
    from tests.support.lo import convert_to_xlsx, make_profile, soffice

    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("lo")
    converted = convert_to_xlsx([b.path for b in books.values()], folder / "out", make_profile(folder / "profile"))
    for content in books.values():
        parts = read(converted[content.path.resolve()])
        sheets = sheet_parts(parts)
        assert set(content.sheets) <= set(sheets)
        charts_on = {name: [c for d in targets(parts, part, "drawing") for c in targets(parts, d, "chart")]
                     for name, part in sheets.items()}
        assert len(charts_on["Items"]) == 1 and len(charts_on[ANALYSIS]) == 1, content.path.name
        refs = [f.text for f in xml(parts, charts_on["Items"][0]).iter(f"{{{C}}}f")]
        assert any("$A$2:$A$30" in r and "Items" in r for r in refs)
        images = [i for d in targets(parts, sheets[ANALYSIS], "drawing") for i in targets(parts, d, "image")]
        assert len(images) == 1 and parts[images[0]].startswith(b"\x89PNG")
        (pivot_table,) = targets(parts, sheets[PIVOT], "pivotTable")
        (cache_def,) = targets(parts, pivot_table, "pivotCacheDefinition")
        assert targets(parts, cache_def, "pivotCacheRecords")
        assert xml(parts, cache_def).find(f".//{{{SML}}}worksheetSource").get("sheet") == PIVOT_DATA
