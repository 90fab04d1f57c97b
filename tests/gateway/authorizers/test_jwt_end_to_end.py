"""Audit (issue 3): the hostile-token catalogue, end to end through REST and HTTP API stages.

Every hostile token is refused with AWS's answer (401 ``Unauthorized``; on HTTP APIs with the
``www-authenticate`` challenge) and never reaches the handler.
"""

from __future__ import annotations

import base64
import json

import pytest

from pytest_serverless import Gateway, JwtAuthorizer, TokenIssuer

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_hostile"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def tamper_payload(issuer: TokenIssuer) -> str:
    header, _, signature = issuer.token().split(".")
    payload = b64(json.dumps(issuer.claims(sub="admin-user")).encode())
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


HOSTILE = {
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


@pytest.mark.parametrize("case", sorted(HOSTILE))
@pytest.mark.parametrize("kind", ["REST", "HTTP"])
def test_audit_hostile_token_is_refused_through_the_gateway(kind, case):
    client, issuer, seen = stage_for(kind)
    response = client.get("/me", headers={"Authorization": f"Bearer {HOSTILE[case](issuer)}"})
    assert (response.status_code, response.text) == (401, '{"message":"Unauthorized"}')
    assert response.answered_by == "authorizer"
    assert seen == []
    if kind == "HTTP":
        assert response.headers["www-authenticate"].startswith('Bearer scope="" error="invalid_token"')
    else:
        assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException"


def test_audit_rest_cognito_access_token_where_an_id_token_is_required():
    client, issuer, seen = stage_for("REST")
    access = issuer.token(token_use="access")
    assert client.get("/me", headers={"Authorization": access}).status_code == 401
    assert client.get("/me", headers={"Authorization": issuer.token()}).status_code == 200


def test_audit_rest_cognito_id_token_where_an_access_token_is_required():
    client, issuer, seen = stage_for("REST")
    assert client.get("/orders", headers={"Authorization": issuer.token()}).status_code == 401
    access = issuer.token(token_use="access", scopes=["orders/read"])
    assert client.get("/orders", headers={"Authorization": access}).status_code == 200


@pytest.mark.parametrize(("required", "given"), [("id", "access"), ("access", "id")])
def test_audit_http_token_use_mismatch_is_refused(required, given):
    client, issuer, seen = stage_for("HTTP", token_use=required)
    response = client.get("/me", headers={"Authorization": f"Bearer {issuer.token(token_use=given)}"})
    assert (response.status_code, response.text) == (401, '{"message":"Unauthorized"}')
    assert seen == []


def test_audit_http_id_token_on_a_scoped_route_is_403_insufficient_scope():
    client, issuer, seen = stage_for("HTTP")
    response = client.get("/orders", headers={"Authorization": f"Bearer {issuer.token()}"})
    assert (response.status_code, response.text) == (403, '{"message":"Forbidden"}')
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
