"""The gateway's Python API checks its arguments (routes, API names, stages, authorizers, usage plans);
redeploying a stage."""

from __future__ import annotations

import pytest

from pytest_serverless import Gateway, UsageError
from pytest_serverless.gateway import HttpCustom, LambdaCustom, MockResponse

# argument checks


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"handler": "nope"},
            "route 'GET /a': the handler must be a function handler(event, context), got 'nope'",
        ),
        (
            {"mock": {"statusCode": 99}},
            "route 'GET /a': mock statusCode must be an HTTP status number, got 99",
        ),
        (
            {"mock": "ok"},
            "route 'GET /a': mock= takes a dict like {'statusCode': 200, 'body': 'ok'}, got 'ok'",
        ),
        ({"mock": {"headers": "x"}}, "route 'GET /a': mock headers must be a dict, got 'x'"),
        ({"http": "ftp://x"}, "http= takes an http:// or https:// URL template, got 'ftp://x'"),
        (
            {"integration": object()},
            "route 'GET /a': integration= takes a registered name or an object with invoke(call)",
        ),
        (
            {"handler": lambda e, c: 1, "authorizer": 5},
            "route 'GET /a': authorizer= takes an authorizer name or an object with authorize(call)",
        ),
        (
            {"handler": lambda e, c: 1, "required_parameters": ["cookie.x"]},
            "route 'GET /a': required parameter 'cookie.x' must look like 'header.NAME', 'path.NAME' "
            "or 'querystring.NAME'",
        ),
        (
            {"handler": lambda e, c: 1, "request_schema": [1]},
            "route 'GET /a': request_schema must be a JSON Schema dict, got [1]",
        ),
    ],
)
def test_route_argument_errors(kwargs, message):
    api = Gateway().rest_api("r")
    with pytest.raises(UsageError) as info:
        api.route("GET /a", **kwargs)
    assert str(info.value) == message


def test_http_api_refuses_rest_only_integrations():
    api = Gateway().http_api("h")
    with pytest.raises(UsageError, match="mapping templates are a REST API feature"):
        api.route(
            "GET /a",
            integration=MockResponse({"statusCode": 200}, request_templates={"application/json": "{}"}),
        )
    with pytest.raises(UsageError, match=r"LambdaCustom \(non-proxy Lambda\) is a REST API feature"):
        api.route("GET /b", integration=LambdaCustom(lambda e, c: 1))
    with pytest.raises(UsageError, match=r"HttpCustom \(HTTP with mapping templates\) is a REST API feature"):
        api.route("GET /c", integration=HttpCustom("https://x"))


def test_api_names_stages_and_authorizers_are_checked():
    gateway = Gateway()
    gateway.rest_api("a")
    with pytest.raises(UsageError, match="an API named 'a' already exists on this gateway"):
        gateway.http_api("a")
    with pytest.raises(UsageError, match="no API named 'b' \\(APIs: a\\)"):
        gateway.api("b")
    api = gateway.api("a")
    with pytest.raises(UsageError, match="deploy\\('\\$default'\\): only HTTP APIs have a \\$default stage"):
        api.deploy("$default")
    with pytest.raises(UsageError, match="the stage name must be a non-empty string without '/'"):
        api.deploy("a/b")
    with pytest.raises(UsageError, match="authorizer 'x': 5 has no authorize\\(call\\) method"):
        api.authorizer("x", 5)
    with pytest.raises(UsageError, match="register_integration\\('x', ...\\): the factory must be callable"):
        gateway.register_integration("x", 5)


def test_usage_plan_keys_must_be_a_list():
    api = Gateway().rest_api("a")
    with pytest.raises(UsageError, match="usage plan 'p': api_keys must be a list of key values"):
        api.usage_plan("p", api_keys="k")


def test_redeploying_a_stage_replaces_its_canary_and_settings():
    gateway = Gateway()
    api = gateway.rest_api("a")
    api.route("GET /a", lambda e, c: {"statusCode": 200})
    stage = api.deploy("prod", canary={"percent": 50, "seed": 1}, variables={"x": "1"})
    assert stage.canary is not None
    assert api.deploy("prod", variables={"x": "2"}) is stage
    assert stage.canary is None
    assert stage.variables == {"x": "2"}
    assert stage.url == f"https://{api.id}.execute-api.us-east-1.amazonaws.com/prod"
