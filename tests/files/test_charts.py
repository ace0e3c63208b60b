"""Native charts on generated sheets: valid OOXML, the tool's own replaced, a user's kept as it is."""
import sys
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference

from tests.support import SHARED
from xlportfolio.core.plan import ChartSpec, EditPlan, GeneratedSheet, Span
from xlportfolio.files.workbook import apply_plan_file

FRONTIER = GeneratedSheet(
    "Scenario", ("Budget", "Best value"), tuple((b * 1000, b * 800 + 5) for b in range(1, 11)), (12, 12),
    charts=(ChartSpec("line", "Efficient frontier", Span(1, 1, 11), (Span(2, 1, 11),), "D2", "Budget", "Value"),
            ChartSpec("scatter", "Frontier", Span(1, 1, 11), (Span(2, 1, 11),), "D20", "Budget", "Value"),
            ChartSpec("column", "By budget", Span(1, 1, 11), (Span(2, 1, 11),), "D38")))


def write(path, with_user_chart=False):
    wb = Workbook()
    if with_user_chart:
        mine = wb["Sheet"]
        mine.append(["a", 1])
        chart = BarChart()
        chart.add_data(Reference(mine, min_col=2, min_row=1, max_row=1))
        mine.add_chart(chart, "C3")
    wb.save(path)
    apply_plan_file(path, EditPlan(sheets=[FRONTIER]))
    return path


def test_charts_are_native_and_schema_valid(tmp_path):
    path = write(tmp_path / "charts.xlsx")
    ws = load_workbook(path)["Scenario"]
    assert len(ws._charts) == 3
    if (SHARED / "ooxml").is_dir():
        sys.path.insert(0, str(SHARED / "ooxml"))
        from check_ooxml import invalid_parts

        assert invalid_parts(str(path)) == []


def test_a_users_chart_stays_byte_for_byte_beside_the_tools_own(tmp_path):
    from tests.support import parts

    path = write(tmp_path / "mixed.xlsx", with_user_chart=True)
    before = parts(path)
    apply_plan_file(path, EditPlan(sheets=[FRONTIER]))
    after = parts(path)
    assert after == before  # the same plan again changes nothing, the user's chart included
    wb = load_workbook(path)
    assert len(wb["Sheet"]._charts) == 1 and len(wb["Scenario"]._charts) == 3


def test_rewriting_a_generated_sheet_replaces_its_charts(tmp_path):
    path = write(tmp_path / "twice.xlsx")
    fewer = GeneratedSheet(FRONTIER.name, FRONTIER.header, FRONTIER.rows, FRONTIER.widths, charts=FRONTIER.charts[:1])
    apply_plan_file(path, EditPlan(sheets=[fewer]))
    assert len(load_workbook(path)["Scenario"]._charts) == 1
    with zipfile.ZipFile(path) as zf:  # the old drawing's other charts are gone, not orphaned
        assert len([n for n in zf.namelist() if n.startswith("xl/charts/")]) == 1


@pytest.mark.libreoffice
def test_libreoffice_opens_the_charts(tmp_path):
    from tests.support import lo

    if lo.soffice() is None:
        pytest.skip("LibreOffice is not installed")
    path = write(tmp_path / "charts.xlsx")
    converted = lo.convert_to_xlsx([path], tmp_path / "lo", lo.make_profile(tmp_path / "profile"))
    assert len(load_workbook(converted[path])["Scenario"]._charts) == 3  # LibreOffice kept all three
