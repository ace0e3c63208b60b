"""The plan walk's page setup and tab placement, seen on the in-memory surface."""
from xlportfolio.core.plan import FOOTER, EditPlan, GeneratedSheet, PrintSetup
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
