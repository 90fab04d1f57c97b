"""Caches that hold a gateway's state belong to that gateway: two like gateways (same API ids, same clock
times, as two tests build them) never answer from each other's. Module-level caches hold only pure
functions of their key (``pytest_serverless._cache``)."""

from __future__ import annotations

from typing import Any

from pytest_serverless import Gateway, LambdaAuthorizer


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
