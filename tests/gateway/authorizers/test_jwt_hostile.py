"""Hostile JWTs: refused with 401 invalid_token, never a 500, never accepted; the edges of each check."""

from __future__ import annotations

import base64
import json
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless import Gateway, JwtAuthorizer, TokenIssuer
from pytest_serverless.errors import UsageError
from tests.helpers import ISSUER_URL, authorization_call, b64url

make_call = partial(authorization_call, kind="HTTP")


def refusal(authorizer, clock, token, **call):
    decision = authorizer.authorize(make_call(clock, {"Authorization": f"Bearer {token}"}, **call))
    assert decision.response_type == "UNAUTHORIZED", decision
    return decision.headers["www-authenticate"].split('error_description="')[1].rstrip('"')


# -- hostile encodings ----------------------------------------------------------------------------------


@pytest.mark.parametrize("part", ["header", "payload"])
@pytest.mark.parametrize("depth", [129, 900, 5000])
def test_jwt_deeply_nested_json_is_401_malformed_not_500(issuer, clock, part, depth):
    nested = b64url(b"[" * depth + b"]" * depth)
    good_header, good_payload, signature = issuer.token().split(".")
    token = (
        f"{nested}.{good_payload}.{signature}" if part == "header" else f"{good_header}.{nested}.{signature}"
    )
    assert refusal(JwtAuthorizer(issuer), clock, token) == "the token is malformed"


def test_jwt_deeply_nested_claim_is_refused_even_when_signed(issuer, clock):
    deep: object = "x"
    for _ in range(200):
        deep = {"a": deep}
    assert refusal(JwtAuthorizer(issuer), clock, issuer.token(custom=deep)) == "the token is malformed"
    shallow: object = "x"
    for _ in range(20):
        shallow = {"a": shallow}
    assert (
        JwtAuthorizer(issuer)
        .authorize(make_call(clock, {"Authorization": f"Bearer {issuer.token(custom=shallow)}"}))
        .allowed
    )


@pytest.mark.parametrize(
    ("claim", "literal", "description"),
    [
        ("exp", "NaN", "the token is malformed"),
        ("exp", "Infinity", "the token is malformed"),
        ("nbf", "-Infinity", "the token is malformed"),
        ("exp", "1e400", "the token does not have a valid expiration"),
        ("nbf", "-1e400", "the token is not valid yet"),
        ("iat", "-1e400", "the token was issued in the future"),
    ],
)
def test_jwt_non_finite_dates_never_validate(issuer, clock, claim, literal, description):
    claims = issuer.claims()
    claims[claim] = "@@"
    payload = json.dumps(claims).replace('"@@"', literal)
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": issuer.kid}).encode())
    signing_input = f"{header}.{b64url(payload.encode())}"
    token = _rs256(issuer, signing_input)
    assert refusal(JwtAuthorizer(issuer), clock, token) == description


def _rs256(issuer, signing_input: str) -> str:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signature = issuer._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-8-sig"])
def test_jwt_claims_not_in_utf8_are_malformed(issuer, clock, encoding):
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": issuer.kid}).encode())
    payload = b64url(json.dumps(issuer.claims()).encode(encoding))
    token = _rs256(issuer, f"{header}.{payload}")
    assert refusal(JwtAuthorizer(issuer), clock, token) == "the token is malformed"


# -- where the token comes from ---------------------------------------------------------------------------


def test_jwt_token_from_a_query_string(issuer, clock):
    authorizer = JwtAuthorizer(issuer, identity_source="$request.querystring.token")
    assert authorizer.authorize(make_call(clock, query=[("token", issuer.token())])).allowed
    missing = authorizer.authorize(make_call(clock, {"Authorization": f"Bearer {issuer.token()}"}))
    assert missing.response_type == "UNAUTHORIZED"
    assert missing.headers == {"www-authenticate": "Bearer"}
    twice = authorizer.authorize(make_call(clock, query=[("token", issuer.token())] * 2))
    assert twice.headers["www-authenticate"].endswith(
        'error_description="token contains an invalid number of segments"'
    )


def test_jwt_query_string_token_end_to_end():
    gateway = Gateway()
    api = gateway.http_api("orders")
    issuer = gateway.token_issuer()
    api.authorizer("users", JwtAuthorizer(issuer, identity_source="$request.querystring.access_token"))
    api.route("GET /orders", lambda event, context: {"statusCode": 200, "body": "ok"}, authorizer="users")
    client = api.deploy("$default").client()
    assert client.get("/orders", params={"access_token": issuer.token()}).status_code == 200
    assert client.get("/orders").status_code == 401


@pytest.mark.parametrize(
    "source", ["$request.querystring.", "$request.path.token", "method.request.querystring.t", ""]
)
def test_jwt_unreadable_identity_sources_are_usage_errors(issuer, source):
    with pytest.raises(UsageError, match="a JWT authorizer reads its token from a header"):
        JwtAuthorizer(issuer, identity_source=source)


# -- the edges of each check (mutation testing found them untested) --------------------------------------


def test_jwt_nbf_with_leeway_edges(issuer, clock):
    now = int(clock.time())
    authorizer = JwtAuthorizer(issuer, leeway=60)
    for nbf, allowed in ((now + 59, True), (now + 60, True), (now + 61, False)):
        decision = authorizer.authorize(make_call(clock, {"Authorization": issuer.token(nbf=nbf)}))
        assert decision.allowed is allowed, nbf
    assert (
        not JwtAuthorizer(issuer)
        .authorize(make_call(clock, {"Authorization": issuer.token(nbf=now + 1)}))
        .allowed
    )
    assert JwtAuthorizer(issuer).authorize(make_call(clock, {"Authorization": issuer.token(nbf=now)})).allowed
    assert refusal(authorizer, clock, issuer.token(nbf="soon")) == "the token is not valid yet"


def test_jwt_iat_with_leeway_edges(issuer, clock):
    now = int(clock.time())
    authorizer = JwtAuthorizer(issuer, leeway=60)
    for iat, allowed in ((now + 59, True), (now + 60, True), (now + 61, False)):
        decision = authorizer.authorize(make_call(clock, {"Authorization": issuer.token(iat=iat)}))
        assert decision.allowed is allowed, iat
    assert (
        not JwtAuthorizer(issuer)
        .authorize(make_call(clock, {"Authorization": issuer.token(iat=now + 1)}))
        .allowed
    )
    assert JwtAuthorizer(issuer).authorize(make_call(clock, {"Authorization": issuer.token(iat=now)})).allowed
    assert refusal(authorizer, clock, issuer.token(iat=True)) == "the token was issued in the future"


def test_jwt_exp_with_leeway_edges(issuer, clock):
    now = int(clock.time())
    authorizer = JwtAuthorizer(issuer, leeway=60)
    for exp, allowed in ((now - 59, True), (now - 60, False), (now - 61, False)):
        decision = authorizer.authorize(make_call(clock, {"Authorization": issuer.token(exp=exp)}))
        assert decision.allowed is allowed, exp
    assert refusal(JwtAuthorizer(issuer), clock, issuer.token(exp=now)) == "the token has expired"
    assert (
        JwtAuthorizer(issuer)
        .authorize(make_call(clock, {"Authorization": issuer.token(exp=now + 1)}))
        .allowed
    )


@pytest.mark.parametrize("algorithm", ["none", "HS256"])
@pytest.mark.parametrize("kid", ["known", "absent"])
def test_jwt_none_and_hmac_are_refused_for_their_algorithm_before_the_key(issuer, clock, algorithm, kid):
    headers = {} if kid == "known" else {"kid": None}
    claims = issuer.claims()
    token = issuer.sign(claims, headers=headers, algorithm=algorithm)
    if kid == "absent":  # drop the kid from the header altogether
        header, payload, signature = token.split(".")
        decoded = json.loads(base64.urlsafe_b64decode(header + "=="))
        del decoded["kid"]
        token = f"{b64url(json.dumps(decoded).encode())}.{payload}.{signature}"
    assert (
        refusal(JwtAuthorizer(issuer), clock, token) == "the token is not signed with a supported algorithm"
    )


def test_jwt_jwks_key_without_alg_verifies_rs256_only(issuer, clock):
    (key,) = issuer.jwks["keys"]
    bare = {name: value for name, value in key.items() if name != "alg"}
    authorizer = JwtAuthorizer(ISSUER_URL, jwks={"keys": [bare]}, audience="client-id")
    assert authorizer.authorize(make_call(clock, {"Authorization": issuer.token()})).allowed
    rs384 = issuer.sign(issuer.claims(), algorithm="RS384")
    assert refusal(authorizer, clock, rs384) == "the token is not signed with a supported algorithm"


def test_jwt_jwks_key_with_alg_rs384_verifies_rs384(issuer, clock):
    (key,) = issuer.jwks["keys"]
    authorizer = JwtAuthorizer(ISSUER_URL, jwks={"keys": [{**key, "alg": "RS384"}]}, audience="client-id")
    assert authorizer.authorize(
        make_call(clock, {"Authorization": issuer.sign(issuer.claims(), algorithm="RS384")})
    ).allowed
    assert refusal(authorizer, clock, issuer.token()) == "the token is not signed with a supported algorithm"


# -- generated hostile tokens ----------------------------------------------------------------------------

_SEGMENT = st.one_of(
    st.text("ABCDEFabcdef0123456789-_=+/.%", max_size=40),
    st.binary(max_size=60).map(b64url),
    st.recursive(
        st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
        max_leaves=10,
    ).map(lambda value: b64url(json.dumps(value).encode())),
    st.integers(100, 3000).map(lambda depth: b64url(b'{"a":' * depth + b"1" + b"}" * depth)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_SEGMENT, min_size=1, max_size=4), st.sampled_from(["REST", "HTTP"]))
def test_generated_hostile_tokens_are_refused_with_an_aws_answer(issuer, clock, segments, kind):
    token = ".".join(segments)
    decision = JwtAuthorizer(issuer).authorize(
        make_call(clock, {"Authorization": f"Bearer {token}"}, kind=kind)
    )
    assert decision.response_type == "UNAUTHORIZED"
    if kind == "HTTP":
        assert decision.headers["www-authenticate"].startswith("Bearer")
        assert len(decision.headers["www-authenticate"]) < 256  # never echoes the token back


# section: The hostile-token catalogue, end to end through REST and HTTP API stages.


ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_hostile"


def tamper_payload(issuer: TokenIssuer) -> str:
    header, _, signature = issuer.token().split(".")
    payload = b64url(json.dumps(issuer.claims(sub="admin-user")).encode())
    return f"{header}.{payload}.{signature}"


def tamper_signature(issuer: TokenIssuer) -> str:
    token = issuer.token()
    head, _, signature = token.rpartition(".")
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    return f"{head}.{signature[:middle]}{flipped}{signature[middle + 1 :]}"


def other_pool_same_kid(issuer: TokenIssuer) -> str:
    other = TokenIssuer(issuer=ISSUER + "-other", audience="client-id", clock=issuer.clock)
    return other.sign(issuer.claims(), headers={"kid": issuer.kid})


HOSTILE_THROUGH_STAGES = {
    "alg-none": lambda i: i.sign(i.claims(), algorithm="none"),
    "hs256-signed-with-the-public-key": lambda i: i.sign(i.claims(), algorithm="HS256"),
    "expired": lambda i: i.token(expires_in=-1),
    "not-yet-valid": lambda i: i.token(nbf=int(i.clock.time()) + 600),
    "issued-in-the-future": lambda i: i.token(iat=int(i.clock.time()) + 600),
    "wrong-issuer": lambda i: i.token(iss="https://evil.example.com"),
    "wrong-audience": lambda i: i.token(aud="someone-else"),
    "unknown-kid": lambda i: i.token(headers={"kid": "unknown"}),
    "tampered-payload": tamper_payload,
    "tampered-signature": tamper_signature,
    "other-pool-key-with-our-kid": other_pool_same_kid,
    "truncated": lambda i: i.token()[:-20],
    "two-segments": lambda i: i.token().rpartition(".")[0],
    "not-a-jwt": lambda i: "definitely-not-a-jwt",
    "empty-segments": lambda i: "..",
}


def stage_for(kind, **authorizer_options):
    seen = []
    gateway = Gateway()
    issuer = gateway.token_issuer(issuer=ISSUER, audience="client-id")
    api = gateway.rest_api("t") if kind == "REST" else gateway.http_api("t")
    api.authorizer("users", JwtAuthorizer(issuer, **authorizer_options))
    api.route("GET /me", lambda e, c: seen.append(e) or {"statusCode": 200, "body": "in"}, authorizer="users")
    api.route(
        "GET /orders",
        lambda e, c: seen.append(e) or {"statusCode": 200, "body": "in"},
        authorizer="users",
        scopes=["orders/read"],
    )
    return api.deploy("prod").client(), issuer, seen


@pytest.mark.parametrize("case", sorted(HOSTILE_THROUGH_STAGES))
@pytest.mark.parametrize("kind", ["REST", "HTTP"])
def test_hostile_token_is_refused_through_the_gateway(kind, case):
    client, issuer, seen = stage_for(kind)
    response = client.get("/me", headers={"Authorization": f"Bearer {HOSTILE_THROUGH_STAGES[case](issuer)}"})
    assert (response.status_code, response.text) == (401, '{"message":"Unauthorized"}')
    assert response.answered_by == "authorizer"
    assert seen == []
    if kind == "HTTP":
        assert response.headers["www-authenticate"].startswith('Bearer scope="" error="invalid_token"')
    else:
        assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException"


def test_rest_cognito_access_token_where_an_id_token_is_required():
    client, issuer, seen = stage_for("REST")
    access = issuer.token(token_use="access")
    assert client.get("/me", headers={"Authorization": access}).status_code == 401
    assert client.get("/me", headers={"Authorization": issuer.token()}).status_code == 200


def test_rest_cognito_id_token_where_an_access_token_is_required():
    client, issuer, seen = stage_for("REST")
    assert client.get("/orders", headers={"Authorization": issuer.token()}).status_code == 401
    access = issuer.token(token_use="access", scopes=["orders/read"])
    assert client.get("/orders", headers={"Authorization": access}).status_code == 200


@pytest.mark.parametrize(("required", "given"), [("id", "access"), ("access", "id")])
def test_http_token_use_mismatch_is_refused(required, given):
    client, issuer, seen = stage_for("HTTP", token_use=required)
    response = client.get("/me", headers={"Authorization": f"Bearer {issuer.token(token_use=given)}"})
    assert (response.status_code, response.text) == (401, '{"message":"Unauthorized"}')
    assert seen == []


def test_http_id_token_on_a_scoped_route_is_403_insufficient_scope():
    client, issuer, seen = stage_for("HTTP")
    response = client.get("/orders", headers={"Authorization": f"Bearer {issuer.token()}"})
    assert (response.status_code, response.text) == (403, '{"message":"Forbidden"}')
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
