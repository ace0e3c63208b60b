"""Where the Dashboard's printed pages break: never inside a section (a table with its chart)."""
from xlportfolio.core.rollup.dashboard import PAGE_ROWS, page_breaks


def test_a_section_that_would_run_past_its_page_starts_the_next():
    top, stage, category, capacity = (1, 24), (25, 46), (47, 68), (69, 90)
    assert page_breaks([top, stage, category, capacity]) == (47,)  # 1-46 and 47-90 fit a page each
    assert 46 <= PAGE_ROWS < 68


def test_a_section_longer_than_a_page_gets_a_page_of_its_own_and_no_break_inside():
    assert page_breaks([(1, 20), (21, 30), (31, 200), (201, 210)]) == (31, 201)


def test_what_fits_one_page_has_no_break():
    assert page_breaks([(1, 10), (11, 30)]) == ()
