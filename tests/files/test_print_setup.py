"""Print setup, tab order and the active tab of generated sheets, written to .xlsx and read back.

Every generated sheet prints landscape, one page wide, its header rows on every page and a footer
naming workbook, sheet and date; the user's sheets keep their own print settings. New generated
tabs go after the user's sheets with the Dashboard first among them; a rollup leaves the workbook
open on the Dashboard, the only tab selected.
"""
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.workbook.defined_name import DefinedName

from tests.support import AS_OF
from xlportfolio.commands.files import on_file
from xlportfolio.commands.rollup import Options as RollupOptions
from xlportfolio.core.plan import Block, EditPlan, GeneratedSheet
from xlportfolio.files.workbook import apply_plan_file

FOOTER = ("&F", "&A", "&D")  # workbook, sheet, date: left, centre, right


def user_book(path, *, selected="Intake"):
    """Two user sheets with print settings of their own, a name local to the second, and the tab
    `selected` selected and active, as Excel saves a workbook."""
    wb = Workbook()
    intro = wb.active
    intro.title = "Instructions"
    intro["A1"] = "Read me"
    intro.page_setup.orientation = "portrait"
    intro.print_title_rows = "1:3"
    intake = wb.create_sheet("Intake")
    intake.append(["ID", "Name"])
    intake.append([1, "One"])
    intake.page_setup.orientation = "portrait"
    intake.page_setup.fitToHeight = 5
    intake.oddFooter.center.text = "Confidential"
    intake.defined_names["Own_area"] = DefinedName("Own_area", attr_text="Intake!$A$1:$B$2")
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == selected
    wb.active = wb.sheetnames.index(selected)
    wb.save(path)
    return path


def sheet(name, **kw):
    return GeneratedSheet(name, ("ID", "What"), ((1, "x"), (2, "y")), (10, 40), **kw)


def workbook_xml(path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/workbook.xml").decode()


def test_every_generated_sheet_prints_landscape_one_page_wide_with_titles_and_footer(tmp_path):
    path = user_book(tmp_path / "book.xlsx")
    blocks = GeneratedSheet("Breakdown", (), (), blocks=(Block(1, 1, "Title", ("A", "B"), ((1, 2),)),), freeze="C3")
    apply_plan_file(path, EditPlan(sheets=[sheet("Findings"), sheet("Scenario"), blocks,
                                           sheet("Dashboard", freeze=None, print_titles=(1, 1)),
                                           sheet("Hidden", hidden=True)]))

    wb = load_workbook(path)
    titles = {"Findings": "$1:$1", "Scenario": "$1:$1", "Breakdown": "$1:$2", "Dashboard": "$1:$1"}
    for name, rows in titles.items():
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape", name
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name  # without it the fit settings are ignored
        assert ws.print_title_rows == rows, name
        assert (ws.oddFooter.left.text, ws.oddFooter.center.text, ws.oddFooter.right.text) == FOOTER, name
    assert wb["Findings"].print_area == "'Findings'!$A$1:$B$3"  # its cells, however far a text runs on
    assert wb["Hidden"].print_title_rows is None and wb["Hidden"].page_setup.orientation is None
    # the user's sheets keep their own settings, their own names at their own sheet
    intro, intake = wb["Instructions"], wb["Intake"]
    assert intro.page_setup.orientation == "portrait" and intro.print_title_rows == "$1:$3"
    assert intake.page_setup.orientation == "portrait" and intake.page_setup.fitToHeight == 5
    assert intake.oddFooter.center.text == "Confidential"
    assert intake.defined_names["Own_area"].attr_text == "Intake!$A$1:$B$2"


def test_a_second_run_keeps_one_print_titles_name_per_sheet_and_drops_one_no_longer_wanted(tmp_path):
    path = user_book(tmp_path / "book.xlsx")
    apply_plan_file(path, EditPlan(sheets=[sheet("Scenario"), sheet("Findings")]))
    apply_plan_file(path, EditPlan(sheets=[sheet("Scenario", freeze=None), sheet("Findings")]))

    text = workbook_xml(path)
    assert len(re.findall(r'name="_xlnm.Print_Titles"', text)) == 2  # Instructions, Findings; Scenario none
    wb = load_workbook(path)
    assert wb["Scenario"].print_title_rows is None and wb["Findings"].print_title_rows == "$1:$1"


def test_new_generated_tabs_follow_the_user_sheets_dashboard_first(tmp_path):
    path = user_book(tmp_path / "book.xlsx")
    # in the order a PMO's commands create them: validate, select, rollup (Dashboard last)
    apply_plan_file(path, EditPlan(sheets=[sheet("Findings")]))
    apply_plan_file(path, EditPlan(sheets=[sheet("Scenario")]))
    apply_plan_file(path, EditPlan(sheets=[sheet("Rollup"), sheet("Dashboard"), sheet("Findings")]))

    wb = load_workbook(path)
    assert wb.sheetnames == ["Instructions", "Intake", "Dashboard", "Rollup", "Scenario", "Findings"]
    # a name local to a user sheet still belongs to that sheet, though tabs were put before others
    assert wb["Intake"].defined_names["Own_area"].attr_text == "Intake!$A$1:$B$2"
    assert wb["Findings"].print_title_rows == "$1:$1" and wb["Dashboard"].print_title_rows == "$1:$1"
    # the tab Excel opens on is still Intake: its position was kept up with
    assert wb.active.title == "Intake"


def test_a_tab_the_user_moved_stays_where_they_put_it_and_a_new_dashboard_goes_before_it(tmp_path):
    path = user_book(tmp_path / "book.xlsx")
    apply_plan_file(path, EditPlan(sheets=[sheet("Findings")]))
    wb = load_workbook(path)
    wb.move_sheet("Findings", offset=-2)  # the controller puts Findings first
    wb.save(path)
    apply_plan_file(path, EditPlan(sheets=[sheet("Findings"), sheet("Dashboard")]))

    assert load_workbook(path).sheetnames == ["Dashboard", "Findings", "Instructions", "Intake"]


def test_a_plan_that_activates_a_sheet_opens_the_workbook_there_alone_selected(tmp_path):
    path = user_book(tmp_path / "book.xlsx", selected="Instructions")
    apply_plan_file(path, EditPlan(sheets=[sheet("Findings"), sheet("Dashboard")], activate="Dashboard"))

    wb = load_workbook(path)
    assert wb.active.title == "Dashboard"
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == ["Dashboard"]
    assert wb["Instructions"]["A1"].value == "Read me"  # the user sheet lost its selection, nothing else
    assert wb["Instructions"].print_title_rows == "$1:$3"


def test_a_later_command_that_activates_nothing_keeps_the_dashboard_open(tmp_path):
    path = user_book(tmp_path / "book.xlsx")
    apply_plan_file(path, EditPlan(sheets=[sheet("Dashboard")], activate="Dashboard"))
    apply_plan_file(path, EditPlan(sheets=[sheet("Scenario"), sheet("Dashboard")]))

    wb = load_workbook(path)
    assert wb.active.title == "Dashboard"
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == ["Dashboard"]


@pytest.fixture(scope="module")
def rolled_up(tmp_path_factory):
    """The standard portfolio with the sample data, opened last on Instructions, after a rollup."""
    from xlportfolio.demo.data import sample_portfolio
    from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook

    data = sample_portfolio(AS_OF)
    wb = build_workbook(PORTFOLIO_KIND, {k: data[k] for k in ("Intake", "Items", "Financials")})
    wb.worksheets[0].sheet_view.tabSelected = True
    path = tmp_path_factory.mktemp("print") / "portfolio.xlsx"
    wb.save(path)
    on_file("rollup", path, RollupOptions(as_of=AS_OF))
    return path


def test_after_a_rollup_the_workbook_opens_on_the_dashboard_the_first_generated_tab(rolled_up):
    wb = load_workbook(rolled_up)
    names = wb.sheetnames
    assert wb.active.title == "Dashboard"
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == ["Dashboard"]
    assert names.index("Dashboard") == names.index("Lists") + 1  # right after the user's last sheet
    assert names[names.index("Dashboard"):] == ["Dashboard", "Rollup", "Rollup by month", "Breakdown", "Findings",
                                                "xlp_marks"]


def test_every_visible_sheet_a_rollup_writes_has_its_print_setup(rolled_up):
    wb = load_workbook(rolled_up)
    for name in ("Dashboard", "Rollup", "Rollup by month", "Breakdown", "Findings"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape", name
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), name
        assert (ws.oddFooter.left.text, ws.oddFooter.center.text, ws.oddFooter.right.text) == FOOTER, name
    assert wb["Rollup"].print_title_rows == "$1:$2"  # the title line and the header above the frozen pane
    assert wb["Dashboard"].print_title_rows == "$1:$1"
    assert wb["Instructions"].page_setup.orientation != "landscape"


def test_the_dashboard_says_which_is_estimated_value_and_which_planned_benefit(rolled_up):
    ws = load_workbook(rolled_up)["Dashboard"]
    texts = {str(c.value) for row in ws.iter_rows(max_col=1) for c in row if c.value is not None}
    figures = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(5, 20)}
    assert figures["Planned benefit, all months (Financials)"] == "=E6"  # the Benefit line's Plan cell
    assert (ws["D6"].value, ws["E4"].value) == ("Benefit", "Plan")
    assert any(t.startswith("Estimated value: what the items' owners estimate") for t in texts)
    assert any(t.startswith("Planned benefit: the benefit booked in Financials under Plan") for t in texts)


def test_no_title_or_note_of_a_generated_sheet_speaks_in_developer_words(rolled_up):
    wb = load_workbook(rolled_up)
    for name in ("Dashboard", "Rollup", "Rollup by month", "Breakdown"):
        words = [c.value for row in wb[name].iter_rows() for c in row
                 if c.data_type == "s" and isinstance(c.value, str) and len(c.value) > 40]
        assert words, name
        for text in words:
            assert not re.search(r"`|SUMIFS|COUNTIFS|MATCH\(|xlportfolio \w+|\bi\.e\.", text), (name, text)


def test_the_dashboard_breaks_pages_at_its_section_titles_only(rolled_up):
    from xlportfolio.core.rollup.dashboard.layout import PAGE_ROWS

    ws = load_workbook(rolled_up)["Dashboard"]
    rows = [brk.id + 1 for brk in ws.row_breaks.brk]
    assert rows and all(ws.cell(r, 1).font.b and ws.cell(r, 1).value for r in rows)  # a section's title
    starts = [1, *rows]
    assert all(b - a <= PAGE_ROWS for a, b in zip(starts, starts[1:]))
