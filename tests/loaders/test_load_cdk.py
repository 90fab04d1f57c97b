"""CDK output (tests/loaders/templates/cdk/cdk.out/OrdersStack.template.json): hashed logical ids, asset
folders, a Fn::Join-built DefinitionString, a RestApi/Resource/Method/Deployment/Stage graph, a Cognito
authorizer."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from pytest_serverless.loaders import UnsupportedResourceWarning, load_template

TEMPLATE = "cdk/cdk.out/OrdersStack.template.json"


@pytest.fixture
def app(load):
    return load(TEMPLATE)


def test_stack_name_and_logical_ids(app):
    assert sorted(app.functions) == ["Handler886CB40B", "PriceFnB9E5D1A2"]
    assert app.state_machine("PriceFlow9A8B7C6D").name.startswith("PriceFlow9A8B7C6D-")
    assert app.template.stack_name == "OrdersStack"
    assert sorted(app.api("OrdersApiE5F6A7B8").routes) == ["GET /me", "POST /prices"]
    assert app.api("OrdersApi") is app.api("OrdersApiE5F6A7B8")  # by its Name too


def test_the_whole_stack_is_emulated_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnsupportedResourceWarning)
        app = load_template(Path(__file__).parent / "templates" / TEMPLATE)
    assert app.unsupported == []


def test_handler_from_the_asset_folder_behind_a_cognito_authorizer(app):
    client = app.api("OrdersApiE5F6A7B8").stage("prod").client()
    assert client.get("/me").status_code == 401
    issuer = app.token_issuer("OrdersStackUsersAuthorizer")
    assert issuer.issuer.startswith("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_")
    response = client.get("/me", headers={"Authorization": issuer.token(sub="ann", groups=["admin"])})
    assert response.status_code == 200
    assert response.json() == {"user": "ann", "groups": "admin"}


def test_join_built_definition_calls_the_function_by_arn(app):
    execution = app.state_machine("PriceFlow9A8B7C6D").execute({"sku": "A-1"})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"sku": "A-1", "price": 42}
    assert execution.task_calls[0].resource == "arn:aws:states:::lambda:invoke"


def test_start_sync_execution_from_the_rest_api(app):
    client = app.api("OrdersApiE5F6A7B8").stage("prod").client()
    response = client.post("/prices", json={"sku": "B"})
    assert response.status_code == 200
    # the request template builds StartSyncExecution's input; the response template returns its output
    assert response.json() == {"sku": "B", "price": 42}


def test_stage_throttle_from_the_cdk_stage(app):
    client = app.api("OrdersApiE5F6A7B8").stage("prod").client()
    token = app.token_issuer("OrdersStackUsersAuthorizer").token()
    with warnings.catch_warnings():
        statuses = [client.get("/me", headers={"Authorization": token}).status_code for _ in range(21)]
    assert statuses.count(200) == 20
    assert statuses[-1] == 429
