"""Date arithmetic: month ends, leap days, the exact boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
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


# -- each date operation's frame form equals its per-case form ----------------------------------------------------
_any_day = st.one_of(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
                     st.sampled_from([date(2000, 2, 29), date(2001, 2, 28), date(2004, 2, 29), date(2011, 1, 31),
                                      date(2012, 8, 31), date(2100, 2, 28), date(1900, 3, 1), date(2012, 12, 31)]))
_ARGUMENTS = {"months": st.integers(-40, 400), "years": st.integers(0, 70), "days": st.integers(-1000, 1000)}


@pytest.mark.parametrize("name", sorted(dates.DATE_FUNCTIONS))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_frame_form_equals_per_case_form(name, data):
    """Every ``DateFunction``: the optimised frame form (calendar tables) gives, row by row, what the
    per-case form gives (``plain``), nulls included; counts both as one constant and per row."""
    import polars as pl

    function = dates.DATE_FUNCTIONS[name]
    rows = data.draw(st.integers(1, 40))
    columns, constants = {}, []
    for i, kind in enumerate(function.takes):
        if kind == "date":
            columns[f"a{i}"] = data.draw(st.lists(st.one_of(st.none(), _any_day), min_size=rows, max_size=rows))
            constants.append(pl.col(f"a{i}"))
        else:
            constants.append(data.draw(_ARGUMENTS[kind]))
    frame = pl.DataFrame(columns, schema={n: pl.Date for n in columns})
    per_row = [pl.lit(c, pl.Int32) if isinstance(c, int) and kind in ("months", "days") else c
               for c, kind in zip(constants, function.takes)]
    counts_per_row = any(kind in ("months", "days") for kind in function.takes) and name != "first_of_month_after"
    variants = [constants] + ([per_row] if counts_per_row else [])
    expected = frame.select(function.plain(*constants)).to_series().to_list()
    for arguments in variants:
        got = frame.select(function.frame(*arguments)).to_series().to_list()
        for i in range(rows):
            values = [frame[f"a{j}"][i] if isinstance(a, pl.Expr) else a for j, a in enumerate(constants)]
            if all(v is not None for v in values) and not function.defined(*values):
                continue
            assert got[i] == expected[i], (name, values)


def test_leap_day_birthday_and_month_end_clipping_in_a_frame():
    import polars as pl

    frame = pl.DataFrame({"birth": [date(2000, 2, 29)] * 3, "day": [date(2001, 2, 27), date(2001, 2, 28),
                                                                    date(2004, 2, 28)]})
    assert frame.select(dates.age_on.frame(pl.col("birth"), pl.col("day")))[:, 0].to_list() == [0, 1, 3]
    ends = pl.DataFrame({"d": [date(2011, 8, 31), date(2012, 8, 31)]}).select(dates.add_months.frame(pl.col("d"), 6))
    assert ends[:, 0].to_list() == [date(2012, 2, 29), date(2013, 2, 28)]


@given(birth=days, years=st.integers(0, 120))
def test_birthday_and_month_ends_equal_relativedelta(birth, years):
    from dateutil.relativedelta import relativedelta

    assert dates.birthday(birth, years) == birth + relativedelta(years=years)
    assert dates.last_of_month(birth) == birth.replace(day=1) + relativedelta(months=1) - timedelta(days=1)
    assert dates.last_day_with_months_left(birth, years % 25) >= birth - relativedelta(months=years % 25)
