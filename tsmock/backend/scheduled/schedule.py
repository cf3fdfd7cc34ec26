"""Schedule expressions of scheduled queries: EventBridge ``cron(...)`` and ``rate(...)``.

Timestream hands ``ScheduleConfiguration.ScheduleExpression`` to EventBridge
Scheduler, so the syntax is EventBridge's (docs/operations/scheduled-queries.md):

- ``cron(minutes hours day-of-month month day-of-week year)``, in UTC. Fields take
  ``*``, single values, ranges ``a-b``, lists ``a,b``, steps ``a/n``, ``*/n`` and
  ``a-b/n``; months ``JAN``-``DEC``; days of week ``1``-``7`` = ``SUN``-``SAT``;
  ``?`` in exactly one of day-of-month and day-of-week; ``L`` (last day of the
  month; in day-of-week alone: Saturday, ``nL``: the last weekday ``n`` of the
  month), ``nW`` / ``LW`` (the weekday nearest day ``n`` / the last weekday of the
  month) and ``n#k`` (the ``k``-th weekday ``n`` of the month).
- ``rate(value unit)``: a positive integer, unit ``minute``/``hour``/``day`` when
  the value is 1 and ``minutes``/``hours``/``days`` otherwise, as EventBridge requires.

Every bad expression is a ValidationException whose message starts
``Invalid ScheduleExpression '<expression>': `` followed by what is wrong (the
service's own text is not known; this form names the value and the reason).

A rate schedule fires at ``anchor + k * period`` for ``k >= 1``, the anchor being
the scheduled query's creation time truncated to the minute: EventBridge starts a
rate schedule when it is created, and its invocations fall on whole minutes.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from tsmock.backend.errors import ValidationException

_MONTH_NAMES = {
    name: index + 1
    for index, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    )
}
_DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
#: The last year EventBridge cron expressions accept.
MAX_YEAR = 2199
MIN_YEAR = 1970

_RATE = re.compile(r"rate\(\s*(\d+)\s+([a-z]+)\s*\)")
_CRON = re.compile(r"cron\((.*)\)", re.DOTALL)
_RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


def _invalid(expression: str, reason: str) -> ValidationException:
    return ValidationException(f"Invalid ScheduleExpression '{expression}': {reason}")


@dataclass(frozen=True)
class RateSchedule:
    """``rate(n unit)``: every ``period_seconds`` from the anchor (module docstring)."""

    expression: str
    period_seconds: int

    def next_after(self, after: datetime, anchor: datetime) -> datetime | None:
        """The first fire time strictly after ``after``."""
        start = _minute_floor(anchor)
        if after < start:
            return start + timedelta(seconds=self.period_seconds)
        elapsed = (after - start) // timedelta(seconds=1)
        steps = elapsed // self.period_seconds + 1
        return start + timedelta(seconds=steps * self.period_seconds)


@dataclass(frozen=True)
class DayRule:
    """Day-of-month or day-of-week rules of a cron expression (``None`` = ``?``)."""

    days: frozenset[int] = frozenset()
    last: bool = False  # L in day-of-month
    nearest_weekday: frozenset[int] = frozenset()  # nW
    last_weekday: bool = False  # LW
    last_of_weekday: frozenset[int] = frozenset()  # nL in day-of-week
    nth_weekday: frozenset[tuple[int, int]] = frozenset()  # n#k in day-of-week


@dataclass(frozen=True)
class CronSchedule:
    """``cron(...)``: six fields, UTC."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    day_of_month: DayRule | None
    months: frozenset[int]
    day_of_week: DayRule | None
    years: frozenset[int]

    def next_after(self, after: datetime, anchor: datetime | None = None) -> datetime | None:
        """The first fire time strictly after ``after``; None when there is none."""
        del anchor  # cron schedules do not depend on the creation time
        after = after.astimezone(timezone.utc)
        day = after.date()
        while day.year <= MAX_YEAR:
            if day.year not in self.years:
                day = date(day.year + 1, 1, 1)
                continue
            if day.month not in self.months:
                day = _first_of_next_month(day)
                continue
            if self._day_matches(day):
                moment = self._first_time_on(day, after)
                if moment is not None:
                    return moment
            day += timedelta(days=1)
        return None

    def _first_time_on(self, day: date, after: datetime) -> datetime | None:
        for hour in sorted(self.hours):
            if day == after.date() and hour < after.hour:
                continue
            for minute in sorted(self.minutes):
                moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)
                if moment > after:
                    return moment
        return None

    def _day_matches(self, day: date) -> bool:
        if self.day_of_month is not None:
            return _month_day_matches(self.day_of_month, day)
        assert self.day_of_week is not None  # the parser requires one of them
        return _week_day_matches(self.day_of_week, day)


Schedule = CronSchedule | RateSchedule


def _minute_floor(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(second=0, microsecond=0)


def _first_of_next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def _cron_weekday(day: date) -> int:
    """1 = Sunday ... 7 = Saturday, as cron counts."""
    return (day.weekday() + 1) % 7 + 1


def _month_day_matches(rule: DayRule, day: date) -> bool:
    last_day = calendar.monthrange(day.year, day.month)[1]
    if day.day in rule.days or (rule.last and day.day == last_day):
        return True
    if rule.last_weekday and day == _nearest_weekday(day.replace(day=last_day)):
        return True
    return any(
        day == _nearest_weekday(day.replace(day=min(target, last_day)))
        for target in rule.nearest_weekday
    )


def _nearest_weekday(target: date) -> date:
    """The weekday nearest ``target`` without leaving its month (the ``W`` rule)."""
    if target.weekday() < 5:
        return target
    last_day = calendar.monthrange(target.year, target.month)[1]
    if target.weekday() == 5:  # Saturday: Friday before, or Monday after on the 1st
        return target + timedelta(days=2) if target.day == 1 else target - timedelta(days=1)
    # Sunday: Monday after, or Friday before on the last day
    return target - timedelta(days=2) if target.day == last_day else target + timedelta(days=1)


def _week_day_matches(rule: DayRule, day: date) -> bool:
    weekday = _cron_weekday(day)
    if weekday in rule.days:
        return True
    last_day = calendar.monthrange(day.year, day.month)[1]
    if weekday in rule.last_of_weekday and day.day + 7 > last_day:
        return True
    return (weekday, (day.day - 1) // 7 + 1) in rule.nth_weekday


def parse_schedule(expression: str) -> Schedule:
    """Parse a ScheduleExpression; ValidationException when it is not valid."""
    rate = _RATE.fullmatch(expression)
    if rate is not None:
        return _parse_rate(expression, int(rate[1]), rate[2])
    cron = _CRON.fullmatch(expression)
    if cron is not None:
        return _parse_cron(expression, cron[1])
    raise _invalid(expression, "expected cron(...) or rate(...)")


def _parse_rate(expression: str, value: int, unit: str) -> RateSchedule:
    if value < 1:
        raise _invalid(expression, "the rate value must be a positive integer")
    singular = unit[:-1] if unit.endswith("s") else unit
    if singular not in _RATE_UNITS:
        raise _invalid(expression, "the rate unit must be minute(s), hour(s) or day(s)")
    if value == 1 and unit != singular:
        raise _invalid(expression, f"a rate of 1 takes the singular unit '{singular}'")
    if value > 1 and unit == singular:
        raise _invalid(expression, f"a rate above 1 takes the plural unit '{singular}s'")
    return RateSchedule(expression, value * _RATE_UNITS[singular])


def _parse_cron(expression: str, body: str) -> CronSchedule:
    fields = body.split()
    if len(fields) != 6:
        raise _invalid(
            expression, "cron() takes six fields: minutes hours day-of-month month day-of-week year"
        )
    minute_f, hour_f, dom_f, month_f, dow_f, year_f = fields
    if (dom_f == "?") == (dow_f == "?"):
        raise _invalid(expression, "exactly one of day-of-month and day-of-week must be '?'")

    def plain(text: str, low: int, high: int, names: dict[str, int], what: str) -> frozenset[int]:
        return frozenset(_parse_list(expression, text, low, high, names, what))

    return CronSchedule(
        expression=expression,
        minutes=plain(minute_f, 0, 59, {}, "minutes"),
        hours=plain(hour_f, 0, 23, {}, "hours"),
        day_of_month=None if dom_f == "?" else _parse_month_days(expression, dom_f),
        months=plain(month_f, 1, 12, _MONTH_NAMES, "month"),
        day_of_week=None if dow_f == "?" else _parse_week_days(expression, dow_f),
        years=plain(year_f, MIN_YEAR, MAX_YEAR, {}, "year"),
    )


def _value(
    expression: str, text: str, low: int, high: int, names: dict[str, int], what: str
) -> int:
    upper = text.upper()
    if upper in names:
        return names[upper]
    if not text.isdigit():
        raise _invalid(expression, f"'{text}' is not a valid {what} value")
    number = int(text)
    if not low <= number <= high:
        raise _invalid(expression, f"{what} value {number} is outside {low}-{high}")
    return number


def _parse_list(
    expression: str, text: str, low: int, high: int, names: dict[str, int], what: str
) -> set[int]:
    values: set[int] = set()
    for part in text.split(","):
        values |= _parse_range(expression, part, low, high, names, what)
    return values


def _parse_range(
    expression: str, part: str, low: int, high: int, names: dict[str, int], what: str
) -> set[int]:
    base, slash, step_text = part.partition("/")
    step = 1
    if slash:
        if not step_text.isdigit() or int(step_text) < 1:
            raise _invalid(expression, f"'{part}' has an invalid step in the {what} field")
        step = int(step_text)
    if base == "*":
        start, end = low, high
    elif "-" in base:
        first, _, last = base.partition("-")
        start = _value(expression, first, low, high, names, what)
        end = _value(expression, last, low, high, names, what)
        if start > end:
            raise _invalid(expression, f"range '{base}' runs backwards in the {what} field")
    else:
        start = _value(expression, base, low, high, names, what)
        # "a/n" runs from a to the end of the field, as EventBridge reads "0/2".
        end = high if slash else start
    return set(range(start, end + 1, step))


def _parse_month_days(expression: str, text: str) -> DayRule:
    days: set[int] = set()
    last = last_weekday = False
    nearest: set[int] = set()
    for part in text.split(","):
        if part == "L":
            last = True
        elif part == "LW":
            last_weekday = True
        elif part.endswith("W"):
            nearest.add(_value(expression, part[:-1], 1, 31, {}, "day-of-month"))
        else:
            days |= _parse_range(expression, part, 1, 31, {}, "day-of-month")
    return DayRule(frozenset(days), last, frozenset(nearest), last_weekday)


def _parse_week_days(expression: str, text: str) -> DayRule:
    days: set[int] = set()
    last_of: set[int] = set()
    nth: set[tuple[int, int]] = set()
    for part in text.split(","):
        if part == "L":
            days.add(7)  # L alone in day-of-week: the last day of the week, Saturday
        elif part.endswith("L"):
            last_of.add(_value(expression, part[:-1], 1, 7, _DAY_NAMES, "day-of-week"))
        elif "#" in part:
            weekday_text, _, nth_text = part.partition("#")
            weekday = _value(expression, weekday_text, 1, 7, _DAY_NAMES, "day-of-week")
            if not nth_text.isdigit() or not 1 <= int(nth_text) <= 5:
                raise _invalid(expression, f"'{part}' needs an occurrence 1-5 after '#'")
            nth.add((weekday, int(nth_text)))
        else:
            days |= _parse_range(expression, part, 1, 7, _DAY_NAMES, "day-of-week")
    return DayRule(frozenset(days), last_of_weekday=frozenset(last_of), nth_weekday=frozenset(nth))


def next_after(
    expression: str | Schedule, after: datetime, anchor: datetime | None = None
) -> datetime | None:
    """The first fire time of a schedule strictly after ``after``.

    ``anchor`` (the creation time) is needed by rate schedules and ignored by cron.
    """
    schedule = parse_schedule(expression) if isinstance(expression, str) else expression
    return schedule.next_after(after, anchor if anchor is not None else after)


def fire_times(
    expression: str | Schedule, start: datetime, end: datetime, anchor: datetime | None = None
) -> Iterator[datetime]:
    """Every fire time in ``(start, end]``, in order."""
    schedule = parse_schedule(expression) if isinstance(expression, str) else expression
    origin = anchor if anchor is not None else start
    moment = schedule.next_after(start, origin)
    while moment is not None and moment <= end:
        yield moment
        moment = schedule.next_after(moment, origin)
