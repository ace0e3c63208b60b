"""The live adapter: governed tables read from, and edit plans applied to, a workbook open in
Excel through xlwings' Book API (desktop Excel, or Excel on the web via xlwings Server).

It mirrors the file adapter (`xlportfolio.files`) and holds no business rules.

    workbook   LiveWorkbook: the commands' Workbook over an open book
    surface    LiveSurface: the surface protocol through xlwings (and what the remote engine cannot do)
    values     cell values read as the file reader reads them, written so text stays text; fill runs
    notes      a desktop sheet's notes: read once, what a cell held, the tool's note put or removed
    generated  generated sheets: emptied in place, native charts, Excel's page setup
    actions    the remote engine's actions, queued directly rather than through xlwings' calls
"""
from xlportfolio.live.workbook import LiveWorkbook

__all__ = ["LiveWorkbook"]
