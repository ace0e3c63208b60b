"""Mapping files: a CSV or a workbook sheet "Mapping" saying which export column feeds which Intake column."""
import datetime as dt
import re
import textwrap

import openpyxl
import pytest

from xlportfolio.crm import read_crm_export, read_mapping
from xlportfolio.errors import WorkbookUnusable
from xlportfolio.schema import INTAKE

EXPORT = """
    Ref,Kunde,Betrag,Fällig,Notiz
    A-1,Müller GmbH,"1.234,50",31.03.2026,x
    A-2,Schmidt AG,,30.04.2026,
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_a_mapping_sheet_in_a_workbook(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Read me"
    wb.active["A1"] = "How to map the finance export"
    ws = wb.create_sheet("Mapping")
    for row in (["Export column", "Intake column", "Default"], ["ref", "request_id", None],
                ["Kunde", "Customer name", None], ["Betrag", "Expected revenue", 0],
                ["Fällig", "Due date", None], [None, "Requested on", dt.datetime(2026, 1, 1)],
                [None, "Source", "CRM"]):
        ws.append(row)
    wb.save(tmp_path / "map.xlsx")
    result = read_crm_export(write(tmp_path, "finance.csv", EXPORT), mapping=tmp_path / "map.xlsx")
    assert result.rows == [
        {"request_id": "A-1", "customer_name": "Müller GmbH", "source": "CRM", "requested_on": dt.date(2026, 1, 1),
         "due_date": dt.date(2026, 3, 31), "expected_revenue": 1234.5},
        {"request_id": "A-2", "customer_name": "Schmidt AG", "source": "CRM", "requested_on": dt.date(2026, 1, 1),
         "due_date": dt.date(2026, 4, 30), "expected_revenue": 0},
    ]
    assert result.unmapped == ["Notiz"]
    assert result.missing == ["Title", "Business reason", "Category", "Cost estimate", "Function", "Sponsor"]


def test_the_first_present_export_column_feeds_an_intake_column(tmp_path):
    mapping = write(tmp_path, "map.csv", """
        export column,intake column
        Deal Ref,Request ID
        Ref,Request ID
        Notiz,Title
        Kunde,Title
    """)
    result = read_crm_export(write(tmp_path, "finance.csv", EXPORT), mapping=mapping)
    assert [(r["request_id"], r["title"]) for r in result.rows] == [("A-1", "x"), ("A-2", None)]
    assert result.unmapped == ["Kunde", "Betrag", "Fällig"]


@pytest.mark.parametrize("text, says", [
    ("export column,intake column\nRef,Request ID\nBetrag,Revenue Foo\n",
     "row 3, column B (intake column): 'Revenue Foo' is not an Intake column; use one of: Request ID, Title,"),
    ("export column,intake column\nRef,Validation\n", "row 2, column B (intake column): 'Validation' is not"),
    ("export column,intake column\nRef,\n", "row 2, column B (intake column): the intake column is blank"),
    ("export column,intake column,default\nRef,Request ID,\n,Currency,\n",
     "row 3, column A (export column): give the export column"),
    ("Intake column,Default,Export column\nDue date,soon,\n",
     "row 2, column B (Default): the default 'soon' for 'Due date'"),
    ("from,to\nRef,Request ID\n", "'export column' and 'intake column'"),
])
def test_a_bad_mapping_names_its_row(tmp_path, text, says):
    mapping = tmp_path / "map.csv"
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(WorkbookUnusable, match=re.escape(says)) as err:
        read_mapping(mapping)
    assert err.value.path == str(mapping)


def test_a_workbook_without_a_mapping_sheet(tmp_path):
    openpyxl.Workbook().save(tmp_path / "map.xlsx")
    with pytest.raises(WorkbookUnusable, match="no sheet 'Mapping'"):
        read_mapping(tmp_path / "map.xlsx")


def test_a_mapping_that_fits_nothing_in_the_export(tmp_path):
    mapping = write(tmp_path, "map.csv", """
        export column,intake column,default
        Deal Ref,Request ID,
        ,Source,CRM
    """)
    with pytest.raises(WorkbookUnusable, match="none of the export columns in the mapping"):
        read_crm_export(write(tmp_path, "finance.csv", EXPORT), mapping=mapping)


def test_every_bad_cell_of_a_mapping_sheet_is_named_by_row_and_column(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Mapping"
    for row in (["Intake column", "Export column", "Default"], ["Request ID", "Ref", None],
                ["Budget", "Betrag", None], ["Due date", None, "soon"], ["Source", None, None]):
        ws.append(row)
    wb.save(tmp_path / "map.xlsx")
    with pytest.raises(WorkbookUnusable) as err:
        read_mapping(tmp_path / "map.xlsx")
    assert err.value.path == str(tmp_path / "map.xlsx")
    assert err.value.message == (
        "row 3, column A (Intake column): 'Budget' is not an Intake column; use one of: "
        + ", ".join(c.label for c in INTAKE.input_columns)
        + "; row 4, column C (Default): the default 'soon' for 'Due date' cannot be read; write amounts like "
        "12500.50 and dates like 2026-03-31; row 5, column B (Export column): give the export column that feeds "
        "'Source', or a default value, or delete the row")


def test_a_mapping_row_is_a_model_of_its_own():
    from xlportfolio.crm.mapping import MappingRow

    row = MappingRow.model_validate({"export": " Betrag ", "intake": "Expected revenue", "default": "1200.5"})
    assert (row.export, row.intake, row.default) == ("Betrag", "expected_revenue", 1200.5)
