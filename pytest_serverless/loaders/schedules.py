"""EventBridge schedule expressions: ``rate(5 minutes)`` and ``cron(0 12 * * ? *)`` (UTC), evaluated on the
virtual clock.

``Schedule.next_after(t)`` gives the first firing time strictly after epoch ``t``. A rate fires every period
counted from when the rule was loaded; a cron fires at every matching minute.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["CronSchedule", "RateSchedule", "Schedule", "parse_schedule"]

_RATE = re.compile(r"rate\(\s*(\d+)\s+([a-z]+)\s*\)")
_CRON = re.compile(r"cron\((.*)\)")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {name: index for index, name in enumerate(calendar.month_abbr) if name}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


class Schedule:
    expression: str

    def next_after(self, epoch: float) -> float | None:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass
class RateSchedule(Schedule):
    """A ``rate(...)`` schedule expression."""

    expression: str
    period: float
    origin: float

    def next_after(self, epoch: float) -> float | None:
        if epoch < self.origin:
            return self.origin + self.period
        count = int((epoch - self.origin) // self.period) + 1
        return self.origin + count * self.period


@dataclass
class CronSchedule(Schedule):
    """A ``cron(...)`` schedule expression."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: str  # raw field: "*", "?", "1,15", "L", "15W"...
    months: frozenset[int]
    days_of_week: str  # raw field: "?", "MON-FRI", "2#1", "6L"...
    years: frozenset[int] | None

    def next_after(self, epoch: float) -> float | None:
        start = datetime.fromtimestamp(epoch, tz=UTC).replace(second=0, microsecond=0)
        start += timedelta(minutes=1)
        day = start.date()
        for _ in range(366 * 8):
            if self._day_matches(day.year, day.month, day.day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
                        if moment >= start:
                            return moment.timestamp()
            day += timedelta(days=1)
        return None

    def _day_matches(self, year: int, month: int, day: int) -> bool:
        if self.years is not None and year not in self.years:
            return False
        if month not in self.months:
            return False
        return _dom_matches(self.days_of_month, year, month, day) and _dow_matches(
            self.days_of_week, year, month, day
        )


def _dom_matches(field: str, year: int, month: int, day: int) -> bool:
    if field in ("*", "?"):
        return True
    last = calendar.monthrange(year, month)[1]
    for part in field.split(","):
        if part == "L":
            if day == last:
                return True
        elif part.endswith("W"):
            target = min(int(part[:-1]), last)
            weekday = calendar.weekday(year, month, target)
            if weekday == 5:
                target = target - 1 if target > 1 else target + 2
            elif weekday == 6:
                target = target + 1 if target < last else target - 2
            if day == target:
                return True
        elif day in _expand(part, 1, 31, {}):
            return True
    return False


def _dow_matches(field: str, year: int, month: int, day: int) -> bool:
    if field in ("*", "?"):
        return True
    aws_weekday = (calendar.weekday(year, month, day) + 1) % 7 + 1  # SUN=1 ... SAT=7
    for part in field.split(","):
        if "#" in part:
            name, nth = part.split("#", 1)
            if aws_weekday == _value(name, _DAYS) and (day - 1) // 7 + 1 == int(nth):
                return True
        elif part.endswith("L") and part != "L":
            last = calendar.monthrange(year, month)[1]
            if aws_weekday == _value(part[:-1], _DAYS) and day + 7 > last:
                return True
        elif part == "L":
            if aws_weekday == 7:
                return True
        elif aws_weekday in _expand(part, 1, 7, _DAYS):
            return True
    return False


def _value(text: str, names: dict[str, int]) -> int:
    upper = text.upper()
    if upper in names:
        return names[upper]
    return int(text)


def _expand(part: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    step = 1
    if "/" in part:
        part, step_text = part.split("/", 1)
        step = int(step_text)
        if step <= 0:
            raise ValueError("a step must be positive")
    if part in ("*", "?"):
        first, last = low, high
    elif "-" in part:
        first_text, last_text = part.split("-", 1)
        first, last = _value(first_text, names), _value(last_text, names)
    else:
        first = _value(part, names)
        last = high if step != 1 else first
    if not (low <= first <= high and low <= last <= high):
        raise ValueError(f"{part!r} is outside {low}-{high}")
    if last < first:  # wrap-around range (FRI-MON)
        return set(range(first, high + 1, step)) | set(range(low, last + 1, step))
    return set(range(first, last + 1, step))


def _field(text: str, low: int, high: int, names: dict[str, int]) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        values |= _expand(part, low, high, names)
    return frozenset(values)


def parse_schedule(expression: str, *, origin: float) -> Schedule:
    """Parse a ScheduleExpression; ``ValueError`` with AWS-style guidance when it is not valid."""
    text = expression.strip()
    rate = _RATE.fullmatch(text)
    if rate is not None:
        value, unit = int(rate.group(1)), rate.group(2)
        singular = unit[:-1] if unit.endswith("s") else unit
        if singular not in _UNITS or value <= 0:
            raise ValueError(f"{expression!r}: use rate(N minutes|hours|days) with N > 0")
        if (value == 1) != (unit == singular):
            expected = f"rate(1 {singular})" if value == 1 else f"rate({value} {singular}s)"
            raise ValueError(f"{expression!r}: AWS requires {expected}")
        return RateSchedule(expression=text, period=float(value * _UNITS[singular]), origin=origin)
    cron = _CRON.fullmatch(text)
    if cron is None:
        raise ValueError(f"{expression!r}: a schedule expression is rate(...) or cron(...)")
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise ValueError(
            f"{expression!r}: cron takes 6 fields (minutes hours day-of-month month day-of-week year)"
        )
    minutes, hours, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ValueError(f"{expression!r}: exactly one of day-of-month and day-of-week must be '?'")
    try:
        schedule = CronSchedule(
            expression=text,
            minutes=_field(minutes, 0, 59, {}),
            hours=_field(hours, 0, 23, {}),
            days_of_month=dom.upper(),
            months=_field(month.upper(), 1, 12, {k.upper(): v for k, v in _MONTHS.items()}),
            days_of_week=dow.upper(),
            years=None if year == "*" else _field(year, 1970, 2199, {}),
        )
        # validate the day fields once
        _dom_matches(schedule.days_of_month, 2024, 1, 1)
        _dow_matches(schedule.days_of_week, 2024, 1, 1)
    except ValueError as exc:
        raise ValueError(f"{expression!r}: {exc}") from None
    return schedule
