"""New generated tabs through the live adapter: in their place among the tool's tabs, the person
left on their sheet, every later write landing on the right sheet though positions moved on."""
from tests.live.payload import Model
from tests.live.remote import open_remote
from xlportfolio.core.plan import EditPlan, GeneratedSheet
from xlportfolio.live import LiveWorkbook


def sheet(name, rows=((1, "x"),)):
    return GeneratedSheet(name, ("ID", "What"), rows, (10, 30))


def apply_live(model: Model, plan: EditPlan) -> list[dict]:
    book = open_remote(model.payload())
    LiveWorkbook(book).apply(plan)
    actions = book.json()["actions"]
    model.replay(actions)
    return actions


def test_a_new_dashboard_goes_before_the_tools_other_tabs_and_its_cells_land_on_it(portfolio):
    model = Model(portfolio)
    model.active = 2  # the person is on Items
    apply_live(model, EditPlan(sheets=[sheet("Findings", ((1, "finding"),))]))
    assert model.sheet_names[-1] == "Findings"
    actions = apply_live(model, EditPlan(sheets=[sheet("Dashboard", ((7, "dashboard"),)),
                                                 sheet("Findings", ((2, "finding again"),))],
                                         activate="Dashboard"))

    assert model.unknown == []
    names = model.sheet_names
    assert names[-2:] == ["Dashboard", "Findings"] and names[:3] == ["Instructions", "Intake", "Items"]
    assert model["Dashboard"].value("B2") == "dashboard"
    assert model["Findings"].value("B2") == "finding again"  # written at Findings' new position
    assert model.active == 2  # an open workbook stays where the person is
    assert not [a for a in actions if a["func"] not in {"addSheet", "sheetClear", "clearConditionalFormats",
                                                         "setValues", "setRangeColor", "setFontProperty",
                                                         "setColumnWidth", "setWrapText", "setVerticalAlignment",
                                                         "activateSheet", "setSheetVisibility"}]


def test_print_setup_is_skipped_where_the_engine_has_none(portfolio):
    """xlwings' remote engine has no page layout: the sheet is written all the same."""
    model = Model(portfolio)
    apply_live(model, EditPlan(sheets=[sheet("Scenario", ((3, "scenario"),))]))
    assert model.unknown == [] and model["Scenario"].value("B2") == "scenario"


def test_the_footer_code_splits_into_excels_three_footer_texts():
    from xlportfolio.core.plan import FOOTER
    from xlportfolio.live.generated import footer_sections

    assert footer_sections(FOOTER) == {"Left": "&F", "Center": "&A", "Right": "&D"}
