"""Generated sheets as the plan walk lays them out (xlportfolio.surface.generated): looks, links,
number formats, blocks and charts, tab placement and page setup, seen on the in-memory surface."""
from xlportfolio.core.plan import (
    FOOTER,
    Block,
    CellIs,
    ChartSpec,
    ColorScale,
    EditPlan,
    Formula,
    GeneratedSheet,
    Link,
    PrintSetup,
    Span,
)
from xlportfolio.surface.generated import HEADER, TITLE
from xlportfolio.surface.memory import MemorySurface
from xlportfolio.surface.walk import apply_plan


def book() -> MemorySurface:
    surface = MemorySurface()
    surface.add_sheet("Instructions", [["Read me"]])
    surface.add_sheet("Items", [["Item ID"], ["P-1"]])
    return surface


def sheet(name, **kw):
    return GeneratedSheet(name, ("ID",), ((1,),), **kw)


def test_each_visible_generated_sheet_gets_landscape_one_page_wide_with_the_rows_above_its_pane():
    surface = book()
    apply_plan(surface, EditPlan(sheets=[sheet("Findings"), sheet("Rollup", freeze="E3"),
                                         sheet("Breakdown", freeze=None),
                                         sheet("Dashboard", freeze=None, print_titles=(1, 1), page_breaks=(30,)),
                                         sheet("Secret", hidden=True)]))
    assert surface["Findings"].print == PrintSetup((1, 1), area="A1:A2")
    assert surface["Rollup"].print.title_rows == (1, 2)  # the title line and the header above E3
    assert surface["Breakdown"].print == PrintSetup(None, area="A1:A2")
    assert surface["Dashboard"].print == PrintSetup((1, 1), breaks=(30,), area="A1:A2")
    assert surface["Secret"].print is None and surface["Items"].print is None
    setup = surface["Findings"].print
    assert (setup.landscape, setup.fit_width, setup.fit_height, setup.footer) == (True, 1, 0, FOOTER)


def test_new_tabs_take_their_place_after_the_user_sheets_and_a_plan_may_name_the_tab_to_open_on():
    surface = book()
    apply_plan(surface, EditPlan(sheets=[sheet("Findings"), sheet("Scenario")]))
    apply_plan(surface, EditPlan(sheets=[sheet("Breakdown"), sheet("Dashboard"), sheet("Unlisted")],
                                 activate="dashboard"))
    assert surface.sheet_names() == ["Instructions", "Items", "Dashboard", "Breakdown", "Scenario", "Findings",
                                     "Unlisted"]
    assert surface.active == "Dashboard"  # as the workbook spells it


def test_the_print_area_holds_the_cells_and_the_charts_and_not_text_running_on_past_them():
    from xlportfolio.core.plan import Block, ChartSpec, Span

    surface = book()
    long_note = "x" * 500  # runs on far right of column B on screen; printed, it is cut at B's edge
    chart = ChartSpec("column", "T", Span(1, 1, 3), (Span(2, 1, 3),), "D2", width_cm=18, height_cm=9)
    apply_plan(surface, EditPlan(sheets=[
        GeneratedSheet("Findings", ("ID", "Note"), ((1, long_note), (2, "y")), (10, 20)),
        GeneratedSheet("Dashboard", (), (), (10, 10, 3), blocks=(Block(5, 1, "T", ("A", "B"), ((1, 2),)),),
                       charts=(chart,), freeze=None)]))
    assert surface["Findings"].print.area == "A1:B3"
    # 18 cm (510 points) from column D, at Excel's default width (48 points a column), ends in the
    # 11th column, N; 9 cm (255 points) reaches 18 rows of 15 points below row 2
    assert surface["Dashboard"].print.area == "A1:N20"


def test_a_generated_sheet_is_laid_out_the_same_on_every_surface():
    surface = book()
    sheet = GeneratedSheet(
        "Dashboard", ("Month", "Plan", "Source"),
        (("Jan", 1000, Link("A2", "Intake", "A2")), ("Feb", Formula("=SUM(Intake!B2:B3)", 12.5), "n/a")),
        widths=(12, 14, 30), formats=(None, "#,##0", "#,##0"),
        blocks=(Block(6, 5, "KPIs", ("KPI", "Value"), (("Requests", 2),), (None, "0")),),
        conditional=(ColorScale("B2:B3"), CellIs("F8", "Red", "FFC7CE")),
        charts=(ChartSpec("line", "Plan", Span(1, 1, 3), (Span(2, 1, 3),), "H2"),))
    apply_plan(surface, EditPlan(sheets=[sheet]))
    out = surface["Dashboard"]
    assert out.styles[(1, 1)] == HEADER and out.styles[(6, 5)] == TITLE
    assert out.styles[(2, 2)].number_format == "#,##0" and out.styles[(2, 3)].number_format is None  # a link: text
    assert out.styles[(3, 2)].number_format == "#,##0"  # a formula with a numeric result counts as a number
    assert out.styles[(3, 3)].wrap and out.styles[(3, 3)].number_format is None  # text gets no number format
    assert out.links[(2, 3)] == Link("A2", "Intake", "A2") and out.value("C2") == "A2"
    assert out.value("E7") == "KPI" and out.value("F8") == 2
    # The widths asked for, and the block's columns widened to its header and values (a gap keeps the default).
    assert (out.widths, out.freeze, out.autofilter) == ((12, 14, 30, 9, 10, 7), "A2", "A1:C3")
    assert out.charts == [(sheet.charts[0], ("Plan",))]  # the series is named by its header cell
    assert out.conditional == list(sheet.conditional)
