"""The Settings table: workbook-wide choices a PMO makes once (currency, decimal separator).

One row per setting, so a later setting is a new row and an older workbook without the table
(or without a row) reads the defaults below.
"""
from __future__ import annotations

from xlportfolio.schema.model import Column, ConfigTable, Table
from xlportfolio.schema.model import ColumnType as T

CURRENCY, DECIMAL_SEPARATOR = "Currency", "Decimal separator"
DEFAULTS = {CURRENCY: "EUR", DECIMAL_SEPARATOR: "."}
SEPARATORS = (".", ",")

SETTINGS = ConfigTable(
    Table(
        "Settings", "Settings",
        "Workbook-wide settings: the currency every generated sheet shows amounts in, and the decimal "
        "separator typed amounts (a select budget such as 2.000.000) are read with.",
        (
            Column("setting", "Setting", T.TEXT, "Name of the setting.", required=True, width=20),
            Column("value", "Value", T.TEXT, "The setting's value.", required=True, width=14),
            Column("description", "Description", T.TEXT, "What the setting does and which values it takes.",
                   width=70),
        ),
        key="setting",
    ),
    (
        (CURRENCY, DEFAULTS[CURRENCY], "Currency of every amount in this workbook; one of the Currency list "
         "(Lists sheet). Generated sheets show money in it."),
        (DECIMAL_SEPARATOR, DEFAULTS[DECIMAL_SEPARATOR], "'.' or ','. With ',' a typed 2.000.000 reads as two "
         "million and 2,5 as two and a half."),
    ),
)
