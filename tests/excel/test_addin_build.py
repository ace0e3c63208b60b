"""xlportfolio.xlam is a consistent macro-enabled add-in package, and its VBA reads back as
exactly xlportfolio/excel/templates/xlportfolio.bas."""
import posixpath
import warnings
import zipfile

import pytest
from lxml import etree

from xlportfolio import registry
from xlportfolio.errors import AddinBuildError
from xlportfolio.excel import addin_build as build
from xlportfolio.excel import manifest
from xlportfolio.excel.addin_build import build_addin, vba_project_bin, vba_source

CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@pytest.fixture(scope="module")
def addin(tmp_path_factory):
    return build_addin(tmp_path_factory.mktemp("addin"))


def read_parts(path):
    with zipfile.ZipFile(path) as zf:
        return zf.namelist(), {n: zf.read(n) for n in zf.namelist()}


def rels_of(parts, part):
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    root = etree.fromstring(parts[rels])
    out = {}
    for rel in root.findall(f"{PR}Relationship"):
        target = posixpath.normpath(posixpath.join(folder, rel.get("Target"))).lstrip("/")
        out[rel.get("Id")] = (rel.get("Type"), target)
    return out


def content_type(types, part):
    override = types.find(f"{CT}Override[@PartName='/{part}']")
    if override is not None:
        return override.get("ContentType")
    ext = part.rsplit(".", 1)[-1]
    default = types.find(f"{CT}Default[@Extension='{ext}']")
    return None if default is None else default.get("ContentType")


def test_name_and_place(addin, tmp_path):
    assert addin.name == "xlportfolio.xlam"
    explicit = build_addin(tmp_path / "custom.xlam")
    assert explicit == tmp_path / "custom.xlam" and zipfile.is_zipfile(explicit)
    assert [p.name for p in tmp_path.iterdir()] == ["custom.xlam"]  # no temporary file left


def test_content_types_cover_every_part_and_nothing_more(addin):
    names, parts = read_parts(addin)
    assert names[0] == "[Content_Types].xml"
    types = etree.fromstring(parts["[Content_Types].xml"])
    for name in names:
        if name != "[Content_Types].xml":
            assert content_type(types, name), f"{name} has no content type"
    for override in types.findall(f"{CT}Override"):
        assert override.get("PartName").lstrip("/") in parts, override.get("PartName")
    assert content_type(types, "xl/workbook.xml") == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
    assert content_type(types, "xl/vbaProject.bin") == "application/vnd.ms-office.vbaProject"


def test_every_xml_part_is_well_formed(addin):
    _, parts = read_parts(addin)
    roots = {name: etree.QName(etree.fromstring(data)).localname for name, data in parts.items()
             if name.endswith((".xml", ".rels"))}  # a malformed part raises here
    assert roots["[Content_Types].xml"] == "Types" and roots["_rels/.rels"] == "Relationships"
    assert roots["xl/workbook.xml"] == "workbook" and roots["customUI/customUI14.xml"] == "customUI"


def test_relationships_point_at_parts_of_the_right_kind(addin):
    _, parts = read_parts(addin)
    types = etree.fromstring(parts["[Content_Types].xml"])
    root = {t: target for t, target in rels_of(parts, "").values()}
    assert root[build.RT_OFFICE_DOCUMENT] == "xl/workbook.xml"
    assert root["http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"] == "customUI/customUI14.xml"
    for _, target in rels_of(parts, "").values():
        assert target in parts, target
    wb_rels = rels_of(parts, "xl/workbook.xml")
    for _, target in wb_rels.values():
        assert target in parts, target
    by_type = {t: target for t, target in wb_rels.values()}
    assert by_type[build.RT_VBA] == "xl/vbaProject.bin"
    assert content_type(types, by_type[build.RT_WORKSHEET]).endswith("worksheet+xml")
    assert content_type(types, by_type[build.RT_STYLES]).endswith("styles+xml")
    workbook = etree.fromstring(parts["xl/workbook.xml"])
    sheets = workbook.findall(f"{MAIN}sheets/{MAIN}sheet")
    assert len(sheets) == 1
    assert wb_rels[sheets[0].get(R_ID)][0] == build.RT_WORKSHEET
    # The code names tie the sheets to the VBA project's document modules.
    assert workbook.find(f"{MAIN}workbookPr").get("codeName") == "ThisWorkbook"
    sheet = etree.fromstring(parts[wb_rels[sheets[0].get(R_ID)][1]])
    assert sheet.find(f"{MAIN}sheetPr").get("codeName") == "Sheet1"


def test_the_ribbon_part_is_the_registry_ribbon(addin):
    _, parts = read_parts(addin)
    assert parts["customUI/customUI14.xml"].decode("utf-8") == manifest.ribbon_xml()
    root = etree.fromstring(parts["customUI/customUI14.xml"])
    assert root.tag == "{http://schemas.microsoft.com/office/2009/07/customui}customUI"


def strip_attributes(code):
    lines = code.replace("\r\n", "\n").split("\n")
    return "\n".join(line for line in lines if not line.startswith("Attribute ")).strip("\n")


def test_olevba_reads_back_exactly_our_module(addin):
    _, parts = read_parts(addin)
    with warnings.catch_warnings():  # oletools' pyparsing grammar warns on import
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.olevba import VBA_Parser
    parser = VBA_Parser("vbaProject.bin", data=parts["xl/vbaProject.bin"])
    try:
        modules = {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    assert set(modules) == {"ThisWorkbook.cls", "Sheet1.cls", "XlpRibbon.bas"}
    code = modules["XlpRibbon.bas"]
    if isinstance(code, bytes):
        code = code.decode("latin-1")
    assert strip_attributes(code) == strip_attributes(vba_source())
    assert 'Attribute VB_Name = "XlpRibbon"' in code


def test_the_module_stays_tiny():
    data = vba_source().replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii")
    assert len(data) < 400, "ms-ovba's compressor corrupts modules longer than about 600 bytes"


def test_a_module_too_long_for_ms_ovba_is_refused():
    with pytest.raises(AddinBuildError, match="600"):
        vba_project_bin("Attribute VB_Name = \"XlpRibbon\"\n" + "' padding line\n" * 80)


def test_a_new_command_reaches_the_built_addin(extra_command, tmp_path):
    path = build_addin(tmp_path)
    _, parts = read_parts(path)
    root = etree.fromstring(parts["customUI/customUI14.xml"])
    ids = [b.get("id") for b in root.iter("{http://schemas.microsoft.com/office/2009/07/customui}button")]
    assert ids == [c.control_id for c in registry.ribbon_commands()]
    assert "xlp_forecast" in ids
