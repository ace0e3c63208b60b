"""validate on real .xlsx files: marks written, user content kept, reruns change nothing."""
import shutil
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from tests.support import AS_OF, parts
from xlportfolio.commands.files import on_file
from xlportfolio.commands.validate import Options as ValidateOptions
from xlportfolio.core.plan import ERROR_FILL, MARKS_SHEET
from xlportfolio.errors import ContentWouldBeLost, TemplateError, XlPortfolioError


def intake_sheet(path):
    wb = load_workbook(path)
    return wb, wb["Intake"]


def column_of(ws, header):
    for cell in ws[1]:
        if cell.value == header:
            return cell.column_letter
    raise AssertionError(f"no column {header}")


def test_marks_status_column_and_findings_sheet(demo_book):
    result = on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    assert result.figures.rows == 100 and result.report.errors > 0
    wb, ws = intake_sheet(demo_book)
    status = column_of(ws, "Validation")
    assert ws[f"{status}2"].value == "OK"
    assert ws[f"{status}5"].value == "1 error"  # REQ-0004 has no sponsor
    sponsor = ws[f"{column_of(ws, 'Sponsor')}5"]
    assert sponsor.fill.fgColor.rgb.endswith(ERROR_FILL)
    assert "Sponsor is required" in sponsor.comment.text
    findings = wb["Findings"]
    rows = list(findings.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(result.report.findings)
    link = findings["E2"].hyperlink
    assert link.location == f"'Intake'!{findings['E2'].value}"
    assert wb[MARKS_SHEET].sheet_state == "hidden"


def test_second_run_changes_nothing(demo_book, tmp_path):
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF), output=first)
    on_file("validate", first, ValidateOptions(as_of=AS_OF), output=second)
    assert parts(first) == parts(second)


def test_fixing_a_cell_removes_its_mark_and_restores_what_was_there(demo_book):
    wb, ws = intake_sheet(demo_book)
    cell = ws[f"{column_of(ws, 'Sponsor')}5"]
    cell.comment = Comment("Ask Anna who sponsors this", "Controller")
    cell.fill = PatternFill("solid", fgColor="FF00B0F0")
    wb.save(demo_book)
    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    wb, ws = intake_sheet(demo_book)
    ws[cell.coordinate] = "Anna Berger"
    wb.save(demo_book)
    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    wb, ws = intake_sheet(demo_book)
    fixed = ws[cell.coordinate]
    assert fixed.fill.fgColor.rgb == "FF00B0F0"
    assert fixed.comment.text == "Ask Anna who sponsors this" and fixed.comment.author == "Controller"
    assert ws[f"{column_of(ws, 'Validation')}5"].value == "OK"


def test_user_content_is_kept(demo_book):
    wb, ws = intake_sheet(demo_book)
    table = ws.tables["Intake"]
    # an extra user column inside the table, to the right of the schema's columns
    last = ws.max_column + 1
    ws.cell(1, last, "My notes")
    ws.cell(2, last, "call back Monday")
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import TableColumn

    table.ref = f"A1:{get_column_letter(last)}{ws.max_row}"
    table.tableColumns.append(TableColumn(id=len(table.tableColumns) + 1, name="My notes"))
    table.autoFilter.ref = table.ref
    mine = wb.create_sheet("My analysis")
    mine["A1"], mine["A2"], mine["A3"] = 10, 20, "=SUM(A1:A2)"
    mine["A1"].font = Font(bold=True, color="FF0000")
    mine.conditional_formatting.add("A1:A2", CellIsRule(operator="greaterThan", formula=["15"], fill=PatternFill("solid", fgColor="FFFF00")))
    dv = DataValidation(type="whole", operator="between", formula1="0", formula2="100")
    dv.add("B1:B10")
    mine.add_data_validation(dv)
    wb.defined_names["my_total"] = DefinedName("my_total", attr_text="'My analysis'!$A$3")
    wb.save(demo_book)
    headers_before = [c.value for c in ws[1]]

    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    wb, ws = intake_sheet(demo_book)
    headers = [c.value for c in ws[1]]
    assert headers == headers_before and headers[-1] == "My notes"  # nothing dropped or reordered
    assert "My notes" in ws.tables["Intake"].column_names
    assert ws.cell(2, headers.index("My notes") + 1).value == "call back Monday"
    mine = wb["My analysis"]
    assert mine["A3"].value == "=SUM(A1:A2)" and mine["A1"].font.b and mine["A1"].font.color.rgb == "00FF0000"
    assert len(mine.conditional_formatting) == 1 and len(mine.data_validations.dataValidation) == 1
    assert "my_total" in wb.defined_names


def test_status_column_is_added_when_the_table_lacks_it(demo_book):
    wb, ws = intake_sheet(demo_book)
    table = ws.tables["Intake"]
    from openpyxl.utils import column_index_from_string, get_column_letter

    status = column_index_from_string(column_of(ws, "Validation"))
    ws.delete_cols(status, ws.max_column - status + 1)  # Validation and every computed column after it
    table.ref = f"A1:{get_column_letter(status - 1)}{ws.max_row}"
    table.autoFilter.ref = table.ref
    del table.tableColumns[status - 1:]
    wb.save(demo_book)
    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    wb, ws = intake_sheet(demo_book)
    assert ws.tables["Intake"].tableColumns[-1].name == "Validation"
    assert ws[f"{column_of(ws, 'Validation')}2"].value == "OK"


def test_text_that_looks_like_a_formula_stays_text(demo_book):
    wb, ws = intake_sheet(demo_book)
    cost = ws[f"{column_of(ws, 'Cost estimate')}2"]
    cost.value = "=HYPERLINK(\"http://evil\")"
    cost.data_type = "s"
    wb.save(demo_book)
    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    wb = load_workbook(demo_book)
    value_cells = [r[6] for r in wb["Findings"].iter_rows(min_row=2) if r[6].value and str(r[6].value).startswith("=")]
    assert value_cells and all(c.data_type == "s" for c in value_cells)


def test_formulas_without_saved_results_are_reported(demo_book):
    wb, ws = intake_sheet(demo_book)
    ws[f"{column_of(ws, 'Cost estimate')}2"] = "=1000*12"
    wb.save(demo_book)
    report = on_file("validate", demo_book, ValidateOptions(as_of=AS_OF)).report
    assert [f.code for f in report.findings if f.row == 2] == ["uncalculated-formula"]


def test_error_leaves_the_original_byte_identical(demo_book, monkeypatch):
    before = demo_book.read_bytes()
    from xlportfolio.package.archive import PackageWriter

    def broken_write(self, name, data, size_hint=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(PackageWriter, "write", broken_write)
    with pytest.raises(XlPortfolioError, match="No space left on device"):
        on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    assert demo_book.read_bytes() == before
    assert [p.name for p in demo_book.parent.iterdir()] == [demo_book.name]


def test_a_users_chart_is_kept_in_place_byte_for_byte(demo_book, tmp_path):
    wb, ws = intake_sheet(demo_book)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=12, min_row=1, max_row=10), titles_from_data=True)
    wb.create_sheet("Chart").add_chart(chart, "B2")
    wb.save(demo_book)
    before = parts(demo_book)
    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    after = parts(demo_book)
    charts = [n for n in before if n.startswith(("xl/charts/", "xl/drawings/"))]
    assert charts and all(after[n] == before[n] for n in charts)
    assert load_workbook(demo_book)["Chart"]._charts  # still there, for Excel as for openpyxl


def test_no_intake_table(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "plain.xlsx"
    wb = Workbook()
    wb.active["A1"] = "hello"
    wb.save(path)
    with pytest.raises(TemplateError, match="no Intake table"):
        on_file("validate", path, ValidateOptions())


@pytest.mark.parametrize("problem, message", [
    ("blank", "a header cell is blank"),
    ("duplicate", "appears twice"),
    ("merged", "merged"),
])
def test_broken_headers_name_the_cell(tmp_path, problem, message):
    from openpyxl import Workbook

    path = tmp_path / "headers.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Intake"
    ws.append(["Request ID", "Title", "Sponsor", "Due date"])
    ws.append(["REQ-1", "Portal", "Anna", None])
    if problem == "blank":
        ws["C1"] = None
    elif problem == "duplicate":
        ws["D1"] = "title"
    else:
        ws.merge_cells("B1:C1")
    wb.save(path)
    with pytest.raises(TemplateError, match=message) as err:
        on_file("validate", path, ValidateOptions())
    assert "sheet 'Intake'" in str(err.value) and str(path) in str(err.value)


def test_plain_range_without_a_table_is_read_from_row_one(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "range.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Intake"
    ws.append(["Request ID", "Title", "Sponsor"])
    ws.append(["REQ-1", "Portal", None])
    ws["XFD1048576"] = "far away"  # a cell at the sheet's last address costs nothing
    wb.save(path)
    report = on_file("validate", path, ValidateOptions(as_of=AS_OF)).report
    sponsor = [f for f in report.findings if f.code == "missing-value" and f.header == "Sponsor"]
    assert sponsor and sponsor[0].cell == "C2"
    assert load_workbook(path)["Intake"]["D1"].value == "Validation"


def test_copy_of_input_untouched_with_output(demo_book, tmp_path):
    before = demo_book.read_bytes()
    out = tmp_path / "out.xlsx"
    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF), output=out)
    assert demo_book.read_bytes() == before
    shutil.copy(out, tmp_path / "again.xlsx")
    assert load_workbook(out)["Findings"].max_row > 1


def test_macros_in_xlsm_are_kept(tmp_path):
    from openpyxl.worksheet.table import Table

    from tests.support import SHARED

    source = SHARED / "corpus" / "calamine" / "tests__vba.xlsm"
    if not source.exists():
        pytest.skip("corpus not present")
    wb = load_workbook(source, keep_vba=True)
    ws = wb.create_sheet("Intake")
    ws.append(["Request ID", "Title", "Sponsor"])
    ws.append(["REQ-1", "Portal", None])
    ws.add_table(Table(displayName="Intake", ref="A1:C2"))
    book = tmp_path / "with-macros.xlsm"
    wb.save(book)
    vba_before = zipfile.ZipFile(book).read("xl/vbaProject.bin")

    with pytest.raises(ContentWouldBeLost, match=".xlsm"):
        on_file("validate", book, ValidateOptions(), output=tmp_path / "plain.xlsx")
    on_file("validate", book, ValidateOptions(as_of=AS_OF))
    with zipfile.ZipFile(book) as zf:
        assert zf.read("xl/vbaProject.bin") == vba_before
        assert b"macroEnabled" in zf.read("[Content_Types].xml")
    assert load_workbook(book)["Intake"]["D2"].value == "1 error"


def test_rich_text_keeps_its_formatting(demo_book):
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    wb, ws = intake_sheet(demo_book)
    title = ws[f"{column_of(ws, 'Title')}2"]
    title.value = CellRichText("Portal for ", TextBlock(InlineFont(b=True), "Acme"))
    wb.save(demo_book)
    report = on_file("validate", demo_book, ValidateOptions(as_of=AS_OF)).report
    assert not [f for f in report.findings if f.row == 2 and f.header == "Title"]
    kept = load_workbook(demo_book, rich_text=True)["Intake"][title.coordinate].value
    assert isinstance(kept, CellRichText) and str(kept) == "Portal for Acme"
    assert any(isinstance(part, TextBlock) and part.font.b for part in kept)


def test_a_table_claiming_a_million_rows_reads_only_what_is_there(demo_book):
    wb, ws = intake_sheet(demo_book)
    table = ws.tables["Intake"]
    last_col = table.ref.split(":")[1].rstrip("0123456789")
    table.ref = f"A1:{last_col}1048576"
    table.autoFilter.ref = table.ref
    wb.save(demo_book)
    result = on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    assert result.figures.rows == 100
    _, ws = intake_sheet(demo_book)
    assert ws.max_row < 1000  # no cells were created down to the claimed end


def test_each_command_replaces_only_its_own_marks_and_findings(demo_book):
    from xlportfolio.core.findings import Finding, Report, Severity
    from xlportfolio.core.findings_sheet import findings_sheet
    from xlportfolio.core.plan import CellMark, EditPlan
    from xlportfolio.files.workbook import apply_plan_file

    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    other = Report.of([Finding("gate-refused", Severity.ERROR, "Missing for DI2: owner", "Items", 3, "E")])
    apply_plan_file(demo_book, EditPlan(marks=[CellMark("Items", 3, "E", ERROR_FILL, "Missing for DI2: owner")],
                                        sheets=[findings_sheet(other, "gates", "every move passed")], scope="gates"))

    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    wb = load_workbook(demo_book)
    assert wb["Items"]["E3"].comment.text == "Missing for DI2: owner"  # the other command's mark stays
    commands = [r[0] for r in wb["Findings"].iter_rows(min_row=2, values_only=True)]
    assert commands.count("gates") == 1 and commands.count("validate") > 1
    gate_row = next(r for r in wb["Findings"].iter_rows(min_row=2) if r[0].value == "gates")
    assert gate_row[4].hyperlink.location == "'Items'!E3"
    registered = {r[0] for r in wb[MARKS_SHEET].iter_rows(min_row=2, values_only=True)}
    assert registered == {"validate", "gates"}


def test_data_writes_between_runs_keep_the_register(demo_book, tmp_path):
    """consolidate writes rows, then validates: the earlier marks must still be undone."""
    from xlportfolio.commands.consolidate import Options as ConsolidateOptions

    on_file("validate", demo_book, ValidateOptions(as_of=AS_OF))
    wb, ws = intake_sheet(demo_book)
    sponsor = ws[f"{column_of(ws, 'Sponsor')}5"]
    assert sponsor.fill.fgColor.rgb.endswith(ERROR_FILL)
    sponsor.value = "Anna Berger"
    wb.save(demo_book)
    (tmp_path / "empty").mkdir()
    on_file("consolidate", demo_book, ConsolidateOptions(folder=tmp_path / "empty", as_of=AS_OF))
    _, ws = intake_sheet(demo_book)
    assert not ws[sponsor.coordinate].fill.fgColor.rgb.endswith(ERROR_FILL)
    assert ws[sponsor.coordinate].comment is None
