"""What one test did through the fixtures: its mocks, machines, executions and gateway responses.

One ``TestRecord`` per test (stored on the test item), so nothing leaks from one test to the next. The
fixtures route every state machine and gateway through it; the plugin's hooks check the test's
``expect_path``/``expect_status`` markers against it. No pytest import here: the plugin passes in a
``HookRelay`` that calls the pluggy hooks through the test's node.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from pytest_serverless._cache import BoundedCache
from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import UsageError
from pytest_serverless.hookspecs import IntegrationRegistry

from .assertions import (
    PathMismatch,
    StatusMismatch,
    describe_outcome,
    explain_path,
    explain_status,
    path_matches,
)
from .markers import MockSpec, PathExpectation, StatusExpectation

__all__ = ["HookRelay", "TestRecord", "machine_inventory"]


class HookRelay(Protocol):
    def register_integrations(self, registry: IntegrationRegistry) -> None: ...

    def execution_finished(self, execution: Any, state_machine: Any) -> None: ...

    def gateway_response(self, request: Any, response: Any) -> None: ...


def _walk_program(program: Any, names: set[str], resources: set[str]) -> None:
    states = getattr(program, "states", None)
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        names.add(str(name))
        resource = getattr(state, "resource", None)
        if isinstance(resource, str) and resource:
            resources.add(resource)
        for branch in getattr(state, "branches", ()) or ():
            _walk_program(branch, names, resources)
        processor = getattr(state, "processor", None)
        if processor is not None:
            _walk_program(processor, names, resources)


def _walk_definition(definition: Any, names: set[str], resources: set[str]) -> None:
    states = definition.get("States") if isinstance(definition, Mapping) else None
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        names.add(str(name))
        if not isinstance(state, Mapping):
            continue
        if isinstance(state.get("Resource"), str):
            resources.add(state["Resource"])
        for branch in state.get("Branches") or ():
            _walk_definition(branch, names, resources)
        for key in ("ItemProcessor", "Iterator"):
            _walk_definition(state.get(key), names, resources)


def _mock_targets(machine: Any) -> tuple[frozenset[str], frozenset[str], bool] | None:
    """(Task state names, resources and function names, whether a Task computes its function) of a machine
    and the machines it may start, as ``execute`` checks mock keys; None when the machine does not tell."""
    definition = getattr(machine, "definition", None)
    if not isinstance(definition, Mapping):
        inventory = machine_inventory(machine)
        return None if inventory is None else (inventory[0], inventory[1], False)
    from pytest_serverless.asl._strict_mocks import mock_targets

    states: set[str] = set()
    resources: set[str] = set()
    dynamic = False
    others = getattr(machine, "state_machines", None)
    for one in [machine, *(others.values() if isinstance(others, Mapping) else ())]:
        found = mock_targets(getattr(one, "definition", None))
        states |= found.states
        resources |= found.resources
        dynamic = dynamic or found.dynamic
    return frozenset(states), frozenset(resources), dynamic


def _names(target: tuple[frozenset[str], frozenset[str], bool], key: str) -> bool:
    states, resources, dynamic = target
    if key in states or key in resources:
        return True
    return dynamic and (key.startswith("arn:aws:lambda:") or ":" not in key)


_INVENTORIES: BoundedCache[int, tuple[Any, tuple[frozenset[str], frozenset[str]]]] = BoundedCache(512)


def machine_inventory(machine: Any) -> tuple[frozenset[str], frozenset[str]] | None:
    """The state names (Parallel branches and Map processors included) and Task resources of a machine,
    or None when the machine does not tell."""
    names: set[str] = set()
    resources: set[str] = set()
    for attribute in ("program", "_program", "model"):
        program = getattr(machine, attribute, None)
        if program is not None and isinstance(getattr(program, "states", None), Mapping):
            known = _INVENTORIES.get(id(program))
            if known is not None and known[0] is program:  # programs are shared and never change
                return known[1]
            _walk_program(program, names, resources)
            inventory = frozenset(names), frozenset(resources)
            _INVENTORIES.put(id(program), (program, inventory))
            return inventory
    definition = getattr(machine, "definition", None)
    if isinstance(definition, Mapping):
        _walk_definition(definition, names, resources)
        return frozenset(names), frozenset(resources)
    return None


class TestRecord:
    """Everything one test did through the plugin's fixtures."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        *,
        label: str,
        hooks: HookRelay,
        mocks: dict[str, MockSpec] | None = None,
        expect_path: PathExpectation | None = None,
        expect_status: StatusExpectation | None = None,
        mock_validation: str | None = None,
    ) -> None:
        self.label = label
        self.mock_validation = mock_validation  # the serverless_mock_validation ini option
        self.hooks = hooks
        self.mocks: dict[str, MockSpec] = dict(mocks or {})
        self.expect_path = expect_path
        self.expect_status = expect_status
        self.clock: VirtualClock | None = None
        self.machines: list[Any] = []
        self.executions: list[tuple[Any, Any]] = []
        self.responses: list[tuple[Any, Any]] = []
        self._registry: IntegrationRegistry | None = None
        #: the test's botocore bridge scope (``pytest_serverless.aws.Scope``), made by the first fixture
        self.aws_scope: Any = None
        self.passed = False  # the test body and the checks after it passed

    # section: integrations

    @property
    def registry(self) -> IntegrationRegistry:
        """The test's integrations, from ``pytest_serverless_register_integrations`` (called on first use)."""
        if self._registry is None:
            registry = IntegrationRegistry()
            self.hooks.register_integrations(registry)
            self._registry = registry
        return self._registry

    # section: state machines

    def mocks_for(self, machine: Any) -> dict[str, Any]:
        """The marker mocks that apply to ``machine``: those naming one of its states or resources.

        Mocks naming another machine's state are left out (``execute`` refuses keys that name nothing of
        its machine), so one ``mock_task`` can serve several machines; a marker naming no machine of the
        test fails it after the call (``unknown_mocks``).
        """
        if not self.mocks:
            return {}
        target = _mock_targets(machine)
        return {
            key: spec.build() for key, spec in self.mocks.items() if target is None or _names(target, key)
        }

    def make_state_machine(self, definition: Any, kwargs: dict[str, Any]) -> Any:
        """``sfn(definition, **kwargs)``: a StateMachine on the test's clock, with the test's mocks and
        registered integrations."""
        __tracebackhide__ = True
        from pytest_serverless import StateMachine

        if "mocks" in kwargs:
            raise UsageError(
                "sfn(definition, mocks=...): mocks are given per execution, as sm.execute(input, "
                "mocks={...}), or for the whole test with @pytest.mark.mock_task(state, ...)"
            )
        if kwargs.get("clock") is None and self.clock is not None:
            kwargs["clock"] = self.clock
        service = getattr(self, "service", None)
        if "service" not in kwargs and service is not None and kwargs.get("clock") is service.clock:
            kwargs["service"] = service  # sfn.service: the test's StepFunctions
        registered = self.registry.tasks
        if registered:
            own_tasks = kwargs.get("tasks") or {}
            if not isinstance(own_tasks, Mapping):
                raise UsageError(
                    f"sfn(definition, tasks=...): tasks must be a dict, not {type(own_tasks).__name__}"
                )
            kwargs["tasks"] = {**registered, **own_tasks}
        machine = StateMachine(definition, **kwargs)
        return self.adopt_machine(machine)

    def adopt_machine(self, machine: Any) -> Any:
        """Route ``machine.start`` (and so ``execute``) through this record (mocks applied, executions
        recorded, and reported when they finish)."""
        if any(known is machine for known in self.machines):
            return machine
        if self.mock_validation is not None and getattr(machine, "mock_validation", None) is None:
            machine.mock_validation = self.mock_validation  # the machine's own keyword wins
        original = machine.start
        record = self

        def start(
            input: Any = None,
            *,
            mocks: Mapping[str, Any] | None = None,
            name: str | None = None,
            **kwargs: Any,
        ) -> Any:
            __tracebackhide__ = True
            merged = record.mocks_for(machine)
            if mocks:
                merged.update(mocks)
            given = merged if (merged or mocks is not None) else None
            execution = original(input, mocks=given, name=name, **kwargs)
            if not any(known is execution for _, known in record.executions):  # a name started again
                record.executions.append((machine, execution))
                execution.add_done_callback(
                    lambda finished: record.hooks.execution_finished(finished, machine)
                )
            return execution

        # what functools.wraps copies, without its generic walk (one per machine per test)
        start.__wrapped__ = original  # type: ignore[attr-defined]
        start.__name__ = start.__qualname__ = "start"
        start.__doc__ = original.__doc__
        try:
            machine.start = start
        except AttributeError as error:  # pragma: no cover - a StateMachine with __slots__ and no __dict__
            raise UsageError(f"cannot record executions of {type(machine).__name__}: {error}") from None
        self.machines.append(machine)
        return machine

    # section: gateway

    def adopt_gateway(self, gateway: Any) -> Any:
        """Register the test's gateway integrations on ``gateway`` and record its responses."""
        integrations = self.registry.gateway_integrations
        if integrations:
            register = getattr(gateway, "register_integration", None)
            if register is None:
                raise UsageError(
                    f"pytest_serverless_register_integrations registered gateway integrations "
                    f"{sorted(integrations)}, but {type(gateway).__name__} has no register_integration()"
                )
            for name, factory in integrations.items():
                register(name, factory)
        _subscribe_responses(gateway, self.record_response)
        return gateway

    def record_response(self, request: Any, response: Any) -> None:
        self.responses.append((request, response))
        self.hooks.gateway_response(request, response)

    # section: checks after the test ran

    def unknown_mocks(self, *, shared: bool = True) -> list[str]:
        """Messages for the test's ``mock_task`` markers (on the test, its class or its module) naming no Task
        state and no resource of any machine the test made (``shared=False``: the test's own markers only)."""
        if not self.mocks or not self.machines:
            return []
        targets = [_mock_targets(machine) for machine in self.machines]
        if any(target is None for target in targets):
            return []
        names: set[str] = set()
        problems = []
        for target in targets:
            assert target is not None
            names |= target[0]
        for key, spec in self.mocks.items():
            if (not spec.own and not shared) or any(_names(target, key) for target in targets if target):
                continue
            known = ", ".join(repr(name) for name in sorted(names))
            import difflib  # a mock naming nothing only

            close = difflib.get_close_matches(key, sorted(names), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                f"{spec.declared}: no state machine of this test has a Task state or resource {key!r}{hint} "
                f"(Task states: {known or 'none'})"
            )
        return problems

    def shared_marker_matches(self) -> dict[str, bool]:
        """For each class- or module-level ``mock_task`` marker of this test: whether it named a Task or
        resource of a machine the test made (the session reports those that never did)."""
        if not self.mocks:
            return {}
        targets = [target for target in map(_mock_targets, self.machines) if target is not None]
        return {
            spec.declared: any(_names(target, key) for target in targets)
            for key, spec in self.mocks.items()
            if not spec.own
        }

    def check_after_call(self) -> None:
        """Raise for the test's expectations not met: unknown mocked states, expect_path, expect_status."""
        __tracebackhide__ = True
        problems = self.unknown_mocks()
        if problems:
            raise UsageError("\n".join(problems))
        if self.aws_scope is not None and self.aws_scope.unemulated:
            # raised inside the code under test, maybe swallowed there or turned into a 502: the test fails
            raise self.aws_scope.unemulated[0]
        if self.expect_path is not None:
            self._check_paths(self.expect_path)
        if self.expect_status is not None:
            self._check_status(self.expect_status)

    def _check_paths(self, expectation: PathExpectation) -> None:
        __tracebackhide__ = True
        if not self.executions:
            raise PathMismatch(
                f"{expectation.declared}: the test ran no execution through the sfn or "
                "serverless_app fixtures"
            )
        total = len(self.executions)
        for number, (machine, execution) in enumerate(self.executions, start=1):
            if path_matches(execution.path, expectation.expected, expectation.mode):
                continue
            which = f"execution {number} of {total}" if total > 1 else "the execution"
            name = getattr(machine, "name", None)
            of = f" of {name!r}" if isinstance(name, str) else ""
            title = f"{expectation.declared}: {which}{of} took another path (mode {expectation.mode!r})"
            lines = explain_path(execution, expectation.expected, expectation.mode, title=title)
            inventory = machine_inventory(machine)
            if inventory is not None:
                unknown = [
                    state for state in dict.fromkeys(expectation.expected) if state not in inventory[0]
                ]
                if unknown:
                    names = ", ".join(repr(state) for state in unknown)
                    lines.append(
                        f"  note: {names} {'is not a state' if len(unknown) == 1 else 'are not states'} "
                        f"of this state machine"
                    )
            raise PathMismatch("\n".join(lines))

    def _check_status(self, expectation: StatusExpectation) -> None:
        __tracebackhide__ = True
        if not self.responses:
            raise StatusMismatch(
                f"{expectation.declared}: the test got no response through the gateway or "
                "serverless_app fixtures"
            )
        # a WebSocket message or disconnect is no answer to check: the status of $connect (the handshake) is
        answers = [
            pair for pair in self.responses if getattr(pair[0], "event_type", None) in (None, "CONNECT")
        ]
        _, response = (answers or self.responses)[-1]
        status = getattr(response, "status_code", None)
        if status != expectation.code:
            count = len(self.responses)
            title = (
                f"{expectation.declared}: the last gateway response (of {count}) has status {status}, "
                f"expected {expectation.code}"
            )
            raise StatusMismatch("\n".join(explain_status(response, expectation.code, title=title)))

    def unused_mocks(self) -> list[str]:
        """Messages for the test's own ``mock_task`` markers that no execution used."""
        if not self.mocks:
            return []
        used: set[str] = set()
        for _, execution in self.executions:
            for call in getattr(execution, "task_calls", None) or ():
                used.add(str(getattr(call, "state", "")))
                used.add(str(getattr(call, "resource", "")))
        messages = []
        for key, spec in self.mocks.items():
            if not spec.own or spec.calls or key in used:
                continue
            if not self.machines:
                why = "the test made no state machine through the sfn or serverless_app fixtures"
            elif not self.executions:
                why = "the test ran no execution"
            elif key.startswith("arn:") and spec.kind == "responses":
                continue  # the engine may have matched it by function ARN; task_calls cannot tell
            else:
                count = len(self.executions)
                plural = "s" if count != 1 else ""
                why = f"{key!r} was not invoked by the {count} execution{plural} the test ran"
            messages.append(f"{spec.declared}: mock never used: {why}")
        return messages

    def outcomes(self) -> list[str]:
        """One line per execution (for the report section of a failed test)."""
        return [
            f"{getattr(execution, 'path', [])!r}: {describe_outcome(execution)}"
            for _, execution in self.executions
        ]


def _subscribe_responses(gateway: Any, callback: Callable[[Any, Any], None]) -> None:
    """Have ``gateway`` call ``callback(request, response)`` after every answer (its ``on_response``
    listener; one already set keeps being called first)."""
    if not hasattr(gateway, "on_response"):
        raise UsageError(
            f"{type(gateway).__name__} has no on_response listener: its responses cannot be recorded"
        )
    previous = gateway.on_response
    if previous is None:
        gateway.on_response = callback
        return

    def both(request: Any, response: Any) -> None:
        previous(request, response)
        callback(request, response)

    gateway.on_response = both
