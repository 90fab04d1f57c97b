"""EventBridge: event patterns, the event envelope, and what a rule hands its target (Input, InputPath,
InputTransformer).

Pattern syntax follows AWS: exact values, ``prefix``, ``suffix``, ``anything-but``, ``numeric``, ``exists``,
``equals-ignore-case``, ``wildcard``, ``cidr`` and ``$or``. A field that is an array in the event matches when
any of its elements matches.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pytest_serverless._ids import ACCOUNT_ID, REGION

__all__ = [
    "event_envelope",
    "matches",
    "pattern_problems",
    "select_path",
    "target_input",
]

_MISSING = object()
_NUMERIC_OPERATORS = ("<", "<=", "=", ">", ">=")
_MATCHER_KEYS = (
    "prefix",
    "suffix",
    "anything-but",
    "numeric",
    "exists",
    "equals-ignore-case",
    "wildcard",
    "cidr",
)


# -- the event ----------------------------------------------------------------------------------------


def event_envelope(entry: Mapping[str, Any], *, event_id: str, now: datetime) -> dict[str, Any]:
    """A PutEvents entry (``Source``, ``DetailType``, ``Detail``...) as the event rules see it."""
    detail = entry.get("Detail", {})
    if isinstance(detail, (str, bytes)):
        detail = json.loads(detail) if detail else {}
    time = entry.get("Time")
    if isinstance(time, datetime):
        time_text = time.strftime("%Y-%m-%dT%H:%M:%SZ")
    elif isinstance(time, str):
        time_text = time
    else:
        time_text = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": "0",
        "id": event_id,
        "detail-type": entry.get("DetailType", ""),
        "source": entry.get("Source", ""),
        "account": ACCOUNT_ID,
        "time": time_text,
        "region": REGION,
        "resources": list(entry.get("Resources", [])),
        "detail": detail,
    }


# -- patterns -------------------------------------------------------------------------------------------


def pattern_problems(pattern: Any, pointer: str = "") -> list[tuple[str, str]]:
    """Why AWS would refuse this event pattern, as ``(pointer, message)`` pairs (empty when valid)."""
    if not isinstance(pattern, dict):
        return [(pointer, "an event pattern must be a JSON object")]
    problems: list[tuple[str, str]] = []
    for key, value in pattern.items():
        where = f"{pointer}/{key}"
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2:
                problems.append((where, "'$or' takes a list of at least two patterns"))
                continue
            for index, sub in enumerate(value):
                problems.extend(pattern_problems(sub, f"{where}/{index}"))
        elif isinstance(value, dict):
            problems.extend(pattern_problems(value, where))
        elif isinstance(value, list):
            if not value:
                problems.append((where, "an empty list matches nothing; AWS refuses it"))
            for index, matcher in enumerate(value):
                problems.extend(_matcher_problems(matcher, f"{where}/{index}"))
        else:
            problems.append((where, f"a match value must be inside a list: use [{json.dumps(value)}]"))
    return problems


def _matcher_problems(matcher: Any, pointer: str) -> list[tuple[str, str]]:
    if not isinstance(matcher, dict):
        return []
    if len(matcher) != 1 or next(iter(matcher)) not in _MATCHER_KEYS:
        return [(pointer, f"unknown matcher {json.dumps(matcher)}; use one of {', '.join(_MATCHER_KEYS)}")]
    key, argument = next(iter(matcher.items()))
    if key == "numeric":
        if not isinstance(argument, list) or len(argument) not in (2, 4):
            return [(pointer, "'numeric' takes [op, number] or [op, number, op, number]")]
        for index in range(0, len(argument), 2):
            operator, number = argument[index], argument[index + 1]
            if (
                operator not in _NUMERIC_OPERATORS
                or isinstance(number, bool)
                or not isinstance(number, (int, float))
            ):
                return [
                    (pointer, f"'numeric' operators are {', '.join(_NUMERIC_OPERATORS)} followed by a number")
                ]
    elif key == "exists" and not isinstance(argument, bool):
        return [(pointer, "'exists' takes true or false")]
    elif key == "cidr":
        try:
            ipaddress.ip_network(str(argument), strict=False)
        except ValueError:
            return [(pointer, f"'cidr' takes an IP network such as 10.0.0.0/24, got {argument!r}")]
    return []


def matches(pattern: Mapping[str, Any], event: Any) -> bool:
    """Does ``event`` match the EventBridge ``pattern``?"""
    for key, expected in pattern.items():
        if key == "$or":
            if not any(matches(sub, event) for sub in expected):
                return False
            continue
        value = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(expected, dict):
            if value is _MISSING or not isinstance(value, dict):
                if value is _MISSING and _only_absence(expected):
                    continue
                return False
            if not matches(expected, value):
                return False
        elif not _leaf_matches(expected, value):
            return False
    return True


def _only_absence(pattern: Mapping[str, Any]) -> bool:
    """A nested pattern whose every leaf is ``{"exists": false}`` matches a missing object."""
    for key, expected in pattern.items():
        if key == "$or" or isinstance(expected, dict):
            if not (isinstance(expected, dict) and _only_absence(expected)):
                return False
        elif not any(isinstance(m, dict) and m.get("exists") is False for m in expected):
            return False
    return True


def _leaf_matches(matchers: list[Any], value: Any) -> bool:
    if value is _MISSING:
        return any(isinstance(m, dict) and m.get("exists") is False for m in matchers)
    values = value if isinstance(value, list) else [value]
    for matcher in matchers:
        if isinstance(matcher, dict) and "exists" in matcher:
            if matcher["exists"] is True:
                return True
            continue
        if any(_matcher_matches(matcher, item) for item in values):
            return True
    return False


def _matcher_matches(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, dict):
        return _same(matcher, value)
    key, argument = next(iter(matcher.items()))
    if key == "prefix":
        return _text_test(argument, value, lambda text, arg: text.startswith(arg))
    if key == "suffix":
        return _text_test(argument, value, lambda text, arg: text.endswith(arg))
    if key == "equals-ignore-case":
        return isinstance(value, str) and isinstance(argument, str) and value.lower() == argument.lower()
    if key == "wildcard":
        return (
            isinstance(value, str)
            and isinstance(argument, str)
            and _wildcard(argument).fullmatch(value) is not None
        )
    if key == "numeric":
        return _numeric(argument, value)
    if key == "cidr":
        try:
            return ipaddress.ip_address(str(value)) in ipaddress.ip_network(str(argument), strict=False)
        except ValueError:
            return False
    if key == "anything-but":
        if isinstance(argument, list):
            return not any(_same(item, value) for item in argument)
        if isinstance(argument, dict):
            return not _matcher_matches(argument, value)
        return not _same(argument, value)
    return False


def _text_test(argument: Any, value: Any, test: Any) -> bool:
    if not isinstance(value, str):
        return False
    if isinstance(argument, dict) and "equals-ignore-case" in argument:
        return bool(test(value.lower(), str(argument["equals-ignore-case"]).lower()))
    return isinstance(argument, str) and bool(test(value, argument))


def _same(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return expected is value
    if isinstance(expected, (int, float)) and isinstance(value, (int, float)):
        return float(expected) == float(value)
    return type(expected) is type(value) and expected == value


def _numeric(argument: list[Any], value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    for index in range(0, len(argument), 2):
        operator, bound = argument[index], float(argument[index + 1])
        ok = {
            "<": value < bound,
            "<=": value <= bound,
            "=": value == bound,
            ">": value > bound,
            ">=": value >= bound,
        }.get(operator, False)
        if not ok:
            return False
    return True


def _wildcard(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(?<!\\)\*", pattern)
    return re.compile(".*".join(re.escape(part.replace("\\*", "*")) for part in parts), re.DOTALL)


# -- target input ------------------------------------------------------------------------------------------

_PATH_TOKEN = re.compile(r"\.([A-Za-z0-9_\-$@]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


def select_path(document: Any, path: str) -> Any:
    """A simple JSONPath (``$.detail.items[0]``) applied to ``document``; ``_MISSING`` when absent."""
    if not path.startswith("$"):
        raise ValueError(f"a path must start with '$', got {path!r}")
    position = 1
    current = document
    while position < len(path):
        match = _PATH_TOKEN.match(path, position)
        if match is None:
            raise ValueError(f"unsupported path {path!r} (use $.field, $.a.b or $.list[0])")
        position = match.end()
        name, index = match.group(1) or match.group(3) or match.group(4), match.group(2)
        if index is not None:
            if not isinstance(current, list) or int(index) >= len(current):
                return _MISSING
            current = current[int(index)]
        else:
            if not isinstance(current, dict) or name not in current:
                return _MISSING
            current = current[name]
    return current


def target_input(
    event: dict[str, Any],
    *,
    rule_name: str,
    rule_arn: str,
    constant: str | None = None,
    input_path: str | None = None,
    transformer: Mapping[str, Any] | None = None,
) -> Any:
    """What the rule passes to its target: the whole event, a constant, a path of it, or a transformation."""
    if constant is not None:
        return json.loads(constant) if isinstance(constant, str) else constant
    if input_path is not None:
        value = select_path(event, input_path)
        return None if value is _MISSING else value
    if transformer is not None:
        return _transform(event, transformer, rule_name=rule_name, rule_arn=rule_arn)
    return event


def _transform(
    event: dict[str, Any], transformer: Mapping[str, Any], *, rule_name: str, rule_arn: str
) -> Any:
    values: dict[str, Any] = {
        "aws.events.rule-arn": rule_arn,
        "aws.events.rule-name": rule_name,
        "aws.events.event.ingestion-time": event.get("time"),
        "aws.events.event": event,
        "aws.events.event.json": event,
    }
    for name, path in (transformer.get("InputPathsMap") or {}).items():
        values[name] = select_path(event, str(path))
    template = str(transformer.get("InputTemplate", ""))
    out: list[str] = []
    in_string = False
    plain_text = not template.lstrip().startswith(("{", "[", '"'))  # values go in as they are
    position = 0
    while position < len(template):
        char = template[position]
        if char == '"' and (position == 0 or template[position - 1] != "\\"):
            in_string = not in_string
        if char == "<":
            end = template.find(">", position)
            name = template[position + 1 : end] if end > 0 else ""
            if end > 0 and name in values:
                value = values[name]
                if value is _MISSING:
                    out.append("" if in_string or plain_text else "null")
                elif (in_string or plain_text) and isinstance(value, str):
                    out.append(value)
                elif plain_text:
                    out.append(json.dumps(value, separators=(",", ":")))
                elif in_string:
                    out.append(json.dumps(value, separators=(",", ":")).replace('"', '\\"'))
                else:
                    out.append(json.dumps(value, separators=(",", ":")))
                position = end + 1
                continue
        out.append(char)
        position += 1
    text = "".join(out)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
