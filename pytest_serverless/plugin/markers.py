"""The markers' signatures and their validation (pytest-django's habit: a real signature per marker).

``mock_task``, ``expect_path`` and ``expect_status`` are validated when the test is set up: a wrong
argument raises ``UsageError`` naming the marker, where it was put and what to write instead. This
module does not import pytest; it reads marks by duck typing (``.name``, ``.args``, ``.kwargs``).
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import reprlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_serverless.errors import TaskFailure, UsageError

from .assertions import check_path_arguments

__all__ = [
    "MARKER_HELP",
    "MockSpec",
    "PathExpectation",
    "StatusExpectation",
    "UnusedMockWarning",
    "describe_mark",
    "parse_expect_path",
    "parse_expect_status",
    "parse_mock_tasks",
    "parse_serverless_template",
    "TemplateChoice",
]

MARKER_SIGNATURES = {
    "mock_task": (
        "mock_task(state_or_arn, *, returns=..., raises=('Error', 'Cause'), responses=[...], "
        "side_effect=callable)"
    ),
    "expect_path": "expect_path(expected, mode='exact')",
    "expect_status": "expect_status(code)",
    "serverless_template": (
        "serverless_template(path=None, *, parameters=None, handlers=None, environment=None)"
    ),
}
MARKER_HELP = {
    "mock_task": (
        "mock_task(state_or_arn, *, returns=..., raises=('Error', 'Cause'), responses=[...], "
        "side_effect=callable): mock the Task state (or resource ARN) in every state machine the sfn and "
        "serverless_app fixtures make; give exactly one outcome. Stackable; usable on classes and modules; "
        "the closest marker wins per state."
    ),
    "expect_path": (
        "expect_path(expected, mode='exact'): every execution the test runs through the sfn and "
        "serverless_app fixtures must take this state path; mode is 'exact', 'prefix', 'contains' or "
        "'subsequence'."
    ),
    "expect_status": "expect_status(code): the last gateway response of the test must have this status code.",
    "serverless_template": (
        "serverless_template(path=None, *, parameters=None, handlers=None, environment=None): what the "
        "serverless_app fixture loads for this test, class or module (the innermost marker wins whole); a "
        "relative path is relative to the test file's folder; path=None keeps the configured template."
    ),
}

_OUTCOMES = ("returns", "raises", "responses", "side_effect")
_UNSET: Any = object()
_RANGE_KEY = re.compile(r"^\d+(-\d+)?$")
_short = reprlib.Repr()
_short.maxstring = 80
_short.maxother = 40
_short.maxlist = 4
_short.maxdict = 3
_short.maxlevel = 2


class UnusedMockWarning(UserWarning):
    """A ``mock_task`` marker on a test function that no execution of the test used."""


def describe_mark(mark: Any) -> str:
    """``@pytest.mark.mock_task('Charge', returns={...})``: a mark as the user wrote it, shortened."""
    parts = [_short.repr(arg) for arg in mark.args]
    parts += [f"{key}={_short.repr(value)}" for key, value in mark.kwargs.items()]
    return f"@pytest.mark.{mark.name}({', '.join(parts)})"


def _where(mark: Any, node_label: str) -> str:
    return f"{describe_mark(mark)} on {node_label}"


def _bind(signature: Callable[..., Any], mark: Any, where: str) -> Any:
    try:
        return signature(*mark.args, **mark.kwargs)
    except TypeError as error:
        # Python's message for a wrong call: "mock_task() got an unexpected keyword argument 'retuns'";
        # Python 3.13+ appends its own ". Did you mean ...?": ours is the same on every version.
        text = _PYTHON_HINT.sub("", str(error))
        unexpected = _UNEXPECTED.search(text)
        if unexpected is not None:
            import difflib  # a wrong marker argument only

            names = list(inspect.signature(signature).parameters)
            close = difflib.get_close_matches(unexpected.group(1), names, n=1)
            if close:
                text += f" (did you mean {close[0]!r}?)"
        raise UsageError(f"{where}: {text}; the signature is {MARKER_SIGNATURES[mark.name]}") from None


_PYTHON_HINT = re.compile(r"\. Did you mean '[^']*'\?$")
_UNEXPECTED = re.compile(r"unexpected keyword argument '([^']+)'")


# section: mock_task


@dataclass(eq=False)
class MockSpec:
    """One ``mock_task`` marker, validated: the state (or ARN) it mocks and the outcome it gives."""

    key: str
    kind: str  # "returns", "raises", "responses" or "side_effect"
    value: Any
    declared: str  # the marker as written and where, for messages
    own: bool  # put on the test function itself (not on its class or module)
    calls: int = field(default=0)

    def build(self) -> Any:
        """The mock to pass to ``StateMachine.execute(mocks=...)`` for one execution."""
        if self.kind == "responses":
            return copy.deepcopy(self.value)
        if self.kind == "returns":
            value = self.value

            def returns(task_input: Any) -> Any:
                self.calls += 1
                return copy.deepcopy(value)

            return returns
        if self.kind == "raises":
            error, cause = self.value

            def raises(task_input: Any) -> Any:
                self.calls += 1
                raise TaskFailure(error, cause)

            return raises
        function = self.value

        def side_effect(task_input: Any) -> Any:
            self.calls += 1
            return function(task_input)

        side_effect.__wrapped__ = function  # type: ignore[attr-defined]
        return side_effect


def mock_task(
    state_or_arn: Any,
    *,
    returns: Any = _UNSET,
    raises: Any = _UNSET,
    responses: Any = _UNSET,
    side_effect: Any = _UNSET,
) -> tuple[Any, dict[str, Any]]:
    """The signature of ``@pytest.mark.mock_task`` (called only to bind the marker's arguments)."""
    given = {
        name: value
        for name, value in (
            ("returns", returns),
            ("raises", raises),
            ("responses", responses),
            ("side_effect", side_effect),
        )
        if value is not _UNSET
    }
    return state_or_arn, given


def _check_responses(responses: Any, where: str) -> None:
    def check_one(label: str, response: Any) -> None:
        keys = set(response) if isinstance(response, Mapping) else set()
        if (
            not isinstance(response, Mapping)
            or len(keys & {"Return", "Throw"}) != 1
            or keys - {"Return", "Throw", "Duration"}
        ):
            raise UsageError(
                f"{where}: responses{label} must be {{'Return': value}} or "
                f"{{'Throw': {{'Error': 'E', 'Cause': 'C'}}}} (optionally with 'Duration': seconds), "
                f"not {_short.repr(response)}"
            )
        duration = response.get("Duration", 0)
        if isinstance(duration, bool) or not isinstance(duration, (int, float)) or duration < 0:
            raise UsageError(f"{where}: responses{label}['Duration'] must be a number of seconds >= 0")
        if "Throw" in response:
            throw = response["Throw"]
            if not isinstance(throw, Mapping) or not isinstance(throw.get("Error"), str):
                raise UsageError(
                    f"{where}: responses{label}['Throw'] must be a dict with an 'Error' name (str) and an "
                    f"optional 'Cause', not {_short.repr(throw)}"
                )
            unknown = sorted(set(throw) - {"Error", "Cause"})
            if unknown:
                raise UsageError(
                    f"{where}: responses{label}['Throw'] has unknown key(s) {unknown}; "
                    "use 'Error' and 'Cause'"
                )
        else:
            _check_json(response["Return"], f"{where}: responses{label}['Return']")

    if isinstance(responses, Mapping) and ("Return" in responses or "Throw" in responses):
        check_one("", responses)
        return
    if isinstance(responses, Mapping):
        if not responses:
            raise UsageError(f"{where}: responses= is empty; give one response per invocation")
        for key, response in responses.items():
            if not isinstance(key, str) or not _RANGE_KEY.match(key):
                raise UsageError(
                    f"{where}: responses keys must be invocation numbers like '0' or ranges like '1-2', not "
                    f"{key!r}"
                )
            check_one(f"[{key!r}]", response)
        return
    if isinstance(responses, (str, bytes)) or not isinstance(responses, Sequence):
        raise UsageError(
            f"{where}: responses= must be a list of {{'Return': ...}} / {{'Throw': {{...}}}} responses, "
            f"not {type(responses).__name__}"
        )
    if not responses:
        raise UsageError(f"{where}: responses= is empty; give one response per invocation")
    for index, response in enumerate(responses):
        check_one(f"[{index}]", response)


def _check_json(value: Any, where: str) -> None:
    try:
        json.dumps(value)
    except (TypeError, ValueError) as error:
        raise UsageError(f"{where} must be JSON-serializable (a Task returns JSON): {error}") from None


def _mock_spec(mark: Any, node_label: str, own: bool) -> MockSpec:
    where = _where(mark, node_label)
    key, given = _bind(mock_task, mark, where)
    if not isinstance(key, str) or not key:
        raise UsageError(
            f"{where}: the first argument must be a state name or resource ARN (a non-empty str)"
        )
    if not given:
        raise UsageError(f"{where}: no outcome; give one of returns=, raises=, responses= or side_effect=")
    if len(given) > 1:
        names = " and ".join(f"{name}=" for name in given)
        raise UsageError(f"{where}: give one outcome, not {names}")
    kind, value = next(iter(given.items()))
    if kind == "returns":
        _check_json(value, f"{where}: returns=")
    elif kind == "raises":
        if isinstance(value, str):
            value = (value, None)
        if (
            not isinstance(value, (tuple, list))
            or len(value) != 2
            or not isinstance(value[0], str)
            or not value[0]
            or not (value[1] is None or isinstance(value[1], str))
        ):
            raise UsageError(
                f"{where}: raises= must be an (error, cause) pair of str, like "
                f"('Payment.Declined', 'card expired'), or an error name alone, not {_short.repr(value)}"
            )
        value = (value[0], value[1])
    elif kind == "responses":
        _check_responses(value, where)
    elif not callable(value):
        raise UsageError(
            f"{where}: side_effect= must be a callable f(input) -> result "
            f"(raise TaskFailure(error, cause) to fail), not {type(value).__name__}"
        )
    return MockSpec(key=key, kind=kind, value=value, declared=where, own=own)


def parse_mock_tasks(marks: Iterable[tuple[Any, str, bool]]) -> dict[str, MockSpec]:
    """Validate ``mock_task`` marks, given closest first as ``(mark, node_label, own)``; the closest wins
    per state.

    Two markers for the same state on the same node are an error (combine them with ``responses=[...]``).
    """
    specs: dict[str, MockSpec] = {}
    seen_on: dict[tuple[str, str], str] = {}
    for mark, node_label, own in marks:
        spec = _mock_spec(mark, node_label, own)
        previous = seen_on.get((spec.key, node_label))
        if previous is not None:
            raise UsageError(
                f"{spec.declared}: {spec.key!r} is mocked twice on {node_label} (also by "
                f"{previous.split(' on ')[0]}); "
                f"keep one marker, with responses=[...] for one outcome per invocation"
            )
        seen_on[(spec.key, node_label)] = spec.declared
        specs.setdefault(spec.key, spec)
    return specs


# section: expect_path and expect_status


@dataclass(frozen=True)
class PathExpectation:
    """An ``expect_path`` marker, validated."""

    expected: list[str]
    mode: str
    declared: str


@dataclass(frozen=True)
class StatusExpectation:
    """An ``expect_status`` marker, validated."""

    code: int
    declared: str


def expect_path(expected: Any, mode: Any = "exact") -> tuple[Any, Any]:
    """The signature of ``@pytest.mark.expect_path``."""
    return expected, mode


def expect_status(code: Any) -> Any:
    """The signature of ``@pytest.mark.expect_status``."""
    return code


def parse_expect_path(mark: Any, node_label: str) -> PathExpectation:
    where = _where(mark, node_label)
    expected, mode = _bind(expect_path, mark, where)
    return PathExpectation(
        expected=check_path_arguments(expected, mode, where=where), mode=mode, declared=where
    )


def parse_expect_status(mark: Any, node_label: str) -> StatusExpectation:
    where = _where(mark, node_label)
    code = _bind(expect_status, mark, where)
    if isinstance(code, bool) or not isinstance(code, int):
        raise UsageError(f"{where}: the status code must be an int like 200, not {type(code).__name__}")
    if not 100 <= code <= 599:
        raise UsageError(f"{where}: {code} is not an HTTP status code (100-599)")
    return StatusExpectation(code=code, declared=where)


# section: serverless_template


@dataclass(frozen=True)
class TemplateChoice:
    """A ``serverless_template`` marker (or ``load_serverless_app`` call), validated."""

    path: str | None
    parameters: Mapping[str, Any] | None
    handlers: Mapping[str, Any] | None
    environment: Mapping[str, str] | None
    declared: str


def _template_signature(
    path: Any = None,
    *,
    parameters: Any = None,
    handlers: Any = None,
    environment: Any = None,
) -> tuple[Any, Any, Any, Any]:
    return path, parameters, handlers, environment


def check_template_arguments(
    where: str, path: Any, parameters: Any, handlers: Any, environment: Any, *, path_required: bool = False
) -> TemplateChoice:
    """Validate the template keywords (shared by the marker and ``load_serverless_app``)."""
    import os

    if path is None and path_required:
        raise UsageError(f"{where}: path is required, e.g. load_serverless_app('infra/template.yaml')")
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise UsageError(
            f"{where}: path takes a template file path (str or pathlib.Path), got {type(path).__name__}"
        )
    _require_mapping(where, "parameters", parameters, "{ParameterName: value}")
    _require_mapping(where, "handlers", handlers, "{function logical id: fn}")
    for key, function in (handlers or {}).items():
        if not callable(function):
            raise UsageError(f"{where}: handlers[{key!r}] is not callable: write a function (event, context)")
    _require_mapping(where, "environment", environment, "{VARIABLE: 'value'}")
    for key, value in (environment or {}).items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise UsageError(
                f"{where}: environment maps variable names to strings, got {key!r}: {value!r} "
                f"(write {str(key)!r}: {str(value)!r})"
            )
    return TemplateChoice(
        path=None if path is None else os.fspath(path),
        parameters=parameters,
        handlers=handlers,
        environment=environment,
        declared=where,
    )


def _require_mapping(where: str, keyword: str, value: Any, shape: str) -> None:
    """Refuse a template keyword that is given but is not a mapping; ``shape`` shows what it maps."""
    if value is not None and not isinstance(value, Mapping):
        raise UsageError(f"{where}: {keyword} takes a mapping {shape}, got {type(value).__name__}")


def parse_serverless_template(mark: Any, node_label: str) -> TemplateChoice:
    where = _where(mark, node_label)
    path, parameters, handlers, environment = _bind(_template_signature, mark, where)
    return check_template_arguments(where, path, parameters, handlers, environment)
