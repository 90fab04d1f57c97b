"""Hostile requests: AWS's quotas (414/431), deeply nested and non-JSON bodies, answered, never raised."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless import Gateway, LambdaAuthorizer, StateMachine
from tests.helpers import ok


def allow(event, context):
    return {
        "principalId": "u",
        "policyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    }


MACHINE = StateMachine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, name="echo")
SCHEMA = {"type": "object", "properties": {"n": {"type": "number"}, "a": {"type": "array"}}}


def stage(kind):
    gateway = Gateway()
    api = gateway.rest_api("orders") if kind == "REST" else gateway.http_api("orders")
    api.route("GET /files/{proxy+}", ok)
    options = {"identity_source": "$request.header.Authorization"} if kind == "HTTP" else {}
    api.authorizer("custom", LambdaAuthorizer(allow, type="REQUEST", ttl=0, **options))
    api.route("GET /private/{proxy+}", ok, authorizer="custom")
    if kind == "REST":  # request validation is a REST API feature
        api.route("POST /validated", ok, request_schema=SCHEMA)
    api.route("POST /run", state_machine=MACHINE, sync=True)
    return api.deploy("prod" if kind == "REST" else "$default")


@pytest.fixture(params=["REST", "HTTP"])
def kind(request):
    return request.param


# -- quotas ---------------------------------------------------------------------------------------------


def test_rest_url_over_10240_characters_is_414():
    rest = stage("REST")
    client = rest.client()
    base = len(f"https://{rest.api.id}.execute-api.us-east-1.amazonaws.com/prod/files/")
    fits = client.get("/files/" + "a" * (10240 - base))
    assert fits.status_code == 200
    over = client.get("/files/" + "a" * (10241 - base))
    assert over.status_code == 414
    assert over.json() == {"message": "Request URI too long"}
    assert over.reason == "the URL has 10241 characters; the limit is 10240"
    assert client.get("/files/a", params={"q": "x" * 10240}).status_code == 414


def test_http_api_request_line_and_headers_over_10240_bytes():
    client = stage("HTTP").client()
    assert client.get("/files/" + "a" * 9000).status_code == 200
    line = client.get("/files/" + "a" * 10240)
    assert line.status_code == 414
    assert line.json() == {"message": "Request URI too long"}
    head = client.get("/files/a", headers={"X-Big": "b" * 5000, "X-Other": "c" * 5300})
    assert head.status_code == 431
    assert head.json() == {"message": "Request Header Fields Too Large"}
    assert head.reason == "the request line and header values have 10408 bytes; the limit is 10240"
    # bytes, not characters: 3,000 three-byte characters are 9,000 bytes
    assert client.get("/files/a", headers={"X-Big": "€" * 3000}).status_code == 200
    assert client.get("/files/a", headers={"X-Big": "€" * 3500}).status_code == 431


def test_method_arn_over_1600_bytes_on_an_authorized_method_is_414(kind):
    client = stage(kind).client()
    headers = {"Authorization": "x"}
    assert client.get("/private/" + "a" * 1400, headers=headers).status_code == 200
    refused = client.get("/private/" + "a" * 1600, headers=headers)
    assert refused.status_code == 414
    assert refused.json() == {"message": "Request URI too long"}
    assert refused.reason.endswith("bytes; the limit is 1600")
    assert client.get("/files/" + "a" * 1600).status_code == 200  # no authorizer: no ARN limit


# -- bodies ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [129, 900, 1000, 100_000])
def test_deeply_nested_body_on_a_validated_route_is_400(depth):
    body = '{"a":' + "[" * depth + "]" * depth + "}"
    headers = {"Content-Type": "application/json"}
    response = stage("REST").client().post("/validated", data=body, headers=headers)
    assert response.status_code == 400
    assert response.json() == {"message": "Invalid request body"}
    assert "nested more than 128 levels deep" in response.reason


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_fail_json_schema_validation(literal):
    response = stage("REST").client().post("/validated", data=f'{{"n": {literal}}}')
    assert response.status_code == 400
    assert response.reason.startswith(f"the body is not JSON: {literal} is not a JSON value")
    assert stage("REST").client().post("/validated", data='{"n": 1e5}').status_code == 200


def test_utf16_body_fails_json_schema_validation():
    response = stage("REST").client().post("/validated", data='{"n": 1}'.encode("utf-16"))
    assert response.status_code == 400
    assert response.reason == "the body is not JSON: it is not UTF-8"


@pytest.mark.parametrize("depth", [129, 900, 5000])
def test_deeply_nested_body_to_step_functions_is_a_400_from_step_functions(kind, depth):
    body = "[" * depth + "]" * depth
    response = stage(kind).client().post("/run", data=body)
    assert response.status_code == 400
    assert response.json() == {
        "__type": "com.amazonaws.swf.service.v2.model#InvalidExecutionInput",
        "message": "Invalid State Machine Execution Input: 'nested more than 128 levels deep'",
    }
    assert stage(kind).client().post("/run", data="[" * 20 + "]" * 20).status_code == 200


# -- generated hostile input ---------------------------------------------------------------------------

STAGES = {"REST": stage("REST"), "HTTP": stage("HTTP")}

_json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=12,
)
_bodies = st.one_of(
    _json_values.map(lambda value: json.dumps(value).encode()),  # NaN and Infinity included
    st.integers(100, 20_000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(100, 20_000).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
    st.integers(1, 3000).map(lambda depth: b"[" * depth),  # unterminated
    st.binary(max_size=40),
    st.text(max_size=20).map(lambda text: text.encode("utf-16")),
)
_paths = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="?#"), max_size=40),
    st.integers(1000, 12_000).map(lambda size: "a" * size),
    st.integers(100, 4000).map(lambda size: "€" * size),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([("REST", "/validated"), ("REST", "/run"), ("HTTP", "/run")]), _bodies)
def test_generated_hostile_bodies_get_an_aws_answer(target, body):
    kind, route = target
    response = STAGES[kind].client().post(route, data=body)
    assert response.status_code in (200, 400), (response.status_code, response.reason, response.error)
    assert response.error is None
    if response.status_code == 400:
        assert isinstance(json.loads(response.content), dict)
        assert len(response.content) < 1024  # a size budget: AWS's short answers, never an echo of the input


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["REST", "HTTP"]), st.sampled_from(["/files/", "/private/"]), _paths, st.booleans())
def test_generated_hostile_paths_get_an_aws_answer(kind, prefix, path, big_header):
    headers = {"Authorization": "x"}
    if big_header:
        headers["X-Padding"] = "p" * 9000
    response = STAGES[kind].client().get(prefix + path, headers=headers)
    assert response.status_code in (200, 400, 403, 404, 414, 431), (response.status_code, response.reason)
    assert response.error is None
    if response.status_code != 200:
        assert set(json.loads(response.content)) == {"message"}
        assert len(response.content) < 128
