"""The live adapter: governed tables read from, and edit plans applied to, a workbook open in
Excel through xlwings' Book API (desktop Excel, or Excel on the web via xlwings Server).

It mirrors the file adapter (`xlportfolio.files`) and holds no business rules.
"""
from xlportfolio.live.workbook import LiveWorkbook

__all__ = ["LiveWorkbook"]
