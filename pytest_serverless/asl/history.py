"""Execution history: events shaped as ``GetExecutionHistory`` returns them, and the path taken.

Events are plain dicts (``type``, ``id``, ``previousEventId``, ``timestamp``, ``...EventDetails``), built
cheaply: timestamps are stored as epoch floats and rendered to aware datetimes only when read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ._events import details_key
from .paths import dumps

__all__ = ["HISTORY_LIMIT", "History", "HistoryLimitExceeded", "details_key"]

HISTORY_LIMIT = 25_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class HistoryLimitExceeded(Exception):
    """More than 25,000 events: AWS fails the execution."""


class History:
    """The growing list of events of one execution (branches included).

    Events are stored as tuples ``(type, previous_id, epoch_seconds, details, payload_key, payload)`` and
    rendered to ``GetExecutionHistory`` dicts on demand. ``details`` is a dict, None, or a state name (a
    ``str``) standing for ``{"name": <state name>}``: most events are StateEntered/StateExited, and a
    string costs no allocation. ``Interpreter.event`` appends to ``events`` (checking ``limit``) itself:
    it runs twice per state entered.
    """

    __slots__ = ("events", "limit")

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self.events: list[tuple[str, int, float, dict[str, Any] | str | None, str | None, Any]] = []
        self.limit = limit

    def __len__(self) -> int:
        return len(self.events)

    def rendered(self) -> list[dict[str, Any]]:
        """The events as dicts with aware-datetime timestamps.

        Events share timestamps (virtual time stands still between most of them) and payloads (a state's
        output is the next state's input): both are computed once per distinct value.
        """
        out = []
        stamps: dict[float, datetime] = {}
        texts: dict[int, tuple[Any, str]] = {}  # id(payload) -> (payload kept alive, its JSON text)
        for index, (event_type, previous, when, details, payload_key, payload) in enumerate(self.events, 1):
            stamp = stamps.get(when)
            if stamp is None:
                stamp = stamps[when] = _EPOCH + timedelta(seconds=when)
            event: dict[str, Any] = {
                "type": event_type,
                "id": index,
                "previousEventId": previous,
                "timestamp": stamp,
            }
            if details is not None or payload_key is not None:
                if isinstance(details, str):
                    body: dict[str, Any] = {"name": details}
                else:
                    body = dict(details) if details else {}
                if payload_key is not None:
                    known = texts.get(id(payload))
                    if known is None or known[0] is not payload:
                        known = texts[id(payload)] = (payload, dumps(payload))
                    body[payload_key] = known[1]
                    if payload_key != "parameters":
                        body[payload_key + "Details"] = {"truncated": False}
                event[details_key(event_type)] = body
            out.append(event)
        return out
