"""Random interleavings of start / advance / send / stop / redrive over random small machines: no internal
exception, every execution in a status AWS allows, histories well-formed."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless import AwsError, StepFunctions, VirtualClock

_CLOSING = {
    "SUCCEEDED": "ExecutionSucceeded",
    "FAILED": "ExecutionFailed",
    "TIMED_OUT": "ExecutionTimedOut",
    "ABORTED": "ExecutionAborted",
}
_CODES = {"TaskTimedOut", "InvalidToken", "ExecutionNotRedrivable"}


def _step(draw, name: str, then: str | None, depth: int) -> dict:
    kinds = ["pass", "wait", "callback", "mocked"] + (["parallel", "map"] if depth < 1 else [])
    if then is None:  # a Fail state ends a branch
        kinds.append("fail")
    kind = draw(st.sampled_from(kinds))
    state: dict
    if kind == "pass":
        state = {"Type": "Pass"}
    elif kind == "wait":
        state = {"Type": "Wait", "Seconds": draw(st.integers(0, 50))}
    elif kind == "callback":
        state = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken"}
        heartbeat = draw(st.one_of(st.none(), st.integers(1, 40)))
        if heartbeat is not None:
            state["HeartbeatSeconds"] = heartbeat
        if draw(st.booleans()):
            state["TimeoutSeconds"] = (heartbeat or 0) + draw(st.integers(1, 40))
    elif kind == "mocked":
        state = {"Type": "Task", "Resource": f"arn:aws:lambda:us-east-1:123456789012:function:{name}"}
    elif kind == "fail":
        state = {"Type": "Fail", "Error": "Boom"}
    elif kind == "parallel":
        state = {"Type": "Parallel", "Branches": [_program(draw, f"{name}b{i}", depth + 1) for i in range(2)]}
    else:
        state = {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": _program(draw, f"{name}m", depth + 1),
        }
    if kind in ("callback", "mocked", "parallel", "map") and draw(st.booleans()):
        state["Retry"] = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "MaxAttempts": 1}]
    if kind in ("callback", "mocked", "parallel", "map") and draw(st.booleans()):
        state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": f"{name[:-2]}Caught"}]
    if kind != "fail":
        state.update({"Next": then} if then else {"End": True})
    return state


def _program(draw, prefix: str, depth: int) -> dict:
    count = draw(st.integers(1, 3))
    names = [f"{prefix}s{i}" for i in range(count)]
    states = {
        name: _step(draw, name, names[i + 1] if i + 1 < count else None, depth)
        for i, name in enumerate(names)
    }
    if any("Catch" in state for state in states.values()):
        states[f"{prefix}Caught"] = {"Type": "Pass", "End": True}
    return {"StartAt": names[0], "States": states}


def _well_formed(execution) -> None:
    history = execution.history
    assert [event["id"] for event in history] == list(range(1, len(history) + 1))
    for event in history:
        assert 0 <= event["previousEventId"] < event["id"]
    times = [event["timestamp"] for event in history]
    assert times[0] == execution.start_date
    if execution.status != "RUNNING":
        closing = [event["type"] for event in history if event["type"] in _CLOSING.values()]
        assert closing[-1] == _CLOSING[execution.status]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_interleavings_keep_executions_consistent(data):
    draw = data.draw
    service = StepFunctions(clock=VirtualClock())
    definition = _program(draw, "r", 0)
    machine = service.create_state_machine(definition, name="Random", timeout_seconds=400)
    mocks = {
        name: [{"Return": {"ok": 1}, "Duration": 5}, {"Throw": {"Error": "Flaky"}}, {"Return": {"ok": 2}}]
        for name in _task_names(definition)
    }
    executions = []
    for _ in range(draw(st.integers(1, 12))):
        operation = draw(
            st.sampled_from(["start", "advance", "success", "failure", "heartbeat", "stop", "redrive"])
        )
        waiting = service.waiting_tasks
        try:
            if operation == "start" or not executions:
                executions.append(machine.start({"items": [1, 2]}, mocks=mocks))
            elif operation == "advance":
                service.clock.advance(draw(st.integers(0, 120)))
            elif operation in ("success", "failure", "heartbeat") and waiting:
                token = draw(st.sampled_from(waiting)).token
                if operation == "success":
                    service.send_task_success(token, {"answer": 1})
                elif operation == "failure":
                    service.send_task_failure(token, error="No", cause="because")
                else:
                    service.send_task_heartbeat(token)
            elif operation == "stop":
                draw(st.sampled_from(executions)).stop()
            elif operation == "redrive":
                draw(st.sampled_from(executions)).redrive()
        except AwsError as error:  # answers AWS gives to a late token or a closed execution
            refused = error.code
        else:
            refused = None
        assert refused in (None, *_CODES)
        for execution in executions:
            assert execution.status in ("RUNNING", *_CLOSING)
            _well_formed(execution)
    service.clock.advance(500)  # past every execution's TimeoutSeconds
    for execution in executions:
        assert execution.status in _CLOSING
        _well_formed(execution)
    assert service.waiting_tasks == []


def _task_names(program: dict) -> list[str]:
    names = []
    for name, state in program["States"].items():
        if state.get("Resource", "").startswith("arn:aws:lambda"):
            names.append(name)
        for branch in state.get("Branches", []):
            names += _task_names(branch)
        if "ItemProcessor" in state:
            names += _task_names(state["ItemProcessor"])
    return names
