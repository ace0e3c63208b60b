"""Reading CRM exports as Intake requests: one realistic export per preset, written inline."""
import datetime as dt
import textwrap

import openpyxl
import pytest

import xlportfolio.crm as crm
from xlportfolio.core.codes import CODES
from xlportfolio.core.findings import Severity
from xlportfolio.core.plan import ColumnWrite, EditPlan
from xlportfolio.crm import CrmImport, read_crm_export
from xlportfolio.errors import WorkbookUnusable
from xlportfolio.files.workbook import apply_plan_file

D = dt.date
# Required Intake columns no CRM export fills; a new required Intake column belongs here too.
NOT_IN_CRM = ["Category", "Cost estimate", "Function", "Sponsor"]


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
    return path


def flat(result: CrmImport):
    return [(f.code, f.row, f.column) for f in result.findings]


SALESFORCE_US = """
    Opportunity Owner,Opportunity Name,Opportunity ID,Account Name,Account ID,Amount,Close Date,Created Date,Stage,Next Step,Description
    Dana Fox,"Portal, phase 2",0065g00000AbCdEAAX,"Acme, Inc.",0015g00000XyZAAQ,"$12,500.00",3/4/2026,1/2/2026,Prospecting,Call CFO,"Single sign-on for 4,000 users.
    Asked for by the CIO."
    Lee Park,Data migration,0065g00000FgHiJAAQ,Beta LLC,0015g00000Q1AAA,TBD,12/1/2026,2/3/2026,Qualification,,"=HYPERLINK(""http://example.com"",""details"")"
    Sam Lee,Renewal discount,0065g00000KlMnOAAZ,Gamma Ltd,,(500),6/6/2026,,Closed Won,,

    "Confidential Information - Do Not Distribute"
    "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."
"""


def test_salesforce_us_report_with_bom_quoted_line_breaks_and_footer(tmp_path):
    path = write(tmp_path, "report1712.csv", SALESFORCE_US, encoding="utf-8-sig")
    result = read_crm_export(path)
    assert (result.preset, result.encoding, result.delimiter) == ("salesforce", "utf-8-sig", ",")
    # Excel rows: the quoted line break stays in its cell; the report footer is not data.
    assert result.row_numbers == [2, 3, 4]
    assert result.rows[0] == {
        "request_id": "CRM-salesforce-0065g00000AbCdEAAX", "title": "Portal, phase 2",
        "customer_name": "Acme, Inc.", "customer_id": "0015g00000XyZAAQ",
        "business_reason": "Single sign-on for 4,000 users.\nAsked for by the CIO.", "source": "CRM",
        "requested_on": D(2026, 1, 2), "due_date": D(2026, 3, 4), "expected_revenue": 12500.0, "owner": "Dana Fox",
    }
    # No date shows its order, so the US default of the Salesforce preset applies: month first.
    assert [(r["requested_on"], r["due_date"]) for r in result.rows] == [
        (D(2026, 1, 2), D(2026, 3, 4)), (D(2026, 2, 3), D(2026, 12, 1)), (None, D(2026, 6, 6))]
    assert [r["expected_revenue"] for r in result.rows] == [12500.0, "TBD", -500]
    assert result.rows[1]["business_reason"] == '=HYPERLINK("http://example.com","details")'
    assert result.rows[2]["customer_id"] is None and result.rows[2]["business_reason"] is None
    assert flat(result) == [("crm-unparsed-number", 3, "F")]
    finding = result.findings[0]
    assert (finding.sheet, finding.header, finding.value, finding.severity) == \
        ("report1712.csv", "Amount", "TBD", Severity.WARNING)
    assert "'TBD' in Amount" in finding.message and "kept as text" in finding.message
    assert result.unmapped == ["Stage", "Next Step"]
    assert result.missing == NOT_IN_CRM
    assert result.columns["due_date"] == "Close Date"


HUBSPOT_GERMAN = """
    Record ID;Deal Name;Associated Company;Amount;Close Date;Create Date;Deal owner;Deal Stage;Pipeline;Deal Description;Currency
    9001;Wartungsvertrag;Müller GmbH;1.234,50;31.03.2026;15.01.2026;Jörg Weiß;Angebot;Vertrieb;"Verlängerung; Preis in €";EUR
    9002;Schulung;Bäckerei Schmidt KG;€ 2.500;30.04.2026;03.02.2026;Anna Groß;Verhandlung;Vertrieb;"Zwei Tage; vor Ort
    in Köln";eur
    9003;Lizenzen;Müller GmbH;12,5;03/04/2026;01.02.2026;Jörg Weiß;Gewonnen;Vertrieb;-2 Tage Vorlauf;Euro
"""


def test_hubspot_german_excel_csv_in_cp1252_with_semicolons_and_decimal_commas(tmp_path):
    path = write(tmp_path, "hubspot-crm-exports-deals.csv", HUBSPOT_GERMAN, encoding="cp1252")
    result = read_crm_export(path)
    assert (result.preset, result.encoding, result.delimiter) == ("hubspot", "cp1252", ";")
    assert result.row_numbers == [2, 3, 4]
    assert result.rows[0] == {
        "request_id": "CRM-hubspot-9001", "title": "Wartungsvertrag", "customer_name": "Müller GmbH",
        "business_reason": "Verlängerung; Preis in €", "source": "CRM", "requested_on": D(2026, 1, 15),
        "due_date": D(2026, 3, 31), "expected_revenue": 1234.5, "currency": "EUR", "owner": "Jörg Weiß",
    }
    # '€ 2.500' alone could be 2.5 or 2500; the column's other amounts use a decimal comma.
    assert [r["expected_revenue"] for r in result.rows] == [1234.5, 2500, 12.5]
    assert [r["currency"] for r in result.rows] == ["EUR", "EUR", "EUR"]
    assert result.rows[1]["business_reason"] == "Zwei Tage; vor Ort\nin Köln"
    assert result.rows[2]["business_reason"] == "-2 Tage Vorlauf"  # text, not a number
    # A German export gets no US default: 03/04/2026 stays text and is reported.
    assert result.rows[2]["due_date"] == "03/04/2026"
    # The file is not UTF-8: read as Windows-1252, said once, at the first cell it mattered in.
    assert flat(result) == [("crm-encoding-guessed", 2, "C"), ("crm-ambiguous-date", 4, "E")]
    assert "Windows-1252" in result.findings[0].message and "'Müller GmbH'" in result.findings[0].message
    assert "2026-04-03 (day first) or 2026-03-04 (month first)" in result.findings[1].message
    assert result.unmapped == ["Deal Stage", "Pipeline"]
    assert result.missing == NOT_IN_CRM


def test_column_evidence_beats_the_presets_us_default(tmp_path):
    path = write(tmp_path, "opps.csv", """
        Opportunity ID,Opportunity Name,Close Date,Created Date,Amount
        006A,Portal,25/03/2026,02/01/2026,"1,234"
        006B,Scanners,03/04/2026,02/01/2026,"2,500.75"
    """)
    result = read_crm_export(path)
    # 25/03/2026 shows this export writes days first; Created Date has no evidence of its own.
    assert [r["due_date"] for r in result.rows] == [D(2026, 3, 25), D(2026, 4, 3)]
    assert [r["requested_on"] for r in result.rows] == [D(2026, 1, 2), D(2026, 1, 2)]
    assert [r["expected_revenue"] for r in result.rows] == [1234, 2500.75]
    assert result.findings == []
    assert result.missing == ["Business reason"] + NOT_IN_CRM


def test_dynamics_xlsx_export_keeps_real_dates_and_numbers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "My Open Opportunities"
    ws.append(["(Do Not Modify) Opportunity", "(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On",
               "Topic", "Potential Customer", "Est. Revenue", "Est. Close Date", "Created On", "Owner",
               "Description", "Currency", "Status"])
    ws.append(["5f3c1a2e-0b1d-ef11-9f89-000d3a4b0001", "h1Qx==", dt.datetime(2026, 1, 20, 9, 30), "CRM rollout",
               "Contoso Ltd", 25000.5, dt.datetime(2026, 6, 30), dt.datetime(2026, 1, 10, 8, 15), "Avery Kim",
               "Replace spreadsheets", "Euro", "Open"])
    ws.append(["5f3c1a2e-0b1d-ef11-9f89-000d3a4b0002", "k9Zt==", dt.datetime(2026, 1, 21), "Warehouse scanners",
               "Fabrikam", 1234, 46112, "15/01/2026", "Avery Kim", "@SUM(1)", "US Dollar", "Open"])
    ws.append(["5f3c1a2e-0b1d-ef11-9f89-000d3a4b0003", "p0Lm==", dt.datetime(2026, 1, 22), "Support desk",
               "Northwind", "#N/A", None, dt.datetime(2026, 2, 1), "Rui Costa", None, "GBP", "Open"])
    wb.create_sheet("hiddenSheet").sheet_state = "hidden"  # Dynamics keeps its metadata there
    path = tmp_path / "My Open Opportunities 3-31-2026.xlsx"
    wb.save(path)

    result = read_crm_export(path)
    assert result.preset == "dynamics" and result.encoding is None
    assert result.row_numbers == [2, 3, 4]
    assert result.rows[0] == {
        "request_id": "CRM-dynamics-5f3c1a2e-0b1d-ef11-9f89-000d3a4b0001", "title": "CRM rollout",
        "customer_name": "Contoso Ltd", "business_reason": "Replace spreadsheets", "source": "CRM",
        "requested_on": D(2026, 1, 10), "due_date": D(2026, 6, 30), "expected_revenue": 25000.5,
        "currency": "EUR", "owner": "Avery Kim",
    }
    second, third = result.rows[1], result.rows[2]
    # A serial number in a date column is the date Excel means; a typed day-first date is read as such.
    assert (second["due_date"], second["requested_on"], second["expected_revenue"]) == \
        (D(2026, 3, 31), D(2026, 1, 15), 1234)
    assert (second["business_reason"], second["currency"]) == ("@SUM(1)", "USD")
    assert (third["expected_revenue"], third["due_date"], third["business_reason"]) == ("#N/A", None, None)
    assert flat(result) == [("crm-error-value", 4, "F")]
    assert result.findings[0].sheet == "My Open Opportunities"
    assert result.unmapped == ["(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On", "Status"]
    assert result.missing == NOT_IN_CRM


def test_an_ambiguous_date_column_is_kept_as_text_and_reported(tmp_path):
    # Excel's "Unicode Text": UTF-16 with BOM, tab-separated; Dynamics has no default date order.
    path = write(tmp_path, "opportunities.txt", """
        (Do Not Modify) Opportunity\tTopic\tPotential Customer\tEst. Revenue\tEst. Close Date\tCreated On
        guid-1\tRollout\tContoso\t1000\t03/04/2026\t2026-01-10
        guid-2\tScanners\tFabrikam\t2000\t05/05/2026\t2026-01-11
        guid-3\tSupport\tNorthwind\t3000\t11/12/2026\t2026-01-12 14:30:00
    """, encoding="utf-16")
    result = read_crm_export(path)
    assert (result.preset, result.encoding, result.delimiter) == ("dynamics", "utf-16", "\t")
    assert [r["due_date"] for r in result.rows] == ["03/04/2026", D(2026, 5, 5), "11/12/2026"]
    assert [r["requested_on"] for r in result.rows] == [D(2026, 1, 10), D(2026, 1, 11), D(2026, 1, 12)]
    assert flat(result) == [("crm-ambiguous-date", 2, "E"), ("crm-ambiguous-date", 4, "E")]
    assert result.findings[1].header == "Est. Close Date"
    assert result.missing == ["Business reason"] + NOT_IN_CRM


def test_an_amount_no_other_value_explains_is_not_guessed(tmp_path):
    path = write(tmp_path, "deals.csv", """
        Record ID,Deal Name,Amount,Close Date
        1,Seats,"1,234",2026-05-31
        2,Support,"2,000",2026-06-30 00:00
    """)
    result = read_crm_export(path)
    assert [r["expected_revenue"] for r in result.rows] == ["1,234", "2,000"]
    assert flat(result) == [("crm-ambiguous-number", 2, "C"), ("crm-ambiguous-number", 3, "C")]
    assert "could be 1234 or 1.234" in result.findings[0].message
    assert [r["due_date"] for r in result.rows] == [D(2026, 5, 31), D(2026, 6, 30)]


DANGEROUS = ['=HYPERLINK("http://evil.example","click")', "@SUM(1)", "+1 upsell", "-2 days", "-1200",
             "\tindented", "\rcarriage return", "=1+2"]


def test_formula_looking_text_comes_through_unchanged_and_is_written_as_text(tmp_path):
    lines = ["Opportunity ID,Opportunity Name,Description,Amount"]
    for i, text in enumerate(DANGEROUS):
        quoted = '"' + text.replace('"', '""') + '"'
        lines.append(f"00{i},{quoted},{quoted},-1200" if i % 2 else f"00{i},{quoted},{quoted},{quoted}")
    path = tmp_path / "dangerous.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    result = read_crm_export(path)
    assert [r["title"] for r in result.rows] == DANGEROUS
    assert [r["business_reason"] for r in result.rows] == DANGEROUS
    # In the amount column only a minus sign before digits makes a number; the rest stays text.
    amounts = [r["expected_revenue"] for r in result.rows]
    assert amounts == [DANGEROUS[0], -1200, DANGEROUS[2], -1200, -1200, -1200, DANGEROUS[6], -1200]
    assert {(f.code, f.row) for f in result.findings} == {
        ("crm-unparsed-number", 2), ("crm-unparsed-number", 4), ("crm-unparsed-number", 8)}
    # The package engine stores such strings as text, never as formulas.
    wb = openpyxl.Workbook()
    wb.active.title = "Out"
    wb.active["A1"] = "Title"
    wb.save(tmp_path / "out.xlsx")
    titles = {i: row["title"] for i, row in enumerate(result.rows, start=2)}
    apply_plan_file(tmp_path / "out.xlsx", EditPlan(columns=[ColumnWrite("Out", "Out", "Title", titles, clear_other_rows=False)]))
    back = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert [(c.value, c.data_type) for (c,) in back.iter_rows(min_row=2)] == [(t, "s") for t in DANGEROUS]


UNKNOWN = """
    Deal Ref,Client,Client No,Value (k),Expected close,Raised,Why,Internal notes,Cur
    D-17,Acme,C-1,"1,234.5",2026-09-30,2026-01-05,More seats,call back,
    D-18,Beta,C-2,800,2026-10-31,2026-01-06,New site,,USD
"""


def test_an_unknown_export_without_a_mapping_says_how_to_write_one(tmp_path):
    path = write(tmp_path, "pipeline.csv", UNKNOWN)
    with pytest.raises(WorkbookUnusable) as err:
        read_crm_export(path)
    message = str(err.value)
    assert "pipeline.csv" in message and "Deal Ref" in message
    for needed in ("salesforce", "hubspot", "dynamics", "'Opportunity ID'", "export column,intake column",
                   "--mapping"):
        assert needed in message


def test_an_unknown_export_with_a_mapping_file(tmp_path):
    export = write(tmp_path, "pipeline.csv", UNKNOWN)
    mapping = write(tmp_path, "map.csv", """
        export column,intake column,default
        Deal Ref,Request ID,
        Client,Customer name,
        Client No,customer_id,
        Value (k),Expected revenue,
        Expected close,due_date,
        Raised,Requested on,
        Why,Business reason,
        Cur,Currency,EUR
        ,Source,CRM
        ,Category,Customer value
    """)
    result = read_crm_export(export, mapping=mapping)
    assert result.preset is None
    assert result.rows == [
        {"request_id": "D-17", "customer_name": "Acme", "customer_id": "C-1", "business_reason": "More seats",
         "category": "Customer value", "source": "CRM", "requested_on": D(2026, 1, 5),
         "due_date": D(2026, 9, 30), "expected_revenue": 1234.5, "currency": "EUR"},
        {"request_id": "D-18", "customer_name": "Beta", "customer_id": "C-2", "business_reason": "New site",
         "category": "Customer value", "source": "CRM", "requested_on": D(2026, 1, 6),
         "due_date": D(2026, 10, 31), "expected_revenue": 800, "currency": "USD"},
    ]
    assert result.findings == []
    assert result.unmapped == ["Internal notes"]
    assert result.missing == ["Title", "Cost estimate", "Function", "Sponsor"]


def test_a_preset_can_be_named_and_then_reports_what_it_lacks(tmp_path):
    path = write(tmp_path, "deals.csv", """
        Deal Name,Amount,Deal Stage,Notes
        Seats,500,Won,x
    """)
    with pytest.raises(WorkbookUnusable):
        read_crm_export(path)  # no Record ID: not recognised as HubSpot
    result = read_crm_export(path, preset="HubSpot")
    assert result.preset == "hubspot"
    assert result.rows == [{"title": "Seats", "source": "CRM", "expected_revenue": 500}]
    assert result.unmapped == ["Deal Stage", "Notes"]
    assert result.missing == ["Request ID", "Business reason", "Category", "Requested on", "Due date",
                              "Cost estimate", "Function", "Sponsor"]
    with pytest.raises(WorkbookUnusable, match="no preset 'pipedrive'.*salesforce, hubspot, dynamics"):
        read_crm_export(path, preset="pipedrive")
    with pytest.raises(WorkbookUnusable, match="either a preset or a mapping"):
        read_crm_export(path, preset="hubspot", mapping=path)


def test_the_best_matching_preset_wins(tmp_path):
    # Both Salesforce and Dynamics have 'Description'; only Salesforce knows the rest.
    path = write(tmp_path, "mixed.csv", """
        Opportunity ID,Opportunity Name,Topic,(Do Not Modify) Opportunity,Stage,Amount,Close Date
        006A,Portal,Portal topic,guid-1,Prospecting,100,2026-01-31
    """)
    assert read_crm_export(path).preset == "salesforce"


def test_excel_sep_line_and_blank_lines_keep_row_numbers(tmp_path):
    path = write(tmp_path, "opps.csv", """
        sep=;
        Opportunity ID;Opportunity Name;Amount

        006A;Portal;1.234.567
        ;;
        006B;Scanners;99,90
    """)
    result = read_crm_export(path)
    assert result.row_numbers == [3, 5]
    assert [r["expected_revenue"] for r in result.rows] == [1234567, 99.9]


@pytest.mark.parametrize("name, data, says", [
    ("empty.csv", b"", "empty"),
    ("blank.csv", b"\r\n \r\n\r\n", "empty"),
    ("export.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary"),
    ("random.csv", bytes(range(1, 32)) * 20, "binary"),
    ("export.pdf", b"%PDF-1.7 Opportunity ID,Opportunity Name", "not a CSV or Excel export"),
    ("report.xls", b"<html><body><table><tr><td>Opportunity ID</td></tr></table></body></html>", "HTML"),
    ("legacy.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "97-2003"),
    ("broken.xlsx", b"PK\x03\x04 this zip ends early", "damaged"),
    ("numbers.csv", b"1,2,3\n4,5,6\n", "column headers"),
    ("mojibake.csv", b"Opportunity ID,Opportunity Name\n\x81\x8d,\x90\x9d\n", "neither UTF-8 nor Windows-1252"),
])
def test_unusable_files_abort_with_a_clear_message(tmp_path, name, data, says):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(WorkbookUnusable, match=says) as err:
        read_crm_export(path)
    assert err.value.path == str(path)


def test_missing_files_and_folders_abort_with_a_clear_message(tmp_path):
    with pytest.raises(WorkbookUnusable, match="not there"):
        read_crm_export(tmp_path / "nope.csv")
    with pytest.raises(WorkbookUnusable, match="folder"):
        read_crm_export(tmp_path)


def test_an_xlsx_without_a_header_row_is_unusable(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append([1, 2, 3])
    wb.save(tmp_path / "numbers.xlsx")
    with pytest.raises(WorkbookUnusable, match="column headers"):
        read_crm_export(tmp_path / "numbers.xlsx")
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "blank.xlsx")
    with pytest.raises(WorkbookUnusable, match="no header row"):
        read_crm_export(tmp_path / "blank.xlsx")


def test_finding_codes_are_registered_warnings():
    assert crm.CRM_CODES == ("crm-unparsed-number", "crm-ambiguous-number", "crm-unparsed-date",
                             "crm-ambiguous-date", "crm-error-value", "crm-text-cut", "crm-encoding-guessed",
                             "crm-id-cleaned", "crm-id-clash")
    # Only a clash of IDs is an error (its rows are not imported); the rest are warnings.
    assert [c for c in crm.CRM_CODES if CODES[c].severity is Severity.ERROR] == ["crm-id-clash"]


def test_public_api():
    assert sorted(crm.__all__) == ["CRM_CODES", "CrmImport", "Mapping", "PRESETS", "Preset", "match_preset",
                                   "read_crm_export", "read_mapping"]
    assert list(crm.PRESETS) == ["salesforce", "hubspot", "dynamics"]


def test_blank_and_repeated_headers(tmp_path):
    # Trailing delimiters add empty columns (ignored); a column with data but no header is reported.
    path = write(tmp_path, "opps.csv", """
        Opportunity ID,Opportunity Name,Amount,,Amount,,
        006A,Portal,100,note,200,,
    """)
    result = read_crm_export(path)
    assert result.rows == [{"request_id": "CRM-salesforce-006A", "title": "Portal", "source": "CRM",
                            "expected_revenue": 100}]
    assert result.unmapped == ["(no header, column D)", "Amount"]
