import datetime

import pytest

from archive.common.dates import DatePrecision, PartialDate


@pytest.mark.parametrize(
    ("date", "shown", "precision"),
    [
        (PartialDate(2024, 4, 19), "April 19, 2024", DatePrecision.DAY),
        (PartialDate(2024, 9), "Sept. 2024", DatePrecision.MONTH),
        (PartialDate(2013), "2013", DatePrecision.YEAR),
        (PartialDate(None, 1, 15), "Jan. 15, year unknown", DatePrecision.DAY_NO_YEAR),
        (PartialDate(None, 3), "March, year unknown", DatePrecision.MONTH_NO_YEAR),
        (PartialDate(), "Date unknown", DatePrecision.UNKNOWN),
    ],
)
def test_partial_dates_say_only_what_is_known(date, shown, precision):
    assert str(date) == shown
    assert date.precision == precision


def test_only_a_known_year_gives_a_sort_date():
    assert PartialDate(2024, 4).sort_date() == datetime.date(2024, 4, 1)
    assert PartialDate(None, 1, 15).sort_date() is None
    assert PartialDate().sort_date() is None


@pytest.mark.parametrize(
    ("date", "problem"),
    [
        (PartialDate(1800, 1, 1), "outside"),
        (PartialDate(3024), "outside"),
        (PartialDate(2023, 2, 29), "does not exist"),
        (PartialDate(2024, 13), "month 13"),
        (PartialDate(None, None, 5), "needs a month"),
        (PartialDate(2026, 12, 31), "future"),
    ],
)
def test_impossible_dates_are_explained(date, problem):
    errors = date.errors(today=datetime.date(2026, 11, 25))
    assert any(problem in e for e in errors), errors


def test_feb_29_without_a_year_is_possible():
    assert PartialDate(None, 2, 29).errors() == []
