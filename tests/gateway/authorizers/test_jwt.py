"""JWT / Cognito user pool authorizers, through the AuthorizationCall -> AuthDecision contract."""

from __future__ import annotations

import base64
import json
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless import Gateway
from pytest_serverless.errors import UsageError
from pytest_serverless.gateway.authorizers import JwtAuthorizer, TokenIssuer
from tests.helpers import ISSUER_URL, authorization_call, b64url

make_call = partial(authorization_call, kind="HTTP")

OTHER_URL = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def challenge(description, scope=""):
    return f'Bearer scope="{scope}" error="invalid_token" error_description="{description}"'


# -- TokenIssuer ----------------------------------------------------------------------------------------


def test_issuer_id_token_claims_are_cognito_shaped(issuer, clock):
    claims = issuer.claims(groups=["admin"])
    assert claims["token_use"] == "id"
    assert claims["aud"] == "client-id"
    assert claims["cognito:groups"] == ["admin"]
    assert claims["cognito:username"] == "user-1"
    assert "scope" not in claims
    assert "client_id" not in claims
    assert claims["iat"] == claims["auth_time"] == int(clock.time())
    assert claims["exp"] == int(clock.time()) + 3600


def test_issuer_access_token_claims_carry_client_id_and_scope_not_aud(issuer):
    claims = issuer.claims(token_use="access", scopes=["orders/read", "orders/write"])
    assert claims["token_use"] == "access"
    assert claims["client_id"] == "client-id"
    assert claims["scope"] == "orders/read orders/write"
    assert "aud" not in claims


def test_issuer_extra_claims_override_and_none_removes(issuer):
    claims = issuer.claims(email="a@example.com", aud="other", exp=None)
    assert claims["email"] == "a@example.com"
    assert claims["aud"] == "other"
    assert "exp" not in claims


def test_issuer_jwks_publishes_the_rsa_public_key_with_a_stable_kid(issuer, clock):
    (key,) = issuer.jwks["keys"]
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert key["use"] == "sig"
    assert key["e"] == "AQAB"
    assert key["kid"] == issuer.kid == TokenIssuer(issuer=ISSUER_URL, clock=clock).kid
    assert "d" not in key


def test_issuer_key_is_generated_once_per_issuer_url(issuer, clock):
    again = TokenIssuer(issuer=ISSUER_URL, clock=clock)
    assert again.jwks == issuer.jwks
    assert TokenIssuer(issuer=OTHER_URL, clock=clock).jwks != issuer.jwks


def test_issuer_header_carries_kid_and_rs256(issuer):
    header = json.loads(base64.urlsafe_b64decode(issuer.token().split(".")[0] + "=="))
    assert header == {"alg": "RS256", "typ": "JWT", "kid": issuer.kid}


def test_issuer_rejects_unknown_token_use(issuer):
    with pytest.raises(UsageError, match='token_use must be "id" or "access", got \'refresh\''):
        issuer.token(token_use="refresh")


# -- accepted tokens ------------------------------------------------------------------------------------


def test_jwt_valid_id_token_is_allowed_with_claims(issuer, clock):
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, bearer(issuer.token(groups=["admin"]))))
    assert decision.allowed
    assert decision.principal_id == "user-1"
    assert decision.claims["cognito:groups"] == ["admin"]
    assert decision.scopes is None


def test_jwt_bare_token_without_bearer_prefix_is_accepted(issuer, clock):
    for kind in ("REST", "HTTP"):
        call = make_call(clock, {"Authorization": issuer.token()}, kind=kind)
        assert JwtAuthorizer(issuer).authorize(call).allowed


def test_jwt_identity_source_spellings_name_the_header(issuer, clock):
    headers = {"X-Token": issuer.token()}
    for source in ("X-Token", "$request.header.X-Token", "method.request.header.X-Token"):
        assert JwtAuthorizer(issuer, identity_source=source).authorize(make_call(clock, headers)).allowed


def test_jwt_http_route_scopes_grant_access_token(issuer, clock):
    token = issuer.token(token_use="access", scopes=["orders/read", "orders/write"])
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, bearer(token), scopes=["orders/write"]))
    assert decision.allowed
    assert decision.scopes == ("orders/read", "orders/write")


def test_jwt_scp_claim_list_counts_as_scopes(issuer, clock):
    token = issuer.token(token_use="access", scope=None, scp=["orders/read"])
    assert JwtAuthorizer(issuer).authorize(make_call(clock, bearer(token), scopes=["orders/read"])).allowed


def test_jwt_client_id_checked_only_when_aud_is_absent(issuer, clock):
    token = issuer.token(client_id="someone-else")  # id token: aud is right, client_id ignored
    assert JwtAuthorizer(issuer).authorize(make_call(clock, bearer(token))).allowed


def test_jwt_aud_list_matches_any_configured_audience(issuer, clock):
    token = issuer.token(aud=["other", "client-id"])
    assert JwtAuthorizer(issuer).authorize(make_call(clock, bearer(token))).allowed


def test_jwt_explicit_config_with_issuer_url_and_jwks(issuer, clock):
    authorizer = JwtAuthorizer(ISSUER_URL, audience=["x", "client-id"], jwks=issuer.jwks)
    assert authorizer.authorize(make_call(clock, bearer(issuer.token()))).allowed
    wrong = issuer.token(aud="y")
    assert not authorizer.authorize(make_call(clock, bearer(wrong))).allowed


def test_jwt_empty_audience_list_skips_the_audience_check(issuer, clock):
    authorizer = JwtAuthorizer(issuer, audience=[])
    assert authorizer.authorize(make_call(clock, bearer(issuer.token(aud="another-app-client")))).allowed


def test_jwt_rest_id_token_allowed_without_scopes(issuer, clock):
    assert JwtAuthorizer(issuer).authorize(make_call(clock, bearer(issuer.token()), kind="REST")).allowed


def test_issuer_grants_nothing_not_asked_for(issuer):
    for token_use in ("id", "access"):
        claims = issuer.claims(token_use=token_use)
        assert ("cognito:groups" in claims, "scope" in claims) == (False, False)


def test_jwt_rest_access_token_without_the_method_scope_is_unauthorized(issuer, clock):
    decision = JwtAuthorizer(issuer).authorize(
        make_call(clock, bearer(issuer.token(token_use="access")), kind="REST", scopes=["orders/read"])
    )
    assert not decision.allowed


def test_jwt_rest_access_token_with_method_scopes(issuer, clock):
    token = issuer.token(token_use="access", scopes=["orders/read"])
    decision = JwtAuthorizer(issuer).authorize(
        make_call(clock, bearer(token), kind="REST", scopes=["orders/read"])
    )
    assert decision.allowed
    assert decision.scopes == ("orders/read",)


def test_jwt_valid_until_the_second_before_exp(issuer, clock):
    token = issuer.token(expires_in=60)
    authorizer = JwtAuthorizer(issuer)
    clock.advance(59)
    assert authorizer.authorize(make_call(clock, bearer(token))).allowed
    clock.advance(1)
    decision = authorizer.authorize(make_call(clock, bearer(token)))
    assert decision.response_type == "UNAUTHORIZED"
    assert decision.headers == {"www-authenticate": challenge("the token has expired")}


def test_jwt_leeway_tolerates_clock_skew(issuer, clock):
    token = issuer.token(expires_in=60)
    clock.advance(90)
    assert not JwtAuthorizer(issuer).authorize(make_call(clock, bearer(token))).allowed
    assert JwtAuthorizer(issuer, leeway=60).authorize(make_call(clock, bearer(token))).allowed


def test_jwt_validation_regex_refuses_before_decoding(issuer, clock):
    authorizer = JwtAuthorizer(issuer, validation_regex=r"Bearer [A-Za-z0-9._-]+")
    assert authorizer.authorize(make_call(clock, bearer(issuer.token()))).allowed
    assert not authorizer.authorize(make_call(clock, {"Authorization": issuer.token()})).allowed


# -- refusals: decisions per API kind ----------------------------------------------------------------


def test_jwt_missing_header_rest_is_unauthorized(issuer, clock):
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, kind="REST"))
    assert decision.response_type == "UNAUTHORIZED"
    assert decision.headers == {}


def test_jwt_missing_header_http_is_401_with_bare_bearer_challenge(issuer, clock):
    decision = JwtAuthorizer(issuer).authorize(make_call(clock))
    assert decision.response_type == "UNAUTHORIZED"
    assert decision.headers == {"www-authenticate": "Bearer"}


def test_jwt_empty_header_is_treated_as_missing(issuer, clock):
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, {"Authorization": "  "}))
    assert decision.response_type == "UNAUTHORIZED"
    assert decision.headers == {"www-authenticate": "Bearer"}


def test_jwt_wrong_audience_http_carries_aws_description(issuer, clock):
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, bearer(issuer.token(aud="other"))))
    assert decision.response_type == "UNAUTHORIZED"
    assert decision.headers == {
        "www-authenticate": 'Bearer scope="" error="invalid_token" '
        'error_description="the token does not have a valid audience"'
    }


def test_jwt_invalid_token_challenge_names_route_scopes(issuer, clock):
    token = issuer.token(token_use="access", expires_in=10)
    clock.advance(10)
    decision = JwtAuthorizer(issuer).authorize(
        make_call(clock, bearer(token), scopes=["orders/read", "orders/write"])
    )
    assert decision.headers == {
        "www-authenticate": challenge("the token has expired", "orders/read orders/write")
    }


def test_jwt_http_insufficient_scope_is_403_forbidden(issuer, clock):
    token = issuer.token(token_use="access", scopes=["openid"])
    call = make_call(clock, bearer(token), scopes=["HelloAPI/hello.read", "HelloAPI/hello.write"])
    decision = JwtAuthorizer(issuer).authorize(call)
    assert decision.response_type == "FORBIDDEN"
    assert decision.headers == {
        "www-authenticate": 'Bearer scope="HelloAPI/hello.read HelloAPI/hello.write" '
        'error="insufficient_scope" '
        'error_description="expected scopes: [HelloAPI/hello.read HelloAPI/hello.write]"'
    }


def test_jwt_http_id_token_has_no_scopes_so_scoped_route_is_forbidden(issuer, clock):
    decision = JwtAuthorizer(issuer).authorize(
        make_call(clock, bearer(issuer.token()), scopes=["orders/read"])
    )
    assert decision.response_type == "FORBIDDEN"


def test_jwt_rest_missing_scope_is_unauthorized(issuer, clock):
    token = issuer.token(token_use="access", scopes=["openid"])
    decision = JwtAuthorizer(issuer).authorize(
        make_call(clock, bearer(token), kind="REST", scopes=["orders/read"])
    )
    assert decision.response_type == "UNAUTHORIZED"
    assert decision.headers == {}


# -- the hostile-token catalogue: every one refused ------------------------------------------------------


def _tamper_payload(issuer):
    header, _, signature = issuer.token().split(".")
    payload = b64url(json.dumps(issuer.claims(sub="admin", groups=["root"])).encode())
    return f"{header}.{payload}.{signature}"


def _tamper_signature(issuer):
    token = issuer.token()
    head, _, signature = token.rpartition(".")
    flipped = ("A" if signature[10] != "A" else "B").join([signature[:10], signature[11:]])
    return f"{head}.{flipped}"


def _other_key_same_kid(issuer, clock):
    other = TokenIssuer(issuer=OTHER_URL, clock=clock)
    return other.sign(issuer.claims(), headers={"kid": issuer.kid})


HOSTILE = {
    "alg-none": (
        lambda i, c: i.sign(i.claims(), algorithm="none"),
        "the token is not signed with a supported algorithm",
    ),
    "alg-none-unsigned-tail": (
        lambda i, c: i.sign(i.claims(), algorithm="none").rstrip("."),
        "token contains an invalid number of segments",
    ),
    "hs256-public-key-as-secret": (
        lambda i, c: i.sign(i.claims(), algorithm="HS256"),
        "the token is not signed with a supported algorithm",
    ),
    "rs384-with-rs256-key": (
        lambda i, c: i.sign(i.claims(), algorithm="RS384"),
        "the token is not signed with a supported algorithm",
    ),
    "expired": (lambda i, c: i.token(exp=int(c.time()) - 1), "the token has expired"),
    "no-expiry": (lambda i, c: i.token(exp=None), "the token does not have a valid expiration"),
    "exp-not-a-number": (lambda i, c: i.token(exp="tomorrow"), "the token does not have a valid expiration"),
    "not-yet-valid-nbf": (lambda i, c: i.token(nbf=int(c.time()) + 60), "the token is not valid yet"),
    "issued-in-the-future": (
        lambda i, c: i.token(iat=int(c.time()) + 60),
        "the token was issued in the future",
    ),
    "wrong-issuer": (
        lambda i, c: i.token(iss="https://evil.example.com"),
        "the token does not have a valid issuer",
    ),
    "wrong-audience": (lambda i, c: i.token(aud="other-client"), "the token does not have a valid audience"),
    "access-token-wrong-client-id": (
        lambda i, c: i.token(token_use="access", client_id="other-client"),
        "the token does not have a valid audience",
    ),
    "no-aud-no-client-id": (lambda i, c: i.token(aud=None), "the token does not have a valid audience"),
    "unknown-kid": (
        lambda i, c: i.token(headers={"kid": "not-a-known-kid"}),
        "the token does not have a valid key id",
    ),
    "no-kid": (lambda i, c: i.token(headers={"kid": None}), "the token does not have a valid key id"),
    "tampered-payload": (lambda i, c: _tamper_payload(i), "the token does not have a valid signature"),
    "tampered-signature": (lambda i, c: _tamper_signature(i), "the token does not have a valid signature"),
    "truncated-signature": (lambda i, c: i.token()[:-13], "the token is malformed"),  # 329 chars: not base64
    "signature-of-another-token": (
        lambda i, c: i.token().rpartition(".")[0] + "." + i.token(sub="x").rpartition(".")[2],
        "the token does not have a valid signature",
    ),
    "truncated-to-two-segments": (
        lambda i, c: i.token().rpartition(".")[0],
        "token contains an invalid number of segments",
    ),
    "not-a-jwt": (lambda i, c: "hello-world", "token contains an invalid number of segments"),
    "garbage-segments": (lambda i, c: "a.b.c", "the token is malformed"),
    "payload-not-json": (
        lambda i, c: f"{i.token().split('.')[0]}.{b64url(b'not json')}.sig",
        "the token is malformed",
    ),
    "other-issuer-key-with-right-kid": (_other_key_same_kid, "the token does not have a valid signature"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_jwt_hostile_token_refused_http(case, issuer, clock):
    build, description = HOSTILE[case]
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, bearer(build(issuer, clock))))
    assert decision.response_type == "UNAUTHORIZED"
    assert decision.headers == {"www-authenticate": challenge(description)}
    assert decision.claims is None


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_jwt_hostile_token_refused_rest(case, issuer, clock):
    build, _ = HOSTILE[case]
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, bearer(build(issuer, clock)), kind="REST"))
    assert decision.response_type == "UNAUTHORIZED"
    assert decision.headers == {}


def test_jwt_empty_token_after_bearer_refused(issuer, clock):
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, {"Authorization": "Bearer "}))
    assert decision.response_type == "UNAUTHORIZED"


def test_jwt_rest_access_token_where_id_token_required(issuer, clock):
    token = issuer.token(token_use="access")
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, bearer(token), kind="REST"))
    assert decision.response_type == "UNAUTHORIZED"
    assert decision.reason == "the token does not have a valid token_use"


def test_jwt_rest_id_token_where_access_token_required(issuer, clock):
    call = make_call(clock, bearer(issuer.token(scope="orders/read")), kind="REST", scopes=["orders/read"])
    decision = JwtAuthorizer(issuer).authorize(call)
    assert decision.response_type == "UNAUTHORIZED"
    assert decision.reason == "the token does not have a valid token_use"


def test_jwt_explicit_token_use_id_refuses_access_token_on_http(issuer, clock):
    decision = JwtAuthorizer(issuer, token_use="id").authorize(
        make_call(clock, bearer(issuer.token(token_use="access")))
    )
    assert decision.headers == {"www-authenticate": challenge("the token does not have a valid token_use")}


def test_jwt_explicit_token_use_access_refuses_id_token_on_http(issuer, clock):
    decision = JwtAuthorizer(issuer, token_use="access").authorize(make_call(clock, bearer(issuer.token())))
    assert decision.headers == {"www-authenticate": challenge("the token does not have a valid token_use")}


def test_jwt_http_ignores_token_use_by_default(issuer, clock):
    assert JwtAuthorizer(issuer).authorize(make_call(clock, bearer(issuer.token(token_use="access")))).allowed


def test_jwt_issuer_checked_before_audience_and_expiry(issuer, clock):
    token = issuer.token(iss="https://evil.example.com", aud="other", exp=1)
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, bearer(token)))
    assert decision.reason == "the token does not have a valid issuer"


def test_jwt_audience_checked_before_expiry(issuer, clock):
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, bearer(issuer.token(aud="other", exp=1))))
    assert decision.reason == "the token does not have a valid audience"


# -- property: nothing a client sends makes the authorizer raise or allow ------------------------------

_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SETTINGS
@given(text=st.text(max_size=300))
def test_jwt_random_strings_are_refused_without_exceptions(issuer, clock, text):
    for kind in ("REST", "HTTP"):
        try:
            call = make_call(clock, {"Authorization": text}, kind=kind)
        except ValueError:  # pragma: no cover - not a header a client could send
            return
        assert not JwtAuthorizer(issuer).authorize(call).allowed


@_SETTINGS
@given(data=st.data())
def test_jwt_byte_mangled_tokens_are_refused_without_exceptions(issuer, clock, data):
    fixed = {**issuer.claims(), "jti": "fixed", "origin_jti": "fixed", "event_id": "fixed"}
    original_token = issuer.sign(fixed)  # deterministic, so hypothesis can replay it
    token = bytearray(original_token.encode())
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        action = data.draw(st.sampled_from(["flip", "delete", "insert"]))
        index = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
        if action == "flip":
            original = token[index]
            token[index] = data.draw(
                st.integers(min_value=33, max_value=126).filter(lambda b, o=original: b != o)
            )
        elif action == "delete":
            del token[index]
        else:
            token.insert(index, data.draw(st.integers(min_value=33, max_value=126)))
    mangled = token.decode("ascii")
    if mangled == original_token:  # an insert undone by a delete
        return
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, bearer(mangled)))
    assert decision.response_type == "UNAUTHORIZED"


@_SETTINGS
@given(
    claims=st.dictionaries(
        st.sampled_from(["iss", "aud", "exp", "nbf", "iat", "client_id", "scope", "token_use"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(allow_nan=True),
            st.text(max_size=10),
            st.lists(st.text(max_size=5), max_size=3),
        ),
    )
)
def test_jwt_signed_tokens_with_odd_claim_types_never_raise(issuer, clock, claims):
    token = issuer.sign({**issuer.claims(), **claims})
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, bearer(token), scopes=["orders/read"]))
    assert decision.response_type in (None, "UNAUTHORIZED", "FORBIDDEN")


# -- configuration errors ------------------------------------------------------------------------------


def test_jwt_url_without_jwks_is_a_usage_error():
    with pytest.raises(UsageError) as info:
        JwtAuthorizer(ISSUER_URL)
    assert str(info.value) == (
        f"JwtAuthorizer({ISSUER_URL!r}) needs jwks={{'keys': [...]}} (the issuer's public keys), "
        "or pass a TokenIssuer instead of its URL"
    )


def test_jwt_jwks_without_rsa_keys_is_a_usage_error():
    with pytest.raises(UsageError, match="holds no RSA key with a kid"):
        JwtAuthorizer(ISSUER_URL, jwks={"keys": [{"kty": "oct", "k": "c2VjcmV0"}]})


def test_jwt_identity_source_must_be_a_header_or_query_string(issuer):
    with pytest.raises(UsageError, match="reads its token from a header"):
        JwtAuthorizer(issuer, identity_source="$context.token")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"issuer": ""}, "TokenIssuer(issuer=...) takes the issuer URL as a string, got ''"),
        ({"audience": 3}, "TokenIssuer(audience=...) takes the app client id as a string, got 3"),
    ],
)
def test_issuer_bad_arguments_are_usage_errors(kwargs, message):
    with pytest.raises(UsageError) as info:
        TokenIssuer(**kwargs)
    assert str(info.value) == message


def test_issuer_sign_unknown_algorithm_is_a_usage_error(issuer):
    with pytest.raises(UsageError, match="supports RS256/RS384/RS512/none/HS256, not 'ES256'"):
        issuer.sign({}, algorithm="ES256")


def test_issuer_without_groups_omits_the_claim_and_reprs(issuer):
    assert "cognito:groups" not in issuer.claims(groups=[])
    assert repr(issuer) == f"TokenIssuer(issuer={ISSUER_URL!r}, audience='client-id', kid={issuer.kid!r})"
    assert (
        repr(JwtAuthorizer(issuer, audience="a")) == f"JwtAuthorizer(issuer={ISSUER_URL!r}, audience=['a'])"
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((42,), {}, "JwtAuthorizer takes a TokenIssuer or an issuer URL, got 42"),
        ((ISSUER_URL,), {"jwks": {"keys": "x"}}, 'takes a JSON Web Key Set: {"keys": [{"kty": "RSA", ...}]}'),
        (
            (ISSUER_URL,),
            {"jwks": {"keys": [{"kty": "RSA", "kid": "k", "n": "!", "e": "AQAB"}]}},
            "key 0 ('k') is invalid",
        ),
    ],
)
def test_jwt_bad_configuration_is_a_usage_error(args, kwargs, message):
    with pytest.raises(UsageError) as info:
        JwtAuthorizer(*args, **kwargs)
    assert message in str(info.value)


def test_jwt_bad_token_use_and_leeway_are_usage_errors(issuer):
    with pytest.raises(UsageError, match='must be None, "id" or "access", got \'refresh\''):
        JwtAuthorizer(issuer, token_use="refresh")
    with pytest.raises(UsageError, match="takes a number of seconds >= 0, got -1"):
        JwtAuthorizer(issuer, leeway=-1)


def test_jwt_header_not_an_object_is_malformed(issuer, clock):
    token = f"{b64url(b'[1]')}.{b64url(b'{}')}.{b64url(b'sig')}"
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, bearer(token)))
    assert decision.headers == {"www-authenticate": challenge("the token is malformed")}


def test_jwt_iat_not_a_number_is_refused(issuer, clock):
    decision = JwtAuthorizer(issuer).authorize(make_call(clock, bearer(issuer.token(iat="now"))))
    assert decision.reason == "the token was issued in the future"


def test_jwt_token_without_iat_is_accepted(issuer, clock):
    assert JwtAuthorizer(issuer).authorize(make_call(clock, bearer(issuer.token(iat=None)))).allowed


def test_jwt_rest_result_cache_keeps_an_expired_token_working_until_ttl(issuer, clock):
    authorizer = JwtAuthorizer(issuer, ttl=300)
    token = issuer.token(expires_in=60)
    assert authorizer.authorize(make_call(clock, bearer(token), kind="REST")).cached is False
    clock.advance(120)  # expired, but the validated result is cached
    decision = authorizer.authorize(make_call(clock, bearer(token), kind="REST"))
    assert decision.allowed
    assert decision.cached is True
    assert not authorizer.authorize(make_call(clock, bearer(token), kind="HTTP")).allowed  # HTTP never caches
    clock.advance(180)
    assert authorizer.authorize(make_call(clock, bearer(token), kind="REST")).response_type == "UNAUTHORIZED"


def test_jwt_rest_cached_token_still_checked_against_method_scopes(issuer, clock):
    authorizer = JwtAuthorizer(issuer, ttl=300)
    token = issuer.token()
    assert authorizer.authorize(make_call(clock, bearer(token), kind="REST")).allowed
    scoped = authorizer.authorize(make_call(clock, bearer(token), kind="REST", scopes=["orders/read"]))
    assert scoped.reason == "the token does not have a valid token_use"


def test_jwt_ttl_out_of_range_is_a_usage_error(issuer):
    with pytest.raises(UsageError, match=r"JwtAuthorizer\(ttl=...\) takes 0 to 3600 seconds, got 7200"):
        JwtAuthorizer(issuer, ttl=7200)


# section: tests/gateway/authorizers/test_jwt_token_issuer.py


def test_gateway_token_issuer_has_token_issuers_defaults_and_the_gateways_clock():
    from pytest_serverless import JwtAuthorizer

    gateway = Gateway()
    issuer = gateway.token_issuer()
    assert issuer.issuer == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test"
    api = gateway.http_api("a")
    api.authorizer("users", JwtAuthorizer(issuer))
    api.route(
        "GET /me",
        lambda event, context: {"sub": event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"]},
        authorizer="users",
    )
    client = api.deploy("$default").client()
    token = issuer.token(sub="u-9", expires_in=60)
    assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).json() == {"sub": "u-9"}
    gateway.clock.advance(61)
    assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
