"""A SAM template (tests/loaders/templates/sam_orders): requests and executions through what was loaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_serverless import VirtualClock
from pytest_serverless.errors import UsageError
from pytest_serverless.loaders import UnsupportedResourceWarning, load_template

TEMPLATES = Path(__file__).parent / "templates"

TEMPLATE = "sam_orders/template.yaml"


@pytest.fixture
def app(load):
    return load(TEMPLATE)


@pytest.fixture
def rest(app):
    return app.api("OrdersApi").stage("Prod").client()


# what was loaded


def test_loads_functions_state_machines_and_apis(app):
    assert sorted(app.functions) == ["AuthFunction", "OrdersFunction", "PaymentFunction"]
    assert sorted(app.state_machines) == ["OrderFlow"]
    assert sorted(app.apis) == ["OrdersApi", "OrdersHttpApi", "ServerlessRestApi"]
    assert app.state_machine("OrderFlow") is app.state_machine("order-flow-dev")
    assert app.state_machine("OrderFlow").name == "order-flow-dev"


def test_unsupported_resources_are_listed_and_warned_once():
    with pytest.warns(UnsupportedResourceWarning) as caught:
        app = load_template(TEMPLATES / TEMPLATE)
    assert len(caught) == 1
    assert str(caught[0].message) == (
        f"{TEMPLATES / TEMPLATE}: 2 part(s) of the template are not emulated and were ignored: "
        "OrdersQueue: AWS::SQS::Queue; OrdersFunction: event Queue of type SQS (ignored)"
    )
    assert app.unsupported == [
        "OrdersQueue: AWS::SQS::Queue",
        "OrdersFunction: event Queue of type SQS (ignored)",
    ]


def test_unknown_names_list_what_exists(app):
    with pytest.raises(UsageError) as info:
        app.state_machine("Nope")
    assert (
        str(info.value)
        == f"'Nope' is not a state machine of {TEMPLATES / TEMPLATE} (state machines: ['OrderFlow'])"
    )
    with pytest.raises(UsageError) as info:
        app.api("Nope")
    assert str(info.value) == (
        f"'Nope' is not an API of {TEMPLATES / TEMPLATE} "
        "(APIs: ['OrdersApi', 'OrdersHttpApi', 'ServerlessRestApi'])"
    )
    with pytest.raises(UsageError) as info:
        app.token_issuer("TokenAuthorizer")
    assert str(info.value) == (
        "authorizer 'TokenAuthorizer' is a Lambda authorizer: it does not check JWTs, so it has no "
        "token issuer"
    )


# REST API: Cognito default authorizer, Lambda TOKEN authorizer, API key + usage plan, environment


def test_cognito_default_authorizer_rejects_then_accepts(app, rest):
    assert rest.get("/orders/7").status_code == 401
    assert rest.get("/orders/7").json() == {"message": "Unauthorized"}
    token = app.token_issuer("CognitoAuthorizer").token(sub="user-7")
    response = rest.get("/orders/7", headers={"Authorization": token})
    assert response.status_code == 200
    assert response.json() == {
        "id": "7",
        "table": "sam-orders-orders",
        "stage": "dev",
        "path": "/orders/{id}",
        "claims": "user-7",
    }


def test_handler_environment_follows_parameters(load):
    app = load(TEMPLATE, parameters={"Stage": "prod"})
    token = app.token_issuer("CognitoAuthorizer").token()
    body = (
        app.api("OrdersApi").stage("Prod").client().get("/orders/1", headers={"Authorization": token}).json()
    )
    assert body["stage"] == "prod"


def test_expired_cognito_token_is_refused(app, rest):
    token = app.token_issuer("CognitoAuthorizer").token(expires_in=60)
    app.clock.advance(61)
    assert rest.get("/orders/7", headers={"Authorization": token}).status_code == 401


def test_lambda_token_authorizer_from_the_template(rest):
    assert rest.get("/admin", headers={"X-Token": "let-me-in"}).status_code == 200
    denied = rest.get("/admin", headers={"X-Token": "guess"})
    assert denied.status_code == 403
    assert denied.json() == {
        "Message": "User is not authorized to access this resource with an explicit deny"
    }
    assert rest.get("/admin").status_code == 401


def test_api_key_and_usage_plan_quota(app, rest):
    missing = rest.get("/orders")
    assert missing.status_code == 403
    assert missing.json() == {"message": "Forbidden"}
    key = app.api_keys["OrdersApiApiKey"]
    responses = []
    for _ in range(4):
        responses.append(rest.get("/orders", headers={"x-api-key": key}))
        app.clock.advance(1)  # stay under the stage throttle (5 rps, burst 2)
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[-1].json() == {"message": "Limit Exceeded"}


def test_stage_throttle_from_method_settings(rest):
    # dev: RateLimit 5, BurstLimit 2 from the StageConfig mapping
    statuses = [rest.get("/catalog").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_cached_route_from_method_settings(app):
    stage = app.api("OrdersApi").stage("Prod")
    client = stage.client()
    client.get("/catalog")
    app.clock.advance(1)
    client.get("/catalog")
    assert [log["cacheHit"] for log in stage.logs] == [False, True]


def test_cors_preflight_from_globals(app):
    client = app.api("ServerlessRestApi").stage("Prod").client()
    response = client.options(
        "/health", headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "GET"}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type,Authorization,x-api-key"


def test_preflight_gets_the_default_authorizer_as_sam_does(app, rest):
    # OrdersApi has Cors (Globals) and a DefaultAuthorizer, without AddDefaultAuthorizerToCorsPreflight: false
    headers = {"Origin": "https://shop.example", "Access-Control-Request-Method": "GET"}
    assert rest.options("/orders/1", headers=headers).status_code == 401
    token = app.token_issuer("CognitoAuthorizer").token()
    allowed = rest.options("/orders/1", headers={**headers, "Authorization": token})
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Methods"] == "GET,OPTIONS"
    assert allowed.headers["Access-Control-Allow-Origin"] == "*"


def test_implicit_api_has_the_prod_stage(app):
    response = app.api("ServerlessRestApi").stage("Prod").client().get("/health")
    assert response.status_code == 200
    assert response.json()["path"] == "/health"


# HTTP API: JWT authorizer with scopes


def test_http_api_jwt_authorizer_and_scopes(app):
    client = app.api("OrdersHttpApi").stage("$default").client()
    issuer = app.token_issuer("PartnerJwt")
    assert issuer.issuer == "https://auth.example.com/"
    assert client.get("/partner/orders/3").status_code == 401
    no_scope = client.get(
        "/partner/orders/3",
        headers={"Authorization": "Bearer " + issuer.token(scopes=["orders/write"], token_use="access")},
    )
    assert no_scope.status_code == 403
    ok = client.get(
        "/partner/orders/3",
        headers={"Authorization": "Bearer " + issuer.token(scopes=["orders/read"], token_use="access")},
    )
    assert ok.status_code == 200
    assert ok.json()["id"] == "3"


# state machine: DefinitionUri + substitutions, Api event, EventBridgeRule, Schedule


def test_api_event_starts_the_state_machine(app, rest):
    response = rest.post("/orders", json={"orderId": "o-1", "total": 5})
    assert response.status_code == 200
    assert sorted(response.json()) == ["executionArn", "startDate"]
    [execution] = app.executions
    assert response.json()["executionArn"] == execution.arn
    assert execution.status == "SUCCEEDED"
    assert execution.path == ["Charge", "Done"]
    assert execution.output == {"charged": 5, "currency": "EUR"}


def test_substitution_follows_conditions(load):
    app = load(TEMPLATE, parameters={"Stage": "prod"})
    execution = app.state_machine("OrderFlow").execute({"orderId": "o", "total": 1})
    assert execution.output == {"charged": 1, "currency": "USD"}


def test_payment_function_error_is_caught(app):
    execution = app.state_machine("OrderFlow").execute({"orderId": "o", "total": 5000})
    assert execution.status == "FAILED"
    assert execution.error == "PaymentFailed"
    assert execution.path == ["Charge", "PaymentFailed"]


def test_put_events_starts_matching_rules_with_input_path(app):
    started = app.put_events(
        [
            {"Source": "shop", "DetailType": "OrderPlaced", "Detail": {"orderId": "o-2", "total": 30}},
            {"Source": "shop", "DetailType": "OrderPlaced", "Detail": {"orderId": "o-3", "total": 0}},
            {
                "Source": "other",
                "DetailType": "OrderPlaced",
                "Detail": json.dumps({"orderId": "o-4", "total": 9}),
            },
        ]
    )
    assert [execution.input for execution in started] == [{"orderId": "o-2", "total": 30}]
    assert started[0].status == "SUCCEEDED"
    assert app.executions == started


def test_schedule_fires_as_the_clock_advances(app):
    app.clock.advance(3599)
    assert app.executions == []
    app.clock.advance(1)
    assert [e.input for e in app.executions] == [{"orderId": "nightly", "total": 1}]
    app.clock.advance(3 * 3600)
    assert len(app.executions) == 4


def test_close_stops_the_schedules(app):
    app.close()
    app.clock.advance(10 * 3600)
    assert app.executions == []


def test_app_mocks_apply_to_every_execution(load):
    app = load(
        TEMPLATE,
        mocks={
            "Charge": [
                {"Throw": {"Error": "Payment.Busy", "Cause": "busy"}},
                {"Return": {"Payload": {"charged": 1, "currency": "X"}}},
            ]
        },
    )
    response = app.api("OrdersApi").stage("Prod").client().post("/orders", json={"orderId": "o", "total": 1})
    assert response.status_code == 200
    assert app.executions == []  # StartExecution answered at once; the retry waits 2 s on the clock
    app.clock.advance(2)
    [execution] = app.executions
    assert execution.path == ["Charge", "Done"]
    assert execution.output == {"charged": 1, "currency": "X"}
    assert execution.duration == 2


def test_handlers_replace_the_template_code(load):
    calls = []

    def fake_payment(event, context):
        calls.append(event)
        return {"charged": 0, "currency": "FAKE"}

    app = load(TEMPLATE, handlers={"PaymentFunction": fake_payment})
    execution = app.state_machine("OrderFlow").execute({"orderId": "o", "total": 5000})
    assert execution.output == {"charged": 0, "currency": "FAKE"}
    assert calls == [{"orderId": "o", "total": 5000, "currency": "EUR"}]


def test_unknown_handler_key_is_refused():
    with pytest.raises(UsageError) as info:
        load_template(TEMPLATES / TEMPLATE, handlers={"Payment": print})
    assert str(info.value) == (
        f"load_template(handlers=...): 'Payment' is not a function of {TEMPLATES / TEMPLATE} "
        "(functions: ['AuthFunction', 'OrdersFunction', 'PaymentFunction'])"
    )


def test_shared_clock(load):
    clock = VirtualClock()
    app = load(TEMPLATE, clock=clock)
    assert app.clock is clock
    assert app.gateway.clock is clock


def test_tasks_override_template_functions_by_state_name(load):
    app = load(TEMPLATE, tasks={"Charge": lambda event, context: {"charged": 9, "currency": "T"}})
    execution = app.state_machine("OrderFlow").execute({"orderId": "o", "total": 5000})
    assert execution.output == {"charged": 9, "currency": "T"}
