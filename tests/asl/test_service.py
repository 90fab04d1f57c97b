"""Executions in flight: the StepFunctions service (API.md section 6), through the public API."""

from __future__ import annotations

import pytest

from pytest_serverless import (
    AwsError,
    ServerlessError,
    StateMachine,
    StepFunctions,
    UnmockedTask,
    UsageError,
    VirtualClock,
)
from tests.helpers import event_types

DAY = 86_400


def _approval(heartbeat: int | None = 3600, timeout: int | None = 3 * DAY) -> dict:
    ask: dict = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "https://sqs/approvals", "MessageBody": {"token.$": "$$.Task.Token"}},
        "Next": "Done",
    }
    if heartbeat is not None:
        ask["HeartbeatSeconds"] = heartbeat
    if timeout is not None:
        ask["TimeoutSeconds"] = timeout
    return {"StartAt": "Ask", "States": {"Ask": ask, "Done": {"Type": "Pass", "End": True}}}


def _well_formed(execution) -> None:
    ids = [event["id"] for event in execution.history]
    assert ids == list(range(1, len(ids) + 1))
    for event in execution.history:
        assert event["previousEventId"] == 0 or event["previousEventId"] in ids[: event["id"] - 1]


@pytest.fixture
def service():
    return StepFunctions(clock=VirtualClock())


# callbacks


def test_callback_a_day_later_with_heartbeats(service):
    sm = service.create_state_machine(_approval(), name="Approve")
    execution = sm.start({"order": 1})
    assert execution.status == "RUNNING"
    token = execution.task_token("Ask")
    (waiting,) = service.waiting_tasks
    assert (waiting.execution, waiting.state, waiting.token) == (execution, "Ask", token)
    assert waiting.input == {"QueueUrl": "https://sqs/approvals", "MessageBody": {"token": token}}
    for _ in range(24):
        service.clock.advance(3599)
        service.send_task_heartbeat(token)
    service.clock.advance(DAY - 24 * 3599)
    assert execution.status == "RUNNING"
    service.send_task_success(token, '{"approved": true}')
    assert (execution.status, execution.output, execution.duration) == ("SUCCEEDED", {"approved": True}, DAY)
    assert event_types(execution) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert execution.history[5]["timestamp"] == execution.start_date.replace(day=2)
    assert service.waiting_tasks == []
    _well_formed(execution)


def test_missed_heartbeat_times_the_task_out_and_a_late_answer_is_refused(service):
    sm = service.create_state_machine(_approval(heartbeat=60), name="Approve")
    execution = sm.start()
    token = execution.task_token("Ask")
    service.clock.advance(59)
    assert execution.status == "RUNNING"
    service.clock.advance(1)
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
    assert event_types(execution)[-2:] == ["TaskTimedOut", "ExecutionFailed"]
    assert execution.duration == 60
    with pytest.raises(AwsError) as raised:
        service.send_task_success(token, {})
    assert raised.value.code == "TaskTimedOut"


def test_heartbeat_timeout_is_caught_as_states_heartbeat_timeout(service):
    definition = _approval(heartbeat=10)
    definition["States"]["Ask"]["Catch"] = [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Late"}]
    definition["States"]["Late"] = {"Type": "Pass", "Result": "late", "End": True}
    execution = service.create_state_machine(definition, name="Approve").start()
    service.clock.advance(3600)
    assert (execution.status, execution.output, execution.duration) == ("SUCCEEDED", "late", 10)


def test_task_timeout_seconds_run_on_the_clock(service):
    execution = service.create_state_machine(_approval(heartbeat=None, timeout=300), name="A").start()
    service.clock.advance(299)
    assert execution.status == "RUNNING"
    service.clock.advance(5)
    assert (execution.status, execution.error, execution.duration) == ("FAILED", "States.Timeout", 300)


def test_send_task_failure_is_caught(service):
    definition = _approval()
    definition["States"]["Ask"]["Catch"] = [{"ErrorEquals": ["Rejected"], "Next": "No"}]
    definition["States"]["No"] = {"Type": "Pass", "End": True}
    execution = service.create_state_machine(definition, name="A").start()
    service.send_task_failure(execution.task_token("Ask"), error="Rejected", cause="not today")
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"Error": "Rejected", "Cause": "not today"}
    assert "TaskFailed" in event_types(execution)


def test_unknown_tokens_and_states_that_do_not_wait(service):
    execution = service.create_state_machine(_approval(), name="A").start()
    with pytest.raises(AwsError) as raised:
        service.send_task_success("never-issued", {})
    assert raised.value.code == "InvalidToken"
    assert isinstance(raised.value, ServerlessError)
    with pytest.raises(UsageError, match="state 'Done' of execution .* is not waiting for a task token"):
        execution.task_token("Done")


def test_run_stops_at_a_callback_wait_even_with_a_timeout(service):
    execution = service.create_state_machine(_approval(), name="A").start()
    assert execution.run() is execution
    assert execution.status == "RUNNING"
    assert service.clock.now() == execution.start_date


def test_execute_raises_unmocked_task_naming_the_state_and_the_token():
    sm = StateMachine(_approval())
    with pytest.raises(UnmockedTask) as raised:
        sm.execute({"x": 1})
    assert raised.value.state_name == "Ask"
    assert "It waits for a callback with task token '" in str(raised.value)
    assert sm.service.waiting_tasks == []  # the abandoned execution does not linger


def test_a_mock_still_answers_a_callback_task():
    execution = StateMachine(_approval()).execute(mocks={"Ask": [{"Return": {"ok": 1}}]})
    assert (execution.status, execution.output) == ("SUCCEEDED", {"ok": 1})


# stop


def test_stop_during_a_wait_records_execution_aborted_with_previous_event_id_zero(service):
    definition = {
        "StartAt": "State_1",
        "States": {
            "State_1": {"Type": "Wait", "Seconds": 60, "Next": "State_2"},
            "State_2": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True},
        },
    }
    execution = service.create_state_machine(definition, name="Wait1Min").start()
    service.clock.advance(30)
    execution.stop(error="Operator", cause="changed my mind")
    assert (execution.status, execution.error, execution.cause) == ("ABORTED", "Operator", "changed my mind")
    assert [(e["type"], e["previousEventId"]) for e in execution.history] == [
        ("ExecutionStarted", 0),
        ("WaitStateEntered", 0),
        ("ExecutionAborted", 0),
    ]
    assert execution.duration == 30
    service.clock.advance(3600)  # the Wait's timer is gone
    assert execution.path == ["State_1"]
    assert service.stop_execution(execution.arn) is execution  # stopping a closed execution changes nothing


def test_stop_closes_waiting_tokens(service):
    execution = service.create_state_machine(_approval(), name="A").start()
    token = execution.task_token("Ask")
    service.stop_execution(execution.arn)
    assert service.waiting_tasks == []
    with pytest.raises(AwsError) as raised:
        service.send_task_success(token, {})
    assert raised.value.code == "TaskTimedOut"


# redrive


def test_redrive_after_a_fixed_mock_restarts_at_the_failed_state(service):
    definition = {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Result": {"n": 1}, "ResultPath": "$.prepared", "Next": "Charge"},
            "Charge": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
                "ResultPath": "$.charged",
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "Parameters": {"redrives.$": "$$.Execution.RedriveCount"}, "End": True},
        },
    }
    sm = service.create_state_machine(definition, name="Pay")
    mock = [{"Throw": {"Error": "Card.Declined", "Cause": "expired"}}, {"Return": {"ok": True}}]
    execution = sm.start({"id": 7}, mocks={"Charge": mock})
    assert (execution.status, execution.error) == ("FAILED", "Card.Declined")
    service.clock.advance(DAY)
    assert execution.redrive() is execution
    assert (execution.status, execution.output, execution.redrive_count) == ("SUCCEEDED", {"redrives": 1}, 1)
    assert execution.path == ["Prepare", "Charge", "Charge", "Done"]
    types = event_types(execution)
    assert types[types.index("ExecutionFailed") + 1 :][:2] == ["ExecutionRedriven", "TaskStateEntered"]
    assert execution.task_calls[-1].input == {"id": 7, "prepared": {"n": 1}}
    _well_formed(execution)
    with pytest.raises(AwsError) as raised:
        execution.redrive()
    assert raised.value.code == "ExecutionNotRedrivable"


def test_redrive_an_aborted_execution_and_the_fourteen_day_window(service):
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}
    sm = service.create_state_machine(definition, name="W")
    stopped = sm.start(name="stopped")
    stopped.stop()
    stopped.redrive()
    assert stopped.status == "RUNNING"
    service.clock.advance(60)
    assert stopped.status == "SUCCEEDED"
    old = sm.start(name="old")
    old.stop()
    service.clock.advance(15 * DAY)
    with pytest.raises(AwsError, match="14 days") as raised:
        old.redrive()
    assert raised.value.code == "ExecutionNotRedrivable"


# racing branches and iterations


def test_parallel_branches_race_and_the_first_failure_aborts_the_others(service):
    definition = {
        "StartAt": "Race",
        "States": {
            "Race": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "A1",
                        "States": {
                            "A1": {"Type": "Wait", "Seconds": 10, "Next": "ABoom"},
                            "ABoom": {"Type": "Fail", "Error": "A.Failed", "Cause": "first"},
                        },
                    },
                    {
                        "StartAt": "B1",
                        "States": {
                            "B1": {"Type": "Wait", "Seconds": 5, "Next": "B2"},
                            "B2": {"Type": "Wait", "Seconds": 20, "Next": "BBoom"},
                            "BBoom": {"Type": "Fail", "Error": "B.Failed"},
                        },
                    },
                ],
                "End": True,
            }
        },
    }
    execution = service.create_state_machine(definition, name="Race").execute()
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "A.Failed", "first")
    assert execution.duration == 10
    assert execution.path == ["Race", "A1", "B1", "B2", "ABoom"]  # in time order; BBoom never runs
    entered = [(e["type"], e["timestamp"].second) for e in execution.history if e["type"].endswith("Entered")]
    assert entered == [
        ("ParallelStateEntered", 0),
        ("WaitStateEntered", 0),
        ("WaitStateEntered", 0),
        ("WaitStateEntered", 5),
        ("FailStateEntered", 10),
    ]
    assert event_types(execution)[-2:] == ["ParallelStateFailed", "ExecutionFailed"]
    _well_formed(execution)


def test_map_iterations_interleave_in_time_and_keep_their_order_in_the_output(service):
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Sleep",
                    "States": {"Sleep": {"Type": "Wait", "SecondsPath": "$", "End": True}},
                },
                "End": True,
            }
        },
    }
    execution = service.create_state_machine(definition, name="Each").execute([30, 10, 20])
    assert (execution.status, execution.output, execution.duration) == ("SUCCEEDED", [30, 10, 20], 30)
    succeeded = [
        (e["mapIterationSucceededEventDetails"]["index"], e["timestamp"].second)
        for e in execution.history
        if e["type"] == "MapIterationSucceeded"
    ]
    assert succeeded == [(1, 10), (2, 20), (0, 30)]


def test_two_executions_interleave_on_one_clock(service):
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}}}
    sm = service.create_state_machine(definition, name="W")
    slow, fast = sm.start({"s": 100}), sm.start({"s": 10})
    service.clock.advance(50)
    assert (slow.status, fast.status) == ("RUNNING", "SUCCEEDED")
    assert fast.duration == 10
    assert [e.name for e in service.list_executions(sm.arn, status_filter="RUNNING")] == [slow.name]
    service.clock.advance(50)
    assert slow.status == "SUCCEEDED"
    assert service.list_executions(sm.arn) == [fast, slow]


# the service's operations


def test_service_operations_answer_with_aws_error_codes(service):
    sm = service.create_state_machine(_approval(), name="A")
    assert sm.service is service
    assert sm.arn == "arn:aws:states:us-east-1:123456789012:stateMachine:A"
    assert service.state_machine("A") is sm
    assert service.state_machine(sm.arn) is sm
    with pytest.raises(UsageError, match="no state machine 'B' .*known: 'A'"):
        service.state_machine("B")
    cases = [
        (
            lambda: service.start_execution("arn:aws:states:us-east-1:123456789012:stateMachine:B"),
            "StateMachineDoesNotExist",
        ),
        (lambda: service.start_execution("nope"), "InvalidArn"),
        (
            lambda: service.describe_execution("arn:aws:states:us-east-1:123456789012:execution:A:x"),
            "ExecutionDoesNotExist",
        ),
        (lambda: service.start_sync_execution(sm.arn), "StateMachineTypeNotSupported"),
        (
            lambda: service.get_activity_task("arn:aws:states:us-east-1:123456789012:activity:none"),
            "ActivityDoesNotExist",
        ),
        (lambda: service.create_state_machine(_approval(), name="A"), "StateMachineAlreadyExists"),
    ]
    for call, code in cases:
        with pytest.raises(AwsError) as raised:
            call()
        assert raised.value.code == code
    execution = service.start_execution(sm.arn, '{"a": 1}', name="first")
    assert execution.arn == "arn:aws:states:us-east-1:123456789012:execution:A:first"
    assert execution.input == {"a": 1}
    assert service.describe_execution(execution.arn) is execution
    assert service.start_execution(sm.arn, {"a": 1}, name="first") is execution  # idempotent while running
    with pytest.raises(AwsError) as raised:
        service.start_execution(sm.arn, {"a": 2}, name="first")
    assert raised.value.code == "ExecutionAlreadyExists"
    execution.stop()
    with pytest.raises(AwsError) as raised:
        service.start_execution(sm.arn, {"a": 1}, name="first")
    assert raised.value.code == "ExecutionAlreadyExists"


def test_express_executions_get_express_arns_and_are_not_described(service):
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    sm = service.create_state_machine(definition, name="Fast", type="EXPRESS")
    execution = service.start_execution(sm.arn, {"x": 1}, name="e1")
    assert execution.arn.startswith("arn:aws:states:us-east-1:123456789012:express:Fast:e1:")
    assert execution.status == "SUCCEEDED"
    with pytest.raises(AwsError) as raised:
        service.describe_execution(execution.arn)
    assert raised.value.code == "InvalidArn"
    with pytest.raises(AwsError) as raised:
        service.list_executions(sm.arn)
    assert raised.value.code == "StateMachineTypeNotSupported"
    for operation in (execution.stop, execution.redrive):
        with pytest.raises(AwsError) as raised:
            operation()
        assert raised.value.code == "InvalidArn"
    result = service.start_sync_execution(sm.arn, {"y": 2})
    assert (result.status, result.output) == ("SUCCEEDED", {"y": 2})


# activities


def test_activity_heartbeats_start_when_a_worker_takes_the_task(service):
    arn = service.create_activity("approve")
    definition = {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": arn, "HeartbeatSeconds": 60, "End": True}},
    }
    execution = service.create_state_machine(definition, name="Act").start({"job": 1})
    service.clock.advance(3600)  # HeartbeatSeconds run from the worker's GetActivityTask
    task = service.get_activity_task(arn)
    assert task is not None
    assert event_types(execution)[-2:] == ["ActivityScheduled", "ActivityStarted"]
    service.clock.advance(50)
    service.send_task_heartbeat(task["taskToken"])
    service.clock.advance(59)
    assert execution.status == "RUNNING"
    service.clock.advance(1)
    assert (execution.status, execution.error, execution.duration) == ("FAILED", "States.Timeout", 3710)
    assert event_types(execution)[-2:] == ["ActivityTimedOut", "ExecutionFailed"]


def test_activity_task_waits_for_a_worker(service):
    arn = service.create_activity("approve")
    definition = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": arn, "End": True}}}
    execution = service.create_state_machine(definition, name="Act").start({"job": 1})
    (waiting,) = execution.waiting_tasks
    assert waiting.resource == arn
    service.clock.advance(600)
    assert event_types(execution)[-1] == "ActivityScheduled"
    task = service.get_activity_task(arn)
    assert task is not None
    assert task["input"] == '{"job":1}'
    assert service.get_activity_task(arn) is None
    service.send_task_success(task["taskToken"], {"done": True})
    assert (execution.status, execution.output) == ("SUCCEEDED", {"done": True})
    assert event_types(execution)[-4:] == [
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


def test_an_activity_that_does_not_exist_fails_the_execution():
    definition = {
        "StartAt": "ActivityTask",
        "States": {
            "ActivityTask": {
                "Type": "Task",
                "Resource": "arn:aws:states:us-east-1:123456789012:activity:deleted",
                "End": True,
            }
        },
    }
    execution = StateMachine(definition).execute({"Value1": "HelloWorld"})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.cause == (
        "An error occurred while executing the state 'ActivityTask' (entered at the event id #2). "
        "The activity arn:aws:states:us-east-1:123456789012:activity:deleted does not exist."
    )
    assert event_types(execution) == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]


# nested executions


def test_a_nested_sync_execution_waits_for_its_childs_callback(service):
    child = service.create_state_machine(_approval(), name="Child")
    parent_definition = {
        "StartAt": "Run",
        "States": {
            "Run": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child.arn, "Input": {"k": 1}},
                "OutputPath": "$.Output",
                "End": True,
            }
        },
    }
    parent = service.create_state_machine(parent_definition, name="Parent").start()
    assert parent.run().status == "RUNNING"
    (waiting,) = service.waiting_tasks
    assert waiting.execution.state_machine is child
    service.clock.advance(600)
    service.send_task_success(waiting.token, {"answer": 42})
    assert (parent.status, parent.output, parent.duration) == ("SUCCEEDED", {"answer": 42}, 600)


# fidelity


@pytest.mark.parametrize(
    ("resource", "failed"),
    [
        ("arn:aws:lambda:us-east-1:123456789012:function:big", "LambdaFunctionFailed"),
        ("arn:aws:states:::lambda:invoke", "TaskFailed"),
    ],
)
def test_a_task_result_over_256_kib_is_recorded_as_a_failed_task(resource, failed):
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True}}}
    big = "x" * 262_145
    result = {"Payload": big} if resource.endswith(":::lambda:invoke") else big
    execution = StateMachine(definition).execute(mocks={"T": [{"Return": result}]})
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
    types = event_types(execution)
    assert types[-2:] == [failed, "ExecutionFailed"]
    assert not any(kind.endswith("Succeeded") for kind in types)


def test_nested_sync_outputs_have_awss_recorded_shapes(service):
    child = service.create_state_machine(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}}},
        name="Target",
    )

    def parent(pattern):
        return {
            "StartAt": "Start",
            "States": {
                "Start": {
                    "Type": "Task",
                    "Resource": f"arn:aws:states:::states:startExecution{pattern}",
                    "Parameters": {"StateMachineArn": child.arn, "Name": f"run{len(pattern)}"},
                    "End": True,
                }
            },
        }

    sync = service.create_state_machine(parent(".sync"), name="Sync").execute().output
    sync2 = service.create_state_machine(parent(".sync:2"), name="Sync2").execute().output
    assert (sync["Input"], sync["Output"]) == ("{}", '{"Arg1":"argument1"}')
    assert (sync2["Input"], sync2["Output"]) == ({}, {"Arg1": "argument1"})
    for output in (sync, sync2):
        assert output["RedriveCount"] == 0
        assert output["RedriveStatus"] == "NOT_REDRIVABLE"
        assert output["RedriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
        assert output["Status"] == "SUCCEEDED"


# layout


def test_the_runtime_is_a_leaf_of_the_engine():
    import ast
    from pathlib import Path

    import pytest_serverless.asl.runtime as runtime

    tree = ast.parse(Path(runtime.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    assert {name for name in imported if name and name.startswith("pytest_serverless")} == {
        "pytest_serverless.clock"
    }
    assert not any(node.level for node in ast.walk(tree) if isinstance(node, ast.ImportFrom))


# distributed map children


def _distributed(processor_states: dict) -> dict:
    return {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "Label": "Fan",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Who",
                    "States": processor_states,
                },
                "End": True,
            }
        },
    }


def test_distributed_map_children_are_executions_of_their_own():
    who = {
        "Type": "Pass",
        "Parameters": {"id.$": "$$.Execution.Id", "input.$": "$$.Execution.Input"},
        "End": True,
    }
    execution = StateMachine(_distributed({"Who": who}), name="Parent").execute([1, 2])
    assert execution.status == "SUCCEEDED"
    first, second = execution.output
    assert first["id"].startswith("arn:aws:states:us-east-1:123456789012:execution:Parent/Fan:")
    assert first["id"] != second["id"]
    assert (first["input"], second["input"]) == (1, 2)


def test_a_distributed_child_over_its_event_limit_fails_alone():
    loop = {
        "Who": {"Type": "Pass", "Next": "Again"},
        "Again": {
            "Type": "Choice",
            "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "Who"}],
            "Default": "Done",
        },
        "Done": {"Type": "Succeed"},
    }
    definition = _distributed(loop)
    definition["States"]["Fan"]["ToleratedFailureCount"] = 1
    execution = StateMachine(definition).execute([1, 2])  # item 1 loops forever; item 2 ends at once
    assert execution.status == "SUCCEEDED"
    assert execution.output[0]["Error"] == "States.Runtime"
    assert "maximum number of history events" in execution.output[0]["Cause"]
    assert execution.output[1] == 2


def test_the_engines_imports_have_no_cycle_not_even_inside_functions():
    import ast
    from pathlib import Path

    import pytest_serverless.asl as asl

    root = Path(asl.__file__).parent
    modules = {  # "machine", "states", "states.task", ...
        ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): path
        for path in root.rglob("*.py")
        if path.name != "__init__.py" or path.parent != root
    }

    def runtime_nodes(tree):
        """Every node except what sits under ``if TYPE_CHECKING:`` (annotations only, never run)."""
        stack = list(tree.body)
        while stack:
            node = stack.pop()
            if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
                stack.extend(node.orelse)
                continue
            yield node
            stack.extend(ast.iter_child_nodes(node))

    def imports(name, path):
        package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
        found = set()
        for node in runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and (node.module + ".").startswith("pytest_serverless.asl."):
                target = node.module.split(".")[2:]
            else:
                continue
            dotted = ".".join(target)
            found |= {dotted} | {f"{dotted}.{alias.name}".lstrip(".") for alias in node.names}
        return {other for other in found if other in modules and other != name}

    graph = {name: imports(name, path) for name, path in modules.items()}
    assert graph["states"] >= {"states.task", "states.map", "states.pass_"}  # the walk sees the package
    done: set[str] = set()

    def visit(name, stack):
        assert name not in stack, f"import cycle: {' -> '.join([*stack, name])}"
        if name not in done:
            for other in sorted(graph[name]):
                visit(other, [*stack, name])
            done.add(name)

    for name in graph:
        visit(name, [])
    # the run loop imports no state module; each state kind is one module of states/
    assert not {name for name in graph["interpreter"] if name == "states" or name.startswith("states.")}
    assert {"service", "_test_state_method"} <= graph["machine"]  # the higher module imports the lower
    assert graph["_test_state_method"] == {"test_state"}  # never back (TestState loads on first use)
    kinds = {path.stem for path in (root / "states").glob("*.py") if not path.stem.startswith("_")}
    assert kinds == {"pass_", "task", "choice", "wait", "succeed", "fail", "parallel", "map"}


def test_execute_from_inside_a_task_handler_runs_that_execution_to_its_end(service):
    inner = service.create_state_machine(
        {
            "StartAt": "W",
            "States": {"W": {"Type": "Wait", "Seconds": 30, "Next": "P"}, "P": {"Type": "Pass", "End": True}},
        },
        name="Inner",
    )

    def handler(event, context):
        return inner.execute({"from": "handler"}).output

    outer = service.create_state_machine(
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                    "End": True,
                }
            },
        },
        name="Outer",
        tasks={"T": handler},
    )
    execution = outer.execute()
    assert (execution.status, execution.output, execution.duration) == ("SUCCEEDED", {"from": "handler"}, 30)


@pytest.mark.parametrize(
    ("waits", "timeout"),
    [([30, 0, 3600], None), ([10, 60], 40), ([40], 40), ([5, 5], 9)],
)
def test_execute_reaches_timers_in_line_exactly_as_the_clock_would(waits, timeout):
    """execute() of Pass/Wait states with nothing else on the clock reaches its timers in line: the same
    history, duration, clock and redrive point as when the clock's advances run the execution."""
    names = [f"W{i}" for i in range(len(waits))]
    states: dict = {
        name: {"Type": "Wait", "Seconds": seconds, "Next": names[i + 1] if i + 1 < len(names) else "Done"}
        for i, (name, seconds) in enumerate(zip(names, waits, strict=True))
    }
    states["Done"] = {"Type": "Pass", "End": True}
    definition: dict = {"StartAt": names[0], "States": states}
    if timeout is not None:
        definition["TimeoutSeconds"] = timeout
    inline = StateMachine(definition, clock=VirtualClock())
    executed = inline.execute({"x": 1})
    scheduled = StateMachine(definition, clock=VirtualClock())
    started = scheduled.start({"x": 1})
    assert started.status == "RUNNING"
    started.run()
    assert executed.history == started.history
    assert (executed.status, executed.duration) == (started.status, started.duration)
    assert inline.clock.time() == scheduled.clock.time()
    if executed.status == "TIMED_OUT":
        assert executed.duration == timeout
        redriven = executed.redrive()  # from the Wait it timed out in, as the scheduled one
        assert redriven.status == started.redrive().status
        assert executed.history == started.history


@pytest.mark.parametrize("how", ["stop", "timeout", "sibling"])
def test_a_parent_that_ends_stops_its_nested_sync_child(service, how):
    """A .sync child outlives nothing: a stopped or timed-out parent, or a Parallel whose other branch
    fails, stops it at that instant (ABORTED), and its open callback token is closed."""
    child = service.create_state_machine(_approval(heartbeat=None, timeout=None), name="Child")
    run = {
        "Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": child.arn, "Input": {"k": 1}},
        "End": True,
    }
    definition: dict = {"StartAt": "Run", "States": {"Run": run}}
    if how == "timeout":
        definition["TimeoutSeconds"] = 60
    if how == "sibling":
        late_failure = {
            "StartAt": "Later",
            "States": {"Later": {"Type": "Wait", "Seconds": 30, "Next": "Boom"}, "Boom": {"Type": "Fail"}},
        }
        branches = [{"StartAt": "Run", "States": {"Run": run}}, late_failure]
        definition = {
            "StartAt": "Both",
            "States": {"Both": {"Type": "Parallel", "Branches": branches, "End": True}},
        }
    parent = service.create_state_machine(definition, name="Parent").start()
    (waiting,) = service.waiting_tasks
    nested = waiting.execution
    if how == "stop":
        service.clock.advance(10)
        parent.stop(error="Operator", cause="no longer needed")
    else:
        service.clock.advance(120)
    expected = {"stop": "ABORTED", "timeout": "TIMED_OUT", "sibling": "FAILED"}[how]
    assert parent.status == expected
    assert nested.status == "ABORTED"
    assert nested.stop_date == parent.stop_date
    assert event_types(nested)[-1] == "ExecutionAborted"
    assert service.waiting_tasks == []
    with pytest.raises(AwsError) as refused:
        service.send_task_success(waiting.token, {})
    assert refused.value.code == "TaskTimedOut"


def _branch(name: str, wait: int = 0) -> dict:
    task = {"Type": "Task", "Resource": f"arn:aws:lambda:us-east-1:123456789012:function:{name}", "End": True}
    if not wait:
        return {"StartAt": name, "States": {name: task}}
    pause = {"Type": "Wait", "Seconds": wait, "Next": name}
    return {"StartAt": f"{name}Wait", "States": {f"{name}Wait": pause, name: task}}


@pytest.mark.parametrize("waits", [(0, 0, 0), (10, 5, 60)], ids=["at-once", "in-time"])
def test_redrive_reruns_only_the_parallel_branches_that_did_not_succeed(service, waits):
    """AWS's RedriveExecution "redrives only the iterations and branches that failed or aborted": the
    branches that succeeded keep their outputs and are not called again."""
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Branches": [_branch(name, wait) for name, wait in zip(("a", "b", "c"), waits, strict=True)],
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "End": True},
        },
    }
    sm = service.create_state_machine(definition, name="Fan")
    mocks = {
        "a": {"Return": "A"},
        "b": [{"Throw": {"Error": "Flaky", "Cause": "first"}}, {"Return": "B"}],
        "c": {"Return": "C"},
    }
    execution = sm.start({}, mocks=mocks).run()
    assert (execution.status, execution.error) == ("FAILED", "Flaky")
    succeeded_before = {name for name, calls in execution.mock_calls.items() if name != "b" and calls}
    execution.redrive().run()
    assert (execution.status, execution.output) == ("SUCCEEDED", ["A", "B", "C"])
    # "b" failed and ran again; a branch that succeeded before the failure is not called again, one that
    # had not finished (aborted in time, or not started at once) runs: each succeeds exactly once
    assert execution.mock_calls == {"a": 1, "b": 2, "c": 1}
    assert succeeded_before == ({"a"} if waits == (0, 0, 0) else set())
    _well_formed(execution)


def test_redrive_after_a_stop_keeps_the_parallel_branches_that_finished(service):
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Branches": [_branch("quick", 1), _branch("slow", 3600)],
                "End": True,
            },
        },
    }
    sm = service.create_state_machine(definition, name="Stopped")
    execution = sm.start({}, mocks={"quick": {"Return": 1}, "slow": {"Return": 2}})
    service.clock.advance(60)
    execution.stop()
    assert execution.status == "ABORTED"
    execution.redrive()
    service.clock.advance(3600)
    assert (execution.status, execution.output) == ("SUCCEEDED", [1, 2])
    assert execution.mock_calls == {"quick": 1, "slow": 1}
    assert execution.path.count("quick") == 1


@pytest.mark.parametrize("concurrency", [0, 1])
def test_redrive_reruns_only_the_map_iterations_that_did_not_succeed(service, concurrency):
    work = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work", "End": True}
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": concurrency,
                "ItemProcessor": {"StartAt": "Work", "States": {"Work": work}},
                "End": True,
            }
        },
    }
    sm = service.create_state_machine(definition, name=f"Each{concurrency}")
    answers = [{"Return": "r0"}, {"Return": "r1"}, {"Throw": {"Error": "Flaky"}}, {"Return": "r2"}]
    execution = sm.start([0, 1, 2, 3], mocks={"Work": [*answers, {"Return": "r3"}]}).run()
    assert (execution.status, execution.error) == ("FAILED", "Flaky")
    execution.redrive().run()
    assert (execution.status, execution.output) == ("SUCCEEDED", ["r0", "r1", "r2", "r3"])
    assert execution.mock_calls == {"Work": 5}  # items 0 and 1 kept their results
    assert [call.input for call in execution.task_calls] == [0, 1, 2, 2, 3]


def test_distributed_map_children_are_service_executions_under_their_map_run(service):
    processor = {
        "Who": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.ok", "BooleanEquals": False, "Next": "Broken"}],
            "Default": "Fine",
        },
        "Broken": {"Type": "Fail", "Error": "Item.Bad", "Cause": "not ok"},
        "Fine": {"Type": "Pass", "End": True},
    }
    definition = _distributed(processor)
    fan = definition["States"]["Fan"]
    fan["ToleratedFailureCount"] = 1
    fan["MaxConcurrency"] = 2
    sm = service.create_state_machine(definition, name="Parent")
    items = [{"wait": 10, "ok": True}, {"wait": 20, "ok": False}, {"wait": 5, "ok": True}]
    execution = sm.start(items)
    (started,) = [event for event in execution.history if event["type"] == "MapRunStarted"]
    map_run_arn = started["mapRunStartedEventDetails"]["mapRunArn"]
    running = service.describe_map_run(map_run_arn)
    assert running["status"] == "RUNNING"
    assert (running["itemCounts"]["running"], running["itemCounts"]["pending"]) == (2, 1)
    assert (running["maxConcurrency"], running["toleratedFailureCount"]) == (2, 1)
    execution.run()
    assert execution.status == "SUCCEEDED"
    described = service.describe_map_run(map_run_arn)
    assert described["status"] == "SUCCEEDED"
    assert described["executionArn"] == execution.arn
    assert described["executionCounts"] == {
        "pending": 0,
        "running": 0,
        "succeeded": 2,
        "failed": 1,
        "timedOut": 0,
        "aborted": 0,
        "total": 3,
        "resultsWritten": 2,
    }
    assert described["itemCounts"]["total"] == 3
    assert described["stopDate"] > described["startDate"]
    children = service.list_executions(map_run_arn=map_run_arn)
    assert [child.status for child in children] == ["SUCCEEDED", "FAILED", "SUCCEEDED"]  # newest first
    failed = service.list_executions(map_run_arn=map_run_arn, status_filter="FAILED")
    assert [(child.error, child.cause, child.input) for child in failed] == [("Item.Bad", "not ok", items[1])]
    child = failed[0]
    assert child.arn.startswith("arn:aws:states:us-east-1:123456789012:execution:Parent/Fan:")
    assert service.describe_execution(child.arn).status == "FAILED"
    assert child.duration == 20
    assert [event["type"] for event in child.history][0] == "WaitStateEntered"
    with pytest.raises(AwsError) as unknown:
        service.describe_map_run(map_run_arn + "x")
    assert unknown.value.code == "ResourceNotFound"
    with pytest.raises(AwsError) as bad:
        service.describe_map_run("nope")
    assert bad.value.code == "InvalidArn"


def test_a_stopped_parent_aborts_its_map_run_and_the_running_children(service):
    sleepy = {"Who": {"Type": "Wait", "Seconds": 3600, "End": True}}
    execution = service.create_state_machine(_distributed(sleepy), name="Sleepy").start([1, 2])
    (started,) = [event for event in execution.history if event["type"] == "MapRunStarted"]
    map_run_arn = started["mapRunStartedEventDetails"]["mapRunArn"]
    service.clock.advance(60)
    execution.stop()
    described = service.describe_map_run(map_run_arn)
    assert described["status"] == "ABORTED"
    assert described["executionCounts"]["aborted"] == 2
    assert {child.status for child in service.list_executions(map_run_arn=map_run_arn)} == {"ABORTED"}


def test_a_caught_parallel_entered_again_runs_every_branch(service):
    """What a redrive keeps is only for a redrive: a Parallel whose failure was caught and that is entered
    again in the same run runs all its branches again."""
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Branches": [_branch("a"), _branch("b")],
                "Catch": [{"ErrorEquals": ["Flaky"], "ResultPath": "$.caught", "Next": "Fan"}],
                "End": True,
            }
        },
    }
    sm = service.create_state_machine(definition, name="Again")
    mocks = {"a": [{"Return": "A1"}, {"Return": "A2"}], "b": [{"Throw": {"Error": "Flaky"}}, {"Return": "B"}]}
    execution = sm.start({}, mocks=mocks).run()
    assert (execution.status, execution.output) == ("SUCCEEDED", ["A2", "B"])
    assert execution.mock_calls == {"a": 2, "b": 2}


def test_a_redriven_distributed_map_reruns_only_its_failed_children(service):
    work = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work", "End": True}
    sm = service.create_state_machine(_distributed({"Who": work}), name="Redriven")
    answers = [{"Return": 0}, {"Throw": {"Error": "Flaky"}}, {"Return": 1}, {"Return": 2}]
    execution = sm.start([0, 1, 2], mocks={"Who": answers}).run()
    assert (execution.status, execution.error) == ("FAILED", "Flaky")
    (started,) = [event for event in execution.history if event["type"] == "MapRunStarted"]
    map_run_arn = started["mapRunStartedEventDetails"]["mapRunArn"]
    assert service.describe_map_run(map_run_arn)["status"] == "FAILED"
    service.clock.advance(DAY)
    execution.redrive().run()
    assert (execution.status, execution.output) == ("SUCCEEDED", [0, 1, 2])
    assert execution.mock_calls == {"Who": 4}  # the children that succeeded did not run again
    described = service.describe_map_run(map_run_arn)
    assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
    assert described["redriveDate"] > described["startDate"]
    assert described["executionCounts"]["succeeded"] == described["executionCounts"]["total"] == 3
    children = service.list_executions(map_run_arn=map_run_arn)
    assert sorted(child.output for child in children) == [0, 1, 2]
