"""Amounts and dates typed as text in CRM exports: read when certain, reported when not."""
import datetime as dt

import pytest

from xlportfolio.crm.dates import AMBIGUOUS as AMBIGUOUS_DATE
from xlportfolio.crm.dates import DAY_FIRST, MONTH_FIRST, column_order, parse_date
from xlportfolio.crm.numbers import AMBIGUOUS, UNPARSED, column_decimal, parse_number


@pytest.mark.parametrize("text, value", [
    ("1234.5", 1234.5), ("1,234.50", 1234.5), ("1.234,50", 1234.5), ("1 234,5", 1234.5),
    ("1\u00a0234,5", 1234.5), ("1'234.50", 1234.5), ("1.234.567", 1234567), ("1,234,567", 1234567),
    ("12,5", 12.5), ("0,123", 0.123), ("1234,567", 1234.567), ("$1,234.00", 1234.0), ("1.234,00 €", 1234.0),
    ("EUR 12,000.00", 12000.0), ("(500)", -500), ("-500", -500), ("-€ 1.234,5", -1234.5), ("(€500)", -500),
    ("+500", 500), (" 42 ", 42),
])
def test_numbers_read_by_themselves(text, value):
    assert parse_number(text) == (value, None)


@pytest.mark.parametrize("text", ["TBD", "=1+2", "@SUM(1)", "\t123", "\r123", "1,2.5", "1,234,5", "1  234",
                                  "12 EUR 5", "-", "1.5e3", "--5", "(-500)", "€"])
def test_text_that_is_not_surely_a_number(text):
    assert parse_number(text) == (None, UNPARSED)


@pytest.mark.parametrize("text, decimal, value", [
    ("1,234", None, AMBIGUOUS), ("1,234", ".", 1234), ("1,234", ",", 1.234),
    ("€ 1.234", None, AMBIGUOUS), ("€ 1.234", ",", 1234), ("$1,234", ".", 1234),
])
def test_a_lone_separator_before_three_digits_needs_the_column(text, decimal, value):
    got, why = parse_number(text, decimal)
    assert (why if why else got) == value


def test_the_column_decides_its_decimal_mark_only_when_its_values_agree():
    assert column_decimal(["1.234,50", "€ 1.234", "12"]) == ","
    assert column_decimal(["1,234.50", "2,000"]) == "."
    assert column_decimal(["1,234", "2.000"]) is None
    assert column_decimal(["1.234,50", "1,234.50"]) is None


@pytest.mark.parametrize("text, order, value", [
    ("2026-03-31", None, dt.date(2026, 3, 31)), ("2026-03-31T10:00:00Z", None, dt.date(2026, 3, 31)),
    ("2026/3/31", None, dt.date(2026, 3, 31)), ("31.03.2026 14:05", None, dt.date(2026, 3, 31)),
    ("03.04.2026", MONTH_FIRST, dt.date(2026, 4, 3)),  # dots are always day first
    ("25/03/2026", None, dt.date(2026, 3, 25)), ("03/25/2026", DAY_FIRST, dt.date(2026, 3, 25)),
    ("3/4/2026 10:15 AM", MONTH_FIRST, dt.date(2026, 3, 4)), ("03/04/2026", DAY_FIRST, dt.date(2026, 4, 3)),
    ("05/05/2026", None, dt.date(2026, 5, 5)), ("12-31-2026", None, dt.date(2026, 12, 31)),
])
def test_dates(text, order, value):
    assert parse_date(text, order) == (value, None)


@pytest.mark.parametrize("text, why", [
    ("03/04/2026", AMBIGUOUS_DATE), ("31.02.2026", "unparsed"), ("13/13/2026", "unparsed"),
    ("45678", "unparsed"), ("next week", "unparsed"), ("3/4/26", "unparsed"),
])
def test_dates_not_read(text, why):
    assert parse_date(text) == (None, why)


def test_the_column_decides_the_date_order_only_when_its_dates_agree():
    assert column_order(["03/04/2026", "25/03/2026"]) == DAY_FIRST
    assert column_order(["03/04/2026", "12/31/2026"]) == MONTH_FIRST
    assert column_order(["25/03/2026", "12/31/2026"]) is None
    assert column_order(["03/04/2026", "2026-03-31"]) is None
