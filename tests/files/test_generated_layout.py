"""Generated sheets with formulas, placed blocks and conditional formats, written and read back."""
from openpyxl import Workbook, load_workbook

from xlportfolio.core.plan import Block, CellIs, ColorScale, EditPlan, Formula, GeneratedSheet
from xlportfolio.files.workbook import apply_plan_file, open_book


def test_formulas_blocks_and_conditional_formats_round_trip(tmp_path):
    wb = Workbook()
    wb.active.title = "Data"
    for row in ([1], [2], [3]):
        wb.active.append(row)
    sheet = GeneratedSheet(
        "Dashboard", (), (), freeze=None,
        blocks=(Block(1, 1, "Totals", ("What", "Amount"),
                      (("Sum", Formula("=SUM(Data!A1:A3)", 6)), ("Text", "=not a formula")), ("", "#,##0")),
                Block(6, 4, "", ("Impl", "Green", "Red"), (("Green", 3, 1), ("Red", 0, 2)))),
        conditional=(ColorScale("E7:F8"), CellIs("D7:D8", "Red", "FFC7CE")),
    )
    path = tmp_path / "out.xlsx"
    wb.save(path)
    apply_plan_file(path, EditPlan(sheets=[sheet]))

    ws = load_workbook(path)["Dashboard"]
    assert ws["A1"].value == "Totals" and ws["A1"].font.b
    assert (ws["A2"].value, ws["B2"].value) == ("What", "Amount")
    assert ws["B3"].value == "=SUM(Data!A1:A3)" and ws["B3"].data_type == "f"
    assert ws["B3"].number_format == "#,##0"
    assert ws["B4"].value == "=not a formula" and ws["B4"].data_type == "s"
    assert ws["D6"].value == "Impl" and ws["F8"].value == 2  # an untitled block starts with its header
    assert ws.freeze_panes is None
    rules = {str(r.sqref): [x.type for x in r.rules] for r in ws.conditional_formatting}
    assert rules == {"E7:F8": ["colorScale"], "D7:D8": ["cellIs"]}
    assert load_workbook(path).calculation.fullCalcOnLoad


def test_a_property_is_kept_in_a_hidden_name_as_excel_writes_it(tmp_path):
    path = tmp_path / "book.xlsx"
    Workbook().save(path)
    with open_book(path) as wb:
        wb.set_property("xlportfolio.ledger_head", 'Seq 3:ab "c"')
        wb.save()

    name = load_workbook(path).defined_names["xlp_ledger_head"]
    assert name.attr_text == '"Seq 3:ab ""c"""' and name.hidden  # no leading "=" in the file, as Excel stores it
    with open_book(path) as wb:
        assert wb.get_property("xlportfolio.ledger_head") == 'Seq 3:ab "c"'


def test_a_row_whose_wrapped_text_needs_more_lines_states_their_height(tmp_path):
    """Nothing draws a file before it is printed: a row whose last-column text wraps onto three lines
    says so (LibreOffice would otherwise print it one line high, over the rows below)."""
    path = tmp_path / "out.xlsx"
    Workbook().save(path)
    long_text = "The budget left is 12,000 short of its cost; it needs 12,000 more budget to come in. " * 2
    sheet = GeneratedSheet("Scenario", ("Item ID", "Why"), (("A-1", "Chosen."), ("A-2", long_text)), (10, 60))
    apply_plan_file(path, EditPlan(sheets=[sheet]))

    ws = load_workbook(path)["Scenario"]
    assert ws["B3"].alignment.wrap_text
    assert ws.row_dimensions[2].height is None  # one line: the row keeps its own height
    assert ws.row_dimensions[3].height == 45  # 172 characters at 69 a line: three lines of 15 points
