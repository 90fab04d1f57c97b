"""Audit (issue 3): every error kind, triggered for real through the public API, on REST and on HTTP APIs.

Each case checks the status, the body byte for byte, ``x-amzn-ErrorType`` (REST; absent on HTTP APIs, where no
public source shows it), the request-id headers, and that the access log recorded the same answer.
"""

from __future__ import annotations

import re

import pytest
import requests
import responses

from pytest_serverless import Gateway, IamAuthorizer, JwtAuthorizer, LambdaAuthorizer

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_audit"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SHORT_ID = re.compile(r"^[A-Za-z0-9+/]{15}=$")
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)


def ok(event, context):
    return {"statusCode": 200, "body": "ok"}


def new_api(kind, gateway=None, **options):
    gateway = gateway or Gateway()
    return gateway.rest_api("audit", **options) if kind == "REST" else gateway.http_api("audit", **options)


def one_route(kind, handler=ok, route="GET /a", deploy=None, **route_options):
    api = new_api(kind)
    api.route(route, handler, **route_options)
    return api.deploy("prod", **(deploy or {}))


def policy(effect):
    def authorizer(event, context):
        token = event.get("authorizationToken") or (event.get("headers") or {}).get("authorization")
        if token == "crash":
            raise KeyError("boom")
        if token != "good":
            raise Exception("Unauthorized")
        statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}
        if effect == "Other":
            statement = {**statement, "Effect": "Allow", "Resource": "arn:aws:execute-api:*:*:*/*/POST/*"}
        return {"principalId": "u", "policyDocument": {"Version": "2012-10-17", "Statement": [statement]}}

    return authorizer


def lambda_authorized(kind, effect="Allow"):
    api = new_api(kind)
    auth_type = "TOKEN" if kind == "REST" else "REQUEST"
    api.authorizer("custom", LambdaAuthorizer(policy(effect), type=auth_type, ttl=0))
    api.route("GET /a", ok, authorizer="custom")
    return api.deploy("prod")


def jwt_authorized(kind):
    gateway = Gateway()
    issuer = gateway.token_issuer(issuer=ISSUER, audience="client-id")
    api = new_api(kind, gateway)
    api.authorizer("users", JwtAuthorizer(issuer))
    api.route("GET /a", ok, authorizer="users")
    api.route("GET /scoped", ok, authorizer="users", scopes=["orders/write"])
    return api.deploy("prod"), issuer


def iam_authorized(kind):
    api = new_api(kind)
    api.authorizer("iam", IamAuthorizer(credentials={"AKID": "secret"}))
    api.route("GET /a", ok, authorizer="iam")
    return api.deploy("prod")


def sigv4_header(date, access_key="AKID"):
    return {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={access_key}/{date[:8]}/us-east-1/execute-api/"
        f"aws4_request, SignedHeaders=host;x-amz-date, Signature={'0' * 64}",
        "X-Amz-Date": date,
    }


# -- triggers: kind -> response ---------------------------------------------------------------------------


def unknown_route(kind):
    return one_route(kind).client().get("/nowhere")


def wrong_method(kind):
    return one_route(kind).client().delete("/a")


def lambda_unauthorized(kind):
    return lambda_authorized(kind).client().get("/a", headers={"Authorization": "bad"})


def lambda_identity_missing(kind):
    return lambda_authorized(kind).client().get("/a")


def lambda_explicit_deny(kind):
    return lambda_authorized(kind, "Deny").client().get("/a", headers={"Authorization": "good"})


def lambda_implicit_deny(kind):
    return lambda_authorized(kind, "Other").client().get("/a", headers={"Authorization": "good"})


def lambda_crash(kind):
    return lambda_authorized(kind).client().get("/a", headers={"Authorization": "crash"})


def jwt_expired(kind):
    stage, issuer = jwt_authorized(kind)
    token = issuer.token(expires_in=60)
    stage.api.gateway.clock.advance(3600)
    return stage.client().get("/a", headers={"Authorization": f"Bearer {token}"})


def jwt_missing(kind):
    return jwt_authorized(kind)[0].client().get("/a")


def jwt_missing_scope(kind):
    stage, issuer = jwt_authorized(kind)
    token = issuer.token(token_use="access", scopes=["orders/read"])
    return stage.client().get("/scoped", headers={"Authorization": f"Bearer {token}"})


def iam_unsigned(kind):
    return iam_authorized(kind).client().get("/a")


def iam_bad_signature(kind):
    return iam_authorized(kind).client().get("/a", headers=sigv4_header("20240101T000000Z"))


def iam_signature_expired(kind):
    return iam_authorized(kind).client().get("/a", headers=sigv4_header("20231231T000000Z"))


def iam_unknown_key(kind):
    return iam_authorized(kind).client().get("/a", headers=sigv4_header("20240101T000000Z", "NOPE"))


def stage_throttled(kind):
    client = one_route(kind, deploy={"throttle": (1, 1)}).client()
    client.get("/a")
    return client.get("/a")


def route_throttled(kind):
    client = one_route(kind, throttle=(1, 1)).client()
    client.get("/a")
    return client.get("/a")


def account_throttled(kind):
    stage = one_route(kind)
    stage.api.gateway.set_account_throttle(1, 1)
    client = stage.client()
    client.get("/a")
    return client.get("/a")


def handler_timeout(kind):
    def slow(event, context):
        stage.api.gateway.clock.advance(31)
        return {"statusCode": 200}

    stage = one_route(kind, slow)
    return stage.client().get("/a")


def handler_raises(kind):
    def boom(event, context):
        raise ValueError("bug")

    return one_route(kind, boom).client().get("/a")


def handler_malformed(kind):
    return one_route(kind, lambda e, c: {"statusCode": "not a number"}).client().get("/a")


def backend_unreachable(kind):
    api = new_api(kind)
    api.route("GET /a", http="https://down.example.com/a")
    with responses.RequestsMock() as backend:
        backend.add(responses.GET, "https://down.example.com/a", body=requests.ConnectionError("refused"))
        return api.deploy("prod").client().get("/a")


def body_too_large(kind):
    return one_route(kind, route="POST /a").client().post("/a", data=b"x" * (10 * 1024 * 1024 + 1))


def header_malformed(kind):
    return one_route(kind).client().get("/a", headers={"Bad Header": "x"})


# AWS appends the canonical request and string to sign it expected
MISMATCH_BODY = re.compile(
    re.escape(
        '{"message":"' + SIGNATURE_MISMATCH + "\\n\\nThe Canonical String for this request should have been"
    )
    + r".*String-to-Sign should have been.*\"}$",
    re.DOTALL,
)
INTERNAL_REST = ('{"message": "Internal server error"}', "InternalServerErrorException")
# case -> trigger, REST (status, body, x-amzn-ErrorType), HTTP (status, body)
CASES = {
    "unknown-route": (
        unknown_route,
        (403, '{"message":"Missing Authentication Token"}', "MissingAuthenticationTokenException"),
        (404, '{"message":"Not Found"}'),
    ),
    "wrong-method": (
        wrong_method,
        (403, '{"message":"Missing Authentication Token"}', "MissingAuthenticationTokenException"),
        (404, '{"message":"Not Found"}'),
    ),
    "lambda-authorizer-unauthorized": (
        lambda_unauthorized,
        (401, '{"message":"Unauthorized"}', "UnauthorizedException"),
        (401, '{"message":"Unauthorized"}'),
    ),
    "lambda-authorizer-identity-missing": (
        lambda_identity_missing,
        (401, '{"message":"Unauthorized"}', "UnauthorizedException"),
        (401, '{"message":"Unauthorized"}'),
    ),
    "lambda-authorizer-explicit-deny": (
        lambda_explicit_deny,
        (
            403,
            '{"Message":"User is not authorized to access this resource with an explicit deny"}',
            "AccessDeniedException",
        ),
        (403, '{"message":"Forbidden"}'),
    ),
    "lambda-authorizer-implicit-deny": (
        lambda_implicit_deny,
        (403, '{"Message":"User is not authorized to access this resource"}', "AccessDeniedException"),
        (403, '{"message":"Forbidden"}'),
    ),
    "lambda-authorizer-crash": (
        lambda_crash,
        (500, '{"message": null}', "AuthorizerConfigurationException"),
        (500, '{"message":"Internal Server Error"}'),
    ),
    "jwt-expired": (
        jwt_expired,
        (401, '{"message":"Unauthorized"}', "UnauthorizedException"),
        (401, '{"message":"Unauthorized"}'),
    ),
    "jwt-missing": (
        jwt_missing,
        (401, '{"message":"Unauthorized"}', "UnauthorizedException"),
        (401, '{"message":"Unauthorized"}'),
    ),
    "jwt-missing-scope": (
        jwt_missing_scope,
        (401, '{"message":"Unauthorized"}', "UnauthorizedException"),
        (403, '{"message":"Forbidden"}'),
    ),
    "iam-unsigned": (
        iam_unsigned,
        (403, '{"message":"Missing Authentication Token"}', "MissingAuthenticationTokenException"),
        (403, '{"message":"Forbidden"}'),
    ),
    "iam-signature-mismatch": (
        iam_bad_signature,
        (403, MISMATCH_BODY, "InvalidSignatureException"),
        (403, MISMATCH_BODY),
    ),
    "iam-signature-expired": (
        iam_signature_expired,
        (
            403,
            '{"message":"Signature expired: 20231231T000000Z is now earlier than 20231231T235500Z '
            '(20240101T000000Z - 5 min.)"}',
            "InvalidSignatureException",
        ),
        (
            403,
            '{"message":"Signature expired: 20231231T000000Z is now earlier than 20231231T235500Z '
            '(20240101T000000Z - 5 min.)"}',
        ),
    ),
    "iam-unknown-access-key": (
        iam_unknown_key,
        (
            403,
            '{"message":"The security token included in the request is invalid."}',
            "UnrecognizedClientException",
        ),
        (403, '{"message":"The security token included in the request is invalid."}'),
    ),
    "stage-throttle": (
        stage_throttled,
        (429, '{"message":"Too Many Requests"}', "TooManyRequestsException"),
        (429, '{"message":"Too Many Requests"}'),
    ),
    "route-throttle": (
        route_throttled,
        (429, '{"message":"Too Many Requests"}', "TooManyRequestsException"),
        (429, '{"message":"Too Many Requests"}'),
    ),
    "account-throttle": (
        account_throttled,
        (429, '{"message":"Too Many Requests"}', "TooManyRequestsException"),
        (429, '{"message":"Too Many Requests"}'),
    ),
    "integration-timeout": (
        handler_timeout,
        (504, '{"message": "Endpoint request timed out"}', "InternalServerErrorException"),
        (503, '{"message":"Service Unavailable"}'),
    ),
    "lambda-raises": (handler_raises, (502, *INTERNAL_REST), (500, '{"message":"Internal Server Error"}')),
    "lambda-malformed-output": (
        handler_malformed,
        (502, *INTERNAL_REST),
        (500, '{"message":"Internal Server Error"}'),
    ),
    "http-backend-unreachable": (
        backend_unreachable,
        (500, *INTERNAL_REST),
        (500, '{"message":"Internal Server Error"}'),
    ),
    "request-too-large": (
        body_too_large,
        (413, '{"message":"Request Too Long"}', "RequestTooLargeException"),
        (413, '{"message":"Request Entity Too Large"}'),
    ),
    "malformed-header": (
        header_malformed,
        (400, '{"message":"Bad Request"}', "BadRequestException"),
        (400, '{"message":"Bad Request"}'),
    ),
}


def assert_body(response, status, body):
    assert response.status_code == status, response.reason
    if isinstance(body, re.Pattern):
        assert body.match(response.text), response.text
    else:
        assert response.text == body
    assert response.headers["Content-Length"] == str(len(response.content))


@pytest.mark.parametrize("case", sorted(CASES))
def test_audit_rest_error_status_body_and_headers(case):
    trigger, (status, body, error_type), _ = CASES[case]
    response = trigger("REST")
    assert_body(response, status, body)
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-ErrorType"] == error_type
    assert response.headers["x-amzn-RequestId"] == response.request_id
    assert UUID.match(response.request_id)
    assert SHORT_ID.match(response.headers["x-amz-apigw-id"])
    assert "apigw-requestid" not in response.headers
    assert response.reason  # why, for the test's failure report (never sent to the client)


@pytest.mark.parametrize("case", sorted(CASES))
def test_audit_http_error_status_body_and_headers(case):
    trigger, _, (status, body) = CASES[case]
    response = trigger("HTTP")
    assert_body(response, status, body)
    assert response.headers["Content-Type"] == "application/json"
    assert "x-amzn-ErrorType" not in response.headers
    assert "x-amzn-RequestId" not in response.headers
    assert response.headers["apigw-requestid"] == response.request_id
    assert SHORT_ID.match(response.request_id)
    assert response.reason


def test_audit_http_jwt_refusals_carry_www_authenticate():
    stage, issuer = jwt_authorized("HTTP")
    client = stage.client()
    expired = issuer.token(expires_in=1)
    stage.api.gateway.clock.advance(10)
    refused = client.get("/a", headers={"Authorization": f"Bearer {expired}"})
    assert refused.headers["www-authenticate"] == (
        'Bearer scope="" error="invalid_token" error_description="the token has expired"'
    )
    missing = client.get("/a")
    assert missing.headers["www-authenticate"] == "Bearer"


# REST-only kinds (HTTP APIs refuse the settings with a UsageError, tested in test_errors.py)


def keyed(**plan):
    api = new_api("REST")
    api.route("GET /a", ok, api_key_required=True)
    api.route("POST /v", ok, request_schema={"type": "object", "required": ["a"]})
    api.route("GET /p", ok, required_parameters=["querystring.q", "header.x-h"])
    api.usage_plan("plan", api_keys=["key-1"], **plan)
    return api.deploy("prod")


def assert_rest(response, status, body, error_type):
    assert (response.status_code, response.text) == (status, body), response.reason
    assert response.headers["x-amzn-ErrorType"] == error_type
    assert response.headers["x-amzn-RequestId"] == response.request_id
    assert SHORT_ID.match(response.headers["x-amz-apigw-id"])


def test_audit_rest_invalid_api_key_is_403_forbidden():
    client = keyed().client()
    for headers in ({}, {"x-api-key": "other"}):
        assert_rest(client.get("/a", headers=headers), 403, '{"message":"Forbidden"}', "ForbiddenException")


def test_audit_rest_usage_plan_key_throttle_is_429_too_many_requests():
    client = keyed(throttle=(1, 1)).client()
    headers = {"x-api-key": "key-1"}
    assert client.get("/a", headers=headers).status_code == 200
    response = client.get("/a", headers=headers)
    assert_rest(response, 429, '{"message":"Too Many Requests"}', "TooManyRequestsException")
    assert response.answered_by == "throttle"


def test_audit_rest_quota_is_429_limit_exceeded():
    client = keyed(quota=(1, "DAY")).client()
    headers = {"x-api-key": "key-1"}
    assert client.get("/a", headers=headers).status_code == 200
    response = client.get("/a", headers=headers)
    assert_rest(response, 429, '{"message":"Limit Exceeded"}', "LimitExceededException")
    assert response.answered_by == "quota"


def test_audit_rest_validation_errors_are_400_with_aws_messages():
    client = keyed().client()
    assert_rest(
        client.post("/v", json={"b": 1}), 400, '{"message": "Invalid request body"}', "BadRequestException"
    )
    assert_rest(
        client.get("/p"),
        400,
        '{"message": "Missing required request parameters: [x-h, q]"}',
        "BadRequestException",
    )


def test_audit_access_log_records_each_error_with_its_request_id():
    stage = one_route("REST")
    client = stage.client()
    responses_seen = [client.get("/nowhere"), client.get("/a")]
    assert [(e["requestId"], e["status"]) for e in stage.logs] == [
        (r.request_id, r.status_code) for r in responses_seen
    ]
    assert stage.metrics["4XXError"] == 1
    assert stage.metrics["Count"] == 2


def test_audit_rest_validator_with_one_of_ref_model_as_recorded():
    # recorded: rest-validator-invalid-body-oneof-ref-model.json (bad data and no data: both 400)
    model = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "definitions": {
            "Status": {
                "type": "object",
                "required": ["status"],
                "properties": {"status": {"type": "string", "enum": ["ok", "failed"]}},
            }
        },
        "oneOf": [{"type": "null"}, {"$ref": "#/definitions/Status"}],
    }
    api = new_api("REST")
    api.route("POST /status", ok, request_schema=model)
    client = api.deploy("prod").client()
    for kwargs in ({"json": {"status": "unknown"}}, {}, {"data": "{"}):
        assert_rest(
            client.post("/status", **kwargs),
            400,
            '{"message": "Invalid request body"}',
            "BadRequestException",
        )
    assert client.post("/status", json={"status": "ok"}).status_code == 200
    assert client.post("/status", data="null").status_code == 200
