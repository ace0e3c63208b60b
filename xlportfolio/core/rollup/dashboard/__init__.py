"""The Dashboard: a steering committee's one sheet, in three modules; import a name from the module that defines it.

- formulas: the Excel formulas it writes (COUNTIFS/SUMIFS with structured references, criteria that
  match as Excel's do, the ledger correction) and the number each gives, read as Excel reads the cells.
- figures: the numbers (`dashboard_data`: key figures, money, value by stage and category, months,
  capacity against demand, the status matrix), computed once for the sheet and the report pack.
- layout: the sheet (`dashboard_sheet`): blocks, native charts, looks and print breaks.
"""
