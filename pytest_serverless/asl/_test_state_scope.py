"""The data flow of one state entry for ``test_state``: ``$`` lookups, ``$$`` (the Context object), ``$var``
variables, payload templates and JSONata, with the engine's error names and messages, and no run loop."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pytest_serverless._ids import ACCOUNT_ID, REGION

from . import model as m
from .paths import CompiledPath, PathNotFound, compile_path, dumps, write_result_path
from .states_errors import StatesError
from .tasks import parse_resource

if TYPE_CHECKING:
    from .machine import StateMachine

__all__ = ["Scope"]

_QUERY = "States.QueryEvaluationError"
_RUNTIME = "States.Runtime"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _iso(epoch: float) -> str:
    moment = _EPOCH + timedelta(seconds=epoch)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Scope:
    """The data flow of one state entry: ``$`` lookups, ``$$`` (the Context object), ``$var`` variables,
    payload templates and JSONata, with the engine's error names and messages."""

    __slots__ = (
        "_context",
        "_rng",
        "assigned",
        "input",
        "machine",
        "now",
        "retry_count",
        "state",
        "variables",
    )

    def __init__(
        self,
        machine: StateMachine,
        state: m.State,
        value: Any,
        variables: dict[str, Any],
        context: dict[str, Any] | None,
        retry_count: int,
        now: float,
    ) -> None:
        self.machine = machine
        self.state = state
        self.input = value
        self.variables = variables
        self.assigned: dict[str, Any] | None = None
        self.now = now
        self.retry_count = retry_count
        self._context = context
        self._rng: random.Random | None = None

    @property
    def rng(self) -> random.Random:
        """Seeded randomness (intrinsics, JSONata), made on first use."""
        if self._rng is None:
            self._rng = random.Random(f"{self.machine.seed}:test-state")
        return self._rng

    @property
    def context(self) -> dict[str, Any]:
        """The ``$$`` object: the one given, else the execution's shape, made on first use."""
        if self._context is None:
            machine, state, now, value = self.machine, self.state, self.now, self.input

            name = "test-state"
            context = {
                "Execution": {
                    "Id": f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:{machine.name}:{name}",
                    "Input": value,
                    "StartTime": _iso(now),
                    "Name": name,
                    "RoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/StepFunctions-{machine.name}-role",
                    "RedriveCount": 0,
                },
                "State": {"EnteredTime": _iso(now), "Name": state.name, "RetryCount": self.retry_count},
                "StateMachine": {"Id": machine.arn, "Name": machine.name},
            }
            if isinstance(state, m.TaskState) and parse_resource(state.resource).pattern == "token":
                context["Task"] = {"Token": "test-state-task-token"}
            self._context = context
        return self._context

    def set_context(self, context: dict[str, Any]) -> None:
        self._context = context

    def prefix(self) -> str:
        return (
            f"An error occurred while executing the state '{self.state.name}' (entered at the event id #2). "
        )

    def runtime(self, message: str) -> StatesError:
        return StatesError(_RUNTIME, self.prefix() + message)

    def prefixed(self, error: StatesError) -> StatesError:
        cause = error.cause or ""
        if error.error in (_QUERY, _RUNTIME) and not cause.startswith("An error occurred while executing"):
            return StatesError(error.error, self.prefix() + cause)
        return error

    def base_of(self, path: CompiledPath, data: Any) -> Any:
        if path.root == "$":
            return data
        if path.root == "$$":
            return self.context
        if path.variable not in self.variables:
            raise PathNotFound(f"The variable '${path.variable}' was not found")
        return self.variables[path.variable]

    def lookup(self, path: CompiledPath, data: Any) -> Any:
        return path.get(self.base_of(path, data))

    def lookup_or_fail(self, path: CompiledPath, data: Any) -> Any:
        try:
            return self.lookup(path, data)
        except PathNotFound as error:
            raise self.runtime(f"Invalid path '{path.text}' : {error.message}") from None

    def select_path(self, path: Any, value: Any) -> Any:
        if path is None:
            return value
        if path is m.NULL_PATH:
            return {}
        return self.lookup_or_fail(path, value)

    def result_path(self, path: Any, raw_input: Any, result: Any) -> Any:
        if path is None:
            return result
        if path is m.NULL_PATH:
            return raw_input
        try:
            return write_result_path(raw_input, path, result)
        except PathNotFound:
            raise StatesError(
                "States.ResultPathMatchFailure",
                f'Unable to apply step "ResultPath" to input {dumps(raw_input)}',
            ) from None

    def jsonata(self, template: Any, **parts: Any) -> Any:
        parts["context"] = self.context
        try:
            return template.evaluate(parts, self.variables, self.rng, now_millis=int(self.now * 1000))
        except StatesError as error:
            raise self.prefixed(error) from None

    def resolver(self, data: Any) -> Callable[[str], Any]:
        def resolve(text: str) -> Any:
            return self.lookup(compile_path(text), data)

        return resolve

    def payload(self, template: Any, data: Any) -> Any:
        if template.constant:
            return template.evaluate(_never, _never)

        def resolve(path: CompiledPath, key: str, text: str) -> Any:
            try:
                return self.lookup(path, data)
            except PathNotFound:
                where = (
                    "input" if path.root == "$" else "context object" if path.root == "$$" else "variables"
                )
                message = (
                    f"The JSONPath '{text}' specified for the field '{key}' could not be found in the {where}"
                )
                if path.root == "$var":
                    raise self.runtime(message) from None
                shown = data if path.root == "$" else self.context
                raise self.runtime(f"{message} '{dumps(shown)}'") from None

        def call(intrinsic: Any, key: str) -> Any:
            def lookup(text: str) -> Any:
                try:
                    return self.lookup(compile_path(text), data)
                except PathNotFound:
                    message = f"The JSONPath '{text}' specified for the field '{key}' could not be found"
                    raise self.runtime(f"{message} in the input '{dumps(data)}'") from None

            try:
                return intrinsic.evaluate(lookup, self.rng)
            except StatesError as error:
                raise self.prefixed(error) from None

        return template.evaluate(resolve, call)

    def assign(self, template: Any, data: Any, **parts: Any) -> None:
        if template is None:
            return
        if self.state.query_language == m.JSONATA:
            values = self.jsonata(template, **parts)
        else:
            values = self.payload(template, data)
        self.assigned = values if isinstance(values, dict) else {}


def _never(*args: Any) -> Any:  # pragma: no cover - constant templates never resolve
    raise AssertionError("constant payload template resolved a path")
