"""The standard workbooks in workbooks/ are exactly what the generator writes today."""
import pytest
from openpyxl import load_workbook

from tests.support import ROOT, parts
from xlportfolio.files.template import INTAKE_KIND, PORTFOLIO_KIND, TEMPLATE_VERSION, build_workbook

COPIES = {"intake-template.xlsx": INTAKE_KIND, "portfolio-template.xlsx": PORTFOLIO_KIND}


@pytest.mark.parametrize("name", sorted(COPIES))
def test_committed_copy_matches_the_generator(name, tmp_path):
    fresh = tmp_path / name
    build_workbook(COPIES[name]).save(fresh)
    committed = ROOT / "workbooks" / name
    assert parts(committed) == parts(fresh), (
        f"workbooks/{name} is out of date; regenerate it with "
        f"`xlportfolio new {COPIES[name].id} workbooks/{name} --force`")


def test_intake_template_is_a_governed_form():
    wb = load_workbook(ROOT / "workbooks" / "intake-template.xlsx")
    ws = wb["Intake"]
    assert "Intake" in ws.tables and ws.freeze_panes == "B2"
    assert wb.active.title == "Intake" and ws.protection.sheet and not ws.protection.password
    header = {c.value: c.column_letter for c in ws[1]}
    assert not ws[f"{header['Sponsor']}2"].protection.locked
    # Computed cells are unlocked so the commands can write them under protection (Excel refuses
    # writes to locked cells, programs' too); a validation that accepts nothing refuses typing.
    validation = ws[f"{header['Validation']}201"]
    assert not validation.protection.locked and validation.style == "xlp Computed"
    [guard] = [dv for dv in ws.data_validations.dataValidation if validation.coordinate in dv.sqref]
    assert (guard.type, guard.formula1, guard.errorStyle, guard.showErrorMessage) == ("custom", "FALSE", "stop", True)
    assert guard.error.startswith("Written by Validate")
    assert not ws.protection.formatCells and not ws.protection.objects  # marks: fills and notes
    assert not (wb.security and wb.security.lockStructure)  # commands add the Findings sheet
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert {"lst_Category", "lst_Function", "lst_Currency"} <= lists
    assert wb.defined_names["lst_Category"].attr_text == "List_Category[Category]"
    assert wb.properties.identifier == "xlportfolio.intake" and wb.properties.version == TEMPLATE_VERSION
    custom = {p.name: p.value for p in wb.custom_doc_props.props}
    assert custom == {"xlportfolio.template": "intake", "xlportfolio.template_version": TEMPLATE_VERSION}
    instructions = [c.value for c in wb["Instructions"]["A"]]
    assert "Sponsor" in instructions and "Cost estimate" in instructions


def test_portfolio_template_has_every_table_and_the_default_gates():
    wb = load_workbook(ROOT / "workbooks" / "portfolio-template.xlsx")
    tables = {name for ws in wb.worksheets for name in ws.tables}
    for expected in ("Intake", "Items", "Financials", "Risks", "Dependencies", "Capacity", "Approvals",
                     "Milestones", "Scoring", "Gates", "List_Stage"):
        assert expected in tables
    gates = [r for r in wb["Gates"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert {r[0] for r in gates} == {"DI1 Defined", "DI2 Identified", "DI3 Detailed", "DI4 Decided",
                                     "DI5 Implemented", "DI6 Closed"}
    assert ("DI4 Decided", "sponsor_approval") in {(r[0], r[1]) for r in gates}


def test_password_protection_only_when_asked():
    wb = build_workbook(INTAKE_KIND, password="s3cret")
    assert wb["Intake"].protection.password
