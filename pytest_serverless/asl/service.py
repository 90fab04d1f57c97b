"""``StepFunctions``: the Step Functions service in process (API.md section 6).

One account and region on one virtual clock: state machines, executions in flight, task tokens
(``.waitForTaskToken``), activities, stop and redrive. Operations carry the AWS API's names in snake case
and raise :class:`~pytest_serverless.errors.AwsError` with AWS's error codes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from pytest_serverless._ids import ACCOUNT_ID, REGION
from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import AwsError, UsageError

from .paths import copy_json
from .runtime import Scheduler, Thread, scheduler_for
from .states_errors import StatesErrorName
from .tasks import TaskCallOutcome

if TYPE_CHECKING:
    from .interpreter import Frame, Interpreter
    from .machine import Execution, StateMachine

__all__ = ["MapRun", "Service", "WaitingTask"]

_REDRIVE_WINDOW = 14 * 24 * 3600.0


class WaitingTask(NamedTuple):
    """A Task waiting for ``send_task_*`` (a ``.waitForTaskToken`` callback) or for an activity worker."""

    execution: Execution
    state: str
    token: str
    resource: str
    input: Any
    since: float


class _Callback:
    """One open task token: the parked thread, its heartbeat and timeout timers."""

    __slots__ = (
        "activity",
        "fetched",
        "frame",
        "heartbeat",
        "heartbeat_timer",
        "interp",
        "open",
        "outcome",
        "service",
        "task",
        "thread",
        "timeout_timer",
    )

    def __init__(
        self,
        service: Service,
        interp: Interpreter,
        frame: Frame,
        task: WaitingTask,
        heartbeat: float | None,
        activity: bool,
    ) -> None:
        self.service = service
        self.interp = interp
        self.frame = frame
        thread = frame.thread
        assert thread is not None
        self.thread: Thread = thread
        self.task = task
        self.heartbeat = heartbeat
        self.activity = activity
        self.fetched = not activity
        self.open = True
        self.outcome: TaskCallOutcome | None = None
        self.heartbeat_timer: list[Any] | None = None
        self.timeout_timer: list[Any] | None = None

    def arm_heartbeat(self) -> None:
        scheduler = self.service.scheduler
        if self.heartbeat_timer is not None:
            scheduler.cancel(self.heartbeat_timer)
            self.heartbeat_timer = None
        if self.heartbeat is not None:
            due = scheduler.now() + self.heartbeat
            self.heartbeat_timer = scheduler.at(due, lambda: self.expire(heartbeat=True))

    def expire(self, *, heartbeat: bool) -> None:
        """HeartbeatSeconds or TimeoutSeconds passed: the task fails with States.Timeout."""
        if heartbeat:  # the timer that fired is spent; close() cancels the other one
            self.heartbeat_timer = None
        else:
            self.timeout_timer = None
        self.finish(
            TaskCallOutcome(error=StatesErrorName.TIMEOUT.value, cause=None, failed=True, heartbeat=heartbeat)
        )

    def close(self) -> None:
        """Forget the token (the task ended, or its execution stopped): later sends get TaskTimedOut."""
        service = self.service
        scheduler = service.scheduler
        scheduler.cancel(self.heartbeat_timer)
        scheduler.cancel(self.timeout_timer)
        self.heartbeat_timer = self.timeout_timer = None
        token = self.task.token
        if self.open:
            self.open = False
            self.interp.callbacks_open -= 1
            self.interp.callbacks.remove(self)
        if service._open.pop(token, None) is not None:
            service._closed.add(token)
        if self.activity and not self.fetched:
            queue = service._activities.get(self.task.resource)
            if queue is not None and self in queue:
                queue.remove(self)

    def fetch(self) -> None:
        """A worker took the activity task: ActivityStarted now, and the heartbeat clock starts."""
        interp = self.interp
        interp.now = self.service.scheduler.now()
        interp.event(self.frame, "ActivityStarted", {"workerName": "pytest-serverless"})
        self.arm_heartbeat()

    def finish(self, outcome: TaskCallOutcome) -> None:
        if not self.open:  # closed already (answered, timed out, or its execution stopped)
            return
        self.outcome = outcome
        self.close()
        self.thread.resume()


_COUNT_KEYS = ("pending", "running", "succeeded", "failed", "timedOut", "aborted")


class MapRun:
    """One Distributed Map attempt (a Map Run) and its child executions, as DescribeMapRun reports them.

    A child is kept as a light record ``[arn, name, input, start, status, output, error, cause, stop,
    history]`` (a Map of 100,000 items must stay cheap); ``execution(index)`` makes its ``Execution``."""

    __slots__ = (
        "arn",
        "children",
        "execution_arn",
        "execution_type",
        "max_concurrency",
        "redrive_count",
        "redrive_date",
        "start",
        "status",
        "stop",
        "tolerated_failure_count",
        "tolerated_failure_percentage",
        "total",
    )

    def __init__(
        self,
        arn: str,
        execution_arn: str,
        total: int,
        max_concurrency: int,
        tolerated_failure_count: int,
        tolerated_failure_percentage: float,
        start: float,
    ) -> None:
        self.arn = arn
        self.execution_arn = execution_arn
        self.total = total
        self.max_concurrency = max_concurrency
        self.tolerated_failure_count = tolerated_failure_count
        self.tolerated_failure_percentage = tolerated_failure_percentage
        self.start = start
        self.stop: float | None = None
        self.status = "RUNNING"
        self.children: dict[int, list[Any]] = {}  # by item index, in the order they started
        self.execution_type: Any = None  # the Execution class (the parent's)
        self.redrive_count = 0
        self.redrive_date: float | None = None

    def redriven(self, succeeded: set[int], now: float) -> None:
        """The parent was redriven in this Map: the run is RUNNING again and keeps its succeeded children
        (the others start again as new child executions)."""
        self.children = {index: child for index, child in self.children.items() if index in succeeded}
        self.status = "RUNNING"
        self.stop = None
        self.redrive_count += 1
        self.redrive_date = now

    def execution(self, index: int) -> Execution:
        """The child execution of item ``index`` as an ``Execution`` (a snapshot)."""
        arn, name, child_input, start, status, output, error, cause, stop, history = self.children[index]
        child: Execution = self.execution_type()
        child.arn, child.name, child.input, child.start_time = arn, name, child_input, start
        child.status, child.output, child.error, child.cause = status, output, error, cause
        child._raw_history = history
        child.duration = (stop if stop is not None else start) - start
        return child

    def describe(self) -> dict[str, Any]:
        """DescribeMapRun's fields (dates as aware datetimes, as boto3 returns them)."""
        counts = dict.fromkeys(_COUNT_KEYS, 0)
        for child in self.children.values():
            counts[_COUNTED[child[4]]] += 1
        started = len(self.children)
        executions = {**counts, "total": started, "resultsWritten": 0}
        items = {**counts, "pending": self.total - started, "total": self.total, "resultsWritten": 0}
        if self.status == "SUCCEEDED":
            items["resultsWritten"] = executions["resultsWritten"] = counts["succeeded"]
        described: dict[str, Any] = {
            "mapRunArn": self.arn,
            "executionArn": self.execution_arn,
            "status": self.status,
            "startDate": _date(self.start),
            "maxConcurrency": self.max_concurrency,
            "toleratedFailurePercentage": self.tolerated_failure_percentage,
            "toleratedFailureCount": self.tolerated_failure_count,
            "itemCounts": items,
            "executionCounts": executions,
            "redriveCount": self.redrive_count,
        }
        if self.stop is not None:
            described["stopDate"] = _date(self.stop)
        if self.redrive_date is not None:
            described["redriveDate"] = _date(self.redrive_date)
        return described

    def close(self, status: str, now: float) -> None:
        """The Map Run ended: children still running were aborted with it."""
        self.status = status
        self.stop = now
        for child in self.children.values():
            if child[4] == "RUNNING":
                child[4], child[8] = "ABORTED", now


_COUNTED = {
    "RUNNING": "running",
    "SUCCEEDED": "succeeded",
    "FAILED": "failed",
    "TIMED_OUT": "timedOut",
    "ABORTED": "aborted",
}


def _date(epoch: float) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=epoch)


class Service:
    """The operations of the Step Functions service of one account and region, on one virtual clock.

    The public class is ``machine.StepFunctions`` (this plus ``create_state_machine``): this module knows
    machines only by their interface, so it imports nothing of ``machine.py`` (the import graph of ``asl/``
    has no cycle, not even inside functions).
    """

    def __init__(self, clock: VirtualClock | None = None) -> None:
        if clock is not None and not isinstance(clock, VirtualClock):
            raise UsageError(f"StepFunctions(clock=...) takes a VirtualClock, not {type(clock).__name__}")
        self.clock = clock if clock is not None else VirtualClock()
        self.scheduler: Scheduler = scheduler_for(self.clock)
        self._machines: dict[str, StateMachine] = {}
        self._open: dict[str, _Callback] = {}
        self._closed: set[str] = set()
        self._activities: dict[str, list[_Callback]] = {}
        self._express_count = 0
        self._map_runs: dict[str, MapRun] = {}
        self._children: dict[str, tuple[MapRun, int]] = {}  # Distributed Map children by ARN

    def __repr__(self) -> str:
        return f"{type(self).__name__}(state_machines={sorted(m.name for m in self._machines.values())!r})"

    def aws(self) -> Any:
        """``with service.aws():`` boto3/botocore ``stepfunctions`` calls are answered by this service (API.md
        section 7); every other AWS call raises ``UnemulatedCall``. A context manager yielding the scope."""
        from pytest_serverless.aws import Scope

        from ._aws import stepfunctions_answerer

        return Scope({"stepfunctions": stepfunctions_answerer(self)})

    # ------------------------------------------------------------ state machines

    def _register(self, machine: StateMachine) -> None:
        self._machines[machine.arn] = machine
        for other in self._machines.values():  # machines of one service may start one another
            if other is not machine:
                other.state_machines.setdefault(machine.arn, machine)
                other.state_machines.setdefault(machine.name, machine)
                machine.state_machines.setdefault(other.arn, other)
                machine.state_machines.setdefault(other.name, other)

    def state_machine(self, name_or_arn: str) -> StateMachine:
        """The machine of that name or ARN; UsageError naming the known ones if there is none."""
        machine = self._machines.get(name_or_arn)
        if machine is None:
            for candidate in self._machines.values():
                if candidate.name == name_or_arn:
                    return candidate
            known = ", ".join(sorted(repr(m.name) for m in self._machines.values())) or "none"
            raise UsageError(
                f"no state machine {name_or_arn!r} in this StepFunctions service (known: {known})"
            )
        return machine

    def _machine(self, arn: Any) -> StateMachine:
        if not isinstance(arn, str) or not arn.startswith("arn:aws:states:"):
            raise AwsError("InvalidArn", f"Invalid Arn: '{arn}'")
        machine = self._machines.get(arn)
        if machine is None:
            raise AwsError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        return machine

    # ------------------------------------------------------------ executions

    def start_execution(
        self, state_machine_arn: str, input: Any = None, name: str | None = None
    ) -> Execution:  # noqa: A002
        """StartExecution: returns at once (RUNNING unless the execution ended at this instant)."""
        return self._machine(state_machine_arn).start(_parse_input(input), name=name)

    def start_sync_execution(
        self,
        state_machine_arn: str,
        input: Any = None,  # noqa: A002
        name: str | None = None,
    ) -> Execution:
        """StartSyncExecution (EXPRESS machines only): runs the execution to its end."""
        machine = self._machine(state_machine_arn)
        if machine.type != "EXPRESS":
            raise AwsError(
                "StateMachineTypeNotSupported",
                "This operation is not supported by this type of state machine: StartSyncExecution is for "
                f"EXPRESS state machines, and {machine.name!r} is STANDARD",
            )
        return machine.start(_parse_input(input), name=name).run()

    def _named(self, machine: StateMachine, name: str, execution_input: Any) -> Execution | None:
        """Execution-name idempotency (Standard): the running one with the same input, or an error."""
        arn = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:{machine.name}:{name}"
        existing = machine._executions.get(arn)
        if existing is None:
            return None
        if existing.status == "RUNNING" and existing.input == execution_input:
            return existing
        raise AwsError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")

    def _execution(self, execution_arn: Any) -> Execution:
        if not isinstance(execution_arn, str) or not execution_arn.startswith("arn:aws:states:"):
            raise AwsError("InvalidArn", f"Invalid Arn: '{execution_arn}'")
        if ":express:" in execution_arn:
            raise AwsError(
                "InvalidArn",
                f"Invalid Arn: 'Express executions are not supported by this operation: {execution_arn}'",
            )
        child = self._children.get(execution_arn)
        if child is not None:
            return child[0].execution(child[1])
        parts = execution_arn.split(":")
        machine = None
        if len(parts) == 8:
            machine = self._machines.get(":".join([*parts[:5], "stateMachine", parts[6]]))
        execution = machine._executions.get(execution_arn) if machine is not None else None
        if execution is None:
            raise AwsError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{execution_arn}'")
        return execution

    def describe_execution(self, execution_arn: str) -> Execution:
        """DescribeExecution: the Execution (live: a running one shows its progress)."""
        return self._execution(execution_arn)

    def list_executions(
        self,
        state_machine_arn: str | None = None,
        status_filter: str | None = None,
        *,
        map_run_arn: str | None = None,
    ) -> list[Execution]:
        """ListExecutions, newest first; ``status_filter``: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED;
        ``map_run_arn=``: the child executions of a Distributed Map run (instead of a machine's)."""
        if map_run_arn is not None:
            if state_machine_arn is not None:
                raise AwsError(
                    "ValidationException", "Provide either a stateMachineArn or a mapRunArn, not both"
                )
            run = self._map_run(map_run_arn)
            found = [run.execution(index) for index in run.children]
        else:
            machine = self._machine(state_machine_arn)
            if machine.type == "EXPRESS":
                raise AwsError(
                    "StateMachineTypeNotSupported",
                    "This operation is not supported by this type of state machine: ListExecutions lists "
                    "STANDARD executions",
                )
            found = list(machine._executions.values())
        if status_filter is not None and status_filter not in _STATUSES:
            raise AwsError("ValidationException", f"statusFilter must be one of {', '.join(_STATUSES)}")
        found = [
            execution for execution in found if status_filter is None or execution.status == status_filter
        ]
        found.reverse()
        return found

    def describe_map_run(self, map_run_arn: str) -> dict[str, Any]:
        """DescribeMapRun: a Distributed Map run's status, item and child-execution counts, tolerated
        failures and MaxConcurrency, with AWS's field names."""
        return self._map_run(map_run_arn).describe()

    def _map_run(self, arn: Any) -> MapRun:
        if not isinstance(arn, str) or not arn.startswith("arn:aws:states:") or ":mapRun:" not in arn:
            raise AwsError("InvalidArn", f"Invalid Arn: '{arn}'")
        found = self._map_runs.get(arn)
        if found is None:
            raise AwsError("ResourceNotFound", f"Map Run Does Not Exist: '{arn}'")
        return found

    def _map_run_started(self, run: MapRun) -> None:
        self._map_runs[run.arn] = run

    def _map_child(
        self, run: MapRun, index: int, parent: Execution, context: dict[str, Any], history: Any
    ) -> None:
        """A Distributed Map child started: an execution of its own (its ``$$.Execution``)."""
        if run.execution_type is None:
            run.execution_type = type(parent)
        arn = context["Id"]
        now = self.scheduler.now()
        run.children[index] = [
            arn,
            context["Name"],
            context["Input"],
            now,
            "RUNNING",
            None,
            None,
            None,
            None,
            history,
        ]
        self._children[arn] = (run, index)

    def _map_child_done(self, run: MapRun, index: int, output: Any, error: Any) -> None:
        child = run.children.get(index)
        if child is None or child[4] != "RUNNING":
            return
        child[8] = self.scheduler.now()
        if error is None:
            child[4], child[5] = "SUCCEEDED", output
        else:
            name = getattr(error, "error", None) or StatesErrorName.RUNTIME.value
            child[4] = "TIMED_OUT" if name == StatesErrorName.TIMEOUT else "FAILED"
            child[6], child[7] = name, getattr(error, "cause", None)

    def stop_execution(
        self, execution_arn: str, error: str | None = None, cause: str | None = None
    ) -> Execution:
        """StopExecution: a running execution ends ABORTED at this instant (``ExecutionAborted``)."""
        return self.stop(self._execution(execution_arn), error, cause)

    def stop(self, execution: Execution, error: str | None = None, cause: str | None = None) -> Execution:
        """``stop_execution`` of an Execution object (``execution.stop()``)."""
        if ":express:" in execution.arn:
            raise AwsError(
                "InvalidArn",
                f"Invalid Arn: 'Express executions are not supported by this operation: {execution.arn}'",
            )
        if execution.status != "RUNNING":
            return execution
        interp = execution._interp
        assert interp is not None
        self.scheduler.run_now(lambda: interp.abort(error, cause))
        return execution

    def redrive_execution(self, execution_arn: str) -> Execution:
        """RedriveExecution: a FAILED, TIMED_OUT or ABORTED Standard execution (stopped at most 14 days
        ago) restarts at the state where it stopped, with that state's input (``ExecutionRedriven``)."""
        return self.redrive(self._execution(execution_arn))

    def redrive(self, execution: Execution) -> Execution:
        """``redrive_execution`` of an Execution object (``execution.redrive()``)."""
        execution_arn = execution.arn
        if ":express:" in execution_arn or (
            execution.state_machine is not None and execution.state_machine.type == "EXPRESS"
        ):
            raise AwsError(
                "InvalidArn",
                f"Invalid Arn: 'Express executions are not supported by this operation: {execution_arn}'",
            )
        interp = execution._interp
        reason = None
        if execution.status == "RUNNING":
            reason = "Execution is RUNNING and cannot be redriven"
        elif execution.status == "SUCCEEDED":
            reason = "Execution is SUCCEEDED and cannot be redriven"
        elif self.scheduler.now() - (execution.start_time + execution.duration) > _REDRIVE_WINDOW:
            reason = "Execution can only be redriven within 14 days of its end"
        elif interp is None or interp.root_frame.stopped_at is None:
            reason = "Execution ended before entering a state and cannot be redriven"
        if reason is not None:
            raise AwsError("ExecutionNotRedrivable", f"{reason}: '{execution_arn}'")
        assert interp is not None
        self.scheduler.run_now(lambda: execution._redrive(interp))
        return execution

    # ------------------------------------------------------------ task tokens

    @property
    def waiting_tasks(self) -> list[WaitingTask]:
        """Every task waiting for ``send_task_*`` or an activity worker, oldest first."""
        return [callback.task for callback in self._open.values()] + [
            callback.task for queue in self._activities.values() for callback in queue if not callback.fetched
        ]

    def _callback(self, token: Any) -> _Callback:
        if not isinstance(token, str) or not token:
            raise AwsError("InvalidToken", f"Invalid Token: {token!r}")
        callback = self._open.get(token)
        if callback is None:
            if token in self._closed:
                raise AwsError("TaskTimedOut", f"Task Timed Out: '{token}'")
            raise AwsError("InvalidToken", f"Invalid Token: '{token}'")
        return callback

    def send_task_success(self, task_token: str, output: Any) -> None:
        """SendTaskSuccess: the waiting Task succeeds with ``output`` (a JSON value or JSON text)."""
        callback = self._callback(task_token)
        if isinstance(output, str):
            try:
                output = json.loads(output)
            except ValueError:
                raise AwsError("InvalidOutput", f"Invalid Output: {output!r} is not JSON") from None
        try:
            value = copy_json(output)
        except (TypeError, ValueError, RecursionError):
            raise AwsError("InvalidOutput", f"Invalid Output: {output!r} is not JSON") from None
        self.scheduler.run_now(lambda: callback.finish(TaskCallOutcome(value=value)))

    def send_task_failure(self, task_token: str, error: str | None = None, cause: str | None = None) -> None:
        """SendTaskFailure: the waiting Task fails with ``error`` and ``cause`` (Retry and Catch see them)."""
        callback = self._callback(task_token)
        outcome = TaskCallOutcome(error=error, cause=cause, failed=True)
        self.scheduler.run_now(lambda: callback.finish(outcome))

    def send_task_heartbeat(self, task_token: str) -> None:
        """SendTaskHeartbeat: the task's HeartbeatSeconds start again from now."""
        callback = self._callback(task_token)
        callback.arm_heartbeat()

    # ------------------------------------------------------------ activities

    def create_activity(self, name: str) -> str:
        """CreateActivity: the activity's ARN (creating it again returns the same ARN)."""
        if not isinstance(name, str) or not name:
            raise UsageError(f"create_activity(name) takes a non-empty name, got {name!r}")
        arn = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:activity:{name}"
        self._activities.setdefault(arn, [])
        return arn

    def delete_activity(self, activity_arn: str) -> None:
        """Delete the activity ``activity_arn`` (an unknown ARN is ignored)."""
        self._activities.pop(activity_arn, None)

    def get_activity_task(self, activity_arn: str) -> dict[str, Any] | None:
        """GetActivityTask: the oldest scheduled task of that activity (its ``ActivityStarted`` is now),
        ``{"taskToken": ..., "input": JSON text}``, or None when none waits (AWS would long-poll)."""
        queue = self._activities.get(activity_arn)
        if queue is None:
            raise AwsError("ActivityDoesNotExist", f"Activity Does Not Exist: '{activity_arn}'")
        while queue:
            callback = queue.pop(0)
            if callback.thread.done:
                continue
            callback.fetched = True
            token = callback.task.token
            self._open[token] = callback
            self.scheduler.run_now(callback.fetch)
            return {"taskToken": token, "input": json.dumps(callback.task.input, separators=(",", ":"))}
        return None

    # ------------------------------------------------------------ the engine's side

    def _has_activity_arn(self, arn: str) -> bool:
        return arn in self._activities

    def _wait_for_callback(
        self,
        interp: Interpreter,
        frame: Frame,
        execution: Execution,
        state: str,
        token: str,
        resource: str,
        arguments: Any,
        timeout: float | None,
        heartbeat: float | None,
        activity: bool,
    ) -> _Callback:
        """Register a parked Task: its token (or its place in the activity's queue) and its timers."""
        task = WaitingTask(execution, state, token, resource, copy_json(arguments), interp.now)
        callback = _Callback(self, interp, frame, task, heartbeat, activity)
        scheduler = self.scheduler
        if timeout is not None:
            callback.timeout_timer = scheduler.at(
                interp.now + timeout, lambda: callback.expire(heartbeat=False)
            )
        interp.callbacks_open += 1
        interp.callbacks.append(callback)
        if activity:
            self._activities.setdefault(resource, []).append(callback)
        else:
            self._open[token] = callback
            callback.arm_heartbeat()
        callback.thread.on_kill(callback.close)
        return callback


_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


def _parse_input(value: Any) -> Any:
    """StartExecution's ``input`` is JSON text on the wire; a Python value is taken as is."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise AwsError(
                "InvalidExecutionInput", f"Invalid Execution Input: {value!r} is not JSON"
            ) from None
    return value
