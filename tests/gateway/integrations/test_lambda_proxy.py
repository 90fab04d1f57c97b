"""Lambda proxy answers: AWS's parsing (REST payload 1.0, HTTP payload 2.0), failures and timeouts."""

from __future__ import annotations

import json

import pytest

from pytest_serverless import Gateway, UnmockedTask
from pytest_serverless.gateway import LambdaProxy
from tests.helpers import recordings

RECORDED = recordings("APIGW_RECORDED", "responses")


def stage_returning(kind, value, **route_options):
    gateway = Gateway()
    api = gateway.rest_api("out") if kind == "REST" else gateway.http_api("out")
    api.route("POST /test", lambda event, context: value, **route_options)
    return api.deploy("test").client()


def recorded_outputs():
    if not RECORDED.exists():
        return []
    cases = []
    for path in sorted(RECORDED.glob("rest-lambda-proxy-*.json")):
        data = json.loads(path.read_text())
        if "lambda_output" in data:
            cases.append(pytest.param(data, id=path.stem))
    return cases


# REST (payload 1.0)


@pytest.mark.parametrize("case", recorded_outputs())
def test_rest_lambda_output_matches_aws_recording(case):
    response = stage_returning("REST", json.loads(case["lambda_output"])).post("/test")
    assert response.status_code == case["status"]
    body = case["body"]
    if isinstance(body, dict):
        assert response.json() == body
    else:
        assert response.text == body
    if isinstance(case["headers"], dict):
        for name, value in case["headers"].items():
            if name.startswith(("test-", "header-")) or name == "Content-Type":
                assert response.headers[name] == value


def test_rest_malformed_output_is_502_with_aws_body_and_headers():
    response = stage_returning("REST", {"statusCode": 200, "wrongValue": "value"}).post("/test")
    assert response.status_code == 502
    assert response.text == '{"message": "Internal server error"}'
    assert response.headers["x-amzn-ErrorType"] == "InternalServerErrorException"
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-RequestId"] == response.request_id
    assert response.answered_by == "integration"


def test_rest_raised_exception_is_502_and_the_exception_is_kept_for_the_report():
    def boom(event, context):
        raise ValueError("database down")

    gateway = Gateway()
    api = gateway.rest_api("raise")
    api.route("GET /a", boom)
    response = api.deploy("prod").client().get("/a")
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}
    assert isinstance(response.error, ValueError)


def test_rest_success_carries_aws_headers():
    response = stage_returning("REST", {"statusCode": 201, "body": "{}"}).post("/test")
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-RequestId"] == response.request_id
    assert response.headers["x-amz-apigw-id"]
    assert response.headers["X-Amzn-Trace-Id"].startswith("Root=1-")
    assert response.headers["Content-Length"] == "2"


def test_rest_non_serialisable_result_is_502():
    response = stage_returning("REST", {"statusCode": 200, "body": object()}).post("/test")
    assert response.status_code == 502


def test_rest_base64_body_is_decoded_when_accept_is_a_binary_media_type():
    gateway = Gateway()
    api = gateway.rest_api("bin", binary_media_types=["image/png"])
    api.route(
        "GET /img",
        lambda e, c: {
            "statusCode": 200,
            "body": "iVBORw==",
            "isBase64Encoded": True,
            "headers": {"Content-Type": "image/png"},
        },
    )
    client = api.deploy("prod").client()
    assert client.get("/img", headers={"Accept": "image/png"}).content == b"\x89PNG"


def test_rest_set_cookie_values_stay_separate_headers():
    value = {"statusCode": 200, "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}}
    response = stage_returning("REST", value).post("/test")
    assert response.headers.get_all("Set-Cookie") == ["a=1", "b=2"]


def test_head_request_has_no_body():
    gateway = Gateway()
    api = gateway.rest_api("head")
    api.route("ANY /a", lambda e, c: {"statusCode": 200, "body": "hello"})
    response = api.deploy("prod").client().head("/a")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["Content-Length"] == "5"


# HTTP API (payload 2.0)


@pytest.mark.parametrize(
    ("value", "body"),
    [
        ({"id": 1}, b'{"id": 1}'),
        ([1, 2], b"[1, 2]"),
        ("plain text", b"plain text"),
        (None, b"null"),
        (7, b"7"),
    ],
)
def test_http_plain_return_values_are_inferred_as_200_json(value, body):
    response = stage_returning("HTTP", value).post("/test")
    assert response.status_code == 200
    assert response.content == body
    assert response.headers["Content-Type"] == "application/json"


def test_http_status_code_answer_with_cookies_and_base64():
    value = {
        "statusCode": 202,
        "headers": {"X-A": "1"},
        "cookies": ["s=1", "t=2"],
        "body": "aGk=",
        "isBase64Encoded": True,
    }
    response = stage_returning("HTTP", value).post("/test")
    assert response.status_code == 202
    assert response.content == b"hi"
    assert response.headers["X-A"] == "1"
    assert response.headers.get_all("Set-Cookie") == ["s=1", "t=2"]
    assert response.headers["apigw-requestid"]


@pytest.mark.parametrize(
    "value",
    [
        {"statusCode": "abc"},
        {"statusCode": 200, "headers": "x"},
        {"statusCode": 200, "cookies": "a=1"},
        {"statusCode": 200, "body": "!!", "isBase64Encoded": True},
        {"statusCode": 99},
    ],
)
def test_http_malformed_answer_is_500_internal_server_error(value):
    response = stage_returning("HTTP", value).post("/test")
    assert response.status_code == 500
    assert response.text == '{"message":"Internal Server Error"}'
    assert response.headers["apigw-requestid"]
    assert "x-amzn-ErrorType" not in response.headers


def test_http_raised_exception_is_500():
    def boom(event, context):
        raise RuntimeError("x")

    gateway = Gateway()
    api = gateway.http_api("raise")
    api.route("GET /a", boom)
    response = api.deploy("$default").client().get("/a")
    assert (response.status_code, response.json()) == (500, {"message": "Internal Server Error"})


# timeouts


def slow(seconds):
    def handler(event, context):
        context.clock.advance(seconds)
        return {"statusCode": 200, "body": "late"}

    return handler


def test_rest_handler_past_29_seconds_is_504():
    gateway = Gateway()
    api = gateway.rest_api("slow")
    api.route("GET /slow", slow(30))
    api.route("GET /ok", slow(28.9))
    client = api.deploy("prod").client()
    response = client.get("/slow")
    assert response.status_code == 504
    assert response.text == '{"message": "Endpoint request timed out"}'
    assert response.headers["x-amzn-ErrorType"] == "InternalServerErrorException"
    assert response.answered_by == "timeout"
    assert client.get("/ok").status_code == 200


def test_http_handler_past_30_seconds_is_503():
    gateway = Gateway()
    api = gateway.http_api("slow")
    api.route("GET /slow", slow(30.5))
    response = api.deploy("$default").client().get("/slow")
    assert response.status_code == 503
    assert response.text == '{"message":"Service Unavailable"}'
    assert response.answered_by == "timeout"


def test_route_timeout_is_configurable_and_bounded():
    gateway = Gateway()
    api = gateway.rest_api("t")
    api.route("GET /a", slow(6), timeout=5)
    assert api.deploy("prod").client().get("/a").status_code == 504
    with pytest.raises(Exception, match="timeout must be between 0.05 and 29 seconds on a REST API, got 30"):
        api.route("GET /b", slow(1), timeout=30)


def test_unmocked_task_inside_a_handler_is_not_hidden_behind_a_502():
    def handler(event, context):
        raise UnmockedTask("Charge", "arn:aws:lambda:us-east-1:123456789012:function:charge")

    gateway = Gateway()
    api = gateway.rest_api("loud")
    api.route("GET /a", handler)
    with pytest.raises(UnmockedTask):
        api.deploy("prod").client().get("/a")


def test_http_route_with_payload_format_1_0():
    seen = []

    def handler(event, context):
        seen.append(event)
        return {
            "statusCode": 201,
            "multiValueHeaders": {"X-A": ["1", "2"]},
            "body": "aGk=",
            "isBase64Encoded": True,
        }

    gateway = Gateway()
    api = gateway.http_api("v1")
    api.route("GET /a/{id}", integration=LambdaProxy(handler, payload_format="1.0"))
    response = api.deploy("$default").client().get("/a/7", headers={"X-Custom": "c"})
    assert (response.status_code, response.content, response.headers["X-A"]) == (201, b"hi", "1, 2")
    event = seen[0]
    assert event["version"] == "1.0"
    assert event["pathParameters"] == {"id": "7"}
    assert event["headers"]["x-custom"] == "c"
    assert event["multiValueHeaders"]["x-custom"] == ["c"]


def test_payload_format_is_checked():
    api = Gateway().rest_api("p")
    with pytest.raises(Exception, match="REST APIs send payload format 1.0 only, got '2.0'"):
        api.route("GET /a", integration=LambdaProxy(lambda e, c: 1, payload_format="2.0"))


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"statusCode": True}, "statusCode is a boolean"),
        ({"statusCode": 600}, "statusCode 600 is not an HTTP status"),
        ({"statusCode": 200, "headers": ["x"]}, "headers must be an object"),
        (
            {"statusCode": 200, "headers": {"x": ["a"]}},
            "header value ['a'] is not a string, number or boolean",
        ),
        ({"statusCode": 200, "multiValueHeaders": ["x"]}, "multiValueHeaders must be an object"),
        ({"statusCode": 200, "body": {"a": 1}}, "body must be a string"),
        ({"statusCode": 200, "body": float("nan")}, "the function's result is not JSON serialisable"),
        ([1, 2], "the answer must be a non-empty JSON object"),
    ],
)
def test_rest_malformed_answers_say_what_is_wrong(value, reason):
    response = stage_returning("REST", value).post("/test")
    assert response.status_code == 502
    assert response.reason.startswith(f"the Lambda function failed: MalformedProxyResponse: {reason}")


def test_rest_numeric_body_and_header_values_are_sent_as_text():
    value = {"statusCode": 200, "body": 5, "headers": {"X-N": 1.5, "X-B": False}}
    response = stage_returning("REST", value).post("/test")
    assert (response.text, response.headers["X-N"], response.headers["X-B"]) == ("5", "1.5", "false")
