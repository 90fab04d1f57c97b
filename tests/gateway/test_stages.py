"""Stages: variables, canary releases, logs, metrics, the response hook, CORS."""

from __future__ import annotations

import pytest

from pytest_serverless import Gateway, UsageError


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
