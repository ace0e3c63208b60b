"""import-crm into a real portfolio file: new requests appended, re-import updates, text stays text."""
from openpyxl import load_workbook

from tests.support import AS_OF
from xlportfolio.commands.files import on_file
from xlportfolio.commands.import_crm import IMPORT_SHEET
from xlportfolio.commands.import_crm import Options as ImportCrmOptions

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
    result = on_file("import-crm", demo_book, ImportCrmOptions(export=export, as_of=AS_OF))
    assert result.figures.preset == "salesforce" and result.figures.new == 2
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
    again = on_file("import-crm", demo_book, ImportCrmOptions(export=export, as_of=AS_OF))
    assert (again.figures.new, again.figures.updated, again.figures.unchanged) == (0, 1, 1)
    _, _, rows = rows_by_id(demo_book)
    updated = rows["CRM-salesforce-0065g00000AbCdE"]
    assert updated[col["Expected revenue"]].value == 150000
    assert updated[col["Category"]].value == "Customer value"  # not blanked: the CRM does not own it


def test_an_import_that_would_outgrow_excels_rows_is_refused_before_any_work(demo_book, tmp_path):
    """The Intake table ends near Excel's last row; ten more requests cannot fit: a clear message,
    the workbook as it was."""
    import pytest

    from xlportfolio.errors import XlPortfolioError

    wb = load_workbook(demo_book)
    ws = wb["Intake"]
    table = ws.tables["Intake"]
    last_col = table.ref.split(":")[1].rstrip("0123456789")
    ws["A1048570"] = "REQ-9999"
    table.ref = f"A1:{last_col}1048570"
    table.autoFilter.ref = table.ref
    wb.save(demo_book)
    export = tmp_path / "ten.csv"
    head = "Opportunity ID,Opportunity Name,Account Name,Account ID,Amount,Close Date,Created Date,Description,"
    head += "Opportunity Owner,Opportunity Currency\n"
    export.write_text(head + "".join(f"006T{i},Deal {i},Acme,C-1,1000,09/30/2026,01/15/2026,x,Anna,EUR\n"
                                            for i in range(10)), encoding="utf-8")
    before = demo_book.read_bytes()
    with pytest.raises(XlPortfolioError, match="past Excel's last row") as caught:
        on_file("import-crm", demo_book, ImportCrmOptions(export=export, preset="salesforce", as_of=AS_OF))
    assert "row 1,048,580" in str(caught.value) and str(demo_book) in str(caught.value)
    assert demo_book.read_bytes() == before
