"""``StepFunctions``: the Step Functions service in process (API.md section 6).

One account and region on one virtual clock: state machines, executions in flight, task tokens
(``.waitForTaskToken``), activities, stop and redrive. Operations carry the AWS API's names in snake case
and raise :class:`~pytest_serverless.errors.AwsError` with AWS's error codes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NamedTuple

from pytest_serverless._ids import ACCOUNT_ID, REGION
from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import AwsError, UsageError

from .paths import copy_json
from .runtime import Scheduler, Thread, scheduler_for
from .tasks import TaskCallOutcome

if TYPE_CHECKING:
    from .interpreter import Frame, Interpreter
    from .machine import Execution, StateMachine

__all__ = ["StepFunctions", "WaitingTask"]

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
        service: StepFunctions,
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
        self.finish(TaskCallOutcome(error="States.Timeout", cause=None, failed=True, heartbeat=heartbeat))

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


class StepFunctions:
    """The Step Functions service of one account and region, on one virtual clock.

    ``StepFunctions(clock=None)``. Every StateMachine belongs to one (a StateMachine made alone gets a
    service of its own: ``sm.service``).
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

    def __repr__(self) -> str:
        return f"StepFunctions(state_machines={sorted(m.name for m in self._machines.values())!r})"

    def aws(self) -> Any:
        """``with service.aws():`` boto3/botocore ``stepfunctions`` calls are answered by this service (API.md
        section 7); every other AWS call raises ``UnemulatedCall``. A context manager yielding the scope."""
        from pytest_serverless.aws import Scope

        from ._aws import stepfunctions_answerer

        return Scope({"stepfunctions": stepfunctions_answerer(self)})

    # ------------------------------------------------------------ state machines

    def create_state_machine(
        self,
        definition: Any,
        *,
        name: str,
        type: str = "STANDARD",  # noqa: A002 - AWS's and API.md's keyword
        **keywords: Any,
    ) -> StateMachine:
        """A StateMachine of this service (same keywords as ``StateMachine``); its clock is the service's."""
        from .machine import StateMachine

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

    def list_executions(self, state_machine_arn: str, status_filter: str | None = None) -> list[Execution]:
        """ListExecutions, newest first; ``status_filter``: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED."""
        machine = self._machine(state_machine_arn)
        if machine.type == "EXPRESS":
            raise AwsError(
                "StateMachineTypeNotSupported",
                "This operation is not supported by this type of state machine: ListExecutions lists "
                "STANDARD executions",
            )
        if status_filter is not None and status_filter not in _STATUSES:
            raise AwsError("ValidationException", f"statusFilter must be one of {', '.join(_STATUSES)}")
        found = [
            execution
            for execution in machine._executions.values()
            if status_filter is None or execution.status == status_filter
        ]
        found.reverse()
        return found

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
