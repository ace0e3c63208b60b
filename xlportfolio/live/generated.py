"""Generated sheets in an open workbook: emptied in place, native charts, and Excel's page setup.

The live surface (`xlportfolio.live.surface`) calls these for the sheets a command regenerates
(Findings, Rollup, Dashboard ...); what the engines cannot do is listed in its docstring.
"""
from __future__ import annotations

import re
from typing import Any

from xlportfolio.core.plan import ChartSpec, PrintSetup

POINTS_PER_CM = 72 / 2.54
CHART_TYPES = {"line": "line", "column": "column_clustered", "bar": "bar_clustered",
               "scatter": "xy_scatter_lines"}  # openpyxl's scatter style is lineMarker


def page_setup(sheet: Any, setup: PrintSetup) -> None:
    """Landscape, pages wide and tall, print titles, area, footer and breaks through Excel's own
    object model (Windows' COM names; xlwings has no call for it)."""
    try:
        page = sheet.api.PageSetup
        page.Orientation = 2 if setup.landscape else 1  # xlLandscape, xlPortrait
        page.Zoom = False  # the fit-to-pages settings count only without a zoom
        page.FitToPagesWide = setup.fit_width
        page.FitToPagesTall = setup.fit_height or False
        first, last = setup.title_rows or (0, 0)
        page.PrintTitleRows = f"${first}:${last}" if setup.title_rows else ""
        page.PrintArea = setup.area or ""
        for section, text in footer_sections(setup.footer).items():
            setattr(page, f"{section}Footer", text)
        target = sheet.api
        target.ResetAllPageBreaks()  # the breaks of the sheet's last run
        for row in setup.breaks:
            target.HPageBreaks.Add(Before=target.Range(f"A{row}"))
    except Exception:  # noqa: BLE001 - macOS' AppleScript object model has other names: Excel's defaults stay
        pass


def footer_sections(footer: str) -> dict[str, str]:
    """An Excel footer code ("&L&F&C&A&R&D") as its Left, Center and Right texts."""
    parts = re.split(r"&([LCR])", footer)
    names = {"L": "Left", "C": "Center", "R": "Right"}
    return {names[code]: text for code, text in zip(parts[1::2], parts[2::2])}


def wipe(sheet: Any) -> None:
    """Empty a generated sheet: values, formats, hyperlinks, conditional formats, charts."""
    sheet.clear()
    sheet.cells.conditional_formats.clear()
    charts = sheet.charts
    for i in reversed(range(len(charts))):
        charts[i].delete()


def native_chart(sheet: Any, spec: ChartSpec) -> Any:
    """A native Excel chart from a plan's chart spec, through xlwings' chart API."""
    # One block holds every series with its header row: set_source_data takes one range.
    first = (min(s.first for s in spec.series), min(s.column for s in spec.series))
    last = (max(s.last for s in spec.series), max(s.column for s in spec.series))
    chart = sheet.charts.add(
        width=spec.width_cm * POINTS_PER_CM, height=spec.height_cm * POINTS_PER_CM,
        chart_type="xy_scatter" if spec.kind == "scatter" and spec.points else CHART_TYPES.get(spec.kind, "column_clustered"),
        source=sheet.range(first, last),
        plot_by="columns", anchor=sheet.range(spec.anchor))
    cats = spec.categories
    chart.set_x_axis_values(sheet.range((cats.first + 1, cats.column), (cats.last, cats.column)))
    chart.title = spec.title
    if len(spec.series) == 1:
        chart.legend.visible = False  # the title already names the only series
    chart.value_axis.number_format = spec.number_format
    if spec.y_title:
        chart.value_axis.title = spec.y_title
    if spec.x_title:
        chart.category_axis.title = spec.x_title
    if spec.kind == "scatter":
        chart.category_axis.number_format = spec.x_number_format
    return chart
