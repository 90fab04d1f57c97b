"""One execution's events as text lines, for a failing test's report (issue 15): virtual time, event type,
state, input or output, error and cause, each shortened to one line.

    +0.000s  ExecutionStarted          input {"orderId":"o-1"}
    +0.000s  TaskStateEntered          Charge  input {"orderId":"o-1"}
    +0.000s  LambdaFunctionFailed      error Payment.Declined  cause card expired
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

__all__ = ["execution_lines"]

_WIDTH = 100
_LIMIT = 200  # events per execution; the rest is counted


def _short(text: Any, width: int = _WIDTH) -> str:
    value = text if isinstance(text, str) else repr(text)
    value = " ".join(value.split())
    return value if len(value) <= width else value[: width - 3] + "..."


def _details(event: Mapping[str, Any]) -> Mapping[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, Mapping):
            return value
    return {}


def _event_line(event: Mapping[str, Any], start: datetime | None) -> str:
    stamp = event.get("timestamp")
    offset = (
        f"+{(stamp - start).total_seconds():.3f}s"
        if isinstance(stamp, datetime) and isinstance(start, datetime)
        else "?"
    )
    details = _details(event)
    parts = [f"{offset:>10}  {str(event.get('type', '?')):<28}"]
    if isinstance(details.get("name"), str):
        parts.append(details["name"])
    for key in ("input", "output", "error", "cause"):
        if key in details and details[key] is not None:
            parts.append(f"{key} {_short(details[key])}")
    return "  ".join(parts).rstrip()


def execution_lines(executions: Iterable[tuple[str, Any]], *, limit: int = _LIMIT) -> list[str]:
    """``executions``: ``(machine name, execution)`` pairs, in the order they ran."""
    lines: list[str] = []
    pairs = list(executions)
    for number, (name, execution) in enumerate(pairs, start=1):
        status = getattr(execution, "status", "?")
        error = getattr(execution, "error", None)
        outcome = f"{status}: {error}" if error else str(status)
        which = f"execution {number} of {len(pairs)}" if len(pairs) > 1 else "execution"
        lines.append(f"{which} of {name!r} ({outcome}), virtual time from its start:")
        history: Sequence[Mapping[str, Any]] = getattr(execution, "history", None) or []
        start = history[0].get("timestamp") if history else None
        for event in history[:limit]:
            lines.append(_event_line(event, start if isinstance(start, datetime) else None))
        if len(history) > limit:
            lines.append(
                f"{'':>10}  ... {len(history) - limit} more events (--serverless-artifacts=DIR keeps them)"
            )
    return lines
