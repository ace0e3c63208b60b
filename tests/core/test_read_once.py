"""Reading cells once per distinct value gives what reading every cell gives."""
import datetime as dt

import pytest

from xlportfolio.core.values import read_once


def test_each_distinct_value_is_read_once():
    asked = []

    def read(value):
        asked.append(value)
        return str(value).upper()

    cells = ["it", "IT", "it", None, "it", None]
    assert list(read_once(cells, read)) == ["IT", "IT", "IT", "NONE", "IT", "NONE"]
    assert asked == ["it", "IT", None]


def test_equal_values_of_other_types_are_read_apart():
    cells = [1, 1.0, True, "1", dt.date(2026, 3, 1), dt.datetime(2026, 3, 1)]
    assert list(read_once(cells, repr)) == [repr(c) for c in cells]


def test_float_zeros_and_time_zones_are_read_each_time():
    assert list(read_once([0.0, -0.0, 0.0], str)) == ["0.0", "-0.0", "0.0"]
    noon = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    same_instant = noon.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert list(read_once([noon, same_instant], dt.datetime.isoformat)) == [noon.isoformat(), same_instant.isoformat()]


def test_unhashable_values_are_read_on_their_own():
    assert list(read_once([[1], [1], "a"], len)) == [1, 1, 1]


def test_readings_come_cell_by_cell():
    def read(value):
        if value == "bad":
            raise ValueError(value)
        return value

    readings = read_once(["a", "b", "bad", "c"], read)
    assert [next(readings), next(readings)] == ["a", "b"]
    with pytest.raises(ValueError):
        next(readings)
