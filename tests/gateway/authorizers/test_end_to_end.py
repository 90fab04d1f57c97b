"""Authorizers end to end: api.route(..., authorizer=...) and stage.client(), for REST and HTTP APIs."""

from __future__ import annotations

import json

import pytest

from pytest_serverless import Gateway, IamAuthorizer, JwtAuthorizer, LambdaAuthorizer
from pytest_serverless.gateway.authorizers import sign_request

ISSUER_URL = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test"


def echo_authorizer(event, context):
    """A handler answering with what API Gateway put in requestContext.authorizer / identity."""
    body = {"authorizer": event["requestContext"].get("authorizer"), "path": event.get("path")}
    return {"statusCode": 200, "body": json.dumps(body)}


@pytest.fixture
def gateway():
    return Gateway()


@pytest.fixture
def issuer(gateway):
    return gateway.token_issuer(issuer=ISSUER_URL, audience="client-id")


def jwt_stage(gateway, issuer, kind):
    api = gateway.rest_api("orders") if kind == "REST" else gateway.http_api("orders")
    api.authorizer("users", JwtAuthorizer(issuer))
    api.route("GET /orders/{id}", echo_authorizer, authorizer="users")
    api.route("GET /reports", echo_authorizer, authorizer="users", scopes=["orders/read"])
    return api.deploy("prod")


def lambda_stage(gateway, fn, kind="REST", **options):
    api = gateway.rest_api("orders") if kind == "REST" else gateway.http_api("orders")
    if kind == "HTTP":
        options.setdefault("type", "REQUEST")
    api.authorizer("custom", LambdaAuthorizer(fn, **options))
    api.route("GET /orders/{id}", echo_authorizer, authorizer="custom")
    api.route("GET /files/{proxy+}", echo_authorizer, authorizer="custom")
    return api.deploy("prod")


def allow(event, context):
    token = event.get("authorizationToken") or event.get("headers", {}).get("authorization")
    effect = {"allow": "Allow", "deny": "Deny"}.get(token)
    if effect is None:
        raise Exception("Unauthorized")
    return {
        "principalId": "user-1",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event.get("methodArn")}
            ],
        },
        "context": {"tenant": "t-1", "admin": True, "level": 3},
    }


# -- JWT / Cognito ------------------------------------------------------------------------------------------


def test_e2e_rest_cognito_valid_id_token_reaches_the_handler_with_claims(gateway, issuer):
    client = jwt_stage(gateway, issuer, "REST").client()
    response = client.get("/orders/1", headers={"Authorization": issuer.token(groups=["admin", "ops"])})
    assert response.status_code == 200
    claims = response.json()["authorizer"]["claims"]
    assert claims["sub"] == "user-1"
    assert claims["cognito:groups"] == "admin,ops"
    assert claims["token_use"] == "id"


@pytest.mark.parametrize("token", ["", "Bearer not-a-token", "Bearer a.b.c"])
def test_e2e_rest_cognito_bad_token_is_401_unauthorized(gateway, issuer, token):
    client = jwt_stage(gateway, issuer, "REST").client()
    response = client.get("/orders/1", headers={"Authorization": token} if token else None)
    assert response.status_code == 401
    assert response.text == '{"message":"Unauthorized"}'
    assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    assert response.headers["Content-Type"] == "application/json"
    assert "www-authenticate" not in response.headers


def test_e2e_rest_cognito_expired_token_is_401(gateway, issuer):
    client = jwt_stage(gateway, issuer, "REST").client()
    token = issuer.token(expires_in=60)
    gateway.clock.advance(60)
    assert client.get("/orders/1", headers={"Authorization": token}).status_code == 401


def test_e2e_rest_cognito_scoped_method_needs_an_access_token(gateway, issuer):
    client = jwt_stage(gateway, issuer, "REST").client()
    assert client.get("/reports", headers={"Authorization": issuer.token()}).status_code == 401
    access = issuer.token(token_use="access", scopes=["orders/read"])
    assert client.get("/reports", headers={"Authorization": access}).status_code == 200


def test_e2e_http_jwt_valid_access_token_claims_and_scopes(gateway, issuer):
    client = jwt_stage(gateway, issuer, "HTTP").client()
    token = issuer.token(token_use="access", scopes=["orders/read", "orders/write"], groups=["admin"])
    response = client.get("/reports", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    jwt = response.json()["authorizer"]["jwt"]
    assert jwt["claims"]["scope"] == "orders/read orders/write"
    assert jwt["claims"]["cognito:groups"] == "[admin]"
    assert jwt["scopes"] == ["orders/read", "orders/write"]


def test_e2e_http_jwt_wrong_audience_is_401_with_www_authenticate(gateway, issuer):
    client = jwt_stage(gateway, issuer, "HTTP").client()
    response = client.get("/orders/1", headers={"Authorization": f"Bearer {issuer.token(aud='other')}"})
    assert response.status_code == 401
    assert response.text == '{"message":"Unauthorized"}'
    assert response.headers["www-authenticate"] == (
        'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"'
    )
    assert "apigw-requestid" in response.headers


def test_e2e_http_jwt_missing_token_is_401(gateway, issuer):
    response = jwt_stage(gateway, issuer, "HTTP").client().get("/orders/1")
    assert response.status_code == 401
    assert response.text == '{"message":"Unauthorized"}'
    assert response.headers["www-authenticate"] == "Bearer"


def test_e2e_http_jwt_insufficient_scope_is_403_forbidden(gateway, issuer):
    client = jwt_stage(gateway, issuer, "HTTP").client()
    token = issuer.token(token_use="access", scopes=["openid"])
    response = client.get("/reports", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.text == '{"message":"Forbidden"}'
    assert response.headers["www-authenticate"] == (
        'Bearer scope="orders/read" error="insufficient_scope" '
        'error_description="expected scopes: [orders/read]"'
    )


# -- Lambda authorizers -------------------------------------------------------------------------------------


def test_e2e_rest_lambda_allow_passes_context_to_the_handler(gateway):
    response = lambda_stage(gateway, allow).client().get("/orders/1", headers={"Authorization": "allow"})
    assert response.status_code == 200
    authorizer = response.json()["authorizer"]
    assert authorizer["principalId"] == "user-1"
    assert authorizer["tenant"] == "t-1"
    assert authorizer["admin"] == "true"
    assert authorizer["level"] == "3"


def test_e2e_rest_lambda_explicit_deny_is_403_access_denied(gateway):
    response = lambda_stage(gateway, allow).client().get("/orders/1", headers={"Authorization": "deny"})
    assert response.status_code == 403
    assert (
        response.text == '{"Message":"User is not authorized to access this resource with an explicit deny"}'
    )
    assert response.headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_e2e_rest_lambda_unauthorized_is_401(gateway):
    response = lambda_stage(gateway, allow).client().get("/orders/1", headers={"Authorization": "who"})
    assert response.status_code == 401
    assert response.text == '{"message":"Unauthorized"}'
    assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException"


def test_e2e_rest_lambda_missing_token_is_401(gateway):
    response = lambda_stage(gateway, allow).client().get("/orders/1")
    assert response.status_code == 401
    assert response.text == '{"message":"Unauthorized"}'


def test_e2e_rest_lambda_crash_is_500_authorizer_configuration_error(gateway):
    def broken(event, context):
        raise KeyError("boom")

    response = lambda_stage(gateway, broken).client().get("/orders/1", headers={"Authorization": "x"})
    assert response.status_code == 500
    assert response.text == '{"message": null}'
    assert response.headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"


def test_e2e_rest_lambda_cached_policy_denies_other_proxy_paths(gateway):
    calls = []

    def counting(event, context):
        calls.append(event["methodArn"])
        return allow(event, context)

    client = lambda_stage(gateway, counting).client()
    assert client.get("/files/a.txt", headers={"Authorization": "allow"}).status_code == 200
    response = client.get("/files/b.txt", headers={"Authorization": "allow"})
    assert response.status_code == 403
    assert response.text == '{"Message":"User is not authorized to access this resource"}'
    assert len(calls) == 1
    gateway.clock.advance(300)
    assert client.get("/files/b.txt", headers={"Authorization": "allow"}).status_code == 200
    assert len(calls) == 2


def test_e2e_http_lambda_simple_response_deny_is_403_forbidden(gateway):
    def simple(event, context):
        return {"isAuthorized": event["headers"].get("authorization") == "allow", "context": {"tenant": "t"}}

    client = lambda_stage(gateway, simple, "HTTP", payload_format="2.0", simple_responses=True).client()
    allowed = client.get("/orders/1", headers={"Authorization": "allow"})
    assert allowed.status_code == 200
    assert allowed.json()["authorizer"]["lambda"] == {"tenant": "t"}
    denied = client.get("/orders/1", headers={"Authorization": "nope"})
    assert denied.status_code == 403
    assert denied.text == '{"message":"Forbidden"}'


def test_e2e_http_lambda_crash_is_500_internal_server_error(gateway):
    def broken(event, context):
        return "not a policy"

    client = lambda_stage(gateway, broken, "HTTP", payload_format="2.0", simple_responses=True).client()
    response = client.get("/orders/1", headers={"Authorization": "x"})
    assert response.status_code == 500
    assert response.text == '{"message":"Internal Server Error"}'


# -- IAM ------------------------------------------------------------------------------------------------


def iam_stage(gateway, kind="REST"):
    api = gateway.rest_api("orders") if kind == "REST" else gateway.http_api("orders")
    api.authorizer("iam", IamAuthorizer({"AKIAEXAMPLE": "secret"}))
    api.route("GET /orders/{id}", echo_authorizer, authorizer="iam")
    api.route("POST /orders", echo_authorizer, authorizer="iam")
    return api.deploy("prod")


@pytest.mark.parametrize("kind", ["REST", "HTTP"])
def test_e2e_iam_signed_request_is_allowed(gateway, kind):
    stage = iam_stage(gateway, kind)
    body = json.dumps({"item": "book"})
    headers = {"Content-Type": "application/json"}
    url = f"{stage.url}/orders?tag=a&tag=b"
    signed = sign_request("POST", url, headers, body, "AKIAEXAMPLE", "secret", clock=gateway.clock)
    response = stage.client().post(
        "/orders", params={"tag": ["a", "b"]}, data=body, headers={**headers, **signed}
    )
    assert response.status_code == 200


def test_e2e_rest_iam_unsigned_request_is_missing_authentication_token(gateway):
    response = iam_stage(gateway).client().get("/orders/1")
    assert response.status_code == 403
    assert response.text == '{"message":"Missing Authentication Token"}'
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_e2e_rest_iam_wrong_secret_is_403_signature_mismatch(gateway):
    stage = iam_stage(gateway)
    signed = sign_request(
        "GET", f"{stage.url}/orders/1", {}, b"", "AKIAEXAMPLE", "wrong", clock=gateway.clock
    )
    response = stage.client().get("/orders/1", headers=signed)
    assert response.status_code == 403
    assert response.json()["message"].startswith(
        "The request signature we calculated does not match the signature you provided."
    )
    assert response.headers["x-amzn-ErrorType"] == "InvalidSignatureException"


def test_e2e_rest_iam_expired_signature_is_403(gateway):
    stage = iam_stage(gateway)
    signed = sign_request(
        "GET", f"{stage.url}/orders/1", {}, b"", "AKIAEXAMPLE", "secret", clock=gateway.clock
    )
    gateway.clock.advance(600)
    response = stage.client().get("/orders/1", headers=signed)
    assert response.status_code == 403
    assert response.json() == {
        "message": "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z "
        "(20240101T001000Z - 5 min.)"
    }


def test_e2e_rest_iam_unknown_access_key_is_403(gateway):
    stage = iam_stage(gateway)
    signed = sign_request("GET", f"{stage.url}/orders/1", {}, b"", "AKIAOTHER", "secret", clock=gateway.clock)
    response = stage.client().get("/orders/1", headers=signed)
    assert response.status_code == 403
    assert response.json() == {"message": "The security token included in the request is invalid."}
