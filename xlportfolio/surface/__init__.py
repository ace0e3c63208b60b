"""Surfaces: the workbook as plain grids and edits, and the one plan walk over all of them.

    protocol   what a surface offers (read grids, write cells, marks, generated sheets, charts)
    walk       apply_plan: an EditPlan applied through any surface
    read       read_book: governed tables from any surface's grids
    workbook   SurfaceWorkbook: the commands' Workbook over a surface
    memory     MemorySurface: a workbook held in dicts, for tests

The package engine (xlportfolio.package) and the live adapter (xlportfolio.live) implement
the protocol for files and for workbooks open in Excel.
"""
