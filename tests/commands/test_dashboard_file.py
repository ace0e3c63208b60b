"""The Dashboard sheet in a real workbook: native charts, live formulas, conditional formats."""
import sys

import pytest
from openpyxl import load_workbook

from tests.support import AS_OF, SHARED
from xlportfolio.core.plan import EditPlan, Formula
from xlportfolio.core.rollup.dashboard.layout import dashboard_sheet
from xlportfolio.demo.data import sample_portfolio
from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook
from xlportfolio.files.workbook import apply_plan_file, read_tables
from xlportfolio.schema import DATA_TABLES

WEIGHTS = {"DI1": 0.1, "DI2": 0.25, "DI3": 0.5, "DI4": 0.75, "DI5": 1, "DI6": 1}


def portfolio(tweak=None):
    data = sample_portfolio(AS_OF)
    data["Financials"] = [r for r in data["Financials"] if r["item_id"] <= "M-0040"]  # enough, and fast
    if tweak:
        tweak(data)
    return build_workbook(PORTFOLIO_KIND, data)


def with_dashboard(path, wb=None, values=False):
    """Write the Dashboard the way a command does (into `wb` saved at `path` first, if given);
    return the sheet spec written."""
    if wb is not None:
        wb.save(path)
    sheet = dashboard_sheet(read_tables(path, list(DATA_TABLES)), AS_OF, values=values, stage_weights=WEIGHTS)
    apply_plan_file(path, EditPlan(sheets=[sheet]))
    return sheet


def formulas(sheet):
    """Cell -> Formula for every formula on the sheet spec."""
    out = {}
    for b in sheet.blocks:
        for r, row in enumerate(b.rows, start=b.header_row + 1):
            for c, value in enumerate(row, start=b.column):
                if isinstance(value, Formula):
                    out[(r, c)] = value
    return out


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    path = tmp_path_factory.mktemp("dash") / "portfolio.xlsx"
    return path, with_dashboard(path, portfolio())


def test_the_dashboard_has_native_charts_formulas_and_conditional_formats(written):
    path, sheet = written
    wb = load_workbook(path)
    ws = wb["Dashboard"]
    assert len(ws._charts) == len(sheet.charts) == 5
    rules = [rule.type for cf in ws.conditional_formatting for rule in cf.rules]
    assert rules.count("cellIs") == 3  # the status labels; the heat map's cells have fills of their own
    cells = formulas(sheet)
    assert len(cells) > 150
    for (r, c), formula in cells.items():
        assert ws.cell(r, c).value == formula.text
    assert wb.calculation.fullCalcOnLoad  # Excel computes the formulas when it opens the file


def test_structured_references_name_the_real_tables(written):
    path, sheet = written
    texts = [f.text for f in formulas(sheet).values()]
    assert '=SUMIFS(Financials[Plan],Financials[Flow],"Cost")' in texts
    assert any(t.startswith("=SUMIFS(Capacity[Available (days)],Capacity[Function],") for t in texts)


def test_rewriting_replaces_the_tools_own_charts_and_changes_nothing(tmp_path, written):
    import shutil

    from tests.support import parts

    path, sheet = written
    again = shutil.copy(path, tmp_path / "again.xlsx")
    assert with_dashboard(again) == sheet
    assert parts(again) == parts(path)


def test_the_dashboard_is_valid_ooxml(written):
    if not (SHARED / "ooxml" / "check_ooxml.py").is_file():
        pytest.skip("the OOXML checker is not in shared/")
    sys.path.insert(0, str(SHARED / "ooxml"))
    from check_ooxml import invalid_parts

    assert invalid_parts(str(written[0])) == []


def test_rewriting_gives_the_same_sheet(tmp_path, written):
    import shutil

    path, sheet = written
    again = shutil.copy(path, tmp_path / "again.xlsx")
    assert with_dashboard(again) == sheet
    wb = load_workbook(again)
    assert wb.sheetnames.count("Dashboard") == 1 and len(wb["Dashboard"]._charts) == 5


def test_values_write_no_formula(tmp_path):
    path = tmp_path / "values.xlsx"
    with_dashboard(path, portfolio(), values=True)
    ws = load_workbook(path)["Dashboard"]
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    assert len(ws._charts) == 5


def awkward(data):
    """Cells a controller really finds: errors, text, odd case and spacing, a date typed as its serial."""
    fin = data["Financials"]
    fin[0]["plan"] = "#REF!"
    fin[1]["forecast"] = "tbd"
    fin[2]["flow"] = "cost"
    fin[3]["flow"] = "Benefit "
    fin[4]["period"] = 46100  # 2026-03-18 as Excel stores it
    data["Items"][5]["estimated_value"] = "#N/A"
    data["Items"][6]["estimated_value"] = "approx. 50k"
    data["Items"][7]["implementation_status"] = "red"
    data["Capacity"][0]["available_days"] = "#DIV/0!"


@pytest.mark.libreoffice
def test_libreoffice_computes_every_formula_to_the_engines_value(tmp_path):
    from tests.support import lo

    if lo.soffice() is None:
        pytest.skip("LibreOffice is not installed")
    path = tmp_path / "in" / "dashboard.xlsx"
    path.parent.mkdir()
    sheet = with_dashboard(path, portfolio(awkward))
    converted = lo.convert_to_xlsx([path], tmp_path / "lo", lo.make_profile(tmp_path / "profile"))
    ws = load_workbook(converted[path.resolve()], data_only=True)["Dashboard"]
    cells = formulas(sheet)
    wrong = {(r, c): (f.text, f.value, ws.cell(r, c).value) for (r, c), f in cells.items()
             if ws.cell(r, c).value != pytest.approx(f.value, abs=1e-6)}
    assert wrong == {}
    assert len(cells) > 150
