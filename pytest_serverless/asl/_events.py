"""History event field names (no imports: the history readers in reporting/ use it too)."""

from __future__ import annotations

__all__ = ["details_key"]

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
