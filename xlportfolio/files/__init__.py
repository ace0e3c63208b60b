"""Workbook files: the guard that refuses what cannot be used, safe saves, and the standard templates.

Commands open a file with `workbook.open_book`, which reads and writes it through the package engine
(`xlportfolio.package`); openpyxl only writes new standard workbooks (`template`).

    workbook       open_book: guard, lock, stamp, package engine, save
    identify       the guard's first question: is this file a workbook at all, and if not, what is it
    package_check  the guard's second: is the workbook package whole and safe to read (inspect_package)
    save           the atomic save: check_output, save_atomic, the stamp check
    locks          who else has the workbook: WorkbookLock, Excel's and LibreOffice's lock files
    temps          the save's temporary files: their names, and those killed runs left behind
    template       the standard workbooks, written with openpyxl
"""
