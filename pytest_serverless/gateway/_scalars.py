"""How the gateway writes a JSON scalar as text (a proxy answer's header value, a selected route key)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["scalar_text"]


def scalar_text(value: Any) -> str | None:
    """A JSON scalar as text: strings as they are, numbers and booleans as JSON writes them; else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return None  # objects, arrays and null
