"""``StateMachine``, ``Execution`` and ``TaskCall``: the public face of the ASL engine (API.md section 2)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from pytest_serverless._ids import ACCOUNT_ID, REGION, IdFactory, deterministic_uuid
from pytest_serverless.asl._test_state_method import TestStateMethod
from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import AwsError, InvalidDefinition, UnmockedTask, UsageError

from . import model as m
from ._compiled import compile_definition
from ._json import json_error_text
from ._strict_mocks import check_mock_keys
from .interpreter import Interpreter
from .paths import copy_json
from .runtime import Scheduler, scheduler_for
from .service import Service, WaitingTask
from .states import RUNNERS
from .tasks import MockCursor, accepts, check_task_handlers

__all__ = ["Execution", "StateMachine", "StepFunctions", "TaskCall"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_TYPES = ("STANDARD", "EXPRESS")
_INPUT_LIMIT = 262_144


MOCK_VALIDATION_MODES = ("PRESENT", "STRICT", "NONE")


class TaskCall(NamedTuple):
    """One Task invocation: the state, its resource and the input (arguments) it was called with."""

    state: str
    resource: str
    input: Any


class Execution:
    """The result of ``StateMachine.execute``; exported for annotations (built only by the engine)."""

    __slots__ = (
        "_cursors",
        "_done_callbacks",
        "_history",
        "_interp",
        "_raw_history",
        "arn",
        "cause",
        "duration",
        "error",
        "input",
        "mock_calls",
        "name",
        "output",
        "path",
        "redrive_count",
        "result_writes",
        "start_time",
        "state_machine",
        "status",
        "task_calls",
    )

    def __init__(self) -> None:
        self.status = "RUNNING"
        self.output: Any = None
        self.error: str | None = None
        self.cause: str | None = None
        self.path: list[str] = []
        self.duration = 0.0
        self.task_calls: list[TaskCall] = []
        self.arn = ""
        self.name = ""
        self.input: Any = None
        self.start_time = 0.0
        self.state_machine: StateMachine | None = None
        self.result_writes: list[dict[str, Any]] = []
        #: invocations per mock key given to ``execute`` (0 = declared but never used)
        self.mock_calls: dict[str, int] = {}
        self.redrive_count = 0
        self._raw_history: Any = None
        self._history: list[dict[str, Any]] | None = None
        self._interp: Interpreter | None = None
        self._done_callbacks: list[Callable[[Execution], None]] = []
        self._cursors: dict[str, MockCursor] = {}

    @property
    def history(self) -> list[dict[str, Any]]:
        """Events shaped as ``GetExecutionHistory`` returns them (rendered on access; a running
        execution's history grows)."""
        raw = self._raw_history
        if raw is None:
            return []
        if self._history is None or len(self._history) != len(raw):
            self._history = raw.rendered()
        return self._history

    @property
    def done(self) -> bool:
        """True once the execution has ended (any status but ``RUNNING``)."""
        return self.status != "RUNNING"

    def add_done_callback(self, callback: Callable[[Execution], None]) -> None:
        """``callback(execution)`` once it ends (at once if it has)."""
        if self.status != "RUNNING":
            callback(self)
        else:
            self._done_callbacks.append(callback)

    def run(self) -> Execution:
        """Advance the clock until this execution ends or waits for something only the test gives."""
        interp = self._interp
        if interp is None or interp.result is not None:
            return self
        scheduler = interp.scheduler
        if scheduler.busy:
            raise UsageError(
                "execution.run() / execute() was called from inside running work (a task handler or mock); "
                "start the execution with start() there and let the clock run it"
            )
        clock = scheduler.clock
        while interp.result is None:
            if (interp.callbacks_open or interp.waiting_on) and self._waiting_for_test():
                break
            due = scheduler.next_due()
            if due is None:
                break
            now = clock.time()
            if due > now:
                clock.advance(due - now)
            else:
                scheduler.drain()
        return self

    def _waiting_for_test(self) -> bool:
        """Waiting for a callback or an activity worker (here or in a nested execution it waits for)."""
        interp = self._interp
        if interp is None or interp.result is not None:
            return False
        if interp.callbacks_open:
            return True
        return bool(interp.waiting_on) and any(child._waiting_for_test() for child in interp.waiting_on)

    @property
    def waiting_tasks(self) -> list[WaitingTask]:
        """This execution's Tasks waiting for ``send_task_*`` or an activity worker."""
        interp = self._interp
        if interp is None or self.status != "RUNNING":
            return []
        return [callback.task for callback in interp.callbacks]

    def task_token(self, state_name: str) -> str:
        """The task token of the waiting Task state ``state_name`` (UsageError if it is not waiting)."""
        tasks = self.waiting_tasks
        for task in tasks:
            if task.state == state_name:
                return task.token
        waiting = ", ".join(repr(task.state) for task in tasks) or "none"
        raise UsageError(
            f"state {state_name!r} of execution {self.name!r} is not waiting for a task token "
            f"(status {self.status}; states waiting: {waiting})"
        )

    def stop(self, error: str | None = None, cause: str | None = None) -> Execution:
        """StopExecution: this execution ends ABORTED now."""
        return self._service().stop(self, error, cause)

    def redrive(self) -> Execution:
        """RedriveExecution: restart a FAILED, TIMED_OUT or ABORTED execution where it stopped."""
        return self._service().redrive(self)

    def _service(self) -> StepFunctions:
        machine = self.state_machine
        assert machine is not None
        return machine.service

    def _finish(self, interp: Interpreter) -> None:
        result = interp.result
        assert result is not None
        output = result.output
        self.output = copy_json(output) if isinstance(output, (dict, list)) else output
        self.error = result.error
        self.cause = result.cause
        self.duration = interp.now - interp.start
        self.task_calls = [TaskCall(*call) for call in interp.task_calls]
        self.mock_calls = {key: cursor.calls for key, cursor in self._cursors.items()}
        self.status = result.status
        interp.execution = None
        callbacks, self._done_callbacks = self._done_callbacks, []
        machine = self.state_machine
        if machine is not None and machine.on_execution_finished is not None:
            machine.on_execution_finished(self)
        for callback in callbacks:
            callback(self)

    def _redrive(self, interp: Interpreter) -> None:
        self.status = "RUNNING"
        self.output = self.error = self.cause = None
        self.redrive_count += 1
        interp.execution = self
        interp.on_finish.append(self._finish)
        interp.redrive()

    @property
    def start_date(self) -> datetime:
        """When the execution started (aware UTC datetime, virtual time)."""
        return _EPOCH + timedelta(seconds=self.start_time)

    @property
    def stop_date(self) -> datetime:
        """When the execution ended (aware UTC datetime, virtual time)."""
        return _EPOCH + timedelta(seconds=self.start_time + self.duration)

    @property
    def succeeded(self) -> bool:
        """True if the execution ended with status ``SUCCEEDED``."""
        return self.status == "SUCCEEDED"

    def to_svg(self) -> str:
        """The whole machine as SVG, the path this execution took highlighted (the coverage report's
        drawing; ``reporting`` draws, imported only when asked)."""
        from pytest_serverless.reporting.svg import execution_svg

        return execution_svg(self)

    def __repr__(self) -> str:
        extra = f", error={self.error!r}" if self.error else ""
        return f"Execution(name={self.name!r}, status={self.status!r}{extra}, path={self.path!r})"


def _express_problems(
    program: m.Program, fix: str = "use type='STANDARD'", what: str = "EXPRESS state machines"
) -> Iterable[tuple[str, str]]:
    """What AWS refuses in an EXPRESS machine: .sync, .waitForTaskToken and activities."""
    for state in program.states.values():
        if isinstance(state, m.TaskState):
            resource = state.resource
            if resource.endswith((".sync", ".sync:2")) or resource.endswith(".waitForTaskToken"):
                pattern = resource.rsplit(".", 1)[-1].split(":")[0]
                yield (
                    f"{state.pointer}/Resource",
                    f"{what} do not support the '.{pattern}' integration pattern "
                    f"(resource {resource!r}); {fix}",
                )
            elif ":activity:" in resource:
                yield (
                    f"{state.pointer}/Resource",
                    f"{what} do not support activities (resource {resource!r}); {fix}",
                )
        elif isinstance(state, m.ParallelState):
            for branch in state.branches:
                yield from _express_problems(branch, fix, what)
        elif isinstance(state, m.MapState) and state.processor is not None:
            yield from _express_problems(state.processor, fix, what)


def _express_children_problems(program: m.Program) -> list[tuple[str, str]]:
    """Distributed Maps whose child executions are EXPRESS (``ProcessorConfig.ExecutionType``)."""
    problems: list[tuple[str, str]] = []
    for state in program.states.values():
        inner: list[m.Program] = []
        if isinstance(state, m.ParallelState):
            inner = list(state.branches)
        elif isinstance(state, m.MapState) and state.processor is not None:
            if state.express_children:
                problems += _express_problems(
                    state.processor, "use 'ExecutionType': 'STANDARD'", "EXPRESS child workflows"
                )
                continue
            inner = [state.processor]
        for branch in inner:
            problems += _express_children_problems(branch)
    return problems


def _check_machine_arguments(name: object, machine_type: object, clock: object, tasks: object) -> None:
    """UsageError for a bad name, type, clock or tasks mapping given to StateMachine(...)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise UsageError(f"StateMachine(name=...) must be 1-80 letters, digits, '-' or '_' (got {name!r})")
    if machine_type not in _TYPES:
        raise UsageError(f"StateMachine(type=...) must be 'STANDARD' or 'EXPRESS' (got {machine_type!r})")
    if clock is not None and not isinstance(clock, VirtualClock):
        raise UsageError(f"StateMachine(clock=...) takes a VirtualClock, not {builtin_type(clock).__name__}")
    if tasks is not None and not isinstance(tasks, Mapping):
        raise UsageError(
            "StateMachine(tasks=...) takes a mapping {resource ARN, pattern or state name: handler}"
        )
    check_task_handlers(tasks)


def _check_machine_options(
    mocks: object,
    on_execution_finished: object,
    timeout_seconds: object,
    mock_validation: object,
    substitutions: object,
) -> None:
    """UsageError for bad mocks, callback, timeout, mock validation mode or substitutions."""
    if mocks is not None and not isinstance(mocks, Mapping):
        raise UsageError("StateMachine(mocks=...) takes a mapping {state name or resource ARN: mock}")
    if on_execution_finished is not None and not callable(on_execution_finished):
        raise UsageError("StateMachine(on_execution_finished=...) takes a callable callback(execution)")
    if timeout_seconds is not None and (
        isinstance(timeout_seconds, bool)
        or not isinstance(timeout_seconds, (int, float))
        or not 0 < timeout_seconds < float("inf")
    ):
        raise UsageError(
            f"StateMachine(timeout_seconds=...) takes a positive number of seconds (got {timeout_seconds!r})"
        )
    if mock_validation is not None and mock_validation not in MOCK_VALIDATION_MODES:
        raise UsageError(
            "StateMachine(mock_validation=...) must be 'PRESENT', 'STRICT' or 'NONE' "
            f"(got {mock_validation!r})"
        )
    if substitutions is not None and (
        not isinstance(substitutions, Mapping) or not all(isinstance(key, str) for key in substitutions)
    ):
        raise UsageError("StateMachine(substitutions=...) takes a mapping {placeholder name: value}")


class CompiledMachine(NamedTuple):
    """A definition checked for a machine type: what ``StateMachine(definition)`` works out before it can
    run. Made by ``compile_machine``; a ``StateMachine`` given one (as its definition, with the same type)
    starts from it without looking the definition up again (a template's blueprint keeps one per state
    machine)."""

    definition: dict[str, Any]
    program: m.Program
    machine_type: str


def compile_machine(
    definition: Any, substitutions: Mapping[str, Any] | None, machine_type: str
) -> CompiledMachine:
    """The checked definition and its Program; InvalidDefinition for what the machine's type forbids."""
    try:
        # loaded, validated and parsed once per process for a given definition (asl/_compiled.py)
        checked, program = compile_definition(definition, substitutions)
    except RecursionError:
        raise InvalidDefinition([("", "the definition is nested too deeply")]) from None
    express_problems = list(_express_problems(program)) if machine_type == "EXPRESS" else []
    express_problems += _express_children_problems(program)
    if express_problems:
        raise InvalidDefinition(express_problems)
    return CompiledMachine(checked, program, machine_type)


def _start_input(input: Any, mocks: object, name: object) -> Any:  # noqa: A002
    """The execution's own copy of ``input`` (``{}`` for None); UsageError for bad arguments of start()."""
    if mocks is not None and not isinstance(mocks, Mapping):
        raise UsageError("execute(mocks=...) takes a mapping {state name or resource ARN: mock}")
    if name is not None and (not isinstance(name, str) or not _NAME.match(name)):
        raise UsageError(f"execute(name=...) must be 1-80 letters, digits, '-' or '_' (got {name!r})")
    if input is None:  # StartExecution without input starts with "{}"
        input = {}  # noqa: A001
    try:
        input = copy_json(input)  # noqa: A001 - the engine never shares objects with the caller
    except RecursionError:
        raise UsageError("execute(input=...) is nested too deeply to be JSON") from None
    except (TypeError, ValueError) as error:
        raise UsageError(f"execute(input=...) must be JSON-serializable: {json_error_text(error)}") from None
    _check_input_text(input)
    for key in mocks or ():
        if not isinstance(key, str):
            raise UsageError(f"execute(mocks=...): keys are state names or resource ARNs, not {key!r}")
    return input


class StateMachine:
    """An Amazon States Language state machine, run in process on a virtual clock.

    ``StateMachine(definition, *, name="StateMachine", type="STANDARD", substitutions=None, tasks=None,
    clock=None)`` (API.md), plus keywords for integration:

    * ``state_machines``: other StateMachines (a mapping by ARN or name, or an iterable) that
      ``arn:aws:states:::states:startExecution[.sync[:2]]`` Tasks may start;
    * ``on_execution_finished``: ``callback(execution)`` after every execution (the pytest hook);
    * ``seed``: seeds FULL jitter, ``States.MathRandom``/``$random()`` (default 0);
    * ``timeout_seconds``: overrides the definition's own ``TimeoutSeconds``;
    * ``mocks``: default mocks for every execution (``execute(mocks=...)`` entries win over them).
    """

    def __init__(
        self,
        definition: Any,
        *,
        name: str = "StateMachine",
        type: str = "STANDARD",  # noqa: A002 - API.md's keyword
        substitutions: Mapping[str, Any] | None = None,
        tasks: Mapping[str, Callable[..., Any]] | None = None,
        clock: VirtualClock | None = None,
        state_machines: Mapping[str, StateMachine] | Iterable[StateMachine] | None = None,
        on_execution_finished: Callable[[Execution], None] | None = None,
        seed: int | str | None = 0,
        timeout_seconds: float | None = None,
        mocks: Mapping[str, Any] | None = None,
        service: StepFunctions | None = None,
        mock_validation: str | None = None,
    ) -> None:
        _check_machine_arguments(name, type, clock, tasks)
        _check_machine_options(mocks, on_execution_finished, timeout_seconds, mock_validation, substitutions)
        self.name = name
        self.type = type
        self.arn = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{name}"
        self.clock = clock if clock is not None else VirtualClock()
        self.tasks: dict[str, Callable[..., Any]] = dict(tasks or {})
        self.mocks: dict[str, Any] = dict(mocks or {})
        #: how mock results are checked against the service models (API.md 7); None: PRESENT, or what the
        #: plugin's ``serverless_mock_validation`` ini option says
        self.mock_validation = mock_validation
        self.on_execution_finished = on_execution_finished
        self.seed = seed
        if isinstance(definition, CompiledMachine):
            compiled = definition
            if compiled.machine_type != type or substitutions:
                compiled = compile_machine(compiled.definition, substitutions, type)
        else:
            compiled = compile_machine(definition, substitutions, type)
        self.definition, self.program = compiled.definition, compiled.program
        declared = self.definition.get("TimeoutSeconds")
        self.timeout_seconds: float | None = (
            float(timeout_seconds)
            if timeout_seconds is not None
            else float(declared)
            if isinstance(declared, (int, float)) and not isinstance(declared, bool)
            else None
        )
        self.state_machines: dict[str, StateMachine] = {}
        if state_machines is not None:
            self.register(state_machines)
        self._ids = IdFactory(f"{name}")
        self._count = 0
        # what DescribeExecution and ListExecutions find (kept from the moment the machine has a service:
        # made by one, or ``sm.service`` used; a machine used only through execute() keeps none)
        self._executions: dict[str, Execution] = {}
        self._service = service
        if service is not None:
            service._register(self)

    @property
    def service(self) -> StepFunctions:
        """The StepFunctions service this machine belongs to (one of its own if made alone)."""
        service = self._service
        if service is None or service.clock is not self.clock:
            service = self._service = StepFunctions(clock=self.clock)
            service._register(self)
        return service

    def add_task_handler(self, key: str, handler: Callable[..., Any]) -> None:
        """Answer Tasks whose state name or resource matches ``key`` (an ARN, a pattern with ``*`` or a
        state name) with ``handler(event, context)``; used by integration packs."""
        if not isinstance(key, str) or not callable(handler) or not accepts(handler, 2):
            raise UsageError(
                f"add_task_handler({key!r}, ...) needs a string key and a callable handler(event, context)"
            )
        self.tasks[key] = handler

    def register(self, machines: Mapping[str, StateMachine] | Iterable[StateMachine] | StateMachine) -> None:
        """Make other machines startable by ``states:startExecution`` Tasks (by ARN and by name)."""
        if isinstance(machines, StateMachine):
            machines = [machines]
        given: object = machines
        if not isinstance(given, (Mapping, Iterable)) or isinstance(given, (str, bytes)):
            raise UsageError(
                "state_machines: expected StateMachine objects (a StateMachine, a list of them or a mapping "
                f"by ARN or name), got {builtin_type(machines).__name__}"
            )
        items = machines.items() if isinstance(machines, Mapping) else ((None, sm) for sm in machines)
        for key, machine in items:
            if not isinstance(machine, StateMachine):
                raise UsageError(
                    f"state_machines: expected StateMachine objects, got {builtin_type(machine).__name__}"
                )
            self.state_machines[machine.arn] = machine  # a machine registered again replaces the old one
            self.state_machines[machine.name] = machine
            if key:
                self.state_machines[key] = machine

    test_state = TestStateMethod()
    """One state at a time, as AWS's TestState API: ``sm.test_state("Charge", input, mock={"result": ...},
    context=None, variables=None, inspection_level="INFO", state_configuration=None)`` or
    ``StateMachine.test_state(state_definition, input, ...)`` -> ``TestStateResult`` (API.md section 10)."""

    def execute(
        self, input: Any = None, *, mocks: Mapping[str, Any] | None = None, name: str | None = None
    ) -> Execution:  # noqa: A002
        """Run one execution to its end on the virtual clock and return it (never sleeps, never raises
        for runtime errors: those end the execution FAILED). ``input=None`` starts with ``{}`` as
        StartExecution without input does; the caller's objects are copied, never shared.
        ``start(...)`` then ``run()``; UnmockedTask if it waits for a callback that nothing answers."""
        execution = self.start(input, mocks=mocks, name=name, _sync=True)
        interp = execution._interp
        if interp is None or interp.result is not None:  # ended at once (most executions)
            return execution
        try:
            execution.run()
        finally:
            if interp.scheduler is not self.clock._scheduler:
                interp.scheduler.close()  # the private scheduler of an execute() inside running work
        if execution.status == "RUNNING":
            _raise_unanswered(execution)
        return execution

    def _abandon(self, execution: Execution) -> None:
        """Stop an execution that execute() gives up on (it raises UnmockedTask): nothing lingers."""
        interp = execution._interp
        if interp is not None and interp.result is None:
            interp.scheduler.run_now(lambda: interp.abort(None, None))

    def start(
        self,
        input: Any = None,  # noqa: A002
        *,
        mocks: Mapping[str, Any] | None = None,
        name: str | None = None,
        _sync: bool = False,
    ) -> Execution:
        """StartExecution: run the execution as far as the current instant allows and return it
        (``RUNNING`` unless it ended); the clock's advances run the rest."""
        input = _start_input(input, mocks, name)  # noqa: A001
        if mocks:
            check_mock_keys(self, mocks)  # a key that matches nothing is a typo: asl/_strict_mocks.py
        if name is not None and self.type == "STANDARD":
            running = self.service._named(self, name, input)
            if running is not None:  # the same name and input while it runs: StartExecution returns it
                return running
        self._count += 1
        execution_name = name or deterministic_uuid(self.arn, "execution", self._count)
        merged = {**self.mocks, **mocks} if mocks else self.mocks
        cursors = {str(key): MockCursor(str(key), mock) for key, mock in merged.items()}
        execution_arn = self._execution_arn(execution_name, express=self.type == "EXPRESS" and not _sync)
        seed = f"{self.seed}:{self._count}" if self.seed is not None else None
        scheduler = scheduler_for(self.clock)
        if _sync and scheduler.busy:
            # execute() from inside running work on this clock (a task handler running another machine):
            # a scheduler of its own runs it to its end, moving the clock as before
            scheduler = Scheduler(self.clock)
        interpreter = Interpreter(
            program=self.program,
            clock=self.clock,
            execution_arn=execution_arn,
            execution_name=execution_name,
            state_machine_arn=self.arn,
            state_machine_name=self.name,
            machine_type=self.type,
            timeout_seconds=self.timeout_seconds,
            mocks=cursors,
            handlers=self.tasks,
            machines=self.state_machines,
            seed=seed,
            ids=IdFactory(f"{self.arn}:{execution_name}"),
            role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/StepFunctions-{self.name}-role",
            runners=RUNNERS,
            scheduler=scheduler,
            machine=self,
        )
        execution = self._execution(interpreter, execution_name, input, cursors, _sync)
        if self.type == "STANDARD" and self._service is not None:  # for DescribeExecution, ListExecutions
            self._executions[execution_arn] = execution
        interpreter.scheduler.run_now(interpreter.begin, input)
        return execution

    def _execution_arn(self, execution_name: str, *, express: bool) -> str:
        if express:  # asynchronous Express executions: AWS's express ARNs
            suffix = deterministic_uuid(self.arn, "express", self._count)
            return f"arn:aws:states:{REGION}:{ACCOUNT_ID}:express:{self.name}:{execution_name}:{suffix}"
        return f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:{self.name}:{execution_name}"

    def _execution(
        self,
        interpreter: Interpreter,
        name: str,
        input: Any,  # noqa: A002
        cursors: dict[str, MockCursor],
        sync: bool,
    ) -> Execution:
        """The Execution that ``interpreter`` runs, tied to it both ways."""
        execution = Execution()
        execution.path = interpreter.path
        execution.arn = interpreter.execution_arn
        execution.name = name
        execution.input = input
        execution.start_time = interpreter.start
        execution.state_machine = self
        execution.result_writes = interpreter.result_writes
        execution._raw_history = interpreter.history
        execution._interp = interpreter
        execution._cursors = cursors
        execution.mock_calls = dict.fromkeys(cursors, 0)
        interpreter.execution = execution
        interpreter.inline_timers = sync
        interpreter.on_finish.append(execution._finish)
        return execution

    def __repr__(self) -> str:
        return f"StateMachine(name={self.name!r}, type={self.type!r}, states={len(self.program.states)})"


builtin_type = type


class StepFunctions(Service):
    """The Step Functions service of one account and region, on one virtual clock.

    ``StepFunctions(clock=None)``. Every StateMachine belongs to one (a StateMachine made alone gets a
    service of its own: ``sm.service``). The operations are ``service.Service``'s.
    """

    def create_state_machine(
        self,
        definition: Any,
        *,
        name: str,
        type: str = "STANDARD",  # noqa: A002 - AWS's and API.md's keyword
        **keywords: Any,
    ) -> StateMachine:
        """A StateMachine of this service (same keywords as ``StateMachine``); its clock is the service's."""
        if "clock" in keywords and keywords["clock"] is not self.clock:
            raise UsageError(
                "create_state_machine(clock=...): a service's machines run on the service's clock"
            )
        keywords.pop("clock", None)
        arn = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{name}"
        if arn in self._machines:
            raise AwsError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
        machine = StateMachine(definition, name=name, type=type, clock=self.clock, service=self, **keywords)
        return machine


def _raise_unanswered(execution: Execution) -> None:
    """execute() ended at a callback wait: nothing will answer it in a run-to-the-end execution."""
    waiting = [(execution, task) for task in execution.waiting_tasks]
    interp = execution._interp
    children = list(interp.waiting_on) if interp is not None else []
    while not waiting and children:
        child = children.pop()
        waiting = [(child, task) for task in child.waiting_tasks]
        if child._interp is not None:
            children.extend(child._interp.waiting_on)
    if not waiting:  # pragma: no cover - run() only stops early at a callback wait
        raise UsageError(f"execution {execution.name!r} stopped RUNNING with nothing due")
    owner, task = waiting[0]
    machine = owner.state_machine
    if execution.state_machine is not None:
        execution.state_machine._abandon(execution)
    mocks = sorted(owner._cursors) + sorted(machine.tasks if machine is not None else ())
    what = "an activity worker (get_activity_task)" if ":activity:" in task.resource else "a callback"
    raise UnmockedTask(
        task.state,
        task.resource,
        available=mocks,
        detail=f"It waits for {what} with task token {task.token!r}, which nothing in execute() sends: "
        "give it a mock, or start it with sm.start(...) and answer with "
        "sm.service.send_task_success(execution.task_token(...), output).",
    )


def _plain_small(value: Any) -> bool:
    """A JSON member that needs no encoding to be known valid and short (at most ~6 KiB of JSON)."""
    kind = type(value)
    if kind is str:
        return len(value) <= 1024
    if kind is int:
        small: bool = -(2**63) <= value < 2**63
        return small
    return kind is bool or value is None


def _check_input_text(value: Any) -> None:
    """What StartExecution refuses: input that is not strict JSON (NaN, Infinity, integers JSON text
    cannot carry) or longer than 262,144 bytes of UTF-8 (AWS answers a validation error; no execution)."""
    if not isinstance(value, (dict, list, str, float, int)) or isinstance(value, bool):
        return
    if (
        type(value) is dict
        and len(value) <= 16
        and all(map(_plain_small, value.values()))
        and sum(map(len, value)) <= 16_384
    ):  # a small object of short keys, short strings, small integers, literals: valid JSON, under the limit
        return
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    except ValueError as error:
        raise UsageError(f"execute(input=...) must be JSON-serializable: {json_error_text(error)}") from None
    size = len(text.encode("utf-8")) if len(text) * 4 > _INPUT_LIMIT else 0
    if size > _INPUT_LIMIT:
        raise UsageError(
            f"execute(input=...) is {size:,} bytes of JSON; StartExecution accepts at most "
            f"{_INPUT_LIMIT:,} bytes (256 KiB)"
        )
