"""Surfaces: the workbook as plain grids and edits, and the one plan walk over all of them.

    protocol   what a surface offers (read grids, write cells, marks, generated sheets, charts)
    walk       apply_plan: an EditPlan applied through any surface, in these pieces:
    session      Session: one plan's view of the workbook (sheets, tables, the marks register)
    tables       the governed tables it writes into: columns found or added, rows grown
    marks        cell marks as a difference against the `xlp_marks` register
    generated    generated sheets: layout, tab place, shared rows kept, page setup
    read       read_book: governed tables from any surface's grids
    workbook   SurfaceWorkbook: the commands' Workbook over a surface
    memory     MemorySurface: a workbook held in dicts, for tests

The package engine (xlportfolio.package) and the live adapter (xlportfolio.live) implement
the protocol for files and for workbooks open in Excel.
"""
