"""WebSocket selection expressions: ``$request.body.action``, ``${request.body.a.b}-v1``, ``\\$default``.

AWS's rules (developer guide, "WebSocket selection expressions"): a variable starts with ``$``; curly braces
may bound it (``${request.body.version}-beta``); several variables may appear and are evaluated once (no
recursion); ``\\$`` is a literal dollar sign. A route selection expression reads the message body (a JSON
object): when the body is not JSON or a variable has no value, the expression cannot be evaluated and the
message goes to ``$default``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pytest_serverless.errors import UsageError
from pytest_serverless.gateway._scalars import scalar_text

__all__ = ["RouteSelector", "UNSELECTED"]

UNSELECTED = None  # what ``RouteSelector.select`` returns when the expression cannot be evaluated
_NAME = r"[A-Za-z0-9_\-]+"
_VARIABLE = re.compile(
    r"\\\$|\$\{(request\.body(?:\." + _NAME + r")+)\}|\$(request\.body(?:\." + _NAME + r")+)"
)
_MISSING = object()


class RouteSelector:
    """A parsed route selection expression: ``select(body_text)`` -> the route key, or ``None``."""

    __slots__ = ("expression", "parts", "single")

    def __init__(self, expression: str, *, where: str = "route_selection_expression") -> None:
        if not isinstance(expression, str) or not expression.strip():
            raise UsageError(f"{where} must be a non-empty string such as '$request.body.action'")
        parts: list[str | tuple[str, ...]] = []
        position = 0
        for found in _VARIABLE.finditer(expression):
            if found.start() > position:
                parts.append(expression[position : found.start()])
            if found.group(0) == "\\$":
                parts.append("$")
            else:
                path = (found.group(1) or found.group(2)).split(".")[2:]
                parts.append(tuple(path))
            position = found.end()
        if position < len(expression):
            parts.append(expression[position:])
        for part in parts:
            if isinstance(part, str) and "$" in part and part != "$":
                raise UsageError(
                    f"{where} {expression!r}: only $request.body.NAME variables (dotted paths, optionally "
                    "in ${...}) can select a WebSocket route; write \\$ for a literal dollar sign"
                )
        if not any(isinstance(part, tuple) for part in parts):
            raise UsageError(
                f"{where} {expression!r} reads nothing from the message; use e.g. '$request.body.action'"
            )
        merged: list[str | tuple[str, ...]] = []
        for part in parts:
            if isinstance(part, str) and merged and isinstance(merged[-1], str):
                merged[-1] += part
            else:
                merged.append(part)
        self.expression = expression
        self.parts = tuple(merged)
        self.single = merged[0] if len(merged) == 1 and isinstance(merged[0], tuple) else None

    def select(self, body: str) -> str | None:
        """The route key for a message ``body``; ``None`` when the expression cannot be evaluated."""
        if not body or body[0] not in "{ \t\r\n":
            return UNSELECTED  # only a JSON object has properties to read
        try:
            document = json.loads(body)
        except ValueError:
            return UNSELECTED
        if type(document) is not dict:
            return UNSELECTED
        single = self.single
        if single is not None:
            return scalar_text(_walk(document, single))
        texts: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                texts.append(part)
                continue
            text = scalar_text(_walk(document, part))
            if text is None:
                return UNSELECTED
            texts.append(text)
        return "".join(texts)

    def __repr__(self) -> str:
        return f"RouteSelector({self.expression!r})"


def _walk(document: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = document
    for name in path:
        if type(value) is not dict:
            return _MISSING
        value = value.get(name, _MISSING)
        if value is _MISSING:
            return _MISSING
    return value
