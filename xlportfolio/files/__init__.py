"""The file adapter: governed .xlsx/.xlsm files in, edit plans applied and saved atomically."""
