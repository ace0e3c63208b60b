"""Native charts of a generated sheet as drawing and chart parts.

openpyxl writes chart XML well, so its chart objects build the parts here; only the parts are
taken, never a whole openpyxl workbook.
"""
from __future__ import annotations

from collections.abc import Sequence

from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart, Series
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.xml.functions import tostring

from xlportfolio.core.plan import ChartSpec, Span

POINTS, MARKED = "1F4E79", "C00000"  # points in dark blue; a marked point (series 2 on) larger, in dark red
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def chart_parts(sheet: str, charts: Sequence[tuple[ChartSpec, Sequence[str]]]) -> tuple[bytes, list[bytes]]:
    """The drawing part (chart i anchored with relationship id rId{i+1}) and each chart part."""
    objects = [native_chart(sheet, spec, titles) for spec, titles in charts]
    drawing = SpreadsheetDrawing()
    drawing.charts = objects
    return _DECLARATION + tostring(drawing._write()), [_DECLARATION + tostring(c._write()) for c in objects]


class _Sheet:
    """What openpyxl's Reference needs of a worksheet: its title (it quotes it itself)."""

    def __init__(self, title: str):
        self.title = title


def _ref(sheet: str, span: Span, skip_header: bool = False) -> Reference:
    return Reference(_Sheet(sheet), min_col=span.column, min_row=span.first + skip_header, max_row=span.last)


def native_chart(sheet: str, spec: ChartSpec, titles: Sequence[str]):
    """An openpyxl chart object for a plan's chart spec over cells of `sheet`."""
    if spec.kind == "scatter":
        chart = ScatterChart(scatterStyle="lineMarker")
        for i, (span, title) in enumerate(zip(spec.series, titles)):
            series = Series(_ref(sheet, span, True), _ref(sheet, spec.categories, True), title=title)
            series.marker.symbol = "circle"
            series.smooth = False  # without it Excel draws a scatter's line as a smoothed curve
            if spec.points:  # filled markers of a set size: LibreOffice draws unfilled ones as specks
                series.graphicalProperties.line.noFill = True
                colour = MARKED if i else POINTS
                series.marker.symbol, series.marker.size = ("diamond", 12) if i else ("circle", 7)
                series.marker.graphicalProperties = GraphicalProperties(
                    solidFill=colour, ln=LineProperties(solidFill=colour))
            chart.series.append(series)
    else:
        chart = LineChart() if spec.kind == "line" else BarChart()
        if spec.kind in ("bar", "column"):
            chart.type = "bar" if spec.kind == "bar" else "col"
        for span in spec.series:
            chart.add_data(_ref(sheet, span), titles_from_data=True)
        chart.set_categories(_ref(sheet, spec.categories, True))
    chart.title = spec.title
    if len(spec.series) == 1:
        chart.legend = None  # the title already names the only series
    chart.x_axis.title = spec.x_title or None
    chart.y_axis.title = spec.y_title or None
    chart.y_axis.numFmt = spec.number_format
    if spec.kind == "scatter":
        chart.x_axis.numFmt = spec.x_number_format
    # openpyxl leaves axes' delete flag unset, and recent Excel then hides them.
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.width, chart.height = spec.width_cm, spec.height_cm
    chart.anchor = spec.anchor
    return chart
