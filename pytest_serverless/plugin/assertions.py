"""``assert_path`` and ``assert_status``: checks on executions and responses that explain their failures.

This module does not import pytest: the assertion helpers work from a plain script too. The plugin uses
the same explanations for its markers and for ``pytest_assertrepr_compare``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_serverless.errors import UsageError

__all__ = [
    "PATH_MODES",
    "PathMismatch",
    "StatusMismatch",
    "assert_path",
    "assert_status",
    "check_path_arguments",
    "describe_outcome",
    "explain_path",
    "explain_status",
    "path_matches",
]

PATH_MODES = ("exact", "prefix", "contains", "subsequence")
_MODE_MEANING = {
    "exact": "the path is exactly",
    "prefix": "the path starts with",
    "contains": "the path contains, as one contiguous run,",
    "subsequence": "the path contains, in this order (gaps allowed),",
}
_FLAGS = {
    "exact": "first difference",
    "prefix": "first difference",
    "contains": "the run breaks here",
    "subsequence": "not entered from here on",
}
_CONTEXT_ROWS = 4
_LIST_LIMIT = 12
_BODY_LIMIT = 600


class PathMismatch(AssertionError):
    """An execution's state path is not the expected one (``assert_path``, ``expect_path``)."""


class StatusMismatch(AssertionError):
    """A gateway response's status code is not the expected one (``assert_status``, ``expect_status``)."""


# section: argument checks


def check_path_arguments(expected: object, mode: object, *, where: str) -> list[str]:
    """Validate ``expected`` and ``mode``; return ``expected`` as a list. Raises ``UsageError``."""
    if not isinstance(mode, str) or mode not in PATH_MODES:
        modes = ", ".join(repr(m) for m in PATH_MODES)
        raise UsageError(f"{where}: unknown mode {mode!r}; use one of {modes}")
    if isinstance(expected, (str, bytes)) or not isinstance(expected, Sequence):
        raise UsageError(
            f"{where}: the expected path must be a list of state names, not {type(expected).__name__} "
            f"(write [{expected!r}] for a single state)"
            if isinstance(expected, str)
            else f"{where}: the expected path must be a list of state names, not {type(expected).__name__}"
        )
    bad = [state for state in expected if not isinstance(state, str)]
    if bad:
        raise UsageError(f"{where}: the expected path must hold state names (str), not {bad[0]!r}")
    if not expected:
        raise UsageError(f"{where}: the expected path is empty; name at least one state")
    return list(expected)


# section: matching


def path_matches(actual: Sequence[str], expected: Sequence[str], mode: str) -> bool:
    """Whether ``actual`` matches ``expected`` in ``mode`` (exact, prefix, contains or subsequence)."""
    actual = list(actual)
    expected = list(expected)
    if mode == "exact":
        return actual == expected
    if mode == "prefix":
        return actual[: len(expected)] == expected
    if mode == "contains":
        width = len(expected)
        return any(actual[i : i + width] == expected for i in range(len(actual) - width + 1))
    if mode == "subsequence":
        remaining = iter(actual)
        return all(state in remaining for state in expected)
    raise UsageError(f"unknown path mode {mode!r}")


def _alignment(
    actual: list[str], expected: list[str], mode: str
) -> tuple[list[tuple[int, int]], int | None, str]:
    """Pairs (expected index, actual row) shown side by side, the expected index that failed, and why."""
    if mode in ("exact", "prefix"):
        pairs = [(i, i) for i in range(len(expected))]
        for i, state in enumerate(expected):
            if i >= len(actual):
                return pairs, i, f"the execution entered only {len(actual)} state(s); expected {state!r} next"
            if actual[i] != state:
                return pairs, i, f"first difference at #{i}: expected {state!r}, entered {actual[i]!r}"
        if mode == "exact" and len(actual) > len(expected):
            return (
                pairs,
                len(expected),
                f"the execution went on after {expected[-1]!r}: entered {actual[len(expected)]!r}",
            )
        return pairs, None, ""
    if mode == "contains":
        best_start, best_len = 0, -1
        for start in range(len(actual)):
            length = 0
            while (
                length < len(expected)
                and start + length < len(actual)
                and actual[start + length] == expected[length]
            ):
                length += 1
            if length > best_len:
                best_start, best_len = start, length
        if best_len <= 0:
            return [], 0, f"{expected[0]!r} was never entered"
        pairs = [(i, best_start + i) for i in range(len(expected))]
        row = best_start + best_len
        entered = repr(actual[row]) if row < len(actual) else "nothing (the execution ended)"
        return (
            pairs,
            best_len,
            f"the longest run found starts at #{best_start}; expected {expected[best_len]!r} at #{row}, "
            f"entered {entered}",
        )
    # subsequence: greedy, earliest match for each expected state
    pairs = []
    position = 0
    for i, state in enumerate(expected):
        try:
            row = actual.index(state, position)
        except ValueError:
            after = f" after #{position - 1} ({actual[position - 1]!r})" if position else ""
            return pairs, i, f"{state!r} was not entered{after}"
        pairs.append((i, row))
        position = row + 1
    return pairs, None, ""


def _visible_rows(total: int, focus: int | None) -> list[int | None]:
    """Row indexes to print (None is an elision), keeping long paths short around the divergence."""
    if total <= 2 * _CONTEXT_ROWS + 6:
        return list(range(total))
    focus = total - 1 if focus is None else focus
    keep = set(range(2)) | set(range(max(0, focus - _CONTEXT_ROWS), min(total, focus + _CONTEXT_ROWS + 1)))
    keep |= {total - 1}
    rows: list[int | None] = []
    for index in range(total):
        if index in keep:
            rows.append(index)
        elif rows and rows[-1] is not None:
            rows.append(None)
    return rows


def explain_path(
    execution: Any, expected: Sequence[str], mode: str = "exact", *, title: str | None = None
) -> list[str]:
    """Lines that explain how ``execution.path`` differs from ``expected``: both paths aligned, the first
    divergence marked, and where the execution went instead."""
    actual = [str(state) for state in getattr(execution, "path", execution)]
    expected = list(expected)
    pairs, failed_at, reason = _alignment(actual, expected, mode)
    lines = [title or f"state path does not match (mode {mode!r})"]
    lines.append(f"  expected: {_MODE_MEANING[mode]} {_states(expected)}")
    by_row = {row: index for index, row in pairs}
    marker_row = _marker_row(pairs, failed_at, mode)
    rows = max(len(actual), len(expected) if mode in ("exact", "prefix") else 0)
    if marker_row is not None:
        rows = max(rows, marker_row + 1)
    if mode in ("contains", "subsequence") and marker_row is not None and failed_at is not None:
        by_row.setdefault(marker_row, failed_at)
    lines += _aligned_rows(actual, expected, mode, by_row, rows, marker_row)
    if reason:
        lines.append(f"  {reason}")
    outcome = describe_outcome(execution)
    if outcome:
        lines.append(f"  {outcome}")
    return lines


def _marker_row(pairs: list[tuple[int, int]], failed_at: int | None, mode: str) -> int | None:
    """The row of the actual path where the first divergence is marked (None when nothing failed)."""
    if failed_at is None:
        return None
    if mode in ("exact", "prefix"):
        return failed_at
    if mode == "contains":
        return pairs[0][1] + failed_at if pairs else None
    return pairs[-1][1] + 1 if pairs else 0


def _aligned_rows(
    actual: list[str],
    expected: list[str],
    mode: str,
    by_row: dict[int, int],
    rows: int,
    marker_row: int | None,
) -> list[str]:
    """The table of both paths side by side, row by row, with the marker on the divergence."""
    width = max([len("expected"), *(len(state) for state in expected)]) + 2
    index_width = len(str(max(rows - 1, 0)))
    lines = [f"  {'#':>{index_width}}  {'expected':<{width}}actual"]
    for row in _visible_rows(rows, marker_row):
        if row is None:
            lines.append(f"  {'':>{index_width}}  ...")
            continue
        want = expected[by_row[row]] if row in by_row else ""
        got = actual[row] if row < len(actual) else "-"
        if not want and mode in ("exact", "prefix") and row >= len(expected):
            want = "-" if mode == "exact" else ""
        flag = f"  <-- {_FLAGS[mode]}" if row == marker_row else ""
        lines.append(f"  {row:>{index_width}}  {want:<{width}}{got}{flag}".rstrip())
    return lines


def _states(states: list[str]) -> str:
    """A list of state names for one line, elided in the middle when long."""
    if len(states) <= _LIST_LIMIT:
        return repr(states)
    head = ", ".join(repr(state) for state in states[: _LIST_LIMIT // 2])
    tail = ", ".join(repr(state) for state in states[-3:])
    return f"[{head}, ..., {tail}] ({len(states)} states)"


def _failed_state(execution: Any) -> str | None:
    """The state a failed execution stopped in: the last state entered and not exited, from its history."""
    history = getattr(execution, "history", None) or []
    open_states: list[str] = []
    for event in history:
        if not isinstance(event, Mapping):
            continue
        kind = str(event.get("type", ""))
        if kind.endswith("StateEntered"):
            details = event.get("stateEnteredEventDetails") or {}
            name = details.get("name") if isinstance(details, Mapping) else None
            if isinstance(name, str):
                open_states.append(name)
        elif kind.endswith("StateExited"):
            details = event.get("stateExitedEventDetails") or {}
            name = details.get("name") if isinstance(details, Mapping) else None
            if isinstance(name, str) and name in open_states:
                open_states.reverse()
                open_states.remove(name)
                open_states.reverse()
    if open_states:
        return open_states[-1]
    path = getattr(execution, "path", None)
    return str(path[-1]) if path else None


def describe_outcome(execution: Any) -> str:
    """One line: how an execution ended (status; the state, error and cause of a failure)."""
    status = getattr(execution, "status", None)
    if status is None:
        return ""
    path = getattr(execution, "path", None) or []
    if status == "SUCCEEDED":
        last = f" after {path[-1]!r}" if path else ""
        return f"the execution SUCCEEDED{last}"
    where = _failed_state(execution)
    text = f"the execution {status}" + (f" in state {where!r}" if where else "")
    error = getattr(execution, "error", None)
    cause = getattr(execution, "cause", None)
    if error is not None:
        text += f": error {error!r}"
    if cause is not None:
        text += f", cause {_shorten(str(cause))!r}"
    return text


def _shorten(text: str, limit: int = _BODY_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text) - limit} more characters)"


# section: status


def _header(response: Any, name: str) -> str | None:
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    try:
        value = headers.get(name)
    except (AttributeError, TypeError, LookupError, ValueError):  # not a mapping-like .get
        return None
    if value is None and isinstance(headers, Mapping):
        lowered = name.lower()
        for key, candidate in headers.items():
            if str(key).lower() == lowered:
                return str(candidate)
    return None if value is None else str(value)


def _body_text(response: Any) -> str:
    text = getattr(response, "text", None)
    if text is None:
        content = getattr(response, "content", b"")
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content)
    return _shorten(str(text))


def explain_status(response: Any, expected: int | None = None, *, title: str | None = None) -> list[str]:
    """Lines that explain a response: its status, who answered, its error type and body."""
    status = getattr(response, "status_code", None)
    if title is None:
        title = f"status {status}, expected {expected}" if expected is not None else f"status {status}"
    lines = [title]
    request = getattr(response, "request", None)
    method = getattr(request, "method", None)
    url = (
        getattr(request, "url", None) or getattr(request, "raw_path", None) or getattr(request, "path", None)
    )
    if method and url:
        route = getattr(response, "route_key", None)
        lines.append(f"  request: {method} {url}" + (f" (route {route!r})" if route else ""))
    answered_by = getattr(response, "answered_by", None)
    if answered_by is not None:
        lines.append(f"  answered by: {answered_by}")
    reason = getattr(response, "reason", None)
    if isinstance(reason, str) and reason:  # why the gateway refused or failed the request
        lines.append(f"  why: {_shorten(reason, 500)}")
    error_type = _header(response, "x-amzn-ErrorType")
    if error_type is not None:
        lines.append(f"  x-amzn-ErrorType: {error_type}")
    body = _body_text(response)
    lines.append(f"  body: {body}" if body else "  body: (empty)")
    error = getattr(response, "error", None)
    if isinstance(error, BaseException):
        lines.append(f"  raised behind the response: {type(error).__name__}: {_shorten(str(error), 200)}")
    return lines


# section: public helpers


def assert_path(execution: Any, expected: Sequence[str], mode: str = "exact") -> None:
    """Assert that ``execution.path`` matches ``expected`` in ``mode``.

    Modes: ``exact`` (equal lists), ``prefix`` (starts with the expected states), ``contains`` (the expected
    states appear as one contiguous run), ``subsequence`` (in order, gaps allowed). On failure raises
    ``PathMismatch`` (an ``AssertionError``) showing both paths aligned, the first divergence marked and
    how the execution ended.
    """
    __tracebackhide__ = True
    wanted = check_path_arguments(expected, mode, where="assert_path()")
    path = getattr(execution, "path", None)
    if path is None:
        raise UsageError(
            f"assert_path(): the first argument must be an Execution, not {type(execution).__name__}"
        )
    if not path_matches(path, wanted, mode):
        raise PathMismatch("\n".join(explain_path(execution, wanted, mode)))


def assert_status(response: Any, expected: int) -> None:
    """Assert that ``response.status_code == expected``.

    On failure raises ``StatusMismatch`` (an ``AssertionError``) showing the response body, its
    ``x-amzn-ErrorType`` header and which pipeline step answered.
    """
    __tracebackhide__ = True
    if isinstance(expected, bool) or not isinstance(expected, int):
        raise UsageError(
            f"assert_status(): the expected status must be an int, not {type(expected).__name__}"
        )
    status = getattr(response, "status_code", None)
    if status is None:
        raise UsageError(
            f"assert_status(): the first argument must be a response, not {type(response).__name__}"
        )
    if status != expected:
        raise StatusMismatch("\n".join(explain_status(response, expected)))


def json_text(value: Any) -> str:
    """Compact JSON for messages (falls back to repr)."""
    try:
        return json.dumps(value, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)
