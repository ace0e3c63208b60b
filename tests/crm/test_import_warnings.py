"""A CRM import never guesses silently: every cut, encoding guess, runaway quote and cleaned or clashing
ID is a finding (or a refusal) naming the export's row and column. Each export is a real file written here."""
import io
import re
import zipfile

import openpyxl
import pytest

from xlportfolio.core.findings import Severity
from xlportfolio.crm import read_crm_export
from xlportfolio.crm.quotes import MAX_LINES
from xlportfolio.errors import WorkbookUnusable

HEAD = "Opportunity ID,Opportunity Name,Account Name,Amount,Close Date,Description\r\n"


def csv_file(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def found(result, code):
    return [f for f in result.findings if f.code == code]


# -- text over Excel's 32,767 characters -------------------------------------------------------------

def test_a_40000_character_description_is_cut_to_excels_limit_and_says_how_much(tmp_path):
    long = "".join(f"{i:05d} " for i in range(6667))[:40_000]  # numbered, so the kept part is checkable
    path = csv_file(tmp_path, "opps.csv", HEAD + f'006A,Portal,Acme,1000,12/31/2026,"{long}"\r\n'
                                                  "006B,Scanners,Beta,2000,12/31/2026,short\r\n")
    result = read_crm_export(path)
    assert result.rows[0]["business_reason"] == long[:32_767]
    assert result.rows[1]["business_reason"] == "short"
    [cut] = result.findings
    assert (cut.code, cut.severity, cut.sheet, cut.row, cut.column, cut.header) == \
        ("crm-text-cut", Severity.WARNING, "opps.csv", 2, "F", "Description")
    assert "has 40,000 characters" in cut.message and "at most 32,767" in cut.message
    assert "the last 7,233 were cut" in cut.message and "request CRM-salesforce-006A" in cut.message


def test_every_column_that_can_hold_text_is_cut_including_an_amount_kept_as_text(tmp_path):
    """Past csv's own limit of 131,072 characters too: such a cell is read and cut, not refused."""
    name, account, amount = "N" * 33_000, "A" * 140_000, "about " + "9" * 32_800
    path = csv_file(tmp_path, "opps.csv", HEAD + f"006A,{name},{account},{amount},12/31/2026,x\r\n")
    result = read_crm_export(path)
    row = result.rows[0]
    assert (row["title"], row["customer_name"], row["expected_revenue"]) == \
        (name[:32_767], account[:32_767], amount[:32_767])
    cuts = found(result, "crm-text-cut")
    assert [(f.row, f.column, f.header) for f in cuts] == [
        (2, "B", "Opportunity Name"), (2, "C", "Account Name"), (2, "D", "Amount")]
    assert "has 140,000 characters" in cuts[1].message and "the last 107,233 were cut" in cuts[1].message
    # The amount is also reported as text that is no number; its message quotes the value short.
    [unparsed] = found(result, "crm-unparsed-number")
    assert (unparsed.row, unparsed.column) == (2, "D") and len(unparsed.message) < 400


def test_an_xlsx_export_holding_more_than_excel_allows_is_cut_the_same_way(tmp_path):
    """Excel never writes such a cell, but other tools do: the sheet XML is written here by hand."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Opportunities"
    ws.append(["Opportunity ID", "Opportunity Name", "Account Name", "Description"])
    ws.append(["006A", "Portal", "Acme", "PLACEHOLDER"])
    buffer = io.BytesIO()
    wb.save(buffer)
    path = tmp_path / "opps.xlsx"
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/") and item.filename.endswith(".xml"):  # where the text is
                data = data.replace(b"PLACEHOLDER", b"y" * 50_000)
            target.writestr(item, data)
    result = read_crm_export(path)
    assert result.rows[0]["business_reason"] == "y" * 32_767
    [cut] = result.findings
    assert (cut.code, cut.sheet, cut.row, cut.column) == ("crm-text-cut", "Opportunities", 2, "D")
    assert "has 50,000 characters" in cut.message and "17,233 were cut" in cut.message


# -- encodings -----------------------------------------------------------------------------------------

def test_a_windows_1252_export_is_named_once_with_a_sample_where_it_first_mattered(tmp_path):
    text = HEAD + ("006A,Portal,Acme,1000,12/31/2026,plain ASCII\r\n"
                   "006B,Caf\u00e9 relaunch,Beta,2000,12/31/2026,na\u00efve\r\n"
                   "006C,Scanners,M\u00fcller GmbH,3000,12/31/2026,\u20ac 3000\r\n")
    result = read_crm_export(csv_file(tmp_path, "opps.csv", text, "cp1252"))
    assert result.encoding == "cp1252"
    assert [r["title"] for r in result.rows] == ["Portal", "Caf\u00e9 relaunch", "Scanners"]
    [guess] = result.findings  # once per file, though three rows hold such bytes
    assert (guess.code, guess.severity, guess.row, guess.column, guess.header) == \
        ("crm-encoding-guessed", Severity.WARNING, 3, "B", "Opportunity Name")
    assert "byte 0xE9 in line 3 is not valid UTF-8" in guess.message
    assert "read it as Windows-1252" in guess.message and "'Caf\u00e9 relaunch'" in guess.message
    assert "request CRM-salesforce-006B" in guess.message and "CSV UTF-8" in guess.message


def test_a_utf8_export_with_one_stray_byte_keeps_its_utf8_text_and_names_the_byte(tmp_path):
    """Reading the whole file as Windows-1252 would turn every 'é' into 'Ã©'; only the stray byte is guessed."""
    data = (HEAD + "006A,Caf\u00e9,M\u00fcller,1000,12/31/2026,x\r\n").encode("utf-8") + \
        "006B,Cr\u00e8me,Beta,2000,12/31/2026,x\r\n".encode("cp1252") + \
        "006C,\u00c5ngstr\u00f6m,Gamma,3000,12/31/2026,x\r\n".encode("utf-8")
    result = read_crm_export(csv_file(tmp_path, "opps.csv", data))
    assert result.encoding == "utf-8+cp1252"
    assert [r["title"] for r in result.rows] == ["Caf\u00e9", "Cr\u00e8me", "\u00c5ngstr\u00f6m"]
    assert [r["customer_name"] for r in result.rows][0] == "M\u00fcller"
    [guess] = result.findings
    assert (guess.code, guess.row, guess.column) == ("crm-encoding-guessed", 3, "B")
    assert "UTF-8 except for byte 0xE8 in line 3" in guess.message and "'Cr\u00e8me'" in guess.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_exports_in_a_known_encoding_get_no_encoding_finding(tmp_path, encoding):
    text = HEAD + "006A,Caf\u00e9,M\u00fcller,1000,12/31/2026,\u20ac 3000\r\n"
    result = read_crm_export(csv_file(tmp_path, "opps.csv", text, encoding))
    assert result.rows[0]["title"] == "Caf\u00e9" and result.findings == []


def test_bytes_that_are_neither_utf8_nor_windows_1252_are_refused(tmp_path):
    data = (HEAD + "006A,Caf\u00e9,Acme,1000,12/31/2026,x\r\n").encode("utf-8") + b"006B,Bad \x81 byte,B,1,,\r\n"
    with pytest.raises(WorkbookUnusable, match="neither UTF-8 nor Windows-1252"):
        read_crm_export(csv_file(tmp_path, "opps.csv", data))


# -- quotes that run past a line end ---------------------------------------------------------------------

ROWS = ["006B,Scanners,Beta,2000,12/31/2026,x", "006C,Licences,Gamma,3000,12/31/2026,x"]

RUNAWAY = {
    # a stray quote that is never closed: the rest of the file would be one cell
    "never closed": ('006A,"Portal,Acme,1000,12/31/2026,x', ROWS, "line 2, column B (Opportunity Name)",
                     "never closed"),
    # the stray quote 'closes' on the opening quote of a later cell
    "closed on another cell's quote": ('006A,"Portal,Acme,1000,12/31/2026,x',
                                       [ROWS[0], '006C,"Licences, 2026",Gamma,3000,12/31/2026,x'],
                                       "line 2, column B (Opportunity Name)", "in line 4, is followed by 'L'"),
    # closed on a plausible boundary, but whole records inside
    "records inside": ('006A,Portal,Acme,1000,12/31/2026,"Call CFO', ROWS[:1] + ['006C,Licences,Gamma,3000,12/31/2026,5"'],
                       "line 2, column F (Description)", "line 3 inside it reads as a record of its own"),
    # a note longer than any note
    "too many lines": ('006A,Portal,Acme,1000,12/31/2026,"' + "\r\n".join(["note"] * MAX_LINES) + '\r\nend"',
                       ROWS, "line 2, column F (Description)", f"runs to line {MAX_LINES + 2}"),
    # the row it leaves has more cells than the header
    "wrong width": ('006A,"Portal\r\nphase 2",Acme,1000,12/31/2026,x,surplus', ROWS,
                    "line 2, column B (Opportunity Name)", "its row then has 7 cells where the header has 6"),
}


@pytest.mark.parametrize("case", RUNAWAY)
def test_a_quote_that_swallows_lines_is_refused_with_its_line_and_a_snippet(tmp_path, case):
    first, rest, where, why = RUNAWAY[case]
    path = csv_file(tmp_path, "opps.csv", HEAD + "\r\n".join([first, *rest]) + "\r\n")
    with pytest.raises(WorkbookUnusable) as err:
        read_crm_export(path)
    message = str(err.value)
    assert message.startswith(f"{path}: {where}: a quote opens a cell here")
    assert why in message and "nothing was imported" in message
    snippet = re.search(r"here \('([^']*)'\)", message)[1]
    assert snippet.startswith('"') and snippet[1:20] in first


def test_the_line_counts_excels_sep_line_and_lone_cr_line_ends(tmp_path):
    text = "sep=,\r" + HEAD.replace("\r\n", "\r") + "006A,Portal,Acme,1000,12/31/2026,x\r" + \
        '006B,"Scanners,Beta,2000,12/31/2026,x\r006C,Licences,Gamma,3000,12/31/2026,x\r'
    with pytest.raises(WorkbookUnusable, match=r"line 4, column B \(Opportunity Name\).*never closed"):
        read_crm_export(csv_file(tmp_path, "opps.csv", text))


def test_multi_line_notes_closed_on_a_boundary_are_read_as_one_cell(tmp_path):
    note = "Call the CFO, then the CIO.\r\nShe wants SSO, MFA and audit logs,\r\nby Q3; \"urgent\" says Dana."
    text = HEAD + ("006A,Portal,Acme,1000,12/31/2026,\"" + note.replace('"', '""') + "\"\r\n"
                   + "006B,\"Scanners\r\nphase 2\"  ,Beta,2000,12/31/2026,x\r\n"  # spaces typed after the quote
                   + '006C,Licences,Gamma,3000,12/31/2026,"last note\r\nends the file"\r\n')
    result = read_crm_export(csv_file(tmp_path, "opps.csv", text))
    assert result.row_numbers == [2, 3, 4]  # Excel rows: a record of three lines is one row
    assert [r["business_reason"] for r in result.rows] == [note, "x", "last note\r\nends the file"]
    assert result.rows[1]["title"] == "Scanners\r\nphase 2" and result.findings == []


def test_a_trailing_delimiter_on_the_header_is_no_swallowed_line(tmp_path):
    text = HEAD.replace("\r\n", ",\r\n") + '006A,"Portal\r\nphase 2",Acme,1000,12/31/2026,x\r\n'
    assert read_crm_export(csv_file(tmp_path, "opps.csv", text)).rows[0]["title"] == "Portal\r\nphase 2"


def test_a_quote_inside_a_cell_or_closed_on_one_line_is_text_as_before(tmp_path):
    text = HEAD + '006A,5" screen,Acme,1000,12/31/2026,"quoted" then more\r\n'
    result = read_crm_export(csv_file(tmp_path, "opps.csv", text))
    assert (result.rows[0]["title"], result.rows[0]["business_reason"]) == ('5" screen', "quoted then more")


# -- IDs cleaned of invisible and formula characters ------------------------------------------------------

CLEANED = [  # (the ID as exported, the request ID, what the finding says was removed)
    ("=0065A", "CRM-salesforce-0065A", "a leading '='"),
    ("\t0065B", "CRM-salesforce-0065B", "a leading tab"),
    ("0065C\r", "CRM-salesforce-0065C", "a trailing CR"),
    ('="0065D"', "CRM-salesforce-0065D", 'the formula form ="..."'),
    ("\u200b0065E", "CRM-salesforce-0065E", "a leading zero-width space"),
    ("@+0065F", "CRM-salesforce-0065F", "a leading '@' and a leading '+'"),
    ("0065\u2060G", "CRM-salesforce-0065G", "a U+2060 (word joiner) inside"),
]


def test_each_id_cleaned_of_invisible_or_formula_characters_gets_its_own_finding(tmp_path):
    lines = [HEAD.rstrip("\r\n")] + ['"' + raw.replace('"', '""') + f'",Deal {i},Acme,1000,12/31/2026,x'
                                     for i, (raw, _, _) in enumerate(CLEANED)]
    lines.append("0065H,Plain,Acme,1000,12/31/2026,x")
    result = read_crm_export(csv_file(tmp_path, "opps.csv", "\r\n".join(lines) + "\r\n"))
    assert [r["request_id"] for r in result.rows] == [rid for _, rid, _ in CLEANED] + ["CRM-salesforce-0065H"]
    cleaned = found(result, "crm-id-cleaned")
    assert [(f.row, f.column, f.header, f.severity) for f in cleaned] == \
        [(row, "A", "Opportunity ID", Severity.WARNING) for row in range(2, 2 + len(CLEANED))]
    for f, (_, rid, removed) in zip(cleaned, CLEANED):
        assert f"held {removed}, which the import removed: the request ID is {rid}." in f.message
    assert "The ID '[tab]0065B'" in cleaned[1].message and "'0065C[CR]'" in cleaned[2].message
    assert result.findings == cleaned and result.rejected == {}


def test_ids_that_become_one_once_cleaned_are_an_error_naming_both_and_neither_row_is_imported(tmp_path):
    text = HEAD + ("0065A,Portal,Acme,1000,12/31/2026,x\r\n"
                   "0065B,Scanners,Beta,2000,12/31/2026,x\r\n"
                   "=0065A,Portal (copy),Acme,1000,12/31/2026,x\r\n"
                   "0065C,Licences,Gamma,3000,12/31/2026,x\r\n"
                   "0065c,Licences EU,Gamma,3000,12/31/2026,x\r\n")
    result = read_crm_export(csv_file(tmp_path, "opps.csv", text))
    clashes = found(result, "crm-id-clash")
    assert result.findings[:len(clashes)] == clashes  # errors first
    assert [(f.row, f.column, f.severity) for f in clashes] == [
        (2, "A", Severity.ERROR), (4, "A", Severity.ERROR), (5, "A", Severity.ERROR), (6, "A", Severity.ERROR)]
    assert "The IDs '0065A', '=0065A' in Opportunity ID (rows 2, 4) all become request CRM-salesforce-0065A" \
        in clashes[0].message and "none of these rows was imported" in clashes[0].message
    assert "'0065C', '0065c'" in clashes[2].message and "letter case is ignored" in clashes[2].message
    assert set(result.rejected) == {2, 4, 5, 6}
    assert "'=0065A' clashes with row 2 " in result.rejected[4]
    assert [(f.code, f.row) for f in result.findings[len(clashes):]] == [("crm-id-cleaned", 4)]


def test_a_mapping_files_ids_are_cleaned_and_checked_the_same_way(tmp_path):
    mapping = csv_file(tmp_path, "map.csv", "export column,intake column,default\r\nRef,Request ID,\r\n"
                                            "Name,Title,\r\n")
    export = csv_file(tmp_path, "deals.csv", "Ref,Name\r\nD-1,One\r\n\"D-1\t\",One again\r\n+D-2,Two\r\n")
    result = read_crm_export(export, mapping=mapping)
    assert [r["request_id"] for r in result.rows] == ["D-1", "D-1", "D-2"]
    assert [(f.code, f.row) for f in result.findings] == [
        ("crm-id-clash", 2), ("crm-id-clash", 3), ("crm-id-cleaned", 3), ("crm-id-cleaned", 4)]
    assert "'D-1', 'D-1[tab]'" in result.findings[0].message and set(result.rejected) == {2, 3}


def test_the_same_id_exported_twice_as_it_stands_is_no_clash(tmp_path):
    """Opportunity-with-products reports repeat an opportunity per product line: nothing was cleaned or
    folded, so the rows update one request as before."""
    text = HEAD + "0065A,Portal,Acme,1000,12/31/2026,x\r\n0065A,Portal,Acme,1500,12/31/2026,x\r\n"
    result = read_crm_export(csv_file(tmp_path, "opps.csv", text))
    assert result.findings == [] and result.rejected == {}


def test_a_mapping_file_read_as_windows_1252_is_named_too_and_an_overlong_default_refused(tmp_path):
    mapping = csv_file(tmp_path, "map.csv", "export column,intake column,default\r\nRef,Request ID,\r\n"
                                            "Name,Title,\r\n,Customer name,M\u00fcller GmbH\r\n", "cp1252")
    export = csv_file(tmp_path, "deals.csv", "Ref,Name\r\nD-1,One\r\n")
    result = read_crm_export(export, mapping=mapping)
    assert result.rows[0]["customer_name"] == "M\u00fcller GmbH"
    [guess] = result.findings
    assert (guess.code, guess.sheet, guess.row, guess.column, guess.header) == \
        ("crm-encoding-guessed", "map.csv", 4, "C", "default")
    assert guess.message.startswith("The mapping file map.csv is not UTF-8") and "'M\u00fcller GmbH'" in guess.message
    mapping.write_text("export column,intake column,default\r\nRef,Request ID,\r\n,Title," + "t" * 32_768 + "\r\n")
    with pytest.raises(WorkbookUnusable, match=r"row 3, column C \(default\): the default for 'Title' has 32,768 characters"):
        read_crm_export(export, mapping=mapping)
