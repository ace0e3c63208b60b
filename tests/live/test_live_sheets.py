"""Generated sheets and table growth through the live adapter: the actions xlwings queues."""
import datetime as dt

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill
from openpyxl.worksheet.table import Table as ExcelTable

from tests.live.payload import Formula as F
from tests.live.payload import Model, book_payload, differences, file_state, model_state
from tests.live.remote import open_remote
from xlportfolio.core.plan import (
    Block,
    CellIs,
    ChartSpec,
    ColorScale,
    EditPlan,
    Formula,
    GeneratedSheet,
    Link,
    RowWrite,
    Span,
)
from xlportfolio.files.workbook import apply_plan_file
from xlportfolio.live import LiveWorkbook

POINTS_PER_CM = 72 / 2.54

DASHBOARD = GeneratedSheet(
    "Dashboard",
    ("Month", "Plan", "Actual", "Source"),
    (
        ("Jan 2026", 1000, Formula("=SUM(Items!M2:M3)", 900), Link("A2", "Intake", "A2")),
        ("Feb 2026", 1200, Formula("=SUM(Items!M4:M5)", 1250.5), "=not a formula"),
        ("Mar 2026", 1100, 1300, None),
    ),
    widths=(12, 14, 14, 30),
    formats=(None, "#,##0", "#,##0", None),
    blocks=(Block(2, 7, "KPIs", ("KPI", "Value"), (("Requests", Formula("=COUNTA(Intake!A:A)-1", 100)),
                                                   ("Status", "Red")), (None, "#,##0")),),
    conditional=(ColorScale("B2:C4"), CellIs("H4:H5", "Red", "FFC7CE")),
    charts=(ChartSpec("line", "Plan and actual", Span(1, 1, 4), (Span(2, 1, 4), Span(3, 1, 4)), "J2",
                      x_title="Month", y_title="EUR"),
            ChartSpec("scatter", "Actual against plan", Span(2, 1, 4), (Span(3, 1, 4),), "J20",
                      number_format="0.0", x_number_format="#,##0")),
)


def apply_live(payload: dict, plan: EditPlan) -> tuple[list[dict], object]:
    book = open_remote(payload)
    LiveWorkbook(book).apply(plan)
    return book.json()["actions"], book


def by_func(actions, func):
    return [a for a in actions if a["func"] == func]


def test_generated_sheet_actions(portfolio):
    actions, _ = apply_live(book_payload(portfolio), EditPlan(sheets=[DASHBOARD]))
    funcs = [a["func"] for a in actions]
    assert funcs[0] == "addSheet" and actions[0]["args"] == [17, "Dashboard"]  # at the end of the tabs
    assert funcs[-1] == "activateSheet"  # the person stays on the sheet they were on
    grid = by_func(actions, "setValues")[0]
    assert (grid["start_row"], grid["start_column"]) == (0, 0)
    assert grid["values"] == [
        ["Month", "Plan", "Actual", "Source"],
        ["'Jan 2026", 1000, "=SUM(Items!M2:M3)", "A2"],  # a Formula is written as a formula
        ["'Feb 2026", 1200, "=SUM(Items!M4:M5)", "'=not a formula"],  # text Excel would parse stays text
        ["'Mar 2026", 1100, 1300, ""],
    ]
    link = by_func(actions, "addHyperlink")[0]
    assert (link["start_row"], link["start_column"]) == (1, 3)
    assert link["args"][:2] == ["#'Intake'!A2", "A2"]
    title, block = by_func(actions, "setValues")[1:3]
    assert (title["start_row"], title["start_column"], title["values"]) == (1, 6, [["KPIs"]])
    assert (block["start_row"], block["start_column"]) == (2, 6)
    assert block["values"] == [["KPI", "Value"], ["Requests", "=COUNTA(Intake!A:A)-1"], ["Status", "Red"]]
    money = [(a["start_row"], a["start_column"], a["row_count"], a["args"]) for a in by_func(actions, "setNumberFormat")]
    assert money == [(1, 1, 3, ["#,##0"]), (1, 2, 3, ["#,##0"]), (3, 7, 1, ["#,##0"])]  # numbers only
    scale, equal = (a["args"][0] for a in by_func(actions, "addConditionalFormat"))
    assert scale["type"] == "ColorScale" and [c.upper() for c in scale["colors"]] == ["#FFFFFF", "#F8696B"]
    assert (equal["type"], equal["operator"], equal["formula1"], equal["fill_color"].upper()) == (
        "CellValue", "EqualTo", '"Red"', "#FFC7CE")
    line, scatter = by_func(actions, "addChart")
    name, kind, sheet, source, _left, _top, width, height, plot_by, anchor, _style = line["args"]
    assert (kind, sheet, source, plot_by, anchor) == ("Line", "Dashboard", "$B$1:$C$4", "Columns", "$J$2")
    assert (width, height) == pytest.approx((18 * POINTS_PER_CM, 9 * POINTS_PER_CM))
    assert scatter["args"][1:4] == ["XYScatterLines", "Dashboard", "$C$1:$C$4"]
    x_values = by_func(actions, "setChartXAxisValues")
    assert [a["args"] for a in x_values] == [[0, "Dashboard", "$A$2:$A$4"], [1, "Dashboard", "$B$2:$B$4"]]
    assert [a["args"][1] for a in by_func(actions, "setChartTitle")] == ["Plan and actual", "Actual against plan"]
    assert [a["args"][1:] for a in by_func(actions, "setChartLegend")] == [["visible", False]]  # one series


def test_generated_sheet_in_the_model(portfolio):
    actions, _ = apply_live(book_payload(portfolio), EditPlan(sheets=[DASHBOARD]))
    model = Model(portfolio).replay(actions)
    assert model.unknown == []
    sheet = model["Dashboard"]
    assert sheet.value("C2") == F("=SUM(Items!M2:M3)") and sheet.value("D3") == "=not a formula"
    assert sheet.value("A2") == "Jan 2026"  # not a date
    assert sheet.value("H4") == F("=COUNTA(Intake!A:A)-1") and sheet.value("G2") == "KPIs"
    assert sheet.link("D2") == "#'Intake'!A2" and sheet.fill("A1") == "1F4E78"
    # Characters as points on a server; the KPI block's columns (G, H) widened to their header and values.
    assert sheet.widths == {1: 66.75, 2: 77.25, 3: 77.25, 4: 161.25, 5: 51, 6: 51, 7: 56.25, 8: 40.5}
    assert [c["title"] for c in sheet.charts] == ["Plan and actual", "Actual against plan"]
    assert sheet.charts[0]["axes"] == {"value": {"number_format": "#,##0", "title": "EUR"},
                                       "category": {"title": "Month"}}
    assert sheet.charts[1]["axes"]["category"] == {"number_format": "#,##0"}
    assert model.sheet_names[-1] == "Dashboard" and model.active == 0


def test_regenerating_a_sheet_clears_it_in_place(portfolio):
    model = Model(portfolio)
    first, _ = apply_live(book_payload(portfolio), EditPlan(sheets=[DASHBOARD]))
    model.replay(first)
    model.active = 3  # the person works on the Financials sheet meanwhile
    smaller = GeneratedSheet("Dashboard", ("Month",), (("Apr 2026",),), hidden=True)
    second, _ = apply_live(model.payload(), EditPlan(sheets=[smaller]))
    model.replay(second)
    funcs = [a["func"] for a in second]
    assert funcs[:4] == ["sheetClear", "clearConditionalFormats", "deleteChart", "deleteChart"]
    assert "addSheet" not in funcs and "activateSheet" not in funcs
    sheet = model["Dashboard"]
    assert sheet.cells == {(1, 1): "Month", (2, 1): "Apr 2026"} and sheet.charts == [] and not sheet.visible
    assert sheet.conditional == [] and model.active == 3


def items_workbook(path, extra_fill=None):
    """A small book whose Items table lacks the Level column; its last row has a number format."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Items"
    ws.append(["Item ID", "Name", "Estimated value", "End date"])
    ws.append(["PR-001", "First", 1000, dt.datetime(2026, 9, 30)])
    ws.append(["PR-002", "Second", 2000, dt.datetime(2026, 10, 31)])
    for cell in ws[3]:
        cell.number_format = "#,##0"
    if extra_fill:
        ws["B3"].fill = PatternFill("solid", fgColor=extra_fill)
    ws.add_table(ExcelTable(displayName="Items", ref="A1:D3"))
    wb.save(path)
    return path


GROW = RowWrite("Items", "Items", {
    4: {"item_id": "PR-003", "name": "Third", "level": "Project", "estimated_value": 5,
        "end_date": dt.date(2026, 12, 31)},
    5: {"item_id": "PR-004", "name": "=Fourth", "level": "Measure"},
})


def test_rows_past_the_end_extend_the_table(tmp_path):
    path = items_workbook(tmp_path / "items.xlsx")
    actions, _ = apply_live(book_payload(path), EditPlan(rows=[GROW]))
    model = Model(path).replay(actions)
    assert model.unknown == []
    fill = by_func(actions, "rangeAutofill")[0]
    assert (fill["start_row"], fill["row_count"], fill["column_count"]) == (2, 1, 4)  # from the last row down
    assert fill["args"] == ["$A$3:$D$5", "FillFormats"]
    assert [a["args"][1] for a in by_func(actions, "resizeTable")] == ["$A$1:$D$5", "$A$1:$E$5"]
    assert model.tables["Items"] == ["Items", "A1:E5"]
    sheet = model["Items"]
    assert [sheet.value(f"{c}4") for c in "ABCDE"] == ["PR-003", "Third", 5, dt.datetime(2026, 12, 31), "Project"]
    assert [sheet.value(f"{c}5") for c in "ABCDE"] == ["PR-004", "=Fourth", None, None, "Measure"]
    assert sheet.value("E1") == "Level" and sheet.formats[(5, 3)] == "#,##0"

    # The file adapter makes the same cells and the same table of the same plan.
    apply_plan_file(path, EditPlan(rows=[GROW]))
    assert differences(file_state(path, "Items"), model_state(model, "Items"), skip=("fills",)) == []
    assert load_workbook(path)["Items"].tables["Items"].ref == "A1:E5"


def test_a_mark_on_the_model_row_is_not_copied_down(tmp_path):
    """Formats fill down from the last row; a tool's mark there gives way to the fill it replaced."""
    path = items_workbook(tmp_path / "items.xlsx", extra_fill="FFC7CE")
    wb = load_workbook(path)
    marks = wb.create_sheet("xlp_marks")
    marks.append(["Command", "Sheet", "Cell", "Prior fill", "Prior note", "Prior note author"])
    marks.append(["gates", "Items", "B3", "FFFF00", "", ""])
    wb.save(path)
    actions, _ = apply_live(book_payload(path), EditPlan(rows=[GROW]))
    colours = [(a["start_row"], a["start_column"], a["row_count"], a["args"]) for a in by_func(actions, "setRangeColor")]
    assert colours == [(3, 1, 2, ["#FFFF00"])]


def test_series_apart_are_drawn_from_the_block_that_spans_them(portfolio):
    """xlwings sets a chart's data as one range: columns C and E bring D along (documented)."""
    sheet = GeneratedSheet("Chart data", ("Stage", "Items", "Value", "Weight", "Weighted"),
                           (("DI1", 3, 100, 0.1, 10), ("DI2", 2, 200, 0.3, 60)),
                           charts=(ChartSpec("column", "Value by stage", Span(1, 1, 3),
                                             (Span(3, 1, 3), Span(5, 1, 3)), "H2"),))
    actions, _ = apply_live(book_payload(portfolio), EditPlan(sheets=[sheet]))
    assert by_func(actions, "addChart")[0]["args"][3] == "$C$1:$E$3"
    assert by_func(actions, "setChartXAxisValues")[0]["args"][2] == "$A$2:$A$3"


def test_the_dashboard_through_the_live_adapter(portfolio):
    """The core's real dashboard (formulas, blocks, charts, conditional formats) applies cleanly."""
    from xlportfolio.core.rollup.dashboard.layout import dashboard_sheet
    from xlportfolio.schema import TABLES_BY_NAME

    book = open_remote(book_payload(portfolio))
    workbook = LiveWorkbook(book)
    sheet = dashboard_sheet(workbook.read(list(TABLES_BY_NAME.values())), dt.date(2026, 6, 30))
    workbook.apply(EditPlan(sheets=[sheet]))
    model = Model(portfolio).replay(book.json()["actions"])
    assert model.unknown == []
    dashboard = model["Dashboard"]
    assert len(dashboard.charts) == len(sheet.charts) and dashboard.conditional
    formulas = [v for v in dashboard.cells.values() if isinstance(v, F)]
    assert formulas and all(f.text.startswith("=") for f in formulas)
