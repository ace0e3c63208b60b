"""Rewriting a user's sheet part: only the cells in the plan change, every other byte stays.

Each test shows the sheet XML it starts from, the way Excel (or another writer) stores it.
"""
from __future__ import annotations

import re

from lxml import etree

from xlportfolio.commands.files import on_file
from xlportfolio.package.cell_edit import CellEdit, SheetContext
from xlportfolio.package.regular import regularize
from xlportfolio.package.sheet_cells import cell_styles
from xlportfolio.package.sheet_edit import rewrite
from xlportfolio.package.styles import KEEP, StyleBook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STYLES = (f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
          '</numFmts><fonts count="1"><font><sz val="11"/></font></fonts><fills count="3"><fill><patternFill/>'
          '</fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid">'
          '<fgColor rgb="00FFF2CC"/></patternFill></fill></fills><borders count="1"><border/></borders>'
          '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
          '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" applyFill="1"/>'
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/></cellXfs></styleSheet>')

SHEET = (
    f'<worksheet xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"><dimension ref="A1:C3"/>'
    '<sheetData>'
    '<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
    '<row r="2" spans="1:3" x14ac:dyDescent="0.25"><c r="A2" s="1"><v>12.300000000000001</v></c>'
    '<c r="B2" s="1" t="inlineStr"><is><t>keep me</t></is></c><c r="C2" s="1"/></row>'
    '<row r="3" spans="1:3"><c r="A3"><f>A2*2</f><v>24.6</v></c><c r="C3" s="2"><v>46000</v></c></row>'
    '</sheetData><dataValidations count="1"><dataValidation sqref="C2:C3" type="date"/></dataValidations>'
    '<tableParts count="1"><tablePart r:id="rId1"/></tableParts>'
    '<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}"><x14:sparklineGroups '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"/></ext></extLst></worksheet>'
).encode()


def ctx(legacy=None):
    return SheetContext(StyleBook(etree.fromstring(STYLES)), False, legacy)


def rows_of(data: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(0) for m in re.finditer(rb'<row r="(\d+)".*?</row>', data, re.S)}


def test_a_plan_that_changes_nothing_gives_none():
    assert rewrite(SHEET, {}, ctx()) is None
    assert rewrite(SHEET, {(2, 2): CellEdit(fill="00FFF2CC")}, ctx()) is None  # the fill it already has


def test_only_the_cells_written_change_and_everything_else_stays_byte_for_byte():
    out = rewrite(SHEET, {(2, 3): CellEdit(value="OK")}, ctx())
    before, after = rows_of(SHEET), rows_of(out)
    assert after[1] == before[1] and after[3] == before[3]
    assert b'<c r="C2" s="1" t="inlineStr"><is><t>OK</t></is></c>' in after[2]
    assert b"12.300000000000001" in after[2] and b"keep me" in after[2]  # untouched numbers keep every digit
    assert out.split(b"</sheetData>")[1] == SHEET.split(b"</sheetData>")[1]  # validations, tables, extLst
    assert b'x14ac:dyDescent="0.25"' in after[2]


def test_a_new_cell_goes_in_column_order_and_widens_the_row_hint():
    out = rewrite(SHEET, {(3, 2): CellEdit(value=5), (3, 5): CellEdit(value="far")}, ctx())
    row = rows_of(out)[3]
    refs = re.findall(rb'<c r="([A-Z]+)3"', row)
    assert refs == [b"A", b"B", b"C", b"E"]
    assert b'spans="1:5"' in row
    assert b'<dimension ref="A1:E3"/>' in out


def test_a_new_row_goes_between_the_rows_around_it_and_after_the_last():
    out = rewrite(SHEET, {(5, 1): CellEdit(value="five"), (9, 2): CellEdit(value=9.5)}, ctx())
    assert list(rows_of(out)) == [1, 2, 3, 5, 9]
    assert b'<row r="9"><c r="B9"><v>9.5</v></c></row>' in out


def test_text_that_looks_like_a_formula_stays_text_and_blanks_keep_the_cells_look():
    out = rewrite(SHEET, {(2, 1): CellEdit(value="=SUM(A1:A9)"), (3, 3): CellEdit(value=None)}, ctx())
    row2, row3 = rows_of(out)[2], rows_of(out)[3]
    assert b'<c r="A2" s="1" t="inlineStr"><is><t>=SUM(A1:A9)</t></is></c>' in row2
    assert b'<c r="C3" s="2"/>' in row3  # the value goes, the date format stays


def test_writing_over_a_formula_replaces_it():
    out = rewrite(SHEET, {(3, 1): CellEdit(value=7)}, ctx())
    assert b'<c r="A3"><v>7</v></c>' in rows_of(out)[3]


def test_a_fill_derives_a_style_that_keeps_everything_else_and_removing_it_returns_to_the_original():
    book = ctx()
    marked = rewrite(SHEET, {(3, 3): CellEdit(fill="FFC7CE")}, book)
    s = int(re.search(rb'<c r="C3" s="(\d+)"', marked).group(1))
    assert s == 3 and book.styles.format_code(s) == "yyyy-mm-dd" and book.styles.fill_rgb(s) == "FFFFC7CE"
    restored = rewrite(marked, {(3, 3): CellEdit(fill="")}, book)
    assert rows_of(restored)[3] == rows_of(SHEET)[3]  # back on the very style it had


def test_a_date_written_into_a_general_cell_gets_a_date_format():
    import datetime as dt

    book = ctx()
    out = rewrite(SHEET, {(2, 3): CellEdit(value=dt.date(2026, 3, 31))}, book)
    m = re.search(rb'<c r="C2" s="(\d+)"><v>(\d+)</v></c>', out)
    assert m.group(2) == b"46112" and book.styles.is_date(int(m.group(1)))


def test_new_table_rows_copy_the_model_rows_formats_but_not_a_tools_mark():
    out = rewrite(SHEET, {(4, 1): CellEdit(value="x", model=(2, 1)),
                          (4, 2): CellEdit(model=(2, 2), model_fill="")}, ctx())
    row = rows_of(out)[4]
    assert b'<c r="A4" s="1" t="inlineStr">' in row  # the model's input fill
    assert b'<c r="B4"/>' in row  # the mark's prior: no fill


def test_legacy_drawing_goes_where_the_schema_puts_it():
    out = rewrite(SHEET, {}, ctx(("add", "rId7")))
    tail = out.split(b"</sheetData>")[1]
    assert tail.index(b'<legacyDrawing r:id="rId7"/>') < tail.index(b"<tableParts")
    assert tail.index(b"</dataValidations>") < tail.index(b"<legacyDrawing")
    assert rewrite(out, {}, ctx(("remove", "rId7"))) == SHEET


def test_a_prefixed_sheet_is_edited_in_its_own_prefix():
    prefixed = re.sub(rb"<(/?)(worksheet|dimension|sheetData|row|c|v|f|is|t|dataValidations|dataValidation|"
                      rb"tableParts|tablePart|extLst|ext)\b", rb"<\1x:\2", SHEET).replace(
        f'xmlns="{MAIN}"'.encode(), f'xmlns:x="{MAIN}"'.encode())
    out = rewrite(prefixed, {(2, 3): CellEdit(value="OK")}, ctx())
    assert b'<x:c r="C2" s="1" t="inlineStr"><x:is><x:t>OK</x:t></x:is></x:c>' in out
    etree.fromstring(out)  # still well-formed


def test_cells_and_rows_without_positions_are_given_theirs_first():
    loose = SHEET.replace(b'<row r="2" spans="1:3" ', b"<row ").replace(b'<c r="A2" ', b"<c ")
    assert regularize(loose) == SHEET.replace(b'<row r="2" spans="1:3" ', b'<row r="2" ')
    out = rewrite(loose, {(2, 3): CellEdit(value="OK")}, ctx())
    assert b'<c r="C2" s="1" t="inlineStr"><is><t>OK</t></is></c>' in out


def test_overwriting_the_first_cell_of_a_shared_formula_gives_its_followers_their_own():
    shared = SHEET.replace(b'<c r="A3"><f>A2*2</f><v>24.6</v></c>',
                           b'<c r="A3"><f t="shared" ref="A3:A5" si="0">A2*2</f><v>24.6</v></c>').replace(
        b"</sheetData>", b'<row r="4"><c r="A4"><f t="shared" si="0"/><v>49.2</v></c></row>'
                         b'<row r="5"><c r="A5"><f t="shared" si="0"/><v>98.4</v></c></row></sheetData>')
    out = rewrite(shared, {(3, 1): CellEdit(value=1)}, ctx())
    assert b"<f>A3*2</f>" in out and b"<f>A4*2</f>" in out and b'si="0"' not in out


def test_the_style_of_cells_is_read_from_the_part():
    assert cell_styles(SHEET, [(2, 1), (3, 3), (3, 2), (9, 9)]) == {(2, 1): 1, (3, 3): 2}


def test_keep_is_the_default():
    assert CellEdit().value is KEEP and CellEdit().fill is KEEP


def test_a_sheet_whose_xml_no_spreadsheet_writes_is_refused_with_its_name(demo_book):
    """A row position that is not a number: the command stops naming the sheet, the file as it was."""
    import zipfile

    import pytest

    from xlportfolio.commands.validate import Options as ValidateOptions
    from xlportfolio.errors import WorkbookUnusable

    with zipfile.ZipFile(demo_book) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/worksheets/sheet2.xml"] = parts["xl/worksheets/sheet2.xml"].replace(b'<row r="5"', b'<row r="five"')
    with zipfile.ZipFile(demo_book, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    before = demo_book.read_bytes()
    with pytest.raises(WorkbookUnusable, match="sheet 'Intake' cannot be (read|updated)"):
        on_file("validate", demo_book, ValidateOptions())
    assert demo_book.read_bytes() == before
