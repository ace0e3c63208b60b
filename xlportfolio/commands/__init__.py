"""Commands on workbook files: each opens, runs the core, applies the plan and saves."""
