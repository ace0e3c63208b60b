"""Native charts on generated sheets: valid OOXML, and never mistaken for user content."""
import sys

import pytest
from conftest import SHARED
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference

from xlportfolio.core.plan import ChartSpec, GeneratedSheet, Span
from xlportfolio.files.guards import inspect_package
from xlportfolio.files.writer import replace_sheet

FRONTIER = GeneratedSheet(
    "Scenario", ("Budget", "Best value"), tuple((b * 1000, b * 800 + 5) for b in range(1, 11)), (12, 12),
    charts=(ChartSpec("line", "Efficient frontier", Span(1, 1, 11), (Span(2, 1, 11),), "D2", "Budget", "Value"),
            ChartSpec("scatter", "Frontier", Span(1, 1, 11), (Span(2, 1, 11),), "D20", "Budget", "Value"),
            ChartSpec("column", "By budget", Span(1, 1, 11), (Span(2, 1, 11),), "D38")))


def write(path, with_user_chart=False):
    wb = Workbook()
    replace_sheet(wb, FRONTIER)
    if with_user_chart:
        mine = wb["Sheet"]
        mine.append(["a", 1])
        chart = BarChart()
        chart.add_data(Reference(mine, min_col=2, min_row=1, max_row=1))
        mine.add_chart(chart, "C3")
    wb.save(path)
    return path


def test_charts_are_native_and_schema_valid(tmp_path):
    path = write(tmp_path / "charts.xlsx")
    ws = load_workbook(path)["Scenario"]
    assert len(ws._charts) == 3
    if (SHARED / "ooxml").is_dir():
        sys.path.insert(0, str(SHARED / "ooxml"))
        from check_ooxml import invalid_parts

        assert invalid_parts(str(path)) == []


def test_charts_on_generated_sheets_are_the_tools_own_but_user_charts_are_not(tmp_path):
    assert inspect_package(write(tmp_path / "ours.xlsx")).lossy_parts == ()
    lossy = inspect_package(write(tmp_path / "mixed.xlsx", with_user_chart=True)).lossy_parts
    assert len(lossy) == 1 and "1 chart" in lossy[0]


def test_rewriting_a_generated_sheet_replaces_its_charts(tmp_path):
    path = write(tmp_path / "twice.xlsx")
    wb = load_workbook(path)
    replace_sheet(wb, FRONTIER)
    wb.save(path)
    assert len(load_workbook(path)["Scenario"]._charts) == 3


@pytest.mark.libreoffice
def test_libreoffice_opens_the_charts(tmp_path):
    import lo

    if lo.soffice() is None:
        pytest.skip("LibreOffice is not installed")
    path = write(tmp_path / "charts.xlsx")
    converted = lo.convert_to_xlsx([path], tmp_path / "lo", lo.make_profile(tmp_path / "profile"))
    assert len(load_workbook(converted[path])["Scenario"]._charts) == 3  # LibreOffice kept all three
