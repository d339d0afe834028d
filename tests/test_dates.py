"""Date arithmetic: month ends, leap days, the exact boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility.facts import dates

days = st.integers(date(2000, 1, 1).toordinal(), date(2030, 12, 31).toordinal()).map(date.fromordinal)


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2011, 8, 31), 6, date(2012, 2, 29)),   # leap year: clip to 29 Feb
    (date(2010, 8, 31), 6, date(2011, 2, 28)),   # clip to 28 Feb
    (date(2011, 2, 28), 6, date(2011, 8, 28)),   # end of February is not "end of month" forward
    (date(2012, 2, 29), 12, date(2013, 2, 28)),
    (date(2011, 3, 31), 1, date(2011, 4, 30)),
])
def test_add_months_clips_to_month_end(start, months, expected):
    assert dates.add_months(start, months) == expected


@given(end=days, months=st.integers(1, 24))
def test_last_day_with_months_left_is_the_exact_boundary(end, months):
    last = dates.last_day_with_months_left(end, months)
    assert dates.has_months_left(last, end, months)
    assert not dates.has_months_left(last + timedelta(days=1), end, months)


@given(birth=st.integers(date(1940, 1, 1).toordinal(), date(2000, 12, 31).toordinal()).map(date.fromordinal),
       years=st.integers(1, 70))
def test_birthday_is_the_first_day_of_the_new_age(birth, years):
    day = dates.birthday(birth, years)
    assert dates.age_on(birth, day) == years
    assert dates.age_on(birth, day - timedelta(days=1)) == years - 1


def test_born_29_february_turns_older_on_28_february():
    born = date(1984, 2, 29)
    assert dates.birthday(born, 30) == date(2014, 2, 28)
    assert dates.age_on(born, date(2014, 2, 27)) == 29
    assert dates.age_on(born, date(2014, 2, 28)) == 30
    assert dates.birthday(born, 28) == date(2012, 2, 29)


def test_month_helpers():
    assert dates.first_of_month(date(2012, 2, 17)) == date(2012, 2, 1)
    assert dates.last_of_month(date(2012, 2, 17)) == date(2012, 2, 29)
    assert dates.last_of_month(date(2011, 12, 5)) == date(2011, 12, 31)


wide_days = st.integers(date(1900, 1, 1).toordinal(), date(2100, 12, 31).toordinal()).map(date.fromordinal)


@given(day=wide_days, months=st.integers(-1200, 1200))
def test_add_months_equals_relativedelta(day, months):
    from dateutil.relativedelta import relativedelta

    assert dates.add_months(day, months) == day + relativedelta(months=months)


@given(birth=wide_days, day=wide_days)
def test_age_on_equals_relativedelta(birth, day):
    from dateutil.relativedelta import relativedelta

    assert dates.age_on(birth, day) == relativedelta(day, birth).years
