"""Reading a sheet's values: calamine where safe, the sparse reader where not, both as the checks
know values (errors, unsaved formulas, whole numbers, dates), and hostile sheets bounded.

Hostile sheets run in a child process under an address-space cap: a reader that allocated for
cells that are not there (calamine's dense grid for a cell at XFD1048576 asks for hundreds of
gigabytes) would fail the test by dying, never by taking the machine down.
"""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.support import SHARED
from xlportfolio.core.values import CellError, Uncalculated
from xlportfolio.errors import WorkbookUnusable
from xlportfolio.files.workbook import read_book_file
from xlportfolio.package.reading import special_cells
from xlportfolio.package.sparse import read_sparse

CORPUS = SHARED / "corpus" / "calamine"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
      '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
      '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>')
WB = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
      '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
           '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
           '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
           '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
           '</Relationships>')
STYLES = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><numFmts count="1">'
          '<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><fonts count="1"><font/></fonts><fills count="2">'
          '<fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border/>'
          '</borders><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/></cellXfs></styleSheet>')
SST = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"><si><t>hello</t></si><si><t>12500</t></si>'
       '<si><r><t>ri</t></r><r><rPr><b/></rPr><t>ch</t></r></si></sst>')


def workbook(path: Path, rows: str, head: str = "") -> Path:
    """A minimal package whose one sheet 'S' holds `rows` (the XML inside <sheetData>)."""
    sheet = f'<?xml version="1.0" encoding="UTF-8"?>{head}<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("[Content_Types].xml", CT), ("_rels/.rels", RELS), ("xl/workbook.xml", WB),
                           ("xl/_rels/workbook.xml.rels", WB_RELS), ("xl/styles.xml", STYLES),
                           ("xl/sharedStrings.xml", SST), ("xl/worksheets/sheet1.xml", sheet)):
            z.writestr(name, text)
    return path


def values(path: Path) -> dict[tuple[int, int], object]:
    with read_book_file(path) as wb:
        rows = wb.surface.rows("S", 1, 1, 1_048_576, 16_384)
        return {(r, c): v for r, row in rows for c, v in enumerate(row, start=1) if v is not None}


TYPES = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
    '<row r="2"><c r="A2" t="e"><v>#REF!</v></c><c r="B2"><f>1+1</f></c><c r="C2"><f>1+1</f><v>2</v></c>'
    '<c r="D2" t="str"><f>"a"</f><v>a</v></c><c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
    '<row r="3"><c r="A3"><v>16000</v></c><c r="B3"><v>16000.5</v></c><c r="C3" t="b"><v>1</v></c>'
    '<c r="D3" s="1"><v>46000</v></c><c r="E3" t="inlineStr"><is><t>inline</t></is></c></row>'
)
EXPECTED = {
    (1, 1): "hello", (1, 2): "12500", (1, 3): "rich",
    (2, 1): CellError("#REF!"), (2, 2): Uncalculated("=1+1"), (2, 3): 2, (2, 4): "a", (2, 5): CellError("#DIV/0!"),
    (3, 1): 16000, (3, 2): 16000.5, (3, 3): True, (3, 4): dt.datetime(2025, 12, 9), (3, 5): "inline",
}


def test_values_read_as_the_checks_know_them(tmp_path):
    got = values(workbook(tmp_path / "types.xlsx", TYPES))
    assert got == EXPECTED
    assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in EXPECTED.items()}


def test_the_sparse_reader_reads_the_same_values(tmp_path):
    path = workbook(tmp_path / "types.xlsx", TYPES)
    with zipfile.ZipFile(path) as zf:
        data = zf.read("xl/worksheets/sheet1.xml")
    got = read_sparse(data, ["hello", "12500", "rich"], {1}, False, path, "S")
    got.update(special_cells(data))
    assert got == EXPECTED and {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in EXPECTED.items()}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/calamine is not present")
def test_calamine_and_the_sparse_reader_agree_on_every_corpus_sheet():
    disagree = []
    for path in sorted(CORPUS.glob("*.xls*")):
        try:
            with read_book_file(path) as wb:
                surface = wb.surface
                for ref in surface.package.sheets:
                    if surface.package.worksheet(ref.name) is None:
                        continue
                    dense = {(r, c): v for r, row in surface.rows(ref.name, 1, 1, 1_048_576, 16_384)
                             for c, v in enumerate(row, start=1) if v is not None}
                    data = surface.sheet_bytes(ref)
                    sparse = read_sparse(data, surface._strings(), surface.styles.date_styles(),
                                         surface.package.date1904, path, ref.name, surface.styles.duration_styles())
                    sparse.update(special_cells(data))
                    if dense != sparse or {k: type(v) for k, v in dense.items()} != {k: type(v) for k, v in sparse.items()}:
                        disagree.append(f"{path.name}!{ref.name}")
        except WorkbookUnusable:
            continue  # refused with a message: the guard's tests cover these
    assert disagree == []


HOSTILE = {
    # Cells at both ends of the sheet: calamine's dense grid would be 17 billion cells.
    "far apart": '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>',
    # A cell whose position says row 1,048,576 inside row 1: the row tags alone would mislead.
    "lying row": '<row r="1"><c r="A1"><v>1</v></c><c r="C1048576"><v>2</v></c></row>',
    # Cells without positions in a row that runs to column 16,384.
    "no positions": '<row r="1">' + "<c><v>1</v></c>" * 20_000 + "</row>",
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_sheet_costs_only_the_cells_it_holds(tmp_path, case):
    path = workbook(tmp_path / "hostile.xlsx", HOSTILE[case])
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))  # 2 GiB: far less than a dense grid
        sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
        from tests.package.test_reading import values
        from pathlib import Path
        try:
            got = values(Path({str(path)!r}))
            print("read", len(got))
        except Exception as exc:  # a clear refusal is fine too
            print("refused", type(exc).__name__, exc)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith(("read", "refused WorkbookUnusable")), done.stdout + done.stderr[-2000:]
    if case != "no positions":
        assert done.stdout.strip() == "read 2"


def test_shared_strings_claiming_four_billion_entries_are_read_by_what_counts_them(tmp_path):
    """calamine reserves room for the declared count before reading a string: 96 GB here."""
    path = workbook(tmp_path / "sst.xlsx", '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>2</v></c></row>')
    parts = {n: zipfile.ZipFile(path).read(n) for n in zipfile.ZipFile(path).namelist()}
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(
        f'<sst xmlns="{MAIN}">'.encode(), f'<sst xmlns="{MAIN}" count="4000000000" uniqueCount="4000000000">'.encode())
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))
        sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
        from tests.package.test_reading import values
        from pathlib import Path
        print(sorted(values(Path({str(path)!r})).items()))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[((1, 1), 'hello'), ((1, 2), 'rich')]"


def test_one_forty_megabyte_attribute_is_read_through_not_choked_on(tmp_path):
    rows = f'<row r="1" x="{"a" * 40_000_000}"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>'
    assert values(workbook(tmp_path / "attr.xlsx", rows)) == {(1, 1): 1, (2, 1): 2}


def test_a_sheet_with_a_dtd_is_refused(tmp_path):
    head = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
    path = workbook(tmp_path / "laughs.xlsx", '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>', head)
    with pytest.raises(WorkbookUnusable, match="DTD"):
        values(path)


def test_reading_a_part_again_costs_no_more_of_the_files_inflation_budget(tmp_path):
    """The budget stops zip bombs, not a command chain that reads its big sheet twice."""
    from xlportfolio.package.archive import Archive

    path = workbook(tmp_path / "twice.xlsx", TYPES)
    archive = Archive(path, budget=Archive(path).size("xl/worksheets/sheet1.xml") + 100)
    try:
        first = archive.read("xl/worksheets/sheet1.xml")
        assert archive.read("xl/worksheets/sheet1.xml") == first
        with pytest.raises(WorkbookUnusable, match="safety cap"):
            archive.read("xl/sharedStrings.xml")  # a part not read before still counts
    finally:
        archive.close()
