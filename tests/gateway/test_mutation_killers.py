"""Edges that mutation testing (``mutmut run``) found untested in the authorizers, policies and throttling."""

from __future__ import annotations

import base64

import pytest

from pytest_serverless._glob import Glob, compile_glob
from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import UsageError
from pytest_serverless.gateway.authorizers import (
    AuthorizationCall,
    JwtAuthorizer,
    PolicyError,
    TokenIssuer,
    evaluate_policy,
)
from pytest_serverless.gateway.request import GatewayRequest, Headers
from pytest_serverless.gateway.throttling import check_throttle

ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/orders/1"


def call(clock, headers):
    return AuthorizationCall(
        request=GatewayRequest("GET", "/orders/1", headers=Headers(headers)),
        api_kind="HTTP",
        api_id="abc123",
        api_name="orders",
        stage="prod",
        stage_variables={},
        route_key="GET /orders/{id}",
        resource_path="/orders/{id}",
        path_parameters={"id": "1"},
        method_arn=ARN,
        request_id="req-1",
        clock=clock,
    )


# -- the wildcard matcher ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("*ab*b", "xab", False),  # a middle piece may not run into the last one
        ("*ab*b", "xabb", True),
        ("*ab*ab*", "xab", False),  # pieces follow one another, never overlap
        ("*ab*ab*", "abab", True),
        ("a*b*c", "abc", True),
        ("a*b*c", "acb", False),
    ],
)
def test_glob_pieces_follow_one_another(pattern, value, matches):
    assert Glob(pattern, _segments(pattern), 0).match(value) is matches
    assert compile_glob(pattern).match(value) is matches


def _segments(pattern):
    return [(piece, len(piece)) for piece in pattern.split("*")]


def test_glob_keeps_its_pattern():
    assert Glob("a*b", _segments("a*b"), 0).pattern == "a*b"


# -- throttling -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [("5", 1), (5, "1"), (True, 1), (5, None)])
def test_throttle_values_must_be_numbers(value):
    with pytest.raises(UsageError) as info:
        check_throttle(value, "stage 'prod'")
    assert str(info.value) == (
        f"stage 'prod': throttle must be a (rate_per_second, burst) pair of numbers, got {value!r}"
    )


# -- JWT -------------------------------------------------------------------------------------------


@pytest.fixture
def clock():
    return VirtualClock()


@pytest.fixture
def issuer(clock):
    return TokenIssuer(clock=clock)


def test_jwt_principal_is_none_without_sub(issuer, clock):
    decision = JwtAuthorizer(issuer).authorize(call(clock, {"Authorization": issuer.token(sub=None)}))
    assert decision.allowed
    assert decision.principal_id is None
    decision = JwtAuthorizer(issuer).authorize(call(clock, {"Authorization": issuer.token(sub="u-9")}))
    assert decision.principal_id == "u-9"


def test_jwt_unreadable_identity_source_message(issuer):
    with pytest.raises(UsageError) as info:
        JwtAuthorizer(issuer, identity_source="$context.x")
    assert str(info.value) == (
        "JwtAuthorizer(identity_source='$context.x'): a JWT authorizer reads its token from a header, e.g. "
        '"Authorization", "$request.header.Authorization" or "method.request.header.Authorization", or '
        '(HTTP APIs) a query string parameter, e.g. "$request.querystring.token"'
    )


@pytest.mark.parametrize("leeway", ["5", None, True, -1])
def test_jwt_leeway_must_be_a_number_of_seconds(issuer, leeway):
    with pytest.raises(UsageError) as info:
        JwtAuthorizer(issuer, leeway=leeway)
    assert str(info.value) == f"JwtAuthorizer(leeway=...) takes a number of seconds >= 0, got {leeway!r}"


def test_jwt_authorizer_keeps_its_identity_source(issuer):
    assert JwtAuthorizer(issuer, identity_source="$request.header.X-Token").identity_source == (
        "$request.header.X-Token"
    )


def test_jwks_modulus_has_no_leading_zero_byte(issuer):
    (key,) = issuer.jwks["keys"]
    modulus = base64.urlsafe_b64decode(key["n"] + "==")
    assert len(modulus) == 256  # a 2048-bit key, big-endian, minimal length
    assert modulus[0] != 0


def test_issuer_claims_carry_every_time_claim(issuer, clock):
    claims = issuer.claims(expires_in=60)
    now = int(clock.time())
    assert {name: claims[name] for name in ("auth_time", "iat", "exp")} == {
        "auth_time": now,
        "iat": now,
        "exp": now + 60,
    }
    assert issuer.claims()["token_use"] == "id"


# -- policy errors name the statement ------------------------------------------------------------------

ALLOW = {"Effect": "Allow", "Action": "*", "Resource": "*"}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("allow", "policyDocument must be a JSON object"),
        ({"Statement": "x"}, "policyDocument.Statement must be an object or a list of objects"),
        (
            {"Statement": [ALLOW, {"Effect": "Allow", "Action": [1], "Resource": "*"}]},
            "policyDocument.Statement[1].Action must be a string or a list of strings",
        ),
        (
            {"Statement": [ALLOW, ALLOW, {"Effect": "Allow", "NotAction": [], "Resource": "*"}]},
            "policyDocument.Statement[2].NotAction must be a string or a list of strings",
        ),
        (
            {"Statement": [ALLOW, {"Effect": "Allow", "Action": "*", "Resource": 7}]},
            "policyDocument.Statement[1].Resource must be a string or a list of strings",
        ),
        (
            {"Statement": [ALLOW, {"Effect": "Allow", "Action": "*", "NotResource": None}]},
            "policyDocument.Statement[1].NotResource must be a string or a list of strings",
        ),
        (
            {"Statement": [ALLOW, {"Effect": "Deny", "Resource": "*"}]},
            "policyDocument.Statement[1] has neither Action nor NotAction",
        ),
        (
            {"Statement": [ALLOW, {"Effect": "Deny", "Action": "*"}]},
            "policyDocument.Statement[1] has neither Resource nor NotResource",
        ),
    ],
)
def test_policy_errors_name_the_statement_and_field(document, message):
    with pytest.raises(PolicyError) as info:
        evaluate_policy(document, ARN)
    assert str(info.value) == message


# -- Lambda authorizer identity sources from $context ----------------------------------------------------


def test_every_context_identity_source_reads_its_value():
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    names = [
        "routeKey",
        "httpMethod",
        "stage",
        "apiId",
        "requestId",
        "resourcePath",
        "path",
        "accountId",
        "domainName",
        "identity.sourceIp",
        "sourceIp",
        "identity.userAgent",
        "protocol",
    ]
    seen = []

    def authorizer(event, context):
        seen.append(event["identitySource"])
        return {"isAuthorized": True}

    lambda_authorizer = LambdaAuthorizer(
        authorizer,
        type="REQUEST",
        identity_source=", ".join(f"$context.{name}" for name in names),
        ttl=0,
        payload_format="2.0",
        simple_responses=True,
    )
    request = GatewayRequest(
        "POST",
        "/orders/1",
        headers=Headers({"User-Agent": "agent/1"}),
        source_ip="203.0.113.9",
        protocol="HTTP/2",
        domain_name="api.example.com",
    )
    decision = lambda_authorizer.authorize(
        AuthorizationCall(
            request=request,
            api_kind="HTTP",
            api_id="abc123",
            api_name="orders",
            stage="prod",
            stage_variables={},
            route_key="POST /orders/{id}",
            resource_path="/orders/{id}",
            path_parameters={"id": "1"},
            method_arn=ARN,
            request_id="req-7",
            clock=VirtualClock(),
            account_id="111122223333",
        )
    )
    assert decision.allowed
    assert seen == [
        [
            "POST /orders/{id}",
            "POST",
            "prod",
            "abc123",
            "req-7",
            "/orders/{id}",
            "/orders/1",
            "111122223333",
            "api.example.com",
            "203.0.113.9",
            "203.0.113.9",
            "agent/1",
            "HTTP/2",
        ]
    ]
