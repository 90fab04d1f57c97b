"""JWT authorizers and TokenIssuer at their edges (found by mutation testing, ``mutmut run``): a
TokenIssuer with its defaults, refusal reasons, result caches, constructor checks and defaults,
JWKS loading."""

from __future__ import annotations

import base64
import json
from functools import partial

import pytest

from pytest_serverless.errors import UsageError
from pytest_serverless.gateway.authorizers import (
    AuthorizationCall,
    JwtAuthorizer,
    TokenIssuer,
)
from pytest_serverless.gateway.request import GatewayRequest, Headers
from tests.helpers import authorization_call

ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/orders/1"

make_call = partial(authorization_call, kind="HTTP")


# -- JWT -------------------------------------------------------------------------------------------


@pytest.fixture
def issuer(clock):
    return TokenIssuer(clock=clock)


def test_jwt_principal_is_none_without_sub(issuer, clock):
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, {"Authorization": issuer.token(sub=None)}))
    assert decision.allowed
    assert decision.principal_id is None
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, {"Authorization": issuer.token(sub="u-9")}))
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
    missing = JwtAuthorizer(issuer).authorize(make_call(clock, {}))
    assert (missing.reason, missing.headers) == ("missing identity source", {"www-authenticate": "Bearer"})
    regex = JwtAuthorizer(issuer, validation_regex="Bearer .+").authorize(
        make_call(clock, {"Authorization": issuer.token()})
    )
    assert regex.reason == "the token does not match the validation expression"
    assert regex.headers["www-authenticate"].endswith('error_description="the token is malformed"')


def rest_call(clock, token):
    return authorization_call(clock, {"Authorization": token})


@pytest.mark.parametrize(
    ("kind", "ttl", "cached"), [("REST", 0, False), ("REST", 1, True), ("HTTP", 300, False)]
)
def test_jwt_result_cache_edges(issuer, clock, kind, ttl, cached):
    authorizer = JwtAuthorizer(issuer, ttl=ttl)
    clock.advance(0.5)
    token = issuer.token(expires_in=1)  # exp is a whole second: 0.5 s from now
    make = rest_call if kind == "REST" else (lambda c, t: make_call(c, {"Authorization": t}))
    assert authorizer.authorize(make(clock, token)).allowed
    clock.advance(0.75)  # expired, but within a 1 s cache entry
    assert authorizer.authorize(make(clock, token)).allowed is cached
    other = issuer.token(sub="intruder", iss="https://evil.example.com")
    assert not authorizer.authorize(make(clock, other)).allowed  # cached per token, never shared


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
    assert authorizer.authorize(make_call(clock, {"Authorization": issuer.token()})).allowed
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
