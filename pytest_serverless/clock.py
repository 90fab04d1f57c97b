"""The virtual clock that drives every time-based behaviour. It never sleeps."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = ["VirtualClock"]

_DEFAULT_START = datetime(2024, 1, 1, tzinfo=UTC)
_LAST_MOMENT = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp()


class VirtualClock:
    """Frozen time that moves only when told to.

    ``VirtualClock(start=None)``: ``start`` is an aware datetime (default 2024-01-01T00:00:00Z).
    """

    __slots__ = ("_epoch", "_listeners", "_scheduler")

    def __init__(self, start: datetime | None = None) -> None:
        if start is None:
            start = _DEFAULT_START
        if not isinstance(start, datetime):
            raise TypeError(f"VirtualClock(start=...) takes an aware datetime, not {type(start).__name__}")
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError(
                "VirtualClock(start=...) needs a timezone-aware datetime, e.g. tzinfo=timezone.utc"
            )
        self._epoch = start.timestamp()
        self._listeners: list[Callable[[float], None]] = []
        self._scheduler: object = None  # the ASL engine's scheduler of this clock (asl/runtime.py)

    def now(self) -> datetime:
        """The current virtual time, timezone-aware UTC."""
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=self._epoch)

    def time(self) -> float:
        """The current virtual time in epoch seconds."""
        return self._epoch

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (never backwards, never sleeping)."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(f"advance() takes a number of seconds, not {type(seconds).__name__}")
        if math.isnan(seconds) or seconds < 0:
            raise ValueError(f"advance() cannot move time backwards or by NaN (got {seconds!r})")
        if math.isinf(seconds):
            raise ValueError("advance() takes a finite number of seconds (got inf)")
        if seconds == 0:
            return
        if self._epoch + seconds > _LAST_MOMENT:
            raise OverflowError(
                f"virtual time cannot pass 9999-12-31T23:59:59Z (now {self.now().isoformat()}, "
                f"asked to advance {seconds} s): give long-running tests a fresh VirtualClock"
            )
        self._epoch += float(seconds)
        for listener in list(self._listeners):
            listener(self._epoch)

    def subscribe(self, listener: Callable[[float], None]) -> Callable[[], None]:
        """Call ``listener(epoch)`` after each advance (schedules use it); returns an unsubscribe function."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def __repr__(self) -> str:
        return f"VirtualClock({self.now().isoformat()})"
