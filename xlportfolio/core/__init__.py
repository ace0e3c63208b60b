"""The pure engine: DataFrames in; findings and an edit plan out.

Nothing in this package imports openpyxl, xlwings or fastapi (a test enforces it), so the
same rules run on a file, on an open workbook in Excel and on a server.
"""
