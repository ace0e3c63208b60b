"""The pure engine: DataFrames in; findings and an edit plan out.

Nothing in this package imports openpyxl, xlwings or fastapi (a test enforces it), so the
same rules run on a file, on an open workbook in Excel and on a server.

    intake/      validate, accept, consolidate: requests checked and turned into items
    prioritise/  score (with AHP), candidates, select and the Scenario, capacity
    gates/       gate criteria and their gaps, stage moves, the ledger, positions, statuses, baseline
    rollup/      the rollup sheets, the portfolio checks, dashboard/ (formulas, figures, layout)
    report/      the steering-committee pack's figures
    config/      the configuration tables as pydantic models, findings at their cells
    checks/      the registered data checks (vectorised), run table by table
    book, findings, codes, findings_sheet, plan, values, formats, settings, amounts: shared by all
"""
