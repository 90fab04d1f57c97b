"""Audit (issue 3): Step Functions shapes, serve/client, logs and metrics, caches and canaries, end to end."""

from __future__ import annotations

import json
import re

import pytest
import requests
from requests.adapters import HTTPAdapter

from pytest_serverless import Gateway, LambdaAuthorizer, StateMachine

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
def test_audit_start_sync_execution_answers_with_an_express_execution(kind):
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
def test_audit_failed_sync_execution_is_still_200_with_error_and_cause(kind):
    response = sfn_client(kind, FAIL, sync=True).post("/orders", json={})
    assert response.status_code == 200
    document = response.json()
    assert (document["status"], document["error"], document["cause"]) == ("FAILED", "OrderError", "no stock")
    assert "output" not in document


@pytest.mark.parametrize("kind", ["REST", "HTTP"])
def test_audit_start_execution_answers_arn_and_start_date_only(kind):
    response = sfn_client(kind, PASS, sync=False).post("/orders", json={})
    assert response.status_code == 200
    document = response.json()
    assert set(document) == {"executionArn", "startDate"}
    # asynchronous Express executions get AWS's express ARNs (machine:name:id)
    assert re.fullmatch(ARN + r":express:Orders:[0-9a-f-]{36}:[0-9a-f-]{36}", document["executionArn"])
    assert document["startDate"] == 1704067200


# serve and client


def test_audit_serve_leaves_other_urls_to_the_adapter_in_place(monkeypatch):
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


def test_audit_logs_and_metrics_have_every_field_api_md_names():
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


def test_audit_lambda_authorizer_result_is_cached_by_token_until_its_ttl():
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


def test_audit_stage_cache_ttl_key_parameters_and_max_age_zero():
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


def canary_stage(seed):
    api = Gateway().rest_api("canary")
    api.route("GET /v", lambda e, c: {"statusCode": 200, "body": "old:" + e["stageVariables"]["v"]})
    api.deploy("prod", variables={"v": "1"})
    api.routes.clear()
    api.route("GET /v", lambda e, c: {"statusCode": 200, "body": "new:" + e["stageVariables"]["v"]})
    return api.deploy("prod", canary={"percent": 25, "variables": {"v": "2"}, "seed": seed})


def test_audit_canary_split_is_seedable_and_promotable():
    first, again, other = canary_stage(3), canary_stage(3), canary_stage(4)
    runs = [[s.client().get("/v").text for _ in range(400)] for s in (first, again, other)]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    assert set(runs[0]) == {"old:1", "new:2"}
    assert 70 <= runs[0].count("new:2") <= 130
    assert [entry["canary"] for entry in first.logs] == [text == "new:2" for text in runs[0]]
    first.promote_canary()
    assert {first.client().get("/v").text for _ in range(50)} == {"new:2"}


def test_audit_client_works_when_requests_and_responses_cannot_be_imported():
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
