"""AWS timestamps (RFC 3339 with an uppercase ``T`` and a ``Z`` or numeric offset), as Choice rules compare
them and Wait states read them; a leaf module, so that a Wait state does not import the Choice rules."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

__all__ = ["parse_timestamp", "timestamp_nanos"]

_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))\Z"
)


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def timestamp_nanos(text: str) -> int | None:
    """Nanoseconds since the epoch of an AWS timestamp (``2016-08-18T17:33:00.123Z``), None if invalid."""
    match = _TIMESTAMP.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.group(1, 2, 3, 4, 5, 6))
    fraction = (match.group(7) or "").ljust(9, "0")
    try:
        day_number = date(year, month, day).toordinal() - _EPOCH_ORDINAL
    except ValueError:  # month 13, February 30, ...
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    seconds = day_number * 86_400 + hour * 3_600 + minute * 60 + second
    if match.group(8) is None:
        hours, minutes = int(match.group(10)), int(match.group(11))
        if hours > 23 or minutes > 59:
            return None
        offset = hours * 3_600 + minutes * 60
        seconds -= offset if match.group(9) == "+" else -offset
    return seconds * 1_000_000_000 + int(fraction)


def parse_timestamp(text: str) -> datetime | None:
    """An AWS timestamp as an aware UTC datetime (microsecond precision), None if invalid."""
    nanos = timestamp_nanos(text)
    if nanos is None:
        return None
    try:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=nanos // 1000)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before datetime.min
        return None
