"""Caches that hold a gateway's state belong to that gateway: two like gateways (same API ids, same clock
times, as two tests build them) never answer from each other's. Module-level caches hold only pure
functions of their key (``pytest_serverless._cache``)."""

from __future__ import annotations

import base64
import json
from typing import Any

from pytest_serverless import Gateway, LambdaAuthorizer, VirtualClock
from pytest_serverless.gateway.authorizers import JwtAuthorizer, TokenIssuer


def _answering(text: str, calls: list[str]) -> Any:
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(text)
        return {"statusCode": 200, "body": text}

    return handler


def test_two_gateways_keep_their_own_stage_cache():
    calls: list[str] = []
    clients = []
    for name in ("first", "second"):
        api = Gateway().rest_api("shop")  # the same API id in both gateways
        api.route("GET /items/{id}", _answering(name, calls))
        clients.append(api.deploy("prod", cache_ttl=300).client())
    first, second = clients
    assert [first.get("/items/1").text, first.get("/items/1").text] == ["first", "first"]
    assert calls == ["first"]  # the second answer came from the first gateway's stage cache
    answer = second.get("/items/1")
    assert (answer.text, answer.answered_by) == ("second", "integration")
    assert calls == ["first", "second"]


def test_two_gateways_keep_their_own_route_lookups():
    calls: list[str] = []
    clients = []
    for special in (False, True):
        api = Gateway().rest_api("shop")
        api.route("GET /items/{id}", _answering("any item", calls))
        if special:
            api.route("GET /items/special", _answering("special", calls))
        clients.append(api.deploy("prod").client())
    assert clients[0].get("/items/special").text == "any item"
    assert clients[1].get("/items/special").text == "special"
    assert clients[0].get("/items/special").text == "any item"


def test_two_gateways_keep_their_own_authorizer_results_for_one_authorizer_object():
    invocations: list[str] = []

    def allow(event: dict[str, Any], context: Any) -> dict[str, Any]:
        invocations.append(event["authorizationToken"])
        statement = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}
        return {"principalId": "u", "policyDocument": {"Version": "2012-10-17", "Statement": [statement]}}

    shared = LambdaAuthorizer(allow, type="TOKEN", identity_source="Authorization", ttl=300)
    calls: list[str] = []
    for _ in range(2):
        api = Gateway().http_api("shop")
        api.authorizer("custom", shared)
        api.route("GET /items", _answering("ok", calls), authorizer="custom")
        client = api.deploy("$default").client()
        for _ in range(2):
            assert client.get("/items", headers={"Authorization": "t"}).status_code == 200
    assert invocations == ["t", "t"]  # once per gateway: each cached its own result


def test_two_gateways_with_the_same_route_keys_answer_with_their_own_routes():
    # the route keys' segment tree and lookups are shared (a pure function of the keys); the routes are not
    calls: list[str] = []
    stages = []
    for name in ("first", "second"):
        api = Gateway().rest_api("shop")
        api.route("GET /items/{id}", _answering(name, calls))
        api.route("ANY /{proxy+}", _answering(f"{name} fallback", calls))
        stages.append(api.deploy("prod"))
    first, second = (stage.client() for stage in stages)
    assert [first.get("/items/1").text, second.get("/items/1").text] == ["first", "second"]
    assert [second.get("/other").text, first.get("/other").text] == ["second fallback", "first fallback"]
    assert second.post("/items/1").status_code == 403  # REST: the resource matched, not its method
    table = stages[1].current_deployment().table
    found = table.match("GET", "/items/7")
    assert found is not None
    assert (found.route, found.path_parameters) == (stages[1].api.routes["GET /items/{id}"], {"id": "7"})


def test_a_signature_verified_for_one_issuer_is_not_trusted_with_other_keys():
    issuer = TokenIssuer(issuer="https://issuer.example/pool")
    impostor = TokenIssuer(issuer="https://impostor.example/pool", key_id=issuer.kid)  # same kid, other key
    token = issuer.token()
    statuses = []
    for authorizer in (
        JwtAuthorizer(issuer),
        JwtAuthorizer(TokenIssuer(issuer="https://issuer.example/pool")),  # the same issuer again
        JwtAuthorizer(issuer.issuer, jwks=impostor.jwks, audience="client-id"),
    ):
        api = Gateway().http_api("shop")
        api.authorizer("jwt", authorizer)
        api.route("GET /items", _answering("ok", []), authorizer="jwt")
        statuses.append(api.deploy("$default").client().get("/items", headers={"Authorization": token}))
    assert [response.status_code for response in statuses] == [200, 200, 401]
    assert statuses[2].headers["www-authenticate"] == (
        'Bearer scope="" error="invalid_token" error_description="the token does not have a valid signature"'
    )


def test_issuers_of_one_pool_mint_the_same_token_at_the_same_time_and_only_then():
    first, second = VirtualClock(), VirtualClock()
    one = TokenIssuer(issuer="https://issuer.example/pool", clock=first)
    two = TokenIssuer(issuer="https://issuer.example/pool", clock=second)
    assert one.token(sub="a") == two.token(sub="a")
    second.advance(1)
    later = two.token(sub="a")
    assert later != one.token(sub="a")
    assert JwtAuthorizer(one).issuer == "https://issuer.example/pool"
    header, payload, signature = later.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["iat"] == int(second.time())
    forged = {**claims, "sub": "b"}
    body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    api = Gateway(clock=second).http_api("shop")
    api.authorizer("jwt", JwtAuthorizer(two))
    api.route("GET /items", _answering("ok", []), authorizer="jwt")
    client = api.deploy("$default").client()
    assert client.get("/items", headers={"Authorization": later}).status_code == 200
    assert client.get("/items", headers={"Authorization": f"{header}.{body}.{signature}"}).status_code == 401
