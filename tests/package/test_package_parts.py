"""The parts around the sheets: calculation chain, properties, names, tables that grow, a second save."""
from __future__ import annotations

import zipfile

from openpyxl import load_workbook

from tests.package.userbooks import Package, relationships
from tests.support import AS_OF, parts
from xlportfolio.commands.files import on_file
from xlportfolio.commands.validate import Options as ValidateOptions
from xlportfolio.core.plan import EditPlan, Formula, GeneratedSheet, RowWrite
from xlportfolio.files.workbook import apply_plan_file, open_book

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CALC_CHAIN = b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="A1" i="1"/></calcChain>'


def with_calc_chain(path):
    pkg = Package(path)
    pkg.put("xl/calcChain.xml", CALC_CHAIN, "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml")
    pkg.relate("xl/workbook.xml", R + "/calcChain", "xl/calcChain.xml")
    pkg.save(path)
    return path


def test_formulas_written_drop_the_calculation_chain_and_ask_for_a_full_calculation(demo_book):
    with_calc_chain(demo_book)
    sheet = GeneratedSheet("Totals", ("What", "Amount"), (("Requests", Formula("=COUNTA(Intake!A:A)-1", 100)),))
    apply_plan_file(demo_book, EditPlan(sheets=[sheet]))
    with zipfile.ZipFile(demo_book) as zf:
        names = zf.namelist()
        assert "xl/calcChain.xml" not in names
        assert b"calcChain" not in zf.read("[Content_Types].xml")
        assert b'fullCalcOnLoad="1"' in zf.read("xl/workbook.xml")
    assert not [r for r in relationships(parts(demo_book), "xl/workbook.xml") if r[1].endswith("/calcChain")]
    assert load_workbook(demo_book)["Totals"]["B2"].value == "=COUNTA(Intake!A:A)-1"


def test_a_command_that_changes_nothing_keeps_the_calculation_chain(demo_book):
    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    with_calc_chain(demo_book)
    before = parts(demo_book)
    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    assert parts(demo_book) == before


def test_a_table_that_grows_names_its_new_range_and_columns(demo_book):
    rows = {102: {"request_id": "REQ-NEW", "title": "Grown"}}
    apply_plan_file(demo_book, EditPlan(rows=[RowWrite("Intake", "Intake", rows)]))
    ws = load_workbook(demo_book)["Intake"]
    table = ws.tables["Intake"]
    assert table.ref.endswith("102") and table.autoFilter.ref == table.ref
    assert ws["A102"].value == "REQ-NEW" and ws["A102"].fill.fgColor.rgb == ws["A2"].fill.fgColor.rgb


def test_properties_live_in_a_hidden_name_and_the_document_properties(demo_book):
    with open_book(demo_book) as wb:
        wb.set_property("xlportfolio.ledger_head", "Seq 7:abc")
        wb.save()
    book = load_workbook(demo_book)
    assert book.defined_names["xlp_ledger_head"].hidden
    assert {p.name: p.value for p in book.custom_doc_props.props}["xlportfolio.ledger_head"] == "Seq 7:abc"
    with open_book(demo_book) as wb:
        assert wb.get_property("xlportfolio.ledger_head") == "Seq 7:abc"
