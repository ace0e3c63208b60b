"""Workbook files: the guard that refuses what cannot be used, safe saves, and the standard templates.

Commands open a file with `workbook.open_book`, which reads and writes it through the package engine
(`xlportfolio.package`); openpyxl only writes new standard workbooks (`template`).
"""
