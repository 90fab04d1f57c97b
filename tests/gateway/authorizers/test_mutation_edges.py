"""Edges that mutation testing (``mutmut run``) found untested in the authorizers, policies and throttling."""

from __future__ import annotations

import base64
import json
from pathlib import Path

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
        ("*ab*ab*", "xabxb", False),
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


# -- Lambda authorizer decisions: reasons, latency, timeouts, caching ---------------------------------


def lambda_call(clock, kind="REST", headers=None):
    return AuthorizationCall(
        request=GatewayRequest("GET", "/orders/1", headers=Headers(headers or {"Authorization": "tok"})),
        api_kind=kind,
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


def _allow(event, context):
    return {
        "principalId": "u",
        "policyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    }


def _taking(clock, seconds, outcome):
    def fn(event, context):
        clock.advance(seconds)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return fn


def test_lambda_refusal_reasons_and_latency():
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    clock = VirtualClock()
    regex = LambdaAuthorizer(_allow, validation_regex="Bearer .+", ttl=0)
    decision = regex.authorize(lambda_call(clock))
    assert (decision.response_type, decision.reason) == (
        "UNAUTHORIZED",
        "the token does not match validation_regex",
    )
    refused = LambdaAuthorizer(_taking(clock, 2, Exception("Unauthorized")), ttl=0).authorize(
        lambda_call(clock)
    )
    assert (refused.response_type, refused.latency, refused.reason) == (
        "UNAUTHORIZED",
        2.0,
        "the authorizer raised Unauthorized",
    )
    crashed = LambdaAuthorizer(_taking(clock, 3, KeyError("x")), ttl=0).authorize(lambda_call(clock))
    assert (crashed.response_type, crashed.latency, crashed.reason) == (
        "AUTHORIZER_CONFIGURATION_ERROR",
        3.0,
        "the authorizer raised KeyError: 'x'",
    )
    malformed = LambdaAuthorizer(_taking(clock, 4, {"nope": 1}), ttl=0).authorize(lambda_call(clock))
    assert (malformed.response_type, malformed.latency, malformed.reason) == (
        "AUTHORIZER_CONFIGURATION_ERROR",
        4.0,
        "the authorizer's answer has no principalId",
    )
    slow = LambdaAuthorizer(_taking(clock, 6, {}), ttl=0, timeout=5).authorize(lambda_call(clock))
    assert (slow.response_type, slow.latency, slow.reason) == (
        "AUTHORIZER_CONFIGURATION_ERROR",
        6.0,
        "the authorizer ran 6 s, past its 5 s timeout",
    )


@pytest.mark.parametrize(
    ("kind", "timeout", "seconds", "allowed"),
    [
        ("HTTP", 5, 5, True),  # exactly the limit: still in time
        ("HTTP", 5, 6, False),  # the authorizer's own timeout, below the HTTP API's 10 s
        ("HTTP", 30, 10, True),
        ("HTTP", 30, 11, False),  # capped at 10 s on HTTP APIs
        ("REST", 30, 11, True),
        ("REST", None, 600, True),
    ],
)
def test_lambda_timeouts(kind, timeout, seconds, allowed):
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    clock = VirtualClock()
    authorizer = LambdaAuthorizer(
        _taking(clock, seconds, {"isAuthorized": True} if kind == "HTTP" else _allow({}, None)),
        type="REQUEST",
        identity_source="Authorization",
        ttl=0,
        timeout=timeout,
        **({"payload_format": "2.0", "simple_responses": True} if kind == "HTTP" else {}),
    )
    assert authorizer.authorize(lambda_call(clock, kind)).allowed is allowed


def test_lambda_context_request_id_is_derived_from_the_request():
    from pytest_serverless._ids import deterministic_uuid
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    seen = []

    def fn(event, context):
        seen.append((context.aws_request_id, context.function_name))
        return _allow(event, context)

    LambdaAuthorizer(fn, ttl=0, name="gate").authorize(lambda_call(VirtualClock()))
    assert seen == [(deterministic_uuid("req-1", "authorizer", "gate"), "gate")]


@pytest.mark.parametrize(("ttl", "calls"), [(0, 3), (1, 2), (300, 1)])
def test_lambda_cache_ttl_edges(ttl, calls):
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    clock = VirtualClock()
    authorizer = LambdaAuthorizer(_allow, ttl=ttl)
    first = authorizer.authorize(lambda_call(clock))
    clock.advance(0.5)
    second = authorizer.authorize(lambda_call(clock))
    clock.advance(0.5)  # 1 s after the first call: a 1 s entry has expired
    authorizer.authorize(lambda_call(clock))
    assert authorizer.invocations == calls
    assert first.cached is False
    assert second.cached is (ttl >= 1)


# -- TokenIssuer claims, exactly ----------------------------------------------------------------------


def test_issuer_access_token_claims_exactly(issuer, clock):
    from pytest_serverless._ids import IdFactory

    ids = IdFactory(seed=f"token-issuer:{issuer.issuer}")
    now = int(clock.time())
    claims = issuer.claims(sub="u-1", groups=("g",), scopes=("a/b", "c/d"), token_use="access")
    assert claims == {
        "sub": "u-1",
        "cognito:groups": ["g"],
        "iss": issuer.issuer,
        "client_id": issuer.audience,
        "origin_jti": ids.next("origin_jti"),
        "event_id": ids.next("event_id"),
        "token_use": "access",
        "scope": "a/b c/d",
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": ids.next("jti"),
        "username": "u-1",
    }
    again = issuer.claims(token_use="access")
    assert again["jti"] == ids.next("jti")  # a new id per token
    id_token = issuer.claims(sub="u-2")
    assert "username" not in id_token
    assert id_token["cognito:username"] == "u-2"
    assert "not_a_claim" not in issuer.claims(not_a_claim=None)  # None removes a claim, present or not


# -- JWT authorizer reasons and caching -----------------------------------------------------------


def test_jwt_refusal_reasons(issuer, clock):
    missing = JwtAuthorizer(issuer).authorize(call(clock, {}))
    assert (missing.reason, missing.headers) == ("missing identity source", {"www-authenticate": "Bearer"})
    regex = JwtAuthorizer(issuer, validation_regex="Bearer .+").authorize(
        call(clock, {"Authorization": issuer.token()})
    )
    assert regex.reason == "the token does not match the validation expression"
    assert regex.headers["www-authenticate"].endswith('error_description="the token is malformed"')


def rest_call(clock, token):
    return AuthorizationCall(
        request=GatewayRequest("GET", "/orders/1", headers=Headers({"Authorization": token})),
        api_kind="REST",
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


@pytest.mark.parametrize(
    ("kind", "ttl", "cached"), [("REST", 0, False), ("REST", 1, True), ("HTTP", 300, False)]
)
def test_jwt_result_cache_edges(issuer, clock, kind, ttl, cached):
    authorizer = JwtAuthorizer(issuer, ttl=ttl)
    clock.advance(0.5)
    token = issuer.token(expires_in=1)  # exp is a whole second: 0.5 s from now
    make = rest_call if kind == "REST" else (lambda c, t: call(c, {"Authorization": t}))
    assert authorizer.authorize(make(clock, token)).allowed
    clock.advance(0.75)  # expired, but within a 1 s cache entry
    assert authorizer.authorize(make(clock, token)).allowed is cached
    other = issuer.token(sub="intruder", iss="https://evil.example.com")
    assert not authorizer.authorize(make(clock, other)).allowed  # cached per token, never shared


# -- Lambda authorizer answers AWS refuses, with their reasons ---------------------------------------------

_POLICY = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (
            {"principalId": "u", "policyDocument": _POLICY, "x": {1, 2}},
            "the authorizer's answer is not JSON: ",
        ),
        (["u"], "the authorizer answered list, not a JSON object"),
        (
            {"principalId": "u", "policyDocument": _POLICY, "context": [1]},
            "the authorizer's context must be a JSON object",
        ),
        (
            {"principalId": "u", "policyDocument": _POLICY, "context": {"k": [1]}},
            "the authorizer's context value 'k' is a list: only strings, numbers and booleans are allowed",
        ),
        ({"policyDocument": _POLICY}, "the authorizer's answer has no principalId"),
        ({"principalId": "u", "policyDocument": "x"}, "policyDocument must be a JSON object"),
        (
            {"principalId": "u", "policyDocument": _POLICY, "usageIdentifierKey": 3},
            "usageIdentifierKey must be a string",
        ),
    ],
)
def test_lambda_malformed_answers_name_the_problem(answer, reason):
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    decision = LambdaAuthorizer(lambda event, context: answer, ttl=0).authorize(lambda_call(VirtualClock()))
    assert decision.response_type == "AUTHORIZER_CONFIGURATION_ERROR"
    assert decision.reason.startswith(reason)
    if not reason.endswith(": "):
        assert decision.reason == reason


def test_lambda_simple_response_needs_a_boolean():
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    authorizer = LambdaAuthorizer(
        lambda event, context: {"isAuthorized": "yes"},
        type="REQUEST",
        identity_source="Authorization",
        ttl=0,
        payload_format="2.0",
        simple_responses=True,
    )
    decision = authorizer.authorize(lambda_call(VirtualClock(), "HTTP"))
    assert decision.reason == 'a simple response needs "isAuthorized": true or false'


# -- Lambda authorizer events, whole ------------------------------------------------------------------

EVENTS = (
    Path(__file__).parent / "authorizer_events.json"
)  # the three events below, as this version sends them


def _event_call(kind, stage):
    raw_path = "/orders/1?q=1" if stage == "$default" else f"/{stage}/orders/1?q=1&q=2&r=x"
    request = GatewayRequest(
        "GET",
        "/orders/1",
        headers=Headers(
            [
                ("Authorization", "tok"),
                ("x-api-key", "K1"),
                ("User-Agent", "agent/1"),
                ("Cookie", "a=1; b=2"),
                ("X-Multi", "1"),
                ("X-Multi", "2"),
            ]
        ),
        query=[("q", "1"), ("q", "2"), ("r", "x")],
        raw_path=raw_path,
        raw_query_string="q=1&q=2&r=x",
        source_ip="203.0.113.9",
    )
    return AuthorizationCall(
        request=request,
        api_kind=kind,
        api_id="abc123",
        api_name="orders",
        stage=stage,
        stage_variables={"v": "1"},
        route_key="GET /orders/{id}",
        resource_path="/orders/{id}",
        path_parameters={"id": "1"},
        method_arn=ARN,
        request_id="req-1",
        clock=VirtualClock(),
        account_id="111122223333",
    )


@pytest.mark.parametrize(
    ("kind", "payload_format", "stage"),
    [("REST", "1.0", "prod"), ("HTTP", "1.0", "prod"), ("HTTP", "2.0", "$default")],
)
def test_lambda_authorizer_events_whole(kind, payload_format, stage):
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    seen = []

    def fn(event, context):
        seen.append(event)
        if payload_format == "2.0":
            return {"isAuthorized": True}
        return {"principalId": "u", "policyDocument": _POLICY}

    source = "$request.header.Authorization" if kind == "HTTP" else "method.request.header.Authorization"
    authorizer = LambdaAuthorizer(
        fn,
        type="REQUEST",
        identity_source=source,
        ttl=0,
        payload_format=payload_format,
        simple_responses=payload_format == "2.0",
    )
    assert authorizer.authorize(_event_call(kind, stage)).allowed
    expected = json.loads(EVENTS.read_text())[f"{kind} {payload_format}"]
    assert seen == [expected]


# -- constructor checks and defaults -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ttl": "5"}, "LambdaAuthorizer(ttl=...) takes 0 to 3600 seconds, got '5'"),
        ({"ttl": True}, "LambdaAuthorizer(ttl=...) takes 0 to 3600 seconds, got True"),
        ({"ttl": 3601}, "LambdaAuthorizer(ttl=...) takes 0 to 3600 seconds, got 3601"),
        (
            {"simple_responses": True},
            'LambdaAuthorizer(simple_responses=True) needs payload_format="2.0" (HTTP APIs only)',
        ),
        (
            {"type": "REQUEST", "validation_regex": ".+"},
            "LambdaAuthorizer(validation_regex=...) applies to TOKEN authorizers only",
        ),
        (
            {"type": "REQUEST", "identity_source": "", "ttl": 1},
            "LambdaAuthorizer: caching (ttl > 0) needs at least one identity source; pass ttl=0 to call the "
            "function on every request",
        ),
    ],
)
def test_lambda_authorizer_usage_errors(kwargs, message):
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    with pytest.raises(UsageError) as info:
        LambdaAuthorizer(_allow, **kwargs)
    assert str(info.value) == message


def test_lambda_authorizer_defaults_and_bounds():
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    assert LambdaAuthorizer(_allow, ttl=3600).ttl == 3600
    assert LambdaAuthorizer(_allow).name == "_allow"
    assert LambdaAuthorizer(_allow, name="gate").name == "gate"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ttl": "5"}, "JwtAuthorizer(ttl=...) takes 0 to 3600 seconds, got '5'"),
        ({"ttl": 3601}, "JwtAuthorizer(ttl=...) takes 0 to 3600 seconds, got 3601"),
        ({"identity_source": "$request.header."}, "JwtAuthorizer(identity_source='$request.header.')"),
        (
            {"identity_source": "method.request.header."},
            "JwtAuthorizer(identity_source='method.request.header.')",
        ),
    ],
)
def test_jwt_authorizer_usage_errors(issuer, kwargs, message):
    with pytest.raises(UsageError) as info:
        JwtAuthorizer(issuer, **kwargs)
    assert str(info.value).startswith(message)


def test_jwt_authorizer_defaults(issuer, clock):
    assert JwtAuthorizer(issuer, ttl=3600).ttl == 3600
    assert JwtAuthorizer(issuer).ttl == 0
    fresh = TokenIssuer(clock=clock)
    assert fresh.audience == "client-id"
    assert fresh.clock is clock
    assert len(fresh.kid) == 27  # 20 bytes of SHA-256, base64url without padding
    token = fresh.token()
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert payload["exp"] - payload["iat"] == 3600
    header = base64.urlsafe_b64decode(token.split(".")[0] + "==").decode()
    assert header == f'{{"alg":"RS256","typ":"JWT","kid":"{fresh.kid}"}}'  # compact JSON, as Cognito's


def test_jwks_loading_skips_unusable_keys_and_reads_the_rest(issuer, clock):
    (key,) = issuer.jwks["keys"]
    jwks = {"keys": ["not-a-key", {"kty": "EC", "kid": "ec-1", "crv": "P-256"}, {**key, "kid": None}, key]}
    authorizer = JwtAuthorizer(issuer.issuer, jwks=jwks, audience="client-id")
    assert authorizer.authorize(call(clock, {"Authorization": issuer.token()})).allowed
    with pytest.raises(UsageError) as info:
        JwtAuthorizer(issuer.issuer, jwks={"keys": [{"kty": "EC", "kid": "ec-1"}]})
    assert (
        str(info.value) == "JwtAuthorizer(jwks=...) holds no RSA key with a kid; API Gateway could use none"
    )
    with pytest.raises(UsageError) as info:
        JwtAuthorizer(issuer.issuer, jwks=["keys"])
    assert str(info.value) == (
        'JwtAuthorizer(jwks=...) takes a JSON Web Key Set: {"keys": [{"kty": "RSA", ...}]}'
    )


def test_rest_jwt_refusal_reasons(issuer, clock):
    expired = JwtAuthorizer(issuer).authorize(rest_call(clock, issuer.token(exp=0)))
    assert (expired.response_type, expired.reason) == ("UNAUTHORIZED", "the token has expired")
    scoped = AuthorizationCall(**{**rest_call(clock, "x").__dict__, "scopes": ("orders/write",)})
    token = issuer.token(token_use="access", scopes=["orders/read"])
    scoped = AuthorizationCall(
        **{
            name: getattr(scoped, name)
            for name in AuthorizationCall.__dataclass_fields__
            if name != "request"
        },
        request=GatewayRequest("GET", "/orders/1", headers=Headers({"Authorization": token})),
    )
    refused = JwtAuthorizer(issuer).authorize(scoped)
    assert (refused.response_type, refused.reason) == ("UNAUTHORIZED", "expected scopes: [orders/write]")
    http = AuthorizationCall(**{**scoped.__dict__, "api_kind": "HTTP"})
    forbidden = JwtAuthorizer(issuer).authorize(http)
    assert (forbidden.response_type, forbidden.reason) == ("FORBIDDEN", "expected scopes: [orders/write]")


# -- the wildcard matcher's flags ---------------------------------------------------------------------


def test_glob_flags_reach_every_piece():
    assert compile_glob("*EXEC*API*", ignore_case=True).match("x-execute-api-y")
    assert not compile_glob("*EXEC*API*").match("x-execute-api-y")
    assert compile_glob("a*?*b", any_char="?").match("a\nb")  # "?" and "*" match newlines too
    assert compile_glob("*a?b*", any_char="?").match("xa\nby")


# -- Lambda authorizer denials keep their reason and the function's answer ---------------------------------


def test_lambda_denials_keep_reason_principal_and_context():
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    clock = VirtualClock()
    simple = LambdaAuthorizer(
        lambda event, context: {"isAuthorized": False, "context": {"who": "u"}},
        type="REQUEST",
        identity_source="Authorization",
        ttl=0,
        payload_format="2.0",
        simple_responses=True,
    ).authorize(lambda_call(clock, "HTTP"))
    assert (simple.response_type, simple.reason, dict(simple.context)) == (
        "FORBIDDEN",
        "isAuthorized is false",
        {"who": "u"},
    )
    deny = {
        "principalId": "p-1",
        "context": {"who": "u"},
        "policyDocument": {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]},
    }
    for kind, response_type in (("HTTP", "FORBIDDEN"), ("REST", "ACCESS_DENIED")):
        decision = LambdaAuthorizer(
            lambda event, context: deny, type="REQUEST", identity_source="Authorization", ttl=0
        ).authorize(lambda_call(clock, kind))
        assert (decision.response_type, decision.principal_id, dict(decision.context)) == (
            response_type,
            "p-1",
            {"who": "u"},
        )
        assert decision.reason == (
            f"User is not authorized to access this resource with an explicit deny ({ARN})"
        )
