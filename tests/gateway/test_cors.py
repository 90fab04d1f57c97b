"""CORS configuration: the accepted forms, errors, credentials, preflights."""

from __future__ import annotations

import pytest

from pytest_serverless import Gateway, UsageError
from pytest_serverless.gateway.cors import CorsConfig, cors_config

# CORS configuration


def test_cors_config_forms():
    assert cors_config(None, "API 'a'") is None
    assert cors_config(False, "API 'a'") is None
    assert cors_config(True, "API 'a'") == CorsConfig()
    given = CorsConfig(allow_origins=("https://a",))
    assert cors_config(given, "API 'a'") is given
    config = cors_config(
        {
            "allowOrigins": "https://a",
            "allowMethods": ["get"],
            "allowHeaders": ["x-a"],
            "exposeHeaders": ["x-b"],
            "maxAge": 5,
            "allowCredentials": True,
        },
        "API 'a'",
    )
    assert config == CorsConfig(("https://a",), ("GET",), ("x-a",), ("x-b",), 5, True)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yes", "API 'a': cors= takes True, a dict or a CorsConfig, got 'yes'"),
        ({"allow_origins": [1]}, "API 'a': cors allow_origins must be a list of strings, got [1]"),
        ({"max_age": -1}, "API 'a': cors max_age must be a whole number of seconds, got -1"),
    ],
)
def test_cors_config_errors(value, message):
    with pytest.raises(UsageError) as info:
        cors_config(value, "API 'a'")
    assert str(info.value) == message


def test_cors_with_credentials_echoes_the_origin_and_exposes_headers():
    gateway = Gateway()
    api = gateway.http_api("c", cors={"allow_credentials": True, "expose_headers": ["x-total"]})
    api.route("GET /a", lambda e, c: {"ok": 1})
    client = api.deploy("$default").client()
    answer = client.get("/a", headers={"Origin": "https://app"})
    assert answer.headers["Access-Control-Allow-Origin"] == "https://app"
    assert answer.headers["Access-Control-Allow-Credentials"] == "true"
    assert answer.headers["Access-Control-Expose-Headers"] == "x-total"
    preflight = client.options(
        "/a", headers={"Origin": "https://app", "Access-Control-Request-Method": "PUT"}
    )
    assert preflight.headers["Access-Control-Allow-Methods"] == "PUT"
    assert preflight.headers["Access-Control-Allow-Credentials"] == "true"


def test_cors_preflight_for_a_method_not_allowed_gets_no_allow_headers():
    gateway = Gateway()
    api = gateway.http_api("c", cors={"allow_methods": ["GET"]})
    api.route("GET /a", lambda e, c: {"ok": 1})
    client = api.deploy("$default").client()
    preflight = client.options(
        "/a", headers={"Origin": "https://app", "Access-Control-Request-Method": "DELETE"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert client.get("/a", headers={"Origin": "https://app"}).headers["Access-Control-Allow-Origin"] == "*"
