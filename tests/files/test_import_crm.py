"""import-crm into a real portfolio file: new requests appended, re-import updates, text stays text."""
from conftest import AS_OF
from openpyxl import load_workbook

from xlportfolio.commands.import_crm import IMPORT_SHEET, import_crm_file

EXPORT = """\ufeffOpportunity ID,Opportunity Name,Account Name,Account ID,Amount,Close Date,Created Date,Description,Opportunity Owner,Stage
0065g00000AbCdE,Renewal 2027,Acme Retail,C-10001,"125,000.00",12/31/2026,06/01/2026,"Wants SSO, MFA",Anna Berger,Proposal
0065g00000AbCdF,Upsell analytics,Globex Logistics,C-10002,TBD,11/15/2026,06/02/2026,"=HYPERLINK(""http://x"")",Ben Okafor,Qualification
"""


def rows_by_id(path):
    ws = load_workbook(path)["Intake"]
    head = [c.value for c in ws[1]]
    return ws, head, {r[0].value: r for r in ws.iter_rows(min_row=2) if r[0].value}


def test_import_appends_then_updates_without_blanking_what_people_typed(demo_book, tmp_path):
    export = tmp_path / "sf.csv"
    export.write_text(EXPORT, encoding="utf-8")
    result = import_crm_file(export, demo_book, as_of=AS_OF)
    assert result.crm.preset == "salesforce" and result.outcome.new == 2
    ws, head, rows = rows_by_id(demo_book)
    first = rows["CRM-salesforce-0065g00000AbCdE"]
    col = {h: i for i, h in enumerate(head)}
    assert first[col["Expected revenue"]].value == 125000
    assert first[col["Due date"]].value.date().isoformat() == "2026-12-31"
    assert first[col["Source"]].value == "CRM" and first[col["Submitted in"]].value == "CRM sf.csv"
    formula = rows["CRM-salesforce-0065g00000AbCdF"][col["Business reason"]]
    assert formula.value == '=HYPERLINK("http://x")' and formula.data_type == "s"
    sheet = load_workbook(demo_book)[IMPORT_SHEET]
    assert any("TBD" in str(r) for r in sheet.iter_rows(values_only=True))

    # a controller completes the request in the workbook; the CRM changes the amount
    wb = load_workbook(demo_book)
    ws = wb["Intake"]
    row = first[0].row
    ws.cell(row, col["Category"] + 1).value = "Customer value"
    wb.save(demo_book)
    export.write_text(EXPORT.replace('"125,000.00"', '"150,000.00"'), encoding="utf-8")
    again = import_crm_file(export, demo_book, as_of=AS_OF)
    assert (again.outcome.new, again.outcome.updated, again.outcome.unchanged) == (0, 1, 1)
    _, _, rows = rows_by_id(demo_book)
    updated = rows["CRM-salesforce-0065g00000AbCdE"]
    assert updated[col["Expected revenue"]].value == 150000
    assert updated[col["Category"]].value == "Customer value"  # not blanked: the CRM does not own it
