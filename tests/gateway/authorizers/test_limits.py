"""Authorizers under hostile or unusual use: caches owned by the API, limits, and the edges of each rule."""

from __future__ import annotations

import json

import pytest

from pytest_serverless import Gateway, JwtAuthorizer, LambdaAuthorizer
from pytest_serverless.errors import UsageError
from pytest_serverless.gateway.throttling import TokenBucket, check_throttle


def allow_token(event, context):
    token = event.get("authorizationToken") or ",".join(event.get("identitySource") or [])
    if token != "good":
        raise Exception("Unauthorized")
    return {
        "principalId": "user-1",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}],
        },
        "context": {"token": token},
    }


def echo(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"].get("authorizer"))}


# a module-level authorizer, the way a test module shares one between its tests
SHARED = LambdaAuthorizer(allow_token, ttl=300)


def rest_client(authorizer):
    gateway = Gateway()
    api = gateway.rest_api("orders")
    api.authorizer("custom", authorizer)
    api.route("GET /orders", echo, authorizer="custom")
    return api.deploy("prod").client()


# -- state never leaks between gateways (tests) -----------------------------------------------------------


def test_shared_lambda_authorizer_does_not_answer_one_gateway_from_another_gateways_cache():
    calls = []

    def recording(event, context):
        calls.append(event["authorizationToken"])
        return allow_token(event, context)

    shared = LambdaAuthorizer(recording, ttl=300)
    first = rest_client(shared)
    assert first.get("/orders", headers={"Authorization": "good"}).status_code == 200
    assert first.get("/orders", headers={"Authorization": "good"}).status_code == 200
    assert calls == ["good"]  # the second request came from the first gateway's cache
    # the next test builds a new gateway: same API id, same clock time, same token; the function runs again
    second = rest_client(shared)
    assert second.get("/orders", headers={"Authorization": "good"}).status_code == 200
    assert calls == ["good", "good"]
    shared.clear_cache()
    assert first.get("/orders", headers={"Authorization": "good"}).status_code == 200
    assert calls == ["good", "good", "good"]


def test_module_level_authorizer_starts_empty_in_each_gateway():
    for _ in range(2):
        client = rest_client(SHARED)
        before = SHARED.invocations
        assert client.get("/orders", headers={"Authorization": "good"}).status_code == 200
        assert SHARED.invocations == before + 1


def test_shared_jwt_authorizer_cache_belongs_to_the_api():
    gateways = []
    for _ in range(2):
        gateway = Gateway()
        issuer = gateway.token_issuer()
        gateways.append((gateway, issuer))
    authorizer = JwtAuthorizer(gateways[0][1], ttl=300)
    clients = []
    for gateway, _ in gateways:
        api = gateway.rest_api("orders")
        api.authorizer("users", authorizer)
        api.route("GET /orders", echo, authorizer="users")
        clients.append(api.deploy("prod").client())
    token = gateways[0][1].token(expires_in=60)
    assert clients[0].get("/orders", headers={"Authorization": token}).status_code == 200
    gateways[1][0].clock.advance(120)  # expired on the second gateway's clock; not cached there
    assert clients[1].get("/orders", headers={"Authorization": token}).status_code == 401
    gateways[0][0].clock.advance(120)  # cached on the first gateway for ttl=300, as on AWS
    assert clients[0].get("/orders", headers={"Authorization": token}).status_code == 200


# -- limits ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("seconds", "status"), [(9.5, 200), (10.5, 500)])
def test_http_api_lambda_authorizer_must_answer_within_10_seconds(seconds, status):
    gateway = Gateway()

    def authorizer(event, context):
        gateway.clock.advance(seconds)
        return {"isAuthorized": True}

    api = gateway.http_api("orders")
    api.authorizer(
        "custom",
        LambdaAuthorizer(
            authorizer,
            type="REQUEST",
            identity_source="$request.header.Authorization",
            ttl=0,
            payload_format="2.0",
            simple_responses=True,
        ),
    )
    api.route("GET /orders", echo, authorizer="custom")
    response = api.deploy("$default").client().get("/orders", headers={"Authorization": "x"})
    assert response.status_code == status
    if status == 500:
        assert response.json() == {"message": "Internal Server Error"}
        assert response.reason == (
            "authorizer 'custom' refused: the authorizer ran 10.5 s, past the HTTP API limit of 10 s timeout"
        )


def test_rest_lambda_authorizer_has_no_10_second_limit():
    gateway = Gateway()

    def authorizer(event, context):
        gateway.clock.advance(20)
        return allow_token(event, context)

    client_api = gateway.rest_api("orders")
    client_api.authorizer("custom", LambdaAuthorizer(authorizer, ttl=0))
    client_api.route("GET /orders", echo, authorizer="custom")
    response = client_api.deploy("prod").client().get("/orders", headers={"Authorization": "good"})
    assert response.status_code == 200


# -- duplicated identity headers ------------------------------------------------------------------------


def _seen_tokens(kind, payload_format="1.0"):
    seen = []

    def authorizer(event, context):
        if kind == "REST":
            seen.append(event["authorizationToken"])
        elif payload_format == "2.0":
            seen.append(event["identitySource"])
        else:
            seen.append(event["identitySource"])
        return allow_token({"authorizationToken": "good"}, context)

    gateway = Gateway()
    api = gateway.rest_api("orders") if kind == "REST" else gateway.http_api("orders")
    options = (
        {} if kind == "REST" else {"type": "REQUEST", "identity_source": "$request.header.Authorization"}
    )
    api.authorizer("custom", LambdaAuthorizer(authorizer, ttl=300, payload_format=payload_format, **options))
    api.route("GET /orders", echo, authorizer="custom")
    client = api.deploy("prod").client()
    return client, seen


def test_rest_token_authorizer_uses_and_caches_on_the_last_duplicated_header():
    client, seen = _seen_tokens("REST")
    assert client.get("/orders", headers=[("Authorization", "a"), ("Authorization", "b")]).status_code == 200
    assert seen == ["b"]
    assert client.get("/orders", headers=[("Authorization", "x"), ("Authorization", "b")]).status_code == 200
    assert seen == ["b"]  # same last value: a cache hit
    assert client.get("/orders", headers=[("Authorization", "b"), ("Authorization", "a")]).status_code == 200
    assert seen == ["b", "a"]


@pytest.mark.parametrize(("payload_format", "expected"), [("1.0", "a,b"), ("2.0", ["a,b"])])
def test_http_lambda_authorizer_joins_and_caches_on_duplicated_headers(payload_format, expected):
    client, seen = _seen_tokens("HTTP", payload_format)
    assert client.get("/orders", headers=[("Authorization", "a"), ("Authorization", "b")]).status_code == 200
    assert seen == [expected]
    assert client.get("/orders", headers=[("Authorization", "a"), ("Authorization", "b")]).status_code == 200
    assert seen == [expected]
    assert client.get("/orders", headers=[("Authorization", "b")]).status_code == 200
    assert len(seen) == 2


# -- context values per payload format --------------------------------------------------------------


@pytest.mark.parametrize(("payload_format", "status"), [("1.0", 500), ("2.0", 200)])
def test_http_lambda_authorizer_nested_context_only_with_payload_2(payload_format, status):
    def authorizer(event, context):
        return {
            "principalId": "u",
            "policyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
            "context": {"nested": {"a": 1}},
        }

    gateway = Gateway()
    api = gateway.http_api("orders")
    api.authorizer(
        "custom",
        LambdaAuthorizer(
            authorizer,
            type="REQUEST",
            identity_source="$request.header.Authorization",
            ttl=0,
            payload_format=payload_format,
        ),
    )
    api.route("GET /orders", echo, authorizer="custom")
    response = api.deploy("$default").client().get("/orders", headers={"Authorization": "x"})
    assert response.status_code == status


# -- burst 0 ------------------------------------------------------------------------------------------


def test_burst_zero_is_valid_and_refuses_every_request():
    assert check_throttle((5, 0), "stage") == (5.0, 0)
    bucket = TokenBucket(5.0, 0, 0.0)
    assert [bucket.take(t) for t in (0.0, 1.0, 100.0)] == [False, False, False]
    gateway = Gateway()
    api = gateway.http_api("orders")
    api.route("GET /orders", echo)
    client = api.deploy("$default", throttle=(100, 0)).client()
    assert client.get("/orders").status_code == 429
    gateway.clock.advance(60)
    assert client.get("/orders").status_code == 429


def test_burst_one_lets_one_request_through_per_refill():
    bucket = TokenBucket(1.0, 1, 0.0)
    assert [bucket.take(t) for t in (0.0, 0.0, 0.5, 1.0, 1.0)] == [True, False, False, True, False]
    with pytest.raises(UsageError, match="burst a whole number >= 0"):
        check_throttle((5, -1), "stage")
    with pytest.raises(UsageError, match="burst a whole number >= 0"):
        check_throttle((5, 1.5), "stage")
    assert check_throttle((0, 0), "stage") == (0.0, 0)


# -- SigV4 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["REST", "HTTP"])
@pytest.mark.parametrize(
    "forged", ["é" * 64, "\u00ff" * 64, "🙂", "\udcff" * 64], ids=["latin", "y-umlaut", "emoji", "surrogate"]
)
def test_non_ascii_sigv4_signature_is_403_not_500(kind, forged):
    from pytest_serverless import IamAuthorizer
    from pytest_serverless.gateway.authorizers import sign_request

    gateway = Gateway()
    api = gateway.rest_api("orders") if kind == "REST" else gateway.http_api("orders")
    api.authorizer("iam", IamAuthorizer({"AKIAEXAMPLE": "secret"}))
    api.route("GET /orders/{id}", echo, authorizer="iam")
    stage = api.deploy("prod")
    signed = sign_request(
        "GET", f"{stage.url}/orders/1", {}, b"", "AKIAEXAMPLE", "secret", clock=gateway.clock
    )
    head, _, _ = signed["Authorization"].rpartition("Signature=")
    signed["Authorization"] = f"{head}Signature={forged}"
    response = stage.client().get("/orders/1", headers=signed)
    assert response.status_code == 403
    if kind == "REST":
        assert response.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
