"""TestState's request, checked as TestState checks it: the mock, ``stateConfiguration``, the Context object
and variables (``test_state.py`` runs the state). Messages are AWS's where it recorded them."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from pytest_serverless.errors import UsageError

from . import model as m
from ._json import json_error_text
from .paths import copy_json
from .tasks import parse_resource

__all__ = [
    "INSPECTION_LEVELS",
    "UNSET",
    "VALIDATION_MODES",
    "Config",
    "Mock",
    "all_states",
    "check_supported",
    "inner_states",
    "json_argument",
    "parse_config",
    "parse_context",
    "parse_mock",
    "parse_variables",
]

INSPECTION_LEVELS = ("INFO", "DEBUG", "TRACE")
VALIDATION_MODES = ("STRICT", "PRESENT", "NONE")
_MOCK_KEYS = ("result", "errorOutput", "fieldValidationMode")
_CONFIG_KEYS = ("retrierRetryCount", "errorCausedByState", "mapIterationFailureCount", "mapItemReaderData")
_CONTEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "Execution": ("Id", "Input", "Name", "RoleArn", "StartTime", "RedriveCount", "RedriveTime"),
    "State": ("EnteredTime", "Name", "RetryCount"),
    "StateMachine": ("Id", "Name"),
    "Task": ("Token",),
}
_CONTEXT_STRINGS = {"Id", "Name", "RoleArn", "StartTime", "RedriveTime", "EnteredTime", "Token"}
_LIMIT = 262_144
_NO_MAP_OR_PARALLEL = (
    "TestState API does not support Map or Parallel states. Supported state types include: "
    "[Task, Wait, Pass, Succeed, Fail, Choice]"
)
UNSET: Any = object()


def all_states(program: m.Program) -> Iterator[tuple[str, m.State]]:
    for name, state in program.states.items():
        yield name, state
        yield from inner_states(state)


def inner_states(state: m.State) -> Iterator[tuple[str, m.State]]:
    if isinstance(state, m.ParallelState):
        for branch in state.branches:
            yield from all_states(branch)
    elif isinstance(state, m.MapState) and state.processor is not None:
        yield from all_states(state.processor)


class Mock:
    __slots__ = ("cause", "error", "has_result", "mode", "result")

    def __init__(
        self, result: Any, has_result: bool, error: str | None, cause: str | None, mode: str
    ) -> None:
        self.result = result
        self.has_result = has_result
        self.error = error
        self.cause = cause
        self.mode = mode


class Config:
    __slots__ = ("error_caused_by_state", "item_reader_data", "iteration_failures", "retry_count")

    def __init__(self) -> None:
        self.retry_count = 0
        self.error_caused_by_state: str | None = None
        self.iteration_failures: int | None = None
        self.item_reader_data: Any = UNSET


def json_argument(what: str, value: Any) -> Any:
    try:
        copied = copy_json(value)
    except RecursionError:
        raise UsageError(f"test_state({what}=...) is nested too deeply to be JSON") from None
    except (TypeError, ValueError) as error:
        raise UsageError(
            f"test_state({what}=...) must be JSON-serializable: {json_error_text(error)}"
        ) from None
    return copied


def json_text_or_value(what: str, value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > _LIMIT:
            raise UsageError(
                f"{what} is {len(value):,} characters of JSON; TestState accepts at most {_LIMIT:,}"
            )
        try:
            return json.loads(value)
        except RecursionError:
            raise UsageError(f"{what} is nested too deeply to be JSON") from None
        except ValueError as error:
            raise UsageError(
                f"{what} must be JSON text (or a JSON value): {error}. A string result is written as JSON "
                "text too, e.g. '\"done\"'"
            ) from None
    return json_argument(what, value)


def parse_mock(mock: Mapping[str, Any] | None, state: m.State) -> Mock | None:
    if mock is None:
        return None
    if not isinstance(mock, Mapping):
        raise UsageError(
            "test_state(mock=...) takes TestState's mock: {'result': JSON text} or "
            f"{{'errorOutput': {{'error': ..., 'cause': ...}}}}, got {type(mock).__name__}"
        )
    for key in mock:
        if key not in _MOCK_KEYS:
            close = difflib.get_close_matches(str(key), _MOCK_KEYS, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(
                f"test_state(mock=...): unknown field {key!r}{hint}; a mock has 'result' or 'errorOutput', "
                "and optionally 'fieldValidationMode'"
            )
    if "result" in mock and "errorOutput" in mock:
        raise UsageError("A test mock should have only one of the following fields: [result, errorOutput].")
    mode = mock.get("fieldValidationMode", "STRICT")
    if mode not in VALIDATION_MODES:
        raise UsageError(
            f"test_state(mock=...): fieldValidationMode must be one of {', '.join(VALIDATION_MODES)} "
            f"(got {mode!r})"
        )
    if "result" in mock:
        return Mock(
            json_text_or_value("test_state(mock={'result': ...})", mock["result"]), True, None, None, mode
        )
    if "errorOutput" in mock:
        output = mock["errorOutput"]
        if not isinstance(output, Mapping) or set(output) - {"error", "cause"}:
            raise UsageError(
                "test_state(mock={'errorOutput': ...}) takes {'error': 'ErrorName', 'cause': 'text'}, "
                f"got {output!r}"
            )
        error, cause = output.get("error"), output.get("cause")
        if not isinstance(error, str) or not error or (cause is not None and not isinstance(cause, str)):
            raise UsageError(
                "test_state(mock={'errorOutput': ...}): 'error' must be a non-empty string and 'cause' a "
                f"string, got error={error!r}, cause={cause!r}"
            )
        return Mock(None, False, error, cause, mode)
    raise UsageError("test_state(mock=...) needs 'result' or 'errorOutput'")


def parse_config(config: Mapping[str, Any] | None, state: m.State, mock: Mock | None) -> Config:
    parsed = Config()
    if config is None:
        return parsed
    if not isinstance(config, Mapping):
        raise UsageError(
            "test_state(state_configuration=...) takes TestState's stateConfiguration: a mapping with "
            f"{', '.join(_CONFIG_KEYS)}"
        )
    _check_config_fields(config)
    retry_count = config.get("retrierRetryCount")
    if retry_count is not None:
        parsed.retry_count = retry_count
    failures = config.get("mapIterationFailureCount")
    if failures is not None:
        if not isinstance(state, m.MapState):
            raise UsageError(
                f"test_state(state_configuration=...): mapIterationFailureCount applies to Map states; "
                f"{state.name!r} is a {state.type} state"
            )
        parsed.iteration_failures = failures
    caused_by = config.get("errorCausedByState")
    if caused_by is not None:
        _check_error_caused_by(caused_by, state, mock)
        parsed.error_caused_by_state = caused_by
    reader_data = config.get("mapItemReaderData")
    if reader_data is not None:
        if not isinstance(state, m.MapState) or state.item_reader is None:
            raise UsageError(
                "test_state(state_configuration=...): mapItemReaderData is the data a Distributed Map's "
                f"ItemReader reads; {state.name!r} has no ItemReader"
            )
        parsed.item_reader_data = json_text_or_value(
            "test_state(state_configuration={'mapItemReaderData': ...})", reader_data
        )
    return parsed


def _check_config_fields(config: Mapping[str, Any]) -> None:
    """Refuse unknown stateConfiguration fields (with the nearest known name) and counts that are not
    integers of at least 0."""
    for key, value in config.items():
        if key not in _CONFIG_KEYS:
            close = difflib.get_close_matches(str(key), _CONFIG_KEYS, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(
                f"test_state(state_configuration=...): unknown field {key!r}{hint}; TestState's fields are "
                f"{', '.join(_CONFIG_KEYS)}"
            )
        counted = key in ("retrierRetryCount", "mapIterationFailureCount")
        if counted and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise UsageError(
                f"test_state(state_configuration=...): {key} takes an integer of at least 0, got {value!r}"
            )


def _check_error_caused_by(caused_by: Any, state: m.State, mock: Mock | None) -> None:
    """errorCausedByState needs a Map or Parallel state with a mocked error, and names it or a state
    inside it."""
    if not isinstance(state, (m.MapState, m.ParallelState)) or mock is None or mock.has_result:
        raise UsageError(
            "test_state(state_configuration=...): errorCausedByState names the state a mocked error "
            "comes from inside a Map or Parallel state; it needs such a state and "
            "mock={'errorOutput': ...}"
        )
    inner = {state.name, *(name for name, _ in inner_states(state))}
    if not isinstance(caused_by, str) or caused_by not in inner:
        known = ", ".join(repr(name) for name in sorted(inner))
        raise UsageError(
            f"test_state(state_configuration=...): errorCausedByState {caused_by!r} is not "
            f"{state.name!r} or a state inside it (states: {known})"
        )


def check_supported(state: m.State, mock: Mock | None) -> None:
    if mock is not None and not isinstance(state, (m.TaskState, m.MapState, m.ParallelState)):
        raise UsageError(f"State type '{state.type}' is not supported when a mock is specified")
    if mock is None and isinstance(state, (m.MapState, m.ParallelState)):
        raise UsageError(
            f"{_NO_MAP_OR_PARALLEL} (without a mock; give mock={{'result': ...}} to test the "
            f"{state.type} state {state.name!r})"
        )
    if mock is None and isinstance(state, m.TaskState):
        resource = parse_resource(state.resource)
        if resource.kind == "activity" or resource.pattern:
            raise UsageError(
                "TestState supports Activity tasks and the .sync and .waitForTaskToken integration patterns "
                f"only when a mock is specified: give mock={{'result': ...}} for the Task state "
                f"{state.name!r} (resource {state.resource!r})"
            )
    if mock is not None and mock.has_result:
        _check_result_shape(state, mock)


def _check_result_shape(state: m.State, mock: Mock) -> None:
    """What TestState checks of a mocked result by itself; a Task's result against the service's model is
    :func:`_model_problem`'s."""
    result = mock.result
    if isinstance(state, m.MapState):
        if state.result_writer is not None:
            if not isinstance(result, dict):
                raise UsageError("Mocked result must be a JSON object.")
        elif not isinstance(result, list):
            raise UsageError("Mocked result must be an array.")
    elif isinstance(state, m.ParallelState):
        if not isinstance(result, list):
            raise UsageError("Mocked result must be an array.")
        if len(result) != len(state.branches):
            raise UsageError(
                "Mocked result must contain the same number of items as number of Parallel branches."
            )
    elif isinstance(state, m.TaskState) and mock.mode != "NONE":
        problem = _model_problem(state.resource, result, mock.mode)
        if problem is not None:
            raise UsageError(f"test_state(): the mocked result of Task state {state.name!r} {problem}")


def _model_problem(resource: str, result: Any, mode: str) -> str | None:
    """The seam where the service-model check of a mocked result plugs in (issue 13: botocore's output
    shapes; ``STRICT``: every required member present and every present member typed as the model says,
    ``PRESENT``: present members typed). Returns why ``result`` does not fit ``resource``'s output, or None.

    The check lives in ``pytest_serverless.aws`` (botocore's models), imported when a result is checked.
    """
    from pytest_serverless.aws._models import result_problem

    return result_problem(resource, result, mode)


def parse_variables(variables: Any) -> dict[str, Any]:
    if variables is None:
        return {}
    parsed = json_text_or_value("test_state(variables=...)", variables)
    if not isinstance(parsed, dict):
        raise UsageError(
            f"test_state(variables=...) takes a JSON object of variable names to values, got {parsed!r}"
        )
    return parsed


def parse_context(context: Any) -> dict[str, Any]:
    parsed = json_text_or_value("test_state(context=...)", context)
    if not isinstance(parsed, dict):
        raise UsageError(
            f"Invalid Context object provided: the Context object must be a JSON object, got {parsed!r}"
        )
    for key, section in parsed.items():
        if key == "Map":
            raise UsageError(
                "Invalid Context object provided: 'Map' field is not supported when mocking a Context object"
            )
        allowed = _CONTEXT_FIELDS.get(key)
        if allowed is None:
            raise UsageError(f"Invalid Context object provided: Field '{key}' is not allowed")
        if not isinstance(section, dict):
            raise UsageError(f"Invalid Context object provided: {key} must be an object")
        for field, member in section.items():
            if field not in allowed:
                raise UsageError(f"Invalid Context object provided: Field '{field}' is not allowed")
            if field in _CONTEXT_STRINGS and not isinstance(member, str):
                raise UsageError(f"Invalid Context object provided: {key}.{field} must be a string")
            if field in ("RetryCount", "RedriveCount") and (
                isinstance(member, bool) or not isinstance(member, int)
            ):
                raise UsageError(f"Invalid Context object provided: {key}.{field} must be an integer")
    return parsed
