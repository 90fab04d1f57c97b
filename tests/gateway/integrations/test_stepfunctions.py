from __future__ import annotations

from pytest_serverless import Gateway, StateMachine


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
