"""Schedule expressions: parsing, errors, and fire times."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta, timezone
from itertools import islice, pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsmock.backend.errors import ValidationException
from tsmock.backend.scheduled.schedule import (
    CronSchedule,
    RateSchedule,
    fire_times,
    next_after,
    parse_schedule,
)

from .fakes import utc

START = utc(2026, 12, 5, 15, 3, 20)  # a Saturday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cron(0/2 * * * ? *)", [utc(2026, 12, 5, 15, 4), utc(2026, 12, 5, 15, 6)]),
        ("cron(*/15 * * * ? *)", [utc(2026, 12, 5, 15, 15), utc(2026, 12, 5, 15, 30)]),
        ("cron(0 12 L * ? *)", [utc(2026, 12, 31, 12), utc(2027, 1, 31, 12)]),
        ("cron(0 8 ? * MON#2 *)", [utc(2026, 12, 14, 8), utc(2027, 1, 11, 8)]),
        ("cron(0 8 ? * 2#2 *)", [utc(2026, 12, 14, 8), utc(2027, 1, 11, 8)]),
        ("cron(15 10 ? * 6L 2027)", [utc(2027, 1, 29, 10, 15), utc(2027, 2, 26, 10, 15)]),
        ("cron(0 0 ? * L *)", [utc(2026, 12, 12), utc(2026, 12, 19)]),
        # 2027-05-15 is a Saturday: the nearest weekday is Friday the 14th
        ("cron(0 0 15W 5 ? *)", [utc(2027, 5, 14), utc(2028, 5, 15)]),
        # 2027-02-01 is a Monday; 2027-05-01 a Saturday: 1W moves forward to Monday the 3rd
        ("cron(0 0 1W FEB,MAY ? 2027)", [utc(2027, 2, 1), utc(2027, 5, 3)]),
        # The last weekday of January 2027 (the 31st is a Sunday)
        ("cron(0 0 LW 1 ? 2027)", [utc(2027, 1, 29)]),
        ("cron(30 9 ? * MON-FRI *)", [utc(2026, 12, 7, 9, 30), utc(2026, 12, 8, 9, 30)]),
        ("cron(0 0,12 1 JAN-MAR ? *)", [utc(2027, 1, 1), utc(2027, 1, 1, 12)]),
        ("cron(0 0 1 1 ? 2026)", []),
        ("rate(1 minute)", [utc(2026, 12, 5, 15, 4), utc(2026, 12, 5, 15, 5)]),
        ("rate(5 minutes)", [utc(2026, 12, 5, 15, 8), utc(2026, 12, 5, 15, 13)]),
        ("rate(2 hours)", [utc(2026, 12, 5, 17, 3), utc(2026, 12, 5, 19, 3)]),
        ("rate(1 day)", [utc(2026, 12, 6, 15, 3), utc(2026, 12, 7, 15, 3)]),
    ],
)
def test_fire_times(expression: str, expected: list[datetime]) -> None:
    # rate() is anchored at the creation time truncated to the minute.
    times = list(islice(fire_times(expression, START, utc(2030, 1, 1), anchor=START), 2))
    assert times == expected


def test_next_after_is_strict_and_none_past_the_last_year() -> None:
    assert next_after("cron(0 * * * ? *)", utc(2027, 1, 1)) == utc(2027, 1, 1, 1)
    assert next_after("cron(0 0 1 1 ? 2026)", utc(2026, 1, 1)) is None
    assert next_after("cron(0 0 30 2 ? *)", utc(2026, 1, 1)) is None


def test_rate_before_the_anchor_fires_one_period_after_it() -> None:
    schedule = parse_schedule("rate(10 minutes)")
    assert isinstance(schedule, RateSchedule)
    assert schedule.next_after(utc(2020, 1, 1), START) == utc(2026, 12, 5, 15, 13)


@pytest.mark.parametrize(
    ("expression", "detail"),
    [
        ("", "expected cron(...) or rate(...)"),
        ("every hour", "expected cron(...) or rate(...)"),
        ("rate(0 minutes)", "the rate value must be a positive integer"),
        ("rate(1 minutes)", "a rate of 1 takes the singular unit 'minute'"),
        ("rate(5 minute)", "a rate above 1 takes the plural unit 'minutes'"),
        ("rate(5 weeks)", "the rate unit must be minute(s), hour(s) or day(s)"),
        ("rate(-5 minutes)", "expected cron(...) or rate(...)"),
        (
            "cron(0 * * * *)",
            "cron() takes six fields: minutes hours day-of-month month day-of-week year",
        ),
        ("cron(0 * * * * *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 * ? * ? *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(60 * * * ? *)", "minutes value 60 is outside 0-59"),
        ("cron(0 24 * * ? *)", "hours value 24 is outside 0-23"),
        ("cron(0 0 32 * ? *)", "day-of-month value 32 is outside 1-31"),
        ("cron(0 0 * 13 ? *)", "month value 13 is outside 1-12"),
        ("cron(0 0 ? * 8 *)", "day-of-week value 8 is outside 1-7"),
        ("cron(0 0 * * ? 1969)", "year value 1969 is outside 1970-2199"),
        ("cron(0 0 * FOO ? *)", "'FOO' is not a valid month value"),
        ("cron(0/0 0 * * ? *)", "'0/0' has an invalid step in the minutes field"),
        ("cron(0 5-2 * * ? *)", "range '5-2' runs backwards in the hours field"),
        ("cron(0 0 ? * MON#6 *)", "'MON#6' needs an occurrence 1-5 after '#'"),
    ],
)
def test_invalid_expressions(expression: str, detail: str) -> None:
    with pytest.raises(ValidationException) as caught:
        parse_schedule(expression)
    assert caught.value.message == f"Invalid ScheduleExpression '{expression}': {detail}"


def _fires_at(schedule: CronSchedule, moment: datetime) -> bool:
    """Whether the fields allow ``moment``, read from the parsed fields alone."""
    if not (
        moment.second == 0
        and moment.minute in schedule.minutes
        and moment.hour in schedule.hours
        and moment.month in schedule.months
        and moment.year in schedule.years
    ):
        return False
    if schedule.day_of_week is not None:
        return (moment.weekday() + 1) % 7 + 1 in schedule.day_of_week.days
    rule = schedule.day_of_month
    assert rule is not None
    last = calendar.monthrange(moment.year, moment.month)[1]
    return moment.day in rule.days or (rule.last and moment.day == last)


minutes_field = st.sampled_from(["*", "0", "0/5", "*/7", "10-20", "5,35", "59"])
hours_field = st.sampled_from(["*", "0", "*/3", "9-17", "1,13", "23"])
dom_field = st.sampled_from(["*", "1", "15", "L", "1-10/3", "28-31"])
month_field = st.sampled_from(["*", "JAN", "2-4", "*/5", "DEC", "6,7"])
dow_field = st.sampled_from(["*", "MON", "2-6", "SAT,SUN", "1"])
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(timezone.utc)
)


@settings(max_examples=60, deadline=None)
@given(minutes_field, hours_field, dom_field, month_field, dow_field, st.booleans(), moments)
def test_cron_times_match_their_fields_and_none_is_skipped(
    minutes: str, hours: str, dom: str, month: str, dow: str, by_week: bool, after: datetime
) -> None:
    expression = (
        f"cron({minutes} {hours} ? {month} {dow} *)"
        if by_week
        else f"cron({minutes} {hours} {dom} {month} ? *)"
    )
    schedule = parse_schedule(expression)
    assert isinstance(schedule, CronSchedule)
    moment = schedule.next_after(after)
    assert moment is not None and moment > after
    assert _fires_at(schedule, moment)
    # Nothing in between: a minute-by-minute scan over short gaps finds no earlier match.
    if moment - after <= timedelta(hours=6):
        probe = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        while probe < moment:
            assert not _fires_at(schedule, probe), probe
            probe += timedelta(minutes=1)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=500),
    st.sampled_from(["minute", "hour", "day"]),
    moments,
    st.integers(min_value=0, max_value=10_000_000),
    st.integers(min_value=1, max_value=20),
)
def test_rate_times_are_spaced_exactly(
    value: int, unit: str, anchor: datetime, offset: int, count: int
) -> None:
    expression = f"rate({value} {unit if value == 1 else unit + 's'})"
    period = timedelta(**{unit + "s": value})
    start = anchor + timedelta(seconds=offset)
    times = list(fire_times(expression, start, start + period * count, anchor=anchor))
    assert len(times) == count
    assert times[0] > start and times[0] - period <= start
    base = anchor.replace(second=0, microsecond=0)
    for moment in times:
        assert (moment - base) % period == timedelta(0)
    for earlier, later in pairwise(times):
        assert later - earlier == period
