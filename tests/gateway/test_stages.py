"""Stages: variables, canary releases, logs, metrics, the response hook, CORS."""

from __future__ import annotations

import json
import re

import pytest
import requests
from requests.adapters import HTTPAdapter

from pytest_serverless import Gateway, LambdaAuthorizer, StateMachine, UsageError


def version(tag):
    def handler(event, context):
        variables = event["stageVariables"] or {}
        return {"statusCode": 200, "body": f"{tag}:{variables.get('color', '-')}"}

    return handler


# canary


def canary_stage(percent=30, seed=7):
    gateway = Gateway()
    api = gateway.rest_api("c")
    api.route("GET /v", version("v1"))
    stage = api.deploy("prod", variables={"color": "blue"})
    api.routes.clear()
    api.route("GET /v", version("v2"))
    api.deploy("prod", canary={"percent": percent, "variables": {"color": "green"}, "seed": seed})
    return stage


def test_canary_split_is_seeded_and_near_its_percent():
    stage = canary_stage()
    answers = [stage.client().get("/v").text for _ in range(400)]
    again = [canary_stage().client().get("/v").text for _ in range(1)]
    assert set(answers) == {"v1:blue", "v2:green"}
    share = answers.count("v2:green") / len(answers)
    assert 0.22 < share < 0.38
    assert again[0] == answers[0]
    assert sum(entry["canary"] for entry in stage.logs) == answers.count("v2:green")


def test_promote_canary_makes_it_the_stage_deployment():
    stage = canary_stage(percent=0)
    assert stage.client().get("/v").text == "v1:blue"
    stage.promote_canary()
    assert stage.canary is None
    assert stage.variables == {"color": "green"}
    assert {stage.client().get("/v").text for _ in range(20)} == {"v2:green"}


def test_promote_without_canary_is_a_usage_error():
    gateway = Gateway()
    api = gateway.rest_api("c")
    api.route("GET /v", version("v1"))
    with pytest.raises(UsageError, match="stage 'prod' has no canary to promote"):
        api.deploy("prod").promote_canary()


def test_canary_arguments_are_checked():
    api = Gateway().rest_api("c")
    api.route("GET /v", version("v1"))
    with pytest.raises(UsageError, match="canary percent must be between 0 and 100, got 120"):
        api.deploy("prod", canary={"percent": 120})
    with pytest.raises(UsageError, match=r"unknown canary key\(s\) \['weight'\]"):
        api.deploy("prod", canary={"weight": 1})


def test_stage_variables_must_be_strings():
    api = Gateway().rest_api("v")
    with pytest.raises(UsageError, match="stage 'prod': stage variable 'x' must be a string, got"):
        api.deploy("prod", variables={"x": [1]})


# logs, metrics, hooks


def test_logs_and_metrics_record_every_request():
    gateway = Gateway()
    api = gateway.rest_api("m")

    def slow(event, context):
        context.clock.advance(0.25)
        return {"statusCode": 200}

    def broken(event, context):
        raise RuntimeError("x")

    api.route("GET /slow", slow)
    api.route("GET /broken", broken)
    stage = api.deploy("prod")
    client = stage.client()
    ok = client.get("/slow")
    client.get("/broken")
    client.get("/missing")
    assert stage.logs[0] == {
        "requestId": ok.request_id,
        "routeKey": "GET /slow",
        "httpMethod": "GET",
        "path": "/slow",
        "status": 200,
        "latency": 250,
        "integrationLatency": 250,
        "authorizerStatus": None,
        "cacheHit": False,
        "answeredBy": "integration",
        "canary": False,
    }
    assert [entry["status"] for entry in stage.logs] == [200, 502, 403]
    assert stage.logs[2]["routeKey"] is None
    assert stage.logs[2]["integrationLatency"] is None
    assert stage.metrics == {
        "Count": 3,
        "4XXError": 1,
        "5XXError": 1,
        "Latency": 250,
        "IntegrationLatency": 250,
        "CacheHitCount": 0,
        "CacheMissCount": 0,
    }


def test_on_response_sees_every_request_and_response():
    seen = []
    gateway = Gateway(
        on_response=lambda request, response: seen.append((request.method, request.path, response))
    )
    api = gateway.http_api("h")
    api.route("GET /a", lambda e, c: {"ok": True})
    client = api.deploy("$default").client()
    client.get("/a")
    client.get("/b")
    assert [(m, p, r.status_code, r.answered_by, r.route_key) for m, p, r in seen] == [
        ("GET", "/a", 200, "integration", "GET /a"),
        ("GET", "/b", 404, "route", None),
    ]


def test_response_repr_names_the_answering_step():
    gateway = Gateway()
    api = gateway.http_api("h")
    api.route("GET /a", lambda e, c: {"ok": True})
    assert repr(api.deploy("$default").client().get("/a")) == "<Response [200] answered_by='integration'>"


# CORS


def cors_client(kind, **cors):
    gateway = Gateway()
    options = cors or True
    api = gateway.rest_api("c", cors=options) if kind == "REST" else gateway.http_api("c", cors=options)
    api.route("GET /items", lambda e, c: {"statusCode": 200, "body": "[]"})
    api.route("GET /mocked", mock={"statusCode": 200, "body": "m"})
    return api.deploy("prod").client()


@pytest.mark.parametrize(("kind", "status"), [("REST", 200), ("HTTP", 204)])
def test_cors_preflight_is_answered_by_the_gateway(kind, status):
    client = cors_client(
        kind, allow_origins=["https://app.example.com"], allow_methods=["GET", "POST"], max_age=600
    )
    response = client.options(
        "/items",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == status
    assert response.answered_by == "cors"
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert response.headers["Access-Control-Allow-Methods"] == "GET,POST"
    assert response.headers["Access-Control-Allow-Headers"] == "content-type"
    assert response.headers["Access-Control-Max-Age"] == "600"


def test_cors_preflight_from_unknown_origin_gets_no_allow_headers():
    client = cors_client("HTTP", allow_origins=["https://app.example.com"])
    response = client.options(
        "/items", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_http_api_adds_cors_headers_to_every_answer():
    client = cors_client("HTTP")
    assert client.get("/items", headers={"Origin": "https://x"}).headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/nope", headers={"Origin": "https://x"}).headers["Access-Control-Allow-Origin"] == "*"


def test_rest_lambda_proxy_answers_need_their_own_cors_headers():
    # As on AWS: enabling CORS on a REST API does not touch what a proxy Lambda returns.
    client = cors_client("REST")
    assert "Access-Control-Allow-Origin" not in client.get("/items", headers={"Origin": "https://x"}).headers
    assert (
        client.get("/mocked", headers={"Origin": "https://x"}).headers["Access-Control-Allow-Origin"] == "*"
    )
    assert client.get("/nope", headers={"Origin": "https://x"}).headers["Access-Control-Allow-Origin"] == "*"


def test_options_without_cors_is_routed_normally():
    gateway = Gateway()
    api = gateway.rest_api("n")
    api.route("GET /items", lambda e, c: {"statusCode": 200})
    response = (
        api.deploy("prod")
        .client()
        .options("/items", headers={"Origin": "x", "Access-Control-Request-Method": "GET"})
    )
    assert response.status_code == 403


def test_cors_options_are_checked():
    with pytest.raises(UsageError, match="API 'c': unknown cors key 'origins'"):
        Gateway().http_api("c", cors={"origins": ["*"]})


# reasons (for failure reports; never sent to clients)


def test_every_refusal_says_why():
    gateway = Gateway()
    api = gateway.rest_api("why")
    api.route("GET /a/{id}", lambda e, c: 1 / 0)
    api.route("GET /bad", lambda e, c: {"statusCode": 200, "wrongValue": 1})
    api.route("POST /b", lambda e, c: {}, request_schema={"properties": {"n": {"type": "integer"}}})
    api.route("GET /k", lambda e, c: {}, api_key_required=True)
    client = api.deploy("prod", throttle=(0, 2)).client()
    answers = [
        client.get("/a/1"),
        client.get("/bad"),
        client.post("/a/1"),
        client.get("/zz"),
        client.post("/b", json={"n": "x"}),
        client.get("/k"),
        client.get("/k", headers={"x-api-key": "nope"}),
        client.get("/a/1"),
    ]
    assert [(r.status_code, r.reason) for r in answers] == [
        (502, "the Lambda function failed: ZeroDivisionError: division by zero"),
        (502, "the Lambda function failed: MalformedProxyResponse: unknown key(s) ['wrongValue']"),
        (403, "resource /a/{id} has no POST method (methods: GET)"),
        (403, "no route matches GET /zz (routes: GET /a/{id}, GET /bad, POST /b, GET /k)"),
        (400, "the body does not match request_schema at /n: 'x' is not of type 'integer'"),
        (403, "the route requires an API key and there is no x-api-key header"),
        (403, "API key 'nope' is not an enabled key of a usage plan of stage 'prod'"),
        (429, "stage 'prod': throttle (0/s, burst 2)"),
    ]
    assert "wrongValue" not in answers[1].text


# section: Step Functions shapes, serve/client, logs and metrics, caches and canaries, end
# to end.


PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"done": True}, "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "OrderError", "Cause": "no stock"}}}
ARN = r"arn:aws:states:us-east-1:123456789012"


def sfn_client(kind, definition, *, sync, stage="prod"):
    gateway = Gateway()
    machine = StateMachine(definition, name="Orders", type="EXPRESS", clock=gateway.clock)
    api = gateway.rest_api("sfn") if kind == "REST" else gateway.http_api("sfn")
    api.route("POST /orders", state_machine=machine, sync=sync)
    return api.deploy(stage).client()


# Step Functions


@pytest.mark.parametrize("kind", ["REST", "HTTP"])
def test_start_sync_execution_answers_with_an_express_execution(kind):
    response = sfn_client(kind, PASS, sync=True).post("/orders", json={"id": 1})
    assert response.status_code == 200
    document = response.json()
    assert re.fullmatch(ARN + r":express:Orders:[0-9a-f-]{36}:[0-9a-f-]{36}", document["executionArn"])
    assert document["stateMachineArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:Orders"
    assert document["status"] == "SUCCEEDED"
    assert json.loads(document["output"]) == {"done": True}
    assert json.loads(document["input"]) == {"id": 1}
    assert isinstance(document["startDate"], (int, float))
    assert isinstance(document["stopDate"], (int, float))
    assert "error" not in document


@pytest.mark.parametrize("kind", ["REST", "HTTP"])
def test_failed_sync_execution_is_still_200_with_error_and_cause(kind):
    response = sfn_client(kind, FAIL, sync=True).post("/orders", json={})
    assert response.status_code == 200
    document = response.json()
    assert (document["status"], document["error"], document["cause"]) == ("FAILED", "OrderError", "no stock")
    assert "output" not in document


@pytest.mark.parametrize("kind", ["REST", "HTTP"])
def test_start_execution_answers_arn_and_start_date_only(kind):
    response = sfn_client(kind, PASS, sync=False).post("/orders", json={})
    assert response.status_code == 200
    document = response.json()
    assert set(document) == {"executionArn", "startDate"}
    # asynchronous Express executions get AWS's express ARNs (machine:name:id)
    assert re.fullmatch(ARN + r":express:Orders:[0-9a-f-]{36}:[0-9a-f-]{36}", document["executionArn"])
    assert document["startDate"] == 1704067200


# serve and client


def test_serve_leaves_other_urls_to_the_adapter_in_place(monkeypatch):
    reached = []

    def elsewhere(adapter, request, *args, **kwargs):
        reached.append(request.url)
        response = requests.Response()
        response.status_code = 299
        response._content = b"elsewhere"
        return response

    monkeypatch.setattr(HTTPAdapter, "send", elsewhere)
    api = Gateway().rest_api("s")
    api.route("GET /orders/{id}", lambda e, c: {"statusCode": 200, "body": e["pathParameters"]["id"]})
    stage = api.deploy("prod")
    with stage.serve("https://api.example.com/prod"):
        ours = requests.get("https://api.example.com/prod/orders/7", timeout=5)
        other = requests.get("https://other.example.com/orders/7", timeout=5)
        prefix_only = requests.get("https://api.example.com/production/orders/7", timeout=5)
    after = requests.get("https://api.example.com/prod/orders/7", timeout=5)
    assert (ours.status_code, ours.text) == (200, "7")
    assert ours.headers["x-amzn-RequestId"] == stage.logs[0]["requestId"]
    assert (other.status_code, prefix_only.status_code, after.status_code) == (299, 299, 299)
    assert reached == [
        "https://other.example.com/orders/7",
        "https://api.example.com/production/orders/7",
        "https://api.example.com/prod/orders/7",
    ]
    assert len(stage.logs) == 1


# logs and metrics


def test_logs_and_metrics_have_every_field_api_md_names():
    gateway = Gateway()
    api = gateway.rest_api("m")

    def slow(event, context):
        gateway.clock.advance(0.2)
        return {"statusCode": 200, "body": "ok"}

    api.route("GET /a", slow, caching=True)
    api.route("GET /boom", lambda e, c: 1 / 0)
    stage = api.deploy("prod", cache_ttl=60)
    client = stage.client()
    answers = [client.get("/a"), client.get("/a"), client.get("/boom"), client.get("/missing")]
    assert [entry["status"] for entry in stage.logs] == [200, 200, 502, 403]
    for entry, answer in zip(stage.logs, answers, strict=True):
        assert {
            "requestId",
            "routeKey",
            "status",
            "latency",
            "integrationLatency",
            "authorizerStatus",
            "cacheHit",
        } <= set(entry)
        assert entry["requestId"] == answer.headers["x-amzn-RequestId"]
    assert [entry["cacheHit"] for entry in stage.logs] == [False, True, False, False]
    assert [entry["routeKey"] for entry in stage.logs] == ["GET /a", "GET /a", "GET /boom", None]
    assert [entry["integrationLatency"] for entry in stage.logs] == [200, None, 0, None]
    assert stage.logs[0]["latency"] == 200
    assert stage.metrics == {
        "Count": 4,
        "4XXError": 1,
        "5XXError": 1,
        "Latency": 200,
        "IntegrationLatency": 200,
        "CacheHitCount": 1,
        "CacheMissCount": 2,
    }


# caches on the virtual clock


def test_lambda_authorizer_result_is_cached_by_token_until_its_ttl():
    calls = []

    def authorizer(event, context):
        calls.append(event["authorizationToken"])
        statement = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}
        return {"principalId": "u", "policyDocument": {"Version": "2012-10-17", "Statement": [statement]}}

    gateway = Gateway()
    api = gateway.rest_api("a")
    api.authorizer("custom", LambdaAuthorizer(authorizer, ttl=60))
    api.route("GET /a", lambda e, c: {"statusCode": 200}, authorizer="custom")
    client = api.deploy("prod").client()
    for _ in range(3):
        assert client.get("/a", headers={"Authorization": "t1"}).status_code == 200
    gateway.clock.advance(59.9)
    client.get("/a", headers={"Authorization": "t1"})
    client.get("/a", headers={"Authorization": "t2"})
    gateway.clock.advance(0.1)
    client.get("/a", headers={"Authorization": "t1"})
    assert calls == ["t1", "t2", "t1"]


def test_stage_cache_ttl_key_parameters_and_max_age_zero():
    gateway = Gateway()
    api = gateway.rest_api("c")
    count = []

    def handler(event, context):
        count.append(1)
        return {"statusCode": 200, "body": str(len(count))}

    api.route("GET /a/{id}", handler, cache_key_parameters=["method.request.path.id", "querystring.q"])
    client = api.deploy("prod", cache_ttl=30, require_authorization_for_cache_control=False).client()
    assert [client.get(p).text for p in ("/a/1", "/a/1", "/a/2", "/a/1?q=x", "/a/1?other=y")] == [
        "1",
        "1",
        "2",
        "3",
        "1",
    ]
    assert client.get("/a/1", headers={"Cache-Control": "max-age=0"}).text == "4"
    assert client.get("/a/1").text == "4"
    gateway.clock.advance(29.9)
    assert client.get("/a/1").text == "4"
    gateway.clock.advance(0.1)
    assert client.get("/a/1").text == "5"


# canary


def seeded_canary_stage(seed):
    api = Gateway().rest_api("canary")
    api.route("GET /v", lambda e, c: {"statusCode": 200, "body": "old:" + e["stageVariables"]["v"]})
    api.deploy("prod", variables={"v": "1"})
    api.routes.clear()
    api.route("GET /v", lambda e, c: {"statusCode": 200, "body": "new:" + e["stageVariables"]["v"]})
    return api.deploy("prod", canary={"percent": 25, "variables": {"v": "2"}, "seed": seed})


def test_canary_split_is_seedable_and_promotable():
    first, again, other = seeded_canary_stage(3), seeded_canary_stage(3), seeded_canary_stage(4)
    runs = [[s.client().get("/v").text for _ in range(400)] for s in (first, again, other)]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    assert set(runs[0]) == {"old:1", "new:2"}
    assert 70 <= runs[0].count("new:2") <= 130
    assert [entry["canary"] for entry in first.logs] == [text == "new:2" for text in runs[0]]
    first.promote_canary()
    assert {first.client().get("/v").text for _ in range(50)} == {"new:2"}


def test_client_works_when_requests_and_responses_cannot_be_imported():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.modules['requests'] = None; sys.modules['responses'] = None  # as if not installed\n"
        "from pytest_serverless import Gateway\n"
        "g = Gateway(); api = g.rest_api('a')\n"
        "api.route('POST /a/{id}', lambda e, c: {'statusCode': 201, 'body': e['pathParameters']['id']})\n"
        "r = api.deploy('prod').client().post('/a/7', json={'x': 1})\n"
        "print(r.status_code, r.text)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "201 7", "")
