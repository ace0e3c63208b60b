"""The steering-committee pack's figures and lists, read from a portfolio workbook's tables and ledger."""
