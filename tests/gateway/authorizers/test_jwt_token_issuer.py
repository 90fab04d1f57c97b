from __future__ import annotations

from pytest_serverless import Gateway


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
