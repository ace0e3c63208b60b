"""Real-world workbooks (the calamine corpus), each given an Intake table and validated in place:
every part validate had no reason to touch stays byte for byte, and LibreOffice opens the result.

Today's files: 69 in ../shared/corpus/calamine. A file the guard refuses (encrypted, Strict Open
XML, damaged) must be refused with a message naming it, and left as it was.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.package.userbooks import CORPUS, Package, relationships, rels_part, resolve
from tests.support import AS_OF, parts
from xlportfolio.commands.files import on_file
from xlportfolio.commands.validate import Options as ValidateOptions
from xlportfolio.errors import WorkbookUnusable

FILES = sorted(CORPUS.glob("*.xls*")) if CORPUS.is_dir() else []
pytestmark = pytest.mark.skipif(not FILES, reason=f"no corpus at {CORPUS}")

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET = (f'<worksheet xmlns="{MAIN}" xmlns:r="{R}"><sheetData>'
         '<row r="1"><c r="A1" t="inlineStr"><is><t>Request ID</t></is></c><c r="B1" t="inlineStr"><is><t>Title</t></is>'
         '</c><c r="C1" t="inlineStr"><is><t>Sponsor</t></is></c><c r="D1" t="inlineStr"><is><t>Due date</t></is></c></row>'
         '<row r="2"><c r="A2" t="inlineStr"><is><t>REQ-1</t></is></c><c r="B2" t="inlineStr"><is><t>Portal</t></is></c>'
         '<c r="D2"><v>46112</v></c></row>'
         '<row r="3"><c r="A3" t="inlineStr"><is><t>REQ-2</t></is></c><c r="C3" t="inlineStr"><is><t>Anna</t></is></c>'
         '<c r="D3" t="inlineStr"><is><t>soon</t></is></c></row>'
         '</sheetData><tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>').encode()
TABLE = (f'<table xmlns="{MAIN}" id="9001" name="Intake" displayName="Intake" ref="A1:D3"><autoFilter ref="A1:D3"/>'
         '<tableColumns count="4"><tableColumn id="1" name="Request ID"/><tableColumn id="2" name="Title"/>'
         '<tableColumn id="3" name="Sponsor"/><tableColumn id="4" name="Due date"/></tableColumns>'
         '<tableStyleInfo name="TableStyleMedium2" showRowStripes="1"/></table>').encode()


def with_intake(source: Path, target: Path) -> Path:
    """A copy of `source` with an Intake sheet and table added, grafted at the package level."""
    pkg = Package(source)
    workbook = next(t for _, rt, t, _ in relationships(pkg.parts, "") if rt.endswith("/officeDocument"))
    workbook = resolve("", workbook) if not workbook.startswith("xl/") else workbook
    sheet = pkg.put(pkg.free_name("xl/worksheets/intake.xml"), SHEET,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml")
    table = pkg.put(pkg.free_name("xl/tables/intake_table.xml"), TABLE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml")
    assert pkg.relate(sheet, R + "/table", table) == "rId1"
    rid = pkg.relate(workbook, R + "/worksheet", sheet)
    root = etree.fromstring(pkg.parts[workbook])
    sheets = root.find(f"{{{MAIN}}}sheets")
    if sheets is None:
        raise KeyError("no transitional <sheets> in the workbook part")
    ids = [int(s.get("sheetId", "0")) for s in sheets]
    el = etree.SubElement(sheets, f"{{{MAIN}}}sheet", name="Intake", sheetId=str(max(ids, default=0) + 1))
    el.set(f"{{{R}}}id", rid)
    pkg.edit(workbook, lambda _: etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
    pkg.save(target)
    return target


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """Corpus file name -> (input parts, output path) for every file validated; refusals apart."""
    folder = tmp_path_factory.mktemp("corpus")
    done, refused = {}, {}
    for source in FILES:
        try:
            book = with_intake(source, folder / source.name)
        except (zipfile.BadZipFile, KeyError, StopIteration, etree.XMLSyntaxError, AttributeError):
            refused[source.name] = "not a package the helper can graft into"
            continue
        before = parts(book)
        try:
            on_file("validate", book, ValidateOptions(as_of=AS_OF))
        except WorkbookUnusable as exc:
            assert str(book) in str(exc)
            assert parts(book) == before, f"{source.name}: refused, yet changed"
            refused[source.name] = str(exc)
            continue
        done[source.name] = (before, book)
    return done, refused


def _bookkeeping(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    """The parts validate changes on any workbook: the ones that list sheets and styles."""
    workbook = next(resolve("", t) if not t.startswith("xl/") else t
                    for _, rt, t, _ in relationships(after, "") if rt.endswith("/officeDocument"))
    styles = {t for _, rt, t, _ in relationships(after, workbook) if rt.endswith("/styles")}
    return {"[Content_Types].xml", workbook, rels_part(workbook), *styles}


def test_most_of_the_corpus_is_validated_in_place(validated):
    done, refused = validated
    assert len(done) >= len(FILES) - 10, sorted(refused.items())


def test_every_part_validate_had_no_reason_to_touch_is_byte_identical(validated):
    done, _ = validated
    lost = {}
    for name, (before, path) in done.items():
        after = parts(path)
        allowed = _bookkeeping(before, after) | {p for p in before if "intake" in p}
        changed = {p for p in before if p not in allowed and after.get(p) != before[p]}
        changed -= {p for p in changed if p.endswith("calcChain.xml") and p not in after}  # rebuilt by Excel
        if changed:
            lost[name] = sorted(changed)
    assert lost == {}


def test_the_intake_marks_are_there(validated):
    done, _ = validated
    for name, (_, path) in done.items():
        with zipfile.ZipFile(path) as zf:
            intake = next(n for n in zf.namelist() if n.endswith("intake.xml") and "worksheets" in n)
            xml = zf.read(intake)
        assert b"Validation" in xml, name
        assert any(n.startswith("xl/comments") for n in zipfile.ZipFile(path).namelist()), name


@pytest.mark.libreoffice
def test_libreoffice_opens_every_validated_file(validated, tmp_path):
    from tests.support import lo

    if lo.soffice() is None:
        pytest.skip("LibreOffice is not installed")
    done, _ = validated
    paths = [path for _, path in done.values()]
    converted = lo.convert_to_xlsx(paths, tmp_path / "lo", lo.make_profile(tmp_path / "profile"))
    from python_calamine import CalamineWorkbook

    for path in paths:
        wb = CalamineWorkbook.from_path(str(converted[path.resolve()]))
        assert "Intake" in wb.sheet_names and "Findings" in wb.sheet_names, path.name


def test_values_of_the_users_sheets_are_unchanged(validated):
    """A cell validate never writes keeps its value as a reader sees it (no ulp, no lost result)."""
    from python_calamine import CalamineError, CalamineWorkbook

    done, _ = validated
    for name, (_, path) in done.items():
        original, after = CalamineWorkbook.from_path(str(CORPUS / name)), CalamineWorkbook.from_path(str(path))
        for sheet in original.sheet_names:
            try:
                expected = original.get_sheet_by_name(sheet).to_python()
            except CalamineError:
                continue  # a sheet calamine itself cannot read is not ours to judge
            assert after.get_sheet_by_name(sheet).to_python() == expected, (name, sheet)
