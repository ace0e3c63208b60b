"""import-crm into a real portfolio file: what the import cut, guessed or cleaned is on the CRM Import
sheet with its export row, column and request; clashing IDs fail the command; a runaway quote is refused
and the workbook stays byte for byte as it was."""
from openpyxl import load_workbook

from tests.support import AS_OF
from tests.support.cli import run
from xlportfolio.commands.files import on_file
from xlportfolio.commands.import_crm import IMPORT_SHEET
from xlportfolio.commands.import_crm import Options as ImportCrmOptions

HEAD = "Opportunity ID,Opportunity Name,Account Name,Amount,Close Date,Description"


def intake_rows(path):
    ws = load_workbook(path)["Intake"]
    head = [c.value for c in ws[1]]
    return head, {r[0]: dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}


def import_sheet_rows(path):
    ws = load_workbook(path)[IMPORT_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


def test_a_cut_text_a_guessed_encoding_and_cleaned_ids_are_reported_where_they_happened(demo_book, tmp_path):
    long = "Scope: " + "x" * 39_993  # 40,000 characters
    wide = "Internal notes " * 2_700  # a header over Excel's limit: only named in the import's summary
    text = (f"{HEAD},{wide}\r\n"
            f'0065A,Portal,Acme,1000,12/31/2026,"{long}",n\r\n'
            "=0065B,Caf\u00e9 relaunch,M\u00fcller GmbH,2000,12/31/2026,x,n\r\n"
            "\t0065C,Scanners,Beta,3000,12/31/2026,x,n\r\n")
    export = tmp_path / "opps.csv"
    export.write_bytes(text.encode("cp1252"))
    result = on_file("import-crm", demo_book, ImportCrmOptions(export=export, as_of=AS_OF))
    assert (result.figures.new, result.figures.rejected) == (3, [])

    _, rows = intake_rows(demo_book)
    assert rows["CRM-salesforce-0065A"]["Business reason"] == long[:32_767]
    assert rows["CRM-salesforce-0065B"]["Title"] == "Caf\u00e9 relaunch"
    assert "CRM-salesforce-0065C" in rows and not any(str(rid).startswith("CRM-salesforce-=") for rid in rows)

    header, sheet = import_sheet_rows(demo_book)
    assert header == ("Export row", "Column", "Header", "Request ID", "Value", "Severity", "What to do")
    found = [(r["Export row"], r["Column"], r["Header"], r["Request ID"], r["Severity"]) for r in sheet
             if r["Export row"]]
    assert found == [
        (2, "F", "Description", "CRM-salesforce-0065A", "warning"),  # cut
        (3, "A", "Opportunity ID", "CRM-salesforce-0065B", "warning"),  # '=' removed
        (3, "B", "Opportunity Name", "CRM-salesforce-0065B", "warning"),  # Windows-1252
        (4, "A", "Opportunity ID", "CRM-salesforce-0065C", "warning"),  # tab removed
    ]
    messages = [r["What to do"] for r in sheet if r["Export row"]]
    assert "has 40,000 characters" in messages[0] and "the last 7,233 were cut" in messages[0]
    assert "a leading '='" in messages[1] and "Windows-1252" in messages[2] and "'Caf\u00e9 relaunch'" in messages[2]
    assert "The ID '[tab]0065C'" in messages[3]
    # No cell of the sheet outgrows Excel's limit, even the one naming the export's unused columns.
    unused = next(r["What to do"] for r in sheet if r["What to do"].startswith("Export columns not used"))
    assert len(unused) == 32_767 and unused.endswith(" … [cut]")
    assert all(len(str(v)) <= 32_767 for r in sheet for v in r.values() if v is not None)


def test_ids_that_clash_once_cleaned_fail_the_command_and_neither_row_is_imported(demo_book, tmp_path):
    export = tmp_path / "opps.csv"
    export.write_text(f"{HEAD}\r\n0065A,Portal,Acme,1000,12/31/2026,x\r\n"
                      "0065B,Scanners,Beta,2000,12/31/2026,x\r\n"
                      "\t0065A,Portal again,Acme,1500,12/31/2026,x\r\n", encoding="utf-8")
    result = run("import-crm", export, "--into", demo_book, "--as-of", AS_OF)
    assert result.exit_code == 1, result.output
    assert "1 new" in result.output and "2 rejected" in result.output
    assert "error opps.csv!A2 (Opportunity ID)" in result.output
    assert "'0065A', '[tab]0065A'" in result.output  # the brackets are text, not console markup

    _, rows = intake_rows(demo_book)
    assert "CRM-salesforce-0065B" in rows and "CRM-salesforce-0065A" not in rows
    _, sheet = import_sheet_rows(demo_book)
    listed = [(r["Export row"], r["Severity"]) for r in sheet if r["Severity"]]
    # the rejected rows, then the errors at each row, then the warning for the cleaned ID
    assert listed == [(None, "error"), (None, "error"), (2, "error"), (4, "error"), (4, "warning")]
    at_2 = next(r for r in sheet if (r["Export row"], r["Severity"]) == (2, "error"))
    assert at_2["What to do"].startswith("The IDs '0065A', '[tab]0065A' in Opportunity ID (rows 2, 4)")
    assert "row 4: its ID '[tab]0065A' clashes with row 2 (see the crm-id-clash finding)" in [r["What to do"] for r in sheet]


def test_a_runaway_quote_is_refused_and_the_workbook_is_untouched(demo_book, tmp_path):
    export = tmp_path / "opps.csv"
    export.write_text(f"{HEAD}\r\n0065A,Portal,Acme,1000,12/31/2026,x\r\n"
                      '0065B,"Scanners,Beta,2000,12/31/2026,x\r\n'
                      "0065C,Licences,Gamma,3000,12/31/2026,x\r\n", encoding="utf-8")
    before = demo_book.read_bytes()
    copy = tmp_path / "out.xlsx"
    result = run("import-crm", export, "--into", demo_book, "--output", copy, "--as-of", AS_OF)
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert f"{export}: line 3, column B (Opportunity Name): a quote opens a cell here" in message
    assert "'\"Scanners,Beta,2000,12/31/2026,x'" in message and "never closed" in message
    result = run("import-crm", export, "--into", demo_book, "--as-of", AS_OF)
    assert result.exit_code == 2
    assert demo_book.read_bytes() == before and not copy.exists()
