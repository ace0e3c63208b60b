"""Money formats, the Settings table, heat-map colours and fitted widths, as the core builds them."""
from tests.support.inline import book, table
from xlportfolio.core.formats import (
    HEAT_BAD,
    HEAT_GOOD,
    HEAT_MIXED,
    MAX_FIT,
    fit_widths,
    heat_fill,
    money_format,
    status_meaning,
)
from xlportfolio.core.plan import Block, Formula, GeneratedSheet
from xlportfolio.core.settings import read_settings
from xlportfolio.schema import SETTINGS

STATUSES = ("Green", "Amber", "Red")


def settings(text: str, **lists):
    return book(table(SETTINGS.table, text), lists=lists or None)


def test_money_carries_the_currency_with_negatives_in_red_parentheses_and_zero_as_a_dash():
    assert money_format("EUR") == '#,##0" €"_);[Red](#,##0" €");"–"_)'
    assert money_format("USD") == '"$"#,##0_);[Red]("$"#,##0);"–"_)'
    assert money_format("gbp").startswith('"£"#,##0')  # a code typed in lower case is still the pound
    assert money_format("SEK") == '#,##0" SEK"_);[Red](#,##0" SEK");"–"_)'  # a code the PMO added: its ISO code
    assert money_format("") == '#,##0_);[Red](#,##0);"–"_)'  # rows that name their own currency


def test_a_workbook_without_settings_reads_the_defaults():
    got = read_settings(book())
    assert (got.currency, got.decimal_separator, got.findings) == ("EUR", ".", ())


def test_settings_are_read_by_name_whatever_the_case_and_other_rows_are_left_alone():
    got = read_settings(settings("""
        | Setting           | Value | Description |
        | decimal separator | ,     |             |
        | Fiscal year start | April | the PMO's own row |
        | CURRENCY          | usd   |             |
    """))
    assert (got.currency, got.decimal_separator, got.thousands_separator, got.findings) == ("USD", ",", ".", ())


def test_a_value_off_the_list_is_an_error_naming_its_cell_and_the_default_is_used():
    got = read_settings(settings("""
        | Setting           | Value | Description |
        | Currency          | XYZ   |             |
        | Decimal separator | ;     |             |
    """, Currency=("EUR", "USD", "SEK")))
    assert (got.currency, got.decimal_separator) == ("EUR", ".")
    first, second = got.findings
    assert (first.code, first.sheet, first.cell, first.header, first.value) == ("setting-invalid", "Settings", "B2",
                                                                                "Value", "XYZ")
    assert first.message == "Currency 'XYZ' is not one of 'EUR', 'USD', 'SEK'; choose one of them. Until then 'EUR' is used."
    assert second.cell == "B3" and "Decimal separator ';' is not one of '.', ','" in second.message


def test_a_setting_given_twice_is_a_warning_and_the_first_counts():
    got = read_settings(settings("""
        | Setting  | Value | Description |
        | Currency | GBP   |             |
        | Currency | USD   |             |
    """))
    assert got.currency == "GBP"
    assert [(f.code, str(f.severity), f.cell) for f in got.findings] == [("setting-twice", "warning", "A3")]


def test_a_status_pair_means_what_its_worse_rating_says():
    assert status_meaning(STATUSES, "Green", "Green") == HEAT_GOOD
    assert status_meaning(STATUSES, "Green", "Amber") == status_meaning(STATUSES, "Amber", "Amber") == HEAT_MIXED
    assert status_meaning(STATUSES, "Green", "Red") == status_meaning(STATUSES, "Red", "Amber") == HEAT_BAD


def test_the_heat_shade_follows_the_count_within_its_hue():
    shades = [heat_fill(HEAT_BAD, n, 4) for n in range(5)]
    assert shades[-1] == HEAT_BAD and shades[0] != "FFFFFF"  # an empty cell still shows what it means
    darkness = [sum(int(s[i:i + 2], 16) for i in (0, 2, 4)) for s in shades]
    assert darkness == sorted(darkness, reverse=True) and len(set(darkness)) == 5
    assert heat_fill(HEAT_GOOD, 0, 0) == heat_fill(HEAT_GOOD, 5, 0)  # no items anywhere: all pale


def test_widths_fit_headers_and_shown_values_but_not_titles_and_stay_as_wide_as_asked():
    money = money_format("EUR")
    sheet = GeneratedSheet(
        "Dashboard", ("Month", "Note"), (("Jan 2026", "x" * 200),), widths=(6, 90),
        blocks=(Block(4, 1, "A title far longer than any column should be made for it", ("Function", "Headroom (days)"),
                      (("IT", Formula("=B5-C5", -12_899_000.0)),), (None, money)),))
    widths = fit_widths(sheet)
    assert widths[0] == len("Jan 2026") + 2  # the value, not the block's title above it
    assert widths[1] == 90  # a wider width asked for stays; a long note does not widen it
    assert len("(12,899,000 €)") + 2 <= widths[1]
    header = fit_widths(GeneratedSheet("S", ("Headroom (days)",), ((-12_899_000.0,),), formats=(money,)))
    assert header == (len("Headroom (days)") + 2,)
    amount = fit_widths(GeneratedSheet("S", ("Headroom (days)",), ((-1_234_567_890.0,),), formats=(money,)))
    assert amount == (len("(1,234,567,890 €)") + 2,)  # wider than the header: the amount with its sign
    long = fit_widths(GeneratedSheet("S", ("Why",), (("word " * 100,),)))
    assert long == (MAX_FIT,)


def test_a_header_that_is_a_sentence_runs_on_instead_of_widening_its_column():
    line = "2 items counted at their ledger stage and state, not as typed on Items: " + "M-1 One; " * 20
    sheet = GeneratedSheet("Dashboard", ("Portfolio dashboard",), (), widths=(34,), blocks=(Block(2, 1, "", (line,), ()),))
    assert fit_widths(sheet) == (34,)
