"""Execution history: events shaped as ``GetExecutionHistory`` returns them, and the path taken.

Events are plain dicts (``type``, ``id``, ``previousEventId``, ``timestamp``, ``...EventDetails``), built
cheaply: timestamps are stored as epoch floats and rendered to aware datetimes only when read.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from .paths import dumps

__all__ = ["HISTORY_LIMIT", "History", "HistoryLimitExceeded", "details_key"]

HISTORY_LIMIT = 25_000
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

_DETAILS_KEY: dict[str, str] = {}


def details_key(event_type: str) -> str:
    """``TaskStateEntered`` -> ``stateEnteredEventDetails`` (AWS's field names)."""
    key = _DETAILS_KEY.get(event_type)
    if key is None:
        if event_type.endswith("StateEntered"):
            key = "stateEnteredEventDetails"
        elif event_type.endswith("StateExited"):
            key = "stateExitedEventDetails"
        else:
            key = event_type[0].lower() + event_type[1:] + "EventDetails"
        _DETAILS_KEY[event_type] = key
    return key


class HistoryLimitExceeded(Exception):
    """More than 25,000 events: AWS fails the execution."""


class History:
    """The growing list of events of one execution (branches included).

    Events are stored as tuples ``(type, previous_id, epoch_seconds, details, payload_key, payload)`` and
    rendered to ``GetExecutionHistory`` dicts on demand.
    """

    __slots__ = ("events", "limit")

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self.events: list[tuple[str, int, float, dict[str, Any] | None, str | None, Any]] = []
        self.limit = limit

    def add(
        self,
        event_type: str,
        when: float,
        previous: int,
        details: dict[str, Any] | None = None,
        payload_key: str | None = None,
        payload: Any = None,
    ) -> int:
        """Append an event; return its id. ``previous`` is the id of the event it follows (0 = none).

        ``payload_key``/``payload``: a JSON value rendered lazily as ``"<key>": "<json>"`` plus
        ``"<key>Details": {"truncated": false}`` in the details.
        """
        events = self.events
        if len(events) >= self.limit:
            raise HistoryLimitExceeded()
        events.append((event_type, previous, when, details, payload_key, payload))
        return len(events)

    def __len__(self) -> int:
        return len(self.events)

    def rendered(self) -> list[dict[str, Any]]:
        """The events as dicts with aware-datetime timestamps."""
        out = []
        for index, (event_type, previous, when, details, payload_key, payload) in enumerate(self.events):
            event: dict[str, Any] = {
                "type": event_type,
                "id": index + 1,
                "previousEventId": previous,
                "timestamp": _EPOCH + timedelta(seconds=when),
            }
            if details is not None or payload_key is not None:
                body = dict(details) if details else {}
                if payload_key is not None:
                    body.update(payload_details(payload_key, payload))
                event[details_key(event_type)] = body
            out.append(event)
        return out


def payload_details(key: str, value: Any) -> dict[str, Any]:
    """``{"input": "<json>", "inputDetails": {"truncated": False}}``-style fields (``parameters`` has no
    details field)."""
    if key == "parameters":
        return {key: dumps(value)}
    return {key: dumps(value), f"{key}Details": {"truncated": False}}
