"""Step Functions integrations: StartSyncExecution and StartExecution answers, refused input, timeouts."""

from __future__ import annotations

import json

import pytest

from pytest_serverless import Gateway, StateMachine, UsageError


def _stage(api_kind: str):
    machine = StateMachine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, name="Flow")
    gateway = Gateway()
    api = gateway.rest_api("a") if api_kind == "rest" else gateway.http_api("a")
    api.route("POST /run", state_machine=machine, sync=True)
    return api.deploy("prod")


def test_execution_input_over_256_kib_is_refused_with_step_functions_400():
    response = _stage("rest").client().post("/run", json={"blob": "x" * 262_144})
    assert response.status_code == 400
    body = response.json()
    assert body["__type"] == "com.amazonaws.swf.service.v2.model#InvalidExecutionInput"
    assert body["message"].startswith("Invalid State Machine Execution Input: ")


def test_execution_input_that_is_not_json_is_refused_on_http_apis_too():
    response = _stage("http").client().post("/run", data=b"{not json")
    assert response.status_code == 400
    assert response.json()["message"].startswith("Invalid State Machine Execution Input: ")


# Step Functions


def machine(**kwargs):
    definition = {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Done"}],
                "Default": "Fail",
            },
            "Done": {"Type": "Pass", "Result": {"accepted": True}, "End": True},
            "Fail": {"Type": "Fail", "Error": "Order.Invalid", "Cause": "not ok"},
        },
    }
    return StateMachine(definition, name="OrderFlow", **kwargs)


def test_start_sync_execution_answers_200_with_the_execution():
    gateway = Gateway()
    api = gateway.http_api("sfn")
    api.route("POST /orders", state_machine=machine(type="EXPRESS"), sync=True)
    client = api.deploy("$default").client()
    good = client.post("/orders", json={"ok": True})
    assert good.status_code == 200
    body = good.json()
    assert body["status"] == "SUCCEEDED"
    assert json.loads(body["output"]) == {"accepted": True}
    assert json.loads(body["input"]) == {"ok": True}
    assert body["stateMachineArn"].endswith(":stateMachine:OrderFlow")
    assert body["startDate"] == 1704067200
    assert body["stopDate"] == 1704067200
    assert "error" not in body
    bad = client.post("/orders", json={"ok": False})
    assert bad.status_code == 200  # StartSyncExecution answers 200 also when the execution failed
    assert bad.json()["status"] == "FAILED"
    assert (bad.json()["error"], bad.json()["cause"]) == ("Order.Invalid", "not ok")
    assert "output" not in bad.json()


def test_start_execution_answers_arn_and_start_date():
    gateway = Gateway()
    api = gateway.rest_api("sfn")
    api.route("POST /orders", state_machine=machine(), sync=False)
    response = api.deploy("prod").client().post("/orders", json={"ok": True})
    assert response.status_code == 200
    assert set(response.json()) == {"executionArn", "startDate"}
    assert ":execution:OrderFlow:" in response.json()["executionArn"]


def test_step_functions_invalid_input_is_400():
    gateway = Gateway()
    api = gateway.rest_api("sfn")
    api.route("POST /orders", state_machine=machine(), sync=True)
    response = api.deploy("prod").client().post("/orders", data="{not json")
    assert response.status_code == 400
    assert response.json()["__type"] == "com.amazonaws.swf.service.v2.model#InvalidExecutionInput"


def test_sync_execution_longer_than_the_route_timeout_is_504():
    gateway = Gateway()
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 40, "End": True}}}
    sm = StateMachine(definition, name="Slow", type="EXPRESS", clock=gateway.clock)
    api = gateway.rest_api("sfn")
    api.route("POST /slow", state_machine=sm, sync=True)
    api.route("POST /async", state_machine=sm, sync=False)
    client = api.deploy("prod").client()
    assert client.post("/slow", json={}).status_code == 504
    assert client.post("/async", json={}).status_code == 200


def test_state_machine_argument_is_checked():
    api = Gateway().rest_api("sfn")
    with pytest.raises(UsageError, match="state_machine= takes a pytest_serverless.StateMachine"):
        api.route("POST /a", state_machine=object())
