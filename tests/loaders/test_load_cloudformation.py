"""Plain CloudFormation (tests/loaders/templates/cfn_orders): API Gateway resources, inline Lambda code,
DefinitionString with !Sub, EventBridge rules with InputTransformer and schedules, API Gateway v2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).parent / "templates"
KEY = "partner-key-0123456789abcdef"


@pytest.fixture
def app(load):
    return load("cfn_orders/template.yaml")


@pytest.fixture
def rest(app):
    return app.api("OrdersApi").stage("live").client()


def test_resource_method_graph_becomes_routes(app):
    assert sorted(app.api("OrdersApi").routes) == ["GET /health", "GET /orders/{id}", "POST /orders"]
    assert sorted(app.api("PartnerHttpApi").routes) == ["GET /orders/{id}", "POST /orders"]
    assert app.unsupported == [
        "OrdersTable: AWS::DynamoDB::Table",
        "NodeFunction: no local Python code to run (runtime nodejs20.x); pass handlers={'NodeFunction': fn}",
    ]


def test_inline_code_and_lambda_token_authorizer(rest):
    response = rest.get("/orders/5", headers={"Authorization": "Bearer good"})
    assert response.status_code == 200
    assert response.json() == {
        "id": "5",
        "greeting": "hello",
        "principal": "partner-1",
        "stageVariables": {"env": "test"},
    }
    assert rest.get("/orders/5", headers={"Authorization": "Bearer bad"}).status_code == 403


def test_mock_integration_with_a_required_query_parameter(rest):
    response = rest.get("/health", params={"probe": "1"})
    assert (response.status_code, response.json()) == (200, {"healthy": True})
    missing = rest.get("/health")
    assert (missing.status_code, missing.json()) == (
        400,
        {"message": "Missing required request parameters: [probe]"},
    )


def test_start_sync_execution_with_api_key_and_body_validation(app, rest):
    assert rest.post("/orders", json={"quantity": 2}).status_code == 403
    response = rest.post("/orders", json={"quantity": 2}, headers={"x-api-key": KEY})
    assert response.status_code == 200
    document = response.json()
    assert document["status"] == "SUCCEEDED"
    assert json.loads(document["output"]) == {"valid": True, "quantity": 2, "status": "accepted in us-east-1"}
    assert (
        document["stateMachineArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:order-machine-test"
    )
    app.clock.advance(1)
    invalid = rest.post("/orders", json={"quantity": "two"}, headers={"x-api-key": KEY})
    assert (invalid.status_code, invalid.json()) == (400, {"message": "Invalid request body"})


def test_sync_execution_failure_is_still_200(app, rest):
    document = rest.post("/orders", json={"quantity": 0}, headers={"x-api-key": KEY}).json()
    assert (document["status"], document["error"], document["cause"]) == (
        "FAILED",
        "Invalid",
        "quantity must be positive",
    )
    assert app.executions[0].path == ["Validate", "IsValid", "Rejected"]


def test_usage_plan_throttle(app, rest):
    first = rest.post("/orders", json={"quantity": 1}, headers={"x-api-key": KEY})
    second = rest.post("/orders", json={"quantity": 1}, headers={"x-api-key": KEY})
    assert (first.status_code, second.status_code) == (200, 429)
    assert second.json() == {"message": "Too Many Requests"}


def test_express_type_and_definition_string(app):
    machine = app.state_machine("order-machine-test")
    assert machine.type == "EXPRESS"
    assert machine.definition["States"]["Validate"]["Resource"] == (
        "arn:aws:lambda:us-east-1:123456789012:function:cfn-orders-ValidateFunction-"
        + machine.definition["States"]["Validate"]["Resource"].rsplit("-", 1)[-1]
    )


def test_put_events_on_a_custom_bus_with_input_transformer(app):
    entry = {
        "Source": "orders.web",
        "DetailType": "Created",
        "Detail": {"quantity": 3, "sku": "A-1", "channel": "web"},
    }
    assert app.put_events([entry]) == []  # the rule listens on orders-bus, not default
    [execution] = app.put_events([{**entry, "EventBusName": "orders-bus"}])
    assert execution.input == {
        "quantity": 3,
        "sku": "A-1",
        "from": "cfn-orders-OrderCreatedRule-" + execution.input["from"].rsplit("-", 1)[-1],
    }
    assert execution.output["status"] == "accepted in us-east-1"
    test_channel = {**entry, "EventBusName": "orders-bus", "Detail": {**entry["Detail"], "channel": "test"}}
    assert app.put_events([test_channel]) == []


def test_cron_rule_with_function_and_machine_targets_disabled_rule_ignored(app):
    app.clock.advance(6 * 3600 + 30 * 60)  # Monday 06:30: daily fires, weekly (09:00, DISABLED) never
    assert [execution.input for execution in app.executions] == [{"quantity": 3}]
    [invocation] = app.invocations
    assert (invocation.function, invocation.input, invocation.error) == (
        "ValidateFunction",
        {"quantity": 2},
        None,
    )
    assert invocation.result == {"valid": True, "quantity": 2}
    app.clock.advance(3 * 3600)
    assert len(app.executions) == 1
    app.clock.advance(21 * 3600)
    assert len(app.executions) == 2


def test_non_python_function_without_handler_says_how_to_provide_one(app):
    with pytest.raises(RuntimeError) as info:
        app.function("NodeFunction")({}, None)
    assert str(info.value) == (
        "Lambda function NodeFunction has no Python handler here (runtime nodejs20.x, "
        "Handler 'index.handler'); pass load_template(..., handlers={'NodeFunction': fn})"
    )


# API Gateway v2


def test_v2_jwt_route_and_stage_variables(app):
    client = app.api("PartnerHttpApi").stage("$default").client()
    assert client.get("/orders/1").status_code == 401
    token = app.token_issuer("PartnerJwt").token(token_use="access")
    assert app.token_issuer("PartnerJwt").audience == "partner-app"
    response = client.get("/orders/1", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["stageVariables"] == {"partner": "yes"}


def test_v2_step_functions_subtype_integration(app):
    client = app.api("PartnerHttpApi").stage("$default").client()
    response = client.post("/orders", json={"quantity": 4})
    assert response.status_code == 200
    assert json.loads(response.json()["output"])["quantity"] == 4


def test_v2_cors_configuration(app):
    client = app.api("PartnerHttpApi").stage("$default").client()
    response = client.options(
        "/orders", headers={"Origin": "https://partner.example", "Access-Control-Request-Method": "POST"}
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "https://partner.example"
