"""The per-route and per-header-set caches of the hot path never leak one request's changes into the next."""

from __future__ import annotations

import copy
from typing import Any

from pytest_serverless import Gateway
from pytest_serverless.gateway.request import Headers


def _meddling_handler(seen: list[dict[str, Any]]) -> Any:
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.append(copy.deepcopy(event))
        # a handler may change its event as it likes
        event["headers"]["X-Added"] = "1"
        for values in (event.get("multiValueHeaders") or {}).values():
            values.append("extra")
        if event.get("pathParameters"):
            event["pathParameters"]["id"] = "changed"
        if event.get("cookies"):
            event["cookies"].append("x=1")
        event["requestContext"]["identity" if "identity" in event["requestContext"] else "http"].clear()
        return {"statusCode": 200, "body": "ok"}

    return handler


# section: events


def test_speed_caches_rest_event_is_fresh_per_request():
    seen: list[dict[str, Any]] = []
    api = Gateway().rest_api("shop")
    api.route("GET /orders/{id}", _meddling_handler(seen))
    client = api.deploy("prod").client()
    for _ in range(3):
        assert client.get("/orders/7", headers={"X-A": "b"}).status_code == 200
    first, *others = seen
    assert "X-Added" not in first["headers"]
    assert first["pathParameters"] == {"id": "7"}
    assert all(values != ["b", "extra"] for values in first["multiValueHeaders"].values())
    for event in others:
        assert event["headers"].keys() == first["headers"].keys()
        assert event["multiValueHeaders"]["X-A"] == ["b"]
        assert event["pathParameters"] == {"id": "7"}


def test_speed_caches_http_event_is_fresh_per_request():
    seen: list[dict[str, Any]] = []
    api = Gateway().http_api("shop")
    api.route("GET /orders/{id}", _meddling_handler(seen))
    client = api.deploy("$default").client()
    for _ in range(3):
        assert client.get("/orders/7", cookies={"s": "1"}).status_code == 200
    assert [event["cookies"] for event in seen] == [["s=1"]] * 3
    assert [event["pathParameters"] for event in seen] == [{"id": "7"}] * 3
    assert all("x-added" not in event["headers"] and "X-Added" not in event["headers"] for event in seen)


# section: logs and headers


def test_speed_caches_logs_are_dicts_in_request_order():
    api = Gateway().rest_api("shop")
    api.route("GET /a", lambda event, context: {"statusCode": 201})
    stage = api.deploy("prod")
    client = stage.client()
    client.get("/a")
    kept = stage.logs
    client.get("/missing")
    assert [(entry["routeKey"], entry["status"]) for entry in stage.logs] == [("GET /a", 201), (None, 403)]
    assert kept is stage.logs
    assert list(kept[0]) == [
        "requestId",
        "routeKey",
        "httpMethod",
        "path",
        "status",
        "latency",
        "integrationLatency",
        "authorizerStatus",
        "cacheHit",
        "answeredBy",
        "canary",
    ]
    stage.logs = []
    client.get("/a")
    assert len(stage.logs) == 1


def test_speed_caches_frozen_headers_follow_changes():
    headers = Headers([("A", "1")])
    assert headers.frozen() == (("A", "1"),)
    headers.add("B", "2")
    assert headers.frozen() == (("A", "1"), ("B", "2"))
    headers.set("a", "3")
    assert headers.frozen() == (("B", "2"), ("a", "3"))
    headers.remove("B")
    assert headers.frozen() == (("a", "3"),)
