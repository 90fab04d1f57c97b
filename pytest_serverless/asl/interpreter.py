"""The run loop: one execution of a compiled state machine on the virtual clock.

The helpers every state kind shares: data flow (JSONPath and JSONata), variables, the context object,
limits and history events. The execution's root, its Parallel branches and Map iterations are threads on
the clock's scheduler (``runtime.py``): ``run_program`` is a generator that yields when a state waits, and
programs whose states never wait run as plain calls (``run_plain``). The runners of the state kinds (one
module each in ``states/``) come from ``states.RUNNERS`` through ``StateMachine``; this module imports none
of them. The data flow the runners share (``effective_input``, ``finish_state``, ``jsonpath_output``,
``output_and_assign``) lives here; Retry/Catch is ``recovery.py``.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Generator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pytest_serverless._cache import BoundedCache
from pytest_serverless._ids import IdFactory
from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import InternalError, ServerlessError

from . import model as m
from ._depth_limits import current_chain, recursion_cause
from .history import History, HistoryLimitExceeded
from .paths import CompiledPath, PathNotFound, dumps, write_result_path
from .runtime import Scheduler, Thread, scheduler_for
from .states_errors import StatesError, StatesErrorName

if TYPE_CHECKING:
    from .tasks import MockCursor

__all__ = [
    "Frame",
    "Interpreter",
    "RunResult",
    "effective_input",
    "finish_state",
    "iso_millis",
    "jsonpath_output",
    "output_and_assign",
]

DATA_LIMIT = 262_144
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


_ISO_CACHE: BoundedCache[float, str] = BoundedCache(4096)
_UNSET = object()
_BIG_INT = 10**17  # integers inside +-10**17 print in at most 18 characters
_ENTERED: dict[str, str] = {}  # "Pass" -> "PassStateEntered"
_EXITED: dict[str, str] = {}
_FIELD = re.compile(r"specified for the field '([^']*)'")


def iso_millis(epoch: float) -> str:
    """``2024-01-01T00:00:00.000Z`` (the Context Object's timestamp format)."""
    text = _ISO_CACHE.get(epoch)
    if text is None:
        moment = _EPOCH + timedelta(seconds=epoch)
        text = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        _ISO_CACHE.put(epoch, text)
    return text


class Terminal(StatesError):
    """A StatesError that Retry and Catch never see (States.Runtime, engine-side data limits)."""


class Frame:
    """One thread of execution: the machine, a Parallel branch or a Map iteration.

    ``history`` is where its events go (a Distributed Map child keeps its own); ``thread`` is the
    resumable unit running it (set once the thread exists)."""

    __slots__ = ("context", "history", "item", "prev", "stopped_at", "thread", "variables")

    def __init__(
        self,
        variables: dict[str, Any],
        prev: int,
        item: tuple[int, Any] | None,
        history: History,
    ) -> None:
        self.variables = variables
        self.prev = prev
        self.item = item
        self.history = history
        self.thread: Thread | None = None
        #: (state name, its input) where the thread stopped on an error, a timeout or a stop (redrive)
        self.stopped_at: tuple[str, Any] | None = None
        #: a Distributed Map child execution's own ($$.Execution, $$.StateMachine); None: the execution's
        self.context: tuple[dict[str, Any], dict[str, Any]] | None = None


class RunResult:
    __slots__ = ("cause", "error", "output", "status")

    def __init__(self, status: str, output: Any = None, error: str | None = None, cause: str | None = None):
        self.status = status
        self.output = output
        self.error = error
        self.cause = cause


def _every_state_of(program: m.Program, kinds: tuple[type, ...], memo: str) -> bool:
    """Every state of ``program`` (at its own level) is of one of ``kinds``; kept on the program as
    ``memo``, computed once per (frozen) program."""
    found = program.__dict__.get(memo)
    if found is None:
        found = all(type(state) in kinds for state in program.states.values())
        object.__setattr__(program, memo, found)
    return bool(found)


class StateRun:
    """Per-entry facts a state's helpers need for messages and the context object."""

    __slots__ = ("entered_id", "entered_time", "input", "retry_count", "state", "token")

    def __init__(self, state: m.State, entered_id: int, entered_time: float, value: Any = None) -> None:
        self.state = state
        self.input = value
        self.entered_id = entered_id
        self.entered_time = entered_time
        self.retry_count = 0
        self.token: str | None = None

    def prefix(self) -> str:
        return (
            f"An error occurred while executing the state '{self.state.name}' "
            f"(entered at the event id #{self.entered_id}). "
        )


class Interpreter:
    """Runs one execution (and its redrives). Built by ``StateMachine.start``.

    Slotted: instance-attribute reads are the hot path (``now``, ``history``, ``path`` at every state)."""

    __slots__ = (
        "_bounds",
        "_checked",
        "_deadline_entry",
        "_rng",
        "_seed",
        "_state_runners",
        "callbacks",
        "callbacks_open",
        "clock",
        "deadline",
        "execution",
        "execution_arn",
        "execution_context",
        "handlers",
        "history",
        "ids",
        "inline_timers",
        "limit_seconds",
        "machine",
        "machine_context",
        "machine_type",
        "machines",
        "mocks",
        "nest_chain",
        "now",
        "on_finish",
        "path",
        "plain_timers",
        "program",
        "redrive_outputs",
        "result",
        "result_writes",
        "root",
        "root_frame",
        "scheduler",
        "start",
        "stopped_outputs",
        "task_calls",
        "waiting_on",
    )

    def __init__(
        self,
        *,
        program: m.Program,
        clock: VirtualClock,
        execution_arn: str,
        execution_name: str,
        state_machine_arn: str,
        state_machine_name: str,
        machine_type: str,
        timeout_seconds: float | None,
        mocks: Mapping[str, MockCursor],
        handlers: Mapping[str, Any],
        machines: Mapping[str, Any],
        seed: str | None,
        ids: IdFactory,
        role_arn: str,
        runners: Mapping[type, Callable[..., Any]],
        scheduler: Scheduler | None = None,
        machine: Any = None,
    ) -> None:
        self.program = program
        self.clock = clock
        self.scheduler = scheduler if scheduler is not None else scheduler_for(clock)
        self.now = self.scheduler.now()
        self.start = self.now
        self.result: RunResult | None = None
        self.nest_chain = current_chain()  # the nested executions this one was started in (outermost first)
        self.root: Thread | None = None
        self.on_finish: list[Callable[[Interpreter], None]] = []
        self.machine = (
            machine  # its StateMachine (the service of callbacks and activities is machine.service)
        )
        self.execution: Any = None  # the public Execution (while running: waiting tasks name it)
        self.callbacks_open = 0  # Tasks of this execution waiting for send_task_* (run() stops there)
        self.callbacks: list[Any] = []  # their records (the service's _Callback), oldest first
        self.waiting_on: list[Any] = []  # nested executions a .sync Task waits for
        self.limit_seconds = 0.0
        self._deadline_entry: list[Any] | None = None
        self.history = History()
        self.root_frame = Frame({}, 0, None, self.history)
        self._bounds: dict[int, tuple[Any, int]] = {}  # id -> (container kept alive, JSON size bound)
        self._checked: Any = _UNSET  # the last value check_size passed
        self.path: list[str] = []
        self.task_calls: list[tuple[str, str, Any]] = []
        self.result_writes: list[dict[str, Any]] = []
        self.mocks = mocks
        self.handlers = handlers
        self.machines = machines
        self._seed = seed
        self._rng: random.Random | None = None
        self.ids = ids
        self.execution_arn = execution_arn
        self.machine_type = machine_type
        limit = 300.0 if machine_type == "EXPRESS" else 31_536_000.0
        if timeout_seconds is not None:
            limit = min(limit, float(timeout_seconds))
        self.limit_seconds = limit
        self.deadline = self.start + limit
        self.execution_context: dict[str, Any] = {
            "Id": execution_arn,
            "Input": None,
            "StartTime": iso_millis(self.start),
            "Name": execution_name,
            "RoleArn": role_arn,
            "RedriveCount": 0,
        }
        self.machine_context = {"Id": state_machine_arn, "Name": state_machine_name}
        self._state_runners = runners  # asl/states: state kind -> runner
        self.inline_timers = False  # execute() sets it: the execution runs to its end in this call
        self.plain_timers = False  # while begin() runs Waits in line (no thread: ``wait_inline``)
        #: state name -> {branch or iteration index: output} of the root's Parallel and Map states that
        #: failed or were stopped (``keep_outputs``); a redrive takes the one it restarts in
        self.stopped_outputs: dict[str, dict[int, Any]] = {}
        self.redrive_outputs: dict[str, dict[int, Any]] = {}

    @property
    def rng(self) -> random.Random:
        """Seeded randomness (jitter, MathRandom, $random), created on first use."""
        if self._rng is None:
            self._rng = random.Random(self._seed)
        return self._rng

    # ------------------------------------------------------------ time

    def until(self, seconds: float) -> float:
        """The virtual time ``seconds`` from this thread's now (what a runner yields to wait)."""
        return self.now + seconds

    # ------------------------------------------------------------ events

    def event(
        self,
        frame: Frame,
        event_type: str,
        details: dict[str, Any] | str | None = None,
        payload_key: str | None = None,
        payload: Any = None,
    ) -> int:
        """Record an event (``History.add`` inlined: this runs twice per state entered)."""
        history = frame.history
        events = history.events
        if len(events) >= history.limit:
            raise HistoryLimitExceeded()
        events.append((event_type, frame.prev, self.now, details, payload_key, payload))
        frame.prev = event_id = len(events)
        return event_id

    # ------------------------------------------------------------ run

    def begin(self, execution_input: Any) -> None:
        """Record ExecutionStarted and run the root thread as far as the current instant allows."""
        self.execution_context["Input"] = execution_input
        frame = self.root_frame
        self.event(
            frame,
            "ExecutionStarted",
            {"roleArn": self.execution_context["RoleArn"]},
            "input",
            execution_input,
        )
        frame.prev = 0  # AWS records the first state entered with previousEventId 0
        scheduler, clock = self.scheduler, self.clock
        plain = self.is_plain(self.program)  # nothing in it waits: a plain call, no thread
        if not plain and self.inline_timers and not scheduler._heap and not clock._listeners:
            # execute() of Pass/Choice/Wait/Succeed/Fail states with nothing else on the clock: its Wait
            # timers are reached in line (``wait_inline``), as the run loop would reach them
            plain = self.plain_timers = self.only_timers(self.program)
        if plain:
            try:
                output = self.run_plain(self.program, execution_input, frame)
            except DeadlineReached:
                self.plain_timers = False
                self.wait_inline(self.deadline)
                self._finish(frame, "TIMED_OUT", "ExecutionTimedOut", StatesErrorName.TIMEOUT.value, None)
                return
            except Exception as failure:
                self.plain_timers = False
                self._root_done(None, None, failure)
                return
            self.plain_timers = False
            self._root_done(None, output, None)
            return
        program = self.run_program(self.program, execution_input, frame)
        self.root = thread = Thread(self.scheduler, self, program, self._root_done)
        frame.thread = thread
        try:  # the first step in line: most executions end at once
            command = program.send(None)
            # execute(): a timer that nothing else on the clock could interleave with (no other work
            # queued, no listener) is reached in line, as the run loop would reach it: no heap entry
            while (
                self.inline_timers
                and command is not None
                and command <= self.deadline
                and not scheduler._heap
                and not clock._listeners
            ):
                now = clock.time()
                if command > now:
                    clock.advance(command - now)
                scheduler.current = self.now = command
                command = program.send(None)
        except StopIteration as stop:
            thread.done = True
            self._root_done(thread, stop.value, None)
            return
        except Exception as failure:
            thread.done = True
            self._root_done(thread, None, failure)
            return
        thread.wait_for(command)

    def redrive(self) -> None:
        """RedriveExecution: ExecutionRedriven, then the root thread again from the state where it stopped."""
        stopped = self.root_frame.stopped_at
        assert stopped is not None
        self.result = None
        self.now = self.scheduler.now()
        count = self.execution_context["RedriveCount"] + 1
        self.execution_context = {**self.execution_context, "RedriveCount": count}
        frame = self.root_frame
        frame.prev = len(self.history)
        frame.stopped_at = None
        self.event(frame, "ExecutionRedriven", {"redriveCount": count})
        name, value = stopped
        kept = self.stopped_outputs.get(name)  # only the state it stopped in keeps its branches' outputs
        self.redrive_outputs = {name: kept} if kept else {}
        self.stopped_outputs = {}
        program = self.run_program(self.program, value, frame, name)
        self.root = thread = Thread(self.scheduler, self, program, self._root_done)
        frame.thread = thread
        self.deadline = self.now + self.limit_seconds
        thread.start()

    def kept_outputs(self, state: m.State, frame: Frame) -> dict[int, Any]:
        """Redrive (AWS's RedriveExecution): the outputs of the branches or iterations of ``state`` that
        succeeded when the execution stopped in it, by index; taken once, so a later entry runs them all."""
        if self.redrive_outputs and frame is self.root_frame:
            return dict(self.redrive_outputs.pop(state.name, {}))
        return {}

    def keep_outputs(self, state: m.State, frame: Frame, outputs: dict[int, Any]) -> None:
        """What a redrive keeps of ``state``'s branches or iterations if the execution stops in it now."""
        if frame is self.root_frame:
            self.stopped_outputs[state.name] = dict(outputs)

    def arm_deadline(self) -> None:
        """The execution's deadline as a timer (after the work due at that same instant): armed when a
        thread first parks or waits past it, so an execution that never does costs no timer."""
        if self._deadline_entry is None and self.result is None:
            self._deadline_entry = self.scheduler.at(self.deadline, self._timed_out, 1)

    def _timed_out(self) -> None:
        if self.result is not None:
            return
        self.now = self.deadline
        if self.root is not None:
            self.root.kill()
        self._finish(self.root_frame, "TIMED_OUT", "ExecutionTimedOut", StatesErrorName.TIMEOUT.value, None)

    def abort(self, error: str | None, cause: str | None) -> None:
        """StopExecution: kill every thread at the current instant; ExecutionAborted (previousEventId 0)."""
        if self.result is not None:
            return
        self.now = self.scheduler.now()
        if self.root is not None:
            self.root.kill()
        self.root_frame.prev = 0
        self._finish(self.root_frame, "ABORTED", "ExecutionAborted", error, cause)

    def _root_done(self, thread: Thread | None, output: Any, failure: BaseException | None) -> None:
        frame = self.root_frame
        if failure is None:
            self.history.limit += 1
            self.event(frame, "ExecutionSucceeded", None, "output", output)
            self._close(RunResult("SUCCEEDED", output=output))
            return
        if isinstance(failure, StatesError):
            self._finish(frame, "FAILED", "ExecutionFailed", failure.error or None, failure.cause)
        elif isinstance(failure, HistoryLimitExceeded):
            cause = (
                "The execution reached the maximum number of history events (25000). Start a new "
                "execution (for example with a child workflow) to continue the work."
            )
            self._finish(frame, "FAILED", "ExecutionFailed", StatesErrorName.RUNTIME.value, cause)
        elif isinstance(failure, ServerlessError):  # UnmockedTask, UsageError: misuse is raised to the caller
            self._kill_quietly(failure)
            raise failure
        elif isinstance(failure, RecursionError):
            self._finish(
                frame,
                "FAILED",
                "ExecutionFailed",
                StatesErrorName.RUNTIME.value,
                recursion_cause(self.program),
            )
        else:  # a bug in the engine: raised to the test, never a FAILED execution a test may expect
            self._kill_quietly(failure)
            state = f"state {self.path[-1]!r} of " if self.path else ""
            name = self.machine_context["Name"]
            raise InternalError(f"running {state}the state machine {name!r}", failure) from failure

    def _kill_quietly(self, failure: BaseException) -> None:
        """An execution stopped by misuse (raised to the test): it ends FAILED without a closing event."""
        self._close(
            RunResult(
                "FAILED", error=StatesErrorName.RUNTIME.value, cause=f"{type(failure).__name__}: {failure}"
            )
        )

    def _finish(
        self, frame: Frame, status: str, event_type: str, error: str | None, cause: str | None
    ) -> None:
        details: dict[str, Any] = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        self.history.limit += 1
        frame.history = self.history
        self.event(frame, event_type, details)
        self._close(RunResult(status, error=error, cause=cause))

    def _close(self, result: RunResult) -> None:
        self.result = result
        if self._deadline_entry is not None:
            self.scheduler.cancel(self._deadline_entry)
            self._deadline_entry = None
        self.root = None  # no reference cycles left behind: the garbage collector has nothing to chase
        self.root_frame.thread = None
        listeners, self.on_finish = self.on_finish, []
        for listener in listeners:
            listener(self)

    def is_plain(self, program: m.Program) -> bool:
        """No state of ``program`` (at its own level) ever waits: ``run_plain`` runs it as a plain call."""
        return _every_state_of(program, _PLAIN_KINDS, "_plain")

    def only_timers(self, program: m.Program) -> bool:
        """No state of ``program`` waits for anything but time (Pass, Choice, Wait, Succeed, Fail)."""
        return _every_state_of(program, _TIMER_KINDS, "_only_timers")

    def wait_inline(self, due: float) -> None:
        """A Wait's timer reached in line (``plain_timers``): the clock moves there, as the run loop would
        move it; past the execution's deadline the execution times out there instead."""
        if due > self.deadline:
            raise DeadlineReached
        clock = self.clock
        now = clock.time()
        if due > now:
            clock.advance(due - now)
        self.scheduler.current = self.now = due

    def enter_state(self, states: Mapping[str, m.State], name: str, value: Any, frame: Frame) -> StateRun:
        """Enter state ``name`` with ``value``: the path, the ...StateEntered event and the state's run."""
        state = states.get(name)
        if state is None:
            raise Terminal(
                StatesErrorName.RUNTIME, f"The state '{name}' does not exist in the state machine."
            )
        self.path.append(name)
        entered_type = _ENTERED.get(state.type)
        if entered_type is None:
            entered_type = _ENTERED[state.type] = state.type + "StateEntered"
        entered = self.event(frame, entered_type, name, "input", value)
        return StateRun(state, entered, self.now, value)

    def run_plain(self, program: m.Program, value: Any, frame: Frame) -> Any:
        """``run_program`` for a program of Pass, Choice, Succeed and Fail states (no generator)."""
        states = program.states
        name: str | None = program.start_at
        runners = self._state_runners
        try:
            while name is not None:
                run = self.enter_state(states, name, value, frame)
                state = run.state
                name, value = runners[type(state)](self, state, value, frame, run)
        except (StatesError, DeadlineReached):
            frame.stopped_at = (name, value) if name is not None else None
            raise
        return value

    def run_program(
        self, program: m.Program, value: Any, frame: Frame, start_at: str | None = None
    ) -> Generator[Any, Any, Any]:
        """Run states from StartAt (or ``start_at``) to an end; return the output or raise StatesError
        (a generator: states that wait yield to the scheduler, the others are plain calls)."""
        states = program.states
        name: str | None = program.start_at if start_at is None else start_at
        runners = self._state_runners
        try:
            while name is not None:
                run = self.enter_state(states, name, value, frame)
                state = run.state
                step = runners[type(state)](self, state, value, frame, run)
                if step.__class__ is tuple:
                    name, value = step
                else:
                    name, value = yield from step
        except (StatesError, GeneratorExit):
            frame.stopped_at = (name, value) if name is not None else None
            raise
        return value

    # ------------------------------------------------------------ helpers: errors

    def runtime(self, run: StateRun, message: str) -> Terminal:
        return Terminal(StatesErrorName.RUNTIME, run.prefix() + message)

    def prefixed(self, run: StateRun, error: StatesError) -> StatesError:
        """Add the state prefix to an evaluation error's cause (JSONata, Choice paths, intrinsics)."""
        cause = error.cause or ""
        if error.error in (
            StatesErrorName.QUERY_EVALUATION_ERROR,
            StatesErrorName.RUNTIME,
        ) and not cause.startswith("An error occurred while executing"):
            cls = Terminal if error.error == StatesErrorName.RUNTIME else StatesError
            return cls(error.error, run.prefix() + cause)
        return error

    def evaluation_failed(
        self, frame: Frame, run: StateRun, error: StatesError, location: str | None = None
    ) -> None:
        if error.error == StatesErrorName.QUERY_EVALUATION_ERROR:
            details = {"error": error.error, "cause": error.cause or "", "state": run.state.name}
            if location is None:
                found = _FIELD.search(error.cause or "")
                location = found.group(1) if found else None
            if location:
                details["location"] = location
            self.event(frame, "EvaluationFailed", details)

    # ------------------------------------------------------------ helpers: context and lookups

    def context(self, run: StateRun, frame: Frame) -> dict[str, Any]:
        own = frame.context
        context: dict[str, Any] = {
            "Execution": self.execution_context if own is None else own[0],
            "State": {
                "EnteredTime": iso_millis(run.entered_time),
                "Name": run.state.name,
                "RetryCount": run.retry_count,
            },
            "StateMachine": self.machine_context if own is None else own[1],
        }
        if run.token is not None:
            context["Task"] = {"Token": run.token}
        if frame.item is not None:
            context["Map"] = {"Item": {"Index": frame.item[0], "Value": frame.item[1]}}
        return context

    def base_of(self, path: CompiledPath, data: Any, run: StateRun, frame: Frame) -> Any:
        root = path.root
        if root == "$":
            return data
        if root == "$$":
            return self.context(run, frame)
        name = path.variable
        variables = frame.variables
        if name not in variables:
            raise PathNotFound(f"The variable '${name}' was not found")
        return variables[name]

    def lookup(self, path: CompiledPath, data: Any, run: StateRun, frame: Frame) -> Any:
        return path.get(self.base_of(path, data, run, frame))

    def lookup_or_fail(self, path: CompiledPath, data: Any, run: StateRun, frame: Frame) -> Any:
        """``lookup``; a path that matches nothing fails the execution (States.Runtime, "Invalid path")."""
        try:
            return self.lookup(path, data, run, frame)
        except PathNotFound as error:
            raise self.runtime(run, f"Invalid path '{path.text}' : {error.message}") from None

    def resolver(self, data: Any, run: StateRun, frame: Frame) -> Callable[[str], Any]:
        """``resolve(path_text)`` for intrinsics and Choice rules; raises PathNotFound (a LookupError)."""
        from .paths import compile_path

        def resolve(text: str) -> Any:
            return self.lookup(compile_path(text), data, run, frame)

        return resolve

    def states_var(self, run: StateRun, frame: Frame, **parts: Any) -> dict[str, Any]:
        parts["context"] = self.context(run, frame)
        return parts

    def jsonata(self, template: Any, run: StateRun, frame: Frame, **parts: Any) -> Any:
        try:
            return template.evaluate(
                self.states_var(run, frame, **parts),
                frame.variables,
                self.rng,
                now_millis=int(self.now * 1000),
            )
        except StatesError as error:
            raise self.prefixed(run, error) from None

    # ------------------------------------------------------------ JSONPath data flow

    def select_path(self, path: CompiledPath | None, value: Any, run: StateRun, frame: Frame) -> Any:
        """InputPath or OutputPath: absent keeps ``value``, ``null`` gives ``{}``."""
        if path is None:
            return value
        if path is m.NULL_PATH:
            return {}
        return self.lookup_or_fail(path, value, run, frame)

    def result_path(self, path: Any, raw_input: Any, result: Any, run: StateRun) -> Any:
        if path is None:
            return result
        if path is m.NULL_PATH:
            return raw_input
        try:
            return write_result_path(raw_input, path, result)
        except PathNotFound:
            raise StatesError(
                StatesErrorName.RESULT_PATH_MATCH_FAILURE,
                f'Unable to apply step "ResultPath" to input {dumps(raw_input)}',
            ) from None

    def payload(self, template: Any, data: Any, run: StateRun, frame: Frame) -> Any:
        """Evaluate a JSONPath payload template (Parameters, ItemSelector, ResultSelector, Assign)."""
        if template.constant:
            return template.evaluate(_never, _never)

        def resolve(path: CompiledPath, key: str, text: str) -> Any:
            try:
                return self.lookup(path, data, run, frame)
            except PathNotFound:
                where = (
                    "input" if path.root == "$" else "context object" if path.root == "$$" else "variables"
                )
                shown = (
                    data
                    if path.root == "$"
                    else self.base_of(path, data, run, frame)
                    if path.root == "$$"
                    else frame.variables
                )
                message = (
                    f"The JSONPath '{text}' specified for the field '{key}' could not be found in the {where}"
                )
                if path.root == "$var":
                    raise self.runtime(run, message) from None
                raise self.runtime(run, f"{message} '{dumps(shown)}'") from None

        def call(intrinsic: Any, key: str) -> Any:
            def lookup(text: str) -> Any:
                from .paths import compile_path

                path = compile_path(text)
                try:
                    return self.lookup(path, data, run, frame)
                except PathNotFound:
                    message = f"The JSONPath '{text}' specified for the field '{key}' could not be found"
                    raise self.runtime(run, f"{message} in the input '{dumps(data)}'") from None

            try:
                return intrinsic.evaluate(lookup, self.rng)
            except StatesError as error:
                raise self.prefixed(run, error) from None

        return template.evaluate(resolve, call)

    def assign(
        self, state_assign: Any, ql: str, data: Any, run: StateRun, frame: Frame, **parts: Any
    ) -> dict[str, Any]:
        """The variables a state's Assign produces (not yet visible)."""
        if ql == m.JSONATA:
            values = self.jsonata(state_assign, run, frame, **parts)
        else:
            values = self.payload(state_assign, data, run, frame)
        if not isinstance(values, dict):
            return {}
        return values

    def commit(self, frame: Frame, assigned: dict[str, Any] | None) -> None:
        if assigned:
            frame.variables.update(assigned)

    def check_size(self, run: StateRun, value: Any, what: str | None = None) -> None:
        if value is self._checked:  # a Pass state's result is often its output: checked already
            return
        if isinstance(value, (dict, list)):
            may_exceed = self._json_bound(value) > DATA_LIMIT
        else:
            may_exceed = _size_may_exceed(value)
        if may_exceed:
            size = len(dumps(value).encode("utf-8"))
            if size > DATA_LIMIT:
                raise Terminal(
                    StatesErrorName.DATA_LIMIT_EXCEEDED,
                    f"The state/task '{what or run.state.name}' returned a result with a size exceeding the "
                    "maximum number of bytes service limit.",
                )
        self._checked = value

    def _json_bound(self, value: dict[str, Any] | list[Any], depth: int = 0) -> int:
        """An upper bound on the UTF-8 size of ``value`` as JSON, at the cost of what is new in it.

        A state's output is mostly its input with a little added (ResultPath, Parameters picking fields):
        sizing the whole value at every state made each state cost O(payload). Containers of 1 KiB or
        more are remembered by identity for this execution (the engine never mutates a value once built;
        what handlers and mocks return is a fresh copy), so a big part carried from state to state is
        sized once. A large container not seen before is sized by ``repr`` at C speed (JSON is at most
        6 UTF-8 bytes per repr character, see ``_size_may_exceed``); a small one by its members.
        """
        known = self._bounds.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        if len(value) > 32 or depth > 32:
            bound = len(repr(value)) * 6
        else:
            # brackets, separators (one too many: a bound), per key its quotes and colon; per member:
            # a string 6 bytes a character (escapes), a number of the usual size, true/false/null 32;
            # the member loop is written twice on purpose: one loop over values() is slower on small dicts
            bound = 2 + len(value)
            if isinstance(value, dict):
                for key, member in value.items():
                    bound += len(key) * 6 + 3
                    kind = type(member)
                    if kind is str:
                        bound += len(member) * 6 + 2
                    elif (kind is int and -_BIG_INT < member < _BIG_INT) or kind is float or member is None:
                        bound += 32
                    else:
                        bound += self._member_bound(member, depth)
            else:
                for member in value:
                    kind = type(member)
                    if kind is str:
                        bound += len(member) * 6 + 2
                    elif (kind is int and -_BIG_INT < member < _BIG_INT) or kind is float or member is None:
                        bound += 32
                    else:
                        bound += self._member_bound(member, depth)
        if bound >= 1024:
            self._bounds[id(value)] = (value, bound)
        return bound

    def _member_bound(self, member: Any, depth: int) -> int:
        if isinstance(member, (dict, list)):
            return self._json_bound(member, depth + 1)
        if isinstance(member, str):
            return len(member) * 6 + 2
        return len(repr(member)) * 6 + 32  # booleans, big integers, anything else

    def exit_state(
        self, frame: Frame, run: StateRun, output: Any, assigned: dict[str, Any] | None = None
    ) -> None:
        if output is not run.input:
            self.check_size(run, output)
        state = run.state
        details: dict[str, Any] | str = state.name
        if assigned and _size_may_exceed(assigned) and len(dumps(assigned).encode("utf-8")) > DATA_LIMIT:
            raise Terminal(
                StatesErrorName.DATA_LIMIT_EXCEEDED,
                f"The variables assigned by the state '{state.name}' exceed the maximum size of 256 KiB.",
            )
        if assigned:
            details = {
                "name": state.name,
                "assignedVariables": {key: dumps(value) for key, value in assigned.items()},
                "assignedVariablesDetails": {"truncated": False},
            }
        exited_type = _EXITED.get(state.type)
        if exited_type is None:
            exited_type = _EXITED[state.type] = state.type + "StateExited"
        self.event(frame, exited_type, details, "output", output)
        self.commit(frame, assigned)


# ------------------------------------------------------------ data flow the state runners share


def effective_input(interp: Interpreter, state: Any, value: Any, run: StateRun, frame: Frame) -> Any:
    """What a Task or Parallel state works on: InputPath then Parameters, or Arguments in JSONata."""
    try:
        if state.query_language == m.JSONATA:
            if state.parameters is None:
                return value
            return interp.jsonata(state.parameters, run, frame, input=value)
        effective = interp.select_path(state.input_path, value, run, frame)
        if state.parameters is None:
            return effective
        return interp.payload(state.parameters, effective, run, frame)
    except StatesError as error:
        interp.evaluation_failed(frame, run, error)
        raise


def finish_state(
    interp: Interpreter, state: Any, value: Any, result: Any, run: StateRun, frame: Frame
) -> tuple[str | None, Any]:
    """ResultSelector/Output, Assign, ResultPath, OutputPath and the StateExited event."""
    try:
        assigned = None
        if state.query_language == m.JSONATA:
            parts = {"input": value, "result": result}
            output = interp.jsonata(state.output, run, frame, **parts) if state.output is not None else result
            if state.assign is not None:
                assigned = interp.assign(state.assign, m.JSONATA, None, run, frame, **parts)
        else:
            if state.result_selector is not None:
                result = interp.payload(state.result_selector, result, run, frame)
            output, assigned = jsonpath_output(interp, state, value, result, run, frame)
    except StatesError as error:
        interp.evaluation_failed(frame, run, error)
        raise
    interp.exit_state(frame, run, output, assigned)
    return state.next, output


def jsonpath_output(
    interp: Interpreter, state: Any, value: Any, result: Any, run: StateRun, frame: Frame
) -> tuple[Any, dict[str, Any] | None]:
    """JSONPath: Assign from ``result``, then ResultPath and OutputPath: ``(output, assigned)``."""
    assigned = (
        interp.assign(state.assign, m.JSONPATH, result, run, frame) if state.assign is not None else None
    )
    output = interp.select_path(
        state.output_path, interp.result_path(state.result_path, value, result, run), run, frame
    )
    return output, assigned


def output_and_assign(
    interp: Interpreter,
    state: m.ChoiceState | m.WaitState | m.SucceedState,
    output: Any,
    assign: Any,
    value: Any,
    effective: Any,
    run: StateRun,
    frame: Frame,
) -> tuple[Any, dict[str, Any] | None]:
    """Output and Assign of a state without a result (Choice, Wait; Succeed in TestState): JSONata reads
    the state input; JSONPath assigns from the effective input (after InputPath), then OutputPath."""
    assigned = None
    if state.query_language == m.JSONATA:
        result = interp.jsonata(output, run, frame, input=value) if output is not None else value
        if assign is not None:
            assigned = interp.assign(assign, m.JSONATA, None, run, frame, input=value)
    else:
        if assign is not None:
            assigned = interp.assign(assign, m.JSONPATH, effective, run, frame)
        result = interp.select_path(state.output_path, effective, run, frame)
    return result, assigned


_PLAIN_KINDS = (m.PassState, m.ChoiceState, m.SucceedState, m.FailState)
_TIMER_KINDS = (*_PLAIN_KINDS, m.WaitState)


class DeadlineReached(Exception):  # noqa: N818 - not an error: the execution's time is up
    """A Wait reached in line (``plain_timers``) ends past the execution's deadline."""


def _never(*args: Any) -> Any:  # pragma: no cover - constant templates never resolve
    raise AssertionError("constant payload template resolved a path")


def java_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value) if not isinstance(value, float) else repr(value)


def _size_may_exceed(value: Any) -> bool:
    """Cheap, sound pre-check: only serialize values that could reach the 256 KiB limit.

    ``repr`` runs at C speed; a JSON text is at most 1.5 times as many characters as the repr of the same
    value (escapes ``\\u0000`` vs ``\\x00``; repr's separators are longer) and a character is at most 4
    UTF-8 bytes, so a repr of at most DATA_LIMIT / 6 characters cannot exceed the limit.
    """
    if isinstance(value, (dict, list, str)):
        return len(repr(value)) * 6 > DATA_LIMIT
    return False
