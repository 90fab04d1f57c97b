"""Step Functions integrations shaped by mapping templates, as CDK synthesizes them
(``templates/gaps/cdk.out/SfnApiStack.template.json``): the request template writes StartSyncExecution's /
StartExecution's request from the body, the response templates map Step Functions' answer back to the client
(the output on success, a 500 with error and cause when the execution failed, a 400 for bad input)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from pytest_serverless.gateway import StepFunctionsExecution
from pytest_serverless.loaders import UnsupportedResourceWarning, load_template

TEMPLATE = Path(__file__).parent / "templates" / "gaps" / "cdk.out" / "SfnApiStack.template.json"


@pytest.fixture
def app():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnsupportedResourceWarning)
        loaded = load_template(TEMPLATE)
    yield loaded
    loaded.close()


@pytest.fixture
def client(app):
    return app.api("OrdersApi5E6F7A8B").stage("prod").client()


def test_response_template_returns_the_execution_output(app, client):
    response = client.post("/orders", json={"orderId": "o-1", "qty": 2, "caller": "shop"})
    assert response.status_code == 200
    assert response.json() == {"orderId": "o-1", "accepted": True, "caller": "shop"}
    assert app.executions[-1].input == {"orderId": "o-1", "qty": 2, "caller": "shop"}


def test_request_template_names_the_execution(app, client):
    response = client.post("/orders", json={"orderId": "o-2", "qty": 1, "caller": "shop"})
    assert app.executions[-1].name == response.headers["x-amzn-RequestId"]


def test_failed_execution_is_mapped_to_500_with_error_and_cause(client):
    response = client.post("/orders", json={"orderId": "o-3", "qty": 0, "caller": "shop"})
    assert response.status_code == 500
    assert response.json() == {"error": "Order.Invalid", "cause": "qty must be positive"}


def test_step_functions_400_selects_the_400_response(app, client):
    # $util.escapeJavaScript turns ' into \' which is not JSON: Step Functions refuses the request (400)
    response = client.post("/orders", json={"orderId": "o-5", "qty": 1, "caller": "o'brien"})
    assert response.status_code == 400
    assert response.json() == {"error": "Bad input"}
    assert app.executions == []


def test_start_execution_response_template(app, client):
    response = client.post("/orders/async", json={"orderId": "o-4", "qty": 5, "caller": "shop"})
    assert response.status_code == 202
    body = response.json()
    assert body == {"execution": app.executions[-1].arn}
    # an asynchronous EXPRESS execution: AWS gives it an express ARN
    assert body["execution"].startswith("arn:aws:states:us-east-1:123456789012:express:OrderFlow1A2B3C4D-")


def test_request_template_that_is_not_a_start_execution_request_is_a_serialization_error(tmp_path):
    document = json.loads(TEMPLATE.read_text())
    method = document["Resources"]["OrdersApiordersasyncPOSTCC33DD44"]["Properties"]["Integration"]
    method["RequestTemplates"]["application/json"]["Fn::Join"][1][0] = '{"input": $input.json(\'$\'), "x": "'
    method.pop("IntegrationResponses")
    (tmp_path / "Broken.template.json").write_text(json.dumps(document))
    app = load_template(tmp_path / "Broken.template.json")
    response = app.api("OrdersApi5E6F7A8B").stage("prod").client().post("/orders/async", json={"qty": 1})
    assert response.status_code == 400
    assert response.json() == {"__type": "com.amazon.coral.service#SerializationException"}


# section: the gateway keywords the loader uses (state_machine= with mapping templates, route_caching=)


def test_failing_request_template_answers_500(app):
    from pytest_serverless import Gateway

    gateway = Gateway(clock=app.clock)
    api = gateway.rest_api("direct")
    api.route(
        "POST /x",
        integration=StepFunctionsExecution(
            app.state_machine("OrderFlow1A2B3C4D"),
            request_templates={"application/json": "$input.json('$..bad')"},
        ),
    )
    response = api.deploy("t").client().post("/x", json={})
    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error"}


def test_route_caching_must_be_pairs(app):
    from pytest_serverless import Gateway, UsageError

    api = Gateway(clock=app.clock).rest_api("direct")
    api.route("GET /x", mock={"statusCode": 200, "body": "x"})
    with pytest.raises(UsageError) as caught:
        api.deploy("t", cache_ttl=60, route_caching={"GET /x": 60})
    assert str(caught.value) == "stage 't': route_caching['GET /x'] must be (enabled, ttl_seconds), got 60"


def test_response_template_without_a_request_template(app):
    from pytest_serverless import Gateway

    api = Gateway(clock=app.clock).rest_api("direct")
    api.route(
        "POST /x",
        integration=StepFunctionsExecution(
            app.state_machine("OrderFlow1A2B3C4D"),
            integration_responses=[
                {"statusCode": 201, "responseTemplates": {"application/json": "$input.json('$.status')"}}
            ],
        ),
    )
    response = api.deploy("t").client().post("/x", json={"orderId": "o-9", "qty": 1, "caller": "c"})
    assert response.status_code == 201
    assert response.json() == "SUCCEEDED"
