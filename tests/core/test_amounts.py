"""Amounts and budgets as people type them, with the workbook's decimal separator where it matters."""
import pytest

from xlportfolio.core.amounts import parse_amount, parse_budget


@pytest.mark.parametrize("text, point, comma", [
    ("2000000", 2_000_000, 2_000_000),
    ("2,000,000", 2_000_000, 2_000_000),  # several group separators: unambiguous in any locale
    ("2.000.000", 2_000_000, 2_000_000),
    ("2 000 000", 2_000_000, 2_000_000),
    ("2\u00a0000\u00a0000", 2_000_000, 2_000_000),  # no-break spaces, as Excel copies them
    ("2'000'000", 2_000_000, 2_000_000),
    ("2,000,000.50", 2_000_000.5, 2_000_000.5),  # both separators: the last one is the decimal one
    ("2.000.000,50", 2_000_000.5, 2_000_000.5),
    ("2m", 2_000_000, 2_000_000),
    ("2M", 2_000_000, 2_000_000),
    ("€2m", 2_000_000, 2_000_000),
    ("€ 2m", 2_000_000, 2_000_000),
    ("2m EUR", 2_000_000, 2_000_000),
    ("$1.5bn", 1_500_000_000, 1_500_000_000),
    ("2.5m", 2_500_000, 2_500_000),  # not three digits after it: it cannot group thousands
    ("2,5m", 2_500_000, 2_500_000),
    ("2k", 2_000, 2_000),
    ("750K", 750_000, 750_000),
    ("1.25", 1.25, 1.25),
    ("2,000", 2_000, 2.0),  # one separator before three digits: the workbook's setting decides
    ("2.000", 2.0, 2_000),
    ("1,234.5", 1_234.5, 1_234.5),
    ("-5", -5, -5),
    ("−2m", -2_000_000, -2_000_000),  # a typographic minus
])
def test_amounts_in_both_locales(text, point, comma):
    assert parse_amount(text, ".") == point
    assert parse_amount(text, ",") == comma


def test_numbers_pass_through():
    assert parse_amount(2_000_000) == 2_000_000.0 and parse_amount(2.5) == 2.5


@pytest.mark.parametrize("text", ["abc", "", "€", "2mm", "2,00,000", "1,000,000.000.0", "2.5.0", "1e6", "two m",
                                  "2,000.000,5"])
def test_what_is_not_an_amount_says_what_is(text):
    with pytest.raises(ValueError) as info:
        parse_amount(text, ",")
    message = str(info.value)
    assert f"'{text.strip()}' is not an amount" in message
    assert "2,000,000, 2.000.000" in message and "2m" in message and "decimal separator ','" in message


@pytest.mark.parametrize("text, what", [("0", "zero"), ("-5", "negative"), ("0m", "zero"), ("-€2m", "negative")])
def test_a_budget_is_above_zero(text, what):
    with pytest.raises(ValueError, match=f"a budget of {text} is {what}; give the money available, above 0"):
        parse_budget(text)


def test_a_budget_as_typed():
    assert parse_budget("2,000,000") == parse_budget("€2m") == parse_budget("2.000.000", ",") == 2_000_000
