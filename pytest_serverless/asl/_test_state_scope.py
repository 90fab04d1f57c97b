"""The data flow of one state entry for ``test_state``: the run loop's own (``Interpreter``'s ``$`` lookups,
``$$``, ``$var`` variables, payload templates, JSONata, ResultPath, Assign, with the engine's error names
and messages), seen through one state run and one frame, with no run loop and no history kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pytest_serverless._ids import ACCOUNT_ID, REGION

from . import model as m
from .history import History
from .interpreter import Frame, Interpreter, StateRun, iso_millis
from .paths import CompiledPath
from .states_errors import StatesError
from .tasks import parse_resource

if TYPE_CHECKING:
    import random

    from .machine import StateMachine

__all__ = ["Scope"]

_NAME = "test-state"
_NO_EVENTS = History()  # a Scope records no event: its frame's history stays empty


class _TestStateInterpreter(Interpreter):
    """The execution's data flow and nothing else (no program, clock, history or threads: TestState runs
    no loop), so it sets only what the data-flow methods read; ``$$`` is TestState's ``context`` when one
    is given."""

    __slots__ = ("_input", "_machine", "_made", "given_context")
    given_context: dict[str, Any] | None

    def __init__(  # noqa: PLW0231 - the run loop's state is not needed: see the class docstring
        self,
        machine: StateMachine,
        value: Any,
        now: float,
        given_context: dict[str, Any] | None,
    ) -> None:
        self.now = now
        self.given_context = given_context
        self._machine = machine
        self._input = value
        self._made: dict[str, Any] | None = None  # the execution-shaped $$ of this one state entry
        self._seed = f"{machine.seed}:{_NAME}"
        self._rng = None

    def context(self, run: StateRun, frame: Frame) -> dict[str, Any]:
        given = self.given_context
        if given is None:
            if self._made is None:  # the execution's shape, made when $$ is first read
                machine, now = self._machine, self.now
                self.execution_context = {
                    "Id": f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:{machine.name}:{_NAME}",
                    "Input": self._input,
                    "StartTime": iso_millis(now),
                    "Name": _NAME,
                    "RoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/StepFunctions-{machine.name}-role",
                    "RedriveCount": 0,
                }
                self.machine_context = {"Id": machine.arn, "Name": machine.name}
                state = run.state  # a callback Task's $$.Task.Token
                if isinstance(state, m.TaskState) and parse_resource(state.resource).pattern == "token":
                    run.token = "test-state-task-token"
                self._made = super().context(run, frame) if frame.item is None else None
            if frame.item is not None:
                return super().context(run, frame)
            assert self._made is not None
            return self._made
        if frame.item is not None:
            return {**given, "Map": {"Item": {"Index": frame.item[0], "Value": frame.item[1]}}}
        return given


class Scope:
    """One state entry's data flow (``interp``, ``run``, ``frame`` as the run loop has them); ``assigned``
    is what the state's Assign produced (not yet visible, as in an execution)."""

    __slots__ = ("assigned", "frame", "interp", "run", "state")

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
        interp = _TestStateInterpreter(machine, value, now, context)
        self.interp = interp
        self.state = state
        self.run = run = StateRun(state, 2, now, value)  # TestState's state is entered at event #2
        run.retry_count = retry_count
        self.frame = Frame(variables, 1, None, _NO_EVENTS)
        self.assigned: dict[str, Any] | None = None

    @property
    def variables(self) -> dict[str, Any]:
        return self.frame.variables

    @property
    def rng(self) -> random.Random:
        return self.interp.rng

    @property
    def context(self) -> dict[str, Any]:
        """The ``$$`` object: the one given, else the execution's shape."""
        return self.interp.context(self.run, self.frame)

    def item(self, index: int, value: Any) -> None:
        """``$$.Map.Item`` for an ItemSelector (``None`` index: none)."""
        self.frame.item = (index, value) if index >= 0 else None

    def prefix(self) -> str:
        return self.run.prefix()

    def runtime(self, message: str) -> StatesError:
        return self.interp.runtime(self.run, message)

    def prefixed(self, error: StatesError) -> StatesError:
        return self.interp.prefixed(self.run, error)

    def lookup(self, path: CompiledPath, data: Any) -> Any:
        return self.interp.lookup(path, data, self.run, self.frame)

    def lookup_or_fail(self, path: CompiledPath, data: Any) -> Any:
        return self.interp.lookup_or_fail(path, data, self.run, self.frame)

    def select_path(self, path: Any, value: Any) -> Any:
        return self.interp.select_path(path, value, self.run, self.frame)

    def result_path(self, path: Any, raw_input: Any, result: Any) -> Any:
        return self.interp.result_path(path, raw_input, result, self.run)

    def jsonata(self, template: Any, **parts: Any) -> Any:
        return self.interp.jsonata(template, self.run, self.frame, **parts)

    def resolver(self, data: Any) -> Callable[[str], Any]:
        return self.interp.resolver(data, self.run, self.frame)

    def payload(self, template: Any, data: Any) -> Any:
        return self.interp.payload(template, data, self.run, self.frame)

    def assign(self, template: Any, data: Any, **parts: Any) -> None:
        if template is None:
            return
        self.assigned = self.interp.assign(
            template, self.state.query_language, data, self.run, self.frame, **parts
        )
