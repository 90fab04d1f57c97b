"""JSON values as AWS names and prints them in error causes.

Shared by the interpreter, JSONPath, JSONata and the intrinsic functions, which all quote the offending
value in the same words: its JSON type (``json_type``) and its compact text (``dumps``).
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["dumps", "exceeds_bytes", "java_text", "json_error_text", "json_type"]

_VALUE_SUFFIX = re.compile(r": -?(nan|inf)$")


def dumps(value: Any) -> str:
    """JSON text as AWS prints it in causes: compact, non-ASCII kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def json_type(value: Any) -> str:
    """The JSON type name AWS uses in its causes: null, boolean, number, string, array, object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def json_error_text(error: Exception) -> str:
    """Python's message for a value JSON cannot carry, the same on every version (3.13 appends ": nan")."""
    return _VALUE_SUFFIX.sub("", str(error))


def java_text(value: Any) -> str:
    """A value as AWS's Java side prints it in a cause: strings bare, floats by repr, the rest as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value) if not isinstance(value, float) else repr(value)


def exceeds_bytes(value: Any, limit: int) -> bool:
    """Whether ``value`` is more than ``limit`` bytes of UTF-8 JSON. Serialized only when its repr could be:
    a JSON text is at most 1.5 times as many characters as the value's repr, and a character at most 4
    UTF-8 bytes, so a repr of at most ``limit / 6`` characters cannot exceed the limit."""
    if not isinstance(value, (dict, list, str)) or len(repr(value)) * 6 <= limit:
        return False
    return len(dumps(value).encode("utf-8")) > limit
