"""Smaller pieces of the gateway through their own entry points: VTL, JSONPath, cache keys, CORS, checks."""

from __future__ import annotations

import pytest

from pytest_serverless import Gateway, UsageError
from pytest_serverless.gateway import HttpCustom, LambdaCustom, MockResponse
from pytest_serverless.gateway.caching import normalize_cache_key_parameter
from pytest_serverless.gateway.cors import CorsConfig, cors_config
from pytest_serverless.gateway.integrations.vtl import TemplateFailure, json_path

# JSONPath subset of mapping templates

DOC = {"a": {"b": [1, 2, {"c": "x"}]}, "k-e y": 5, "list": [{"n": 1}, {"n": 2}]}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$", DOC),
        ("$.a.b[0]", 1),
        ("$.a.b[-1].c", "x"),
        ("$['k-e y']", 5),
        ('$["k-e y"]', 5),
        ("$.list[*].n", [1, 2]),
        ("$.a.*", [[1, 2, {"c": "x"}]]),
    ],
)
def test_json_path_subset(path, value):
    assert json_path(DOC, path) == value


def test_json_path_missing_and_unsupported():
    from pytest_serverless.gateway.integrations.vtl import _MISSING

    assert json_path(DOC, "$.nope") is _MISSING
    assert json_path(DOC, "$.a.b[9]") is _MISSING
    with pytest.raises(TemplateFailure, match="JSONPath 'a.b' must start with '\\$'"):
        json_path(DOC, "a.b")
    with pytest.raises(TemplateFailure, match=r"unsupported JSONPath '\$\.a\[\?\(@\.x\)\]'"):
        json_path(DOC, "$.a[?(@.x)]")


def vtl_answer(template, *, body="", params=None, headers=None, content_type="application/json"):
    seen = []
    gateway = Gateway()
    api = gateway.rest_api("vtl")
    api.route(
        "POST /x/{id}",
        integration=LambdaCustom(
            lambda event, context: seen.append(event) or {}, request_templates={content_type: template}
        ),
    )
    all_headers = {"Content-Type": content_type, **(headers or {})}
    client = api.deploy("prod", variables={"v": "1"}).client()
    response = client.post("/x/7", data=body, params=params, headers=all_headers)
    return response, seen


def test_vtl_util_and_input_functions():
    template = """{
  "esc": "$util.escapeJavaScript($input.path('$.s'))",
  "dec": "$util.urlDecode('a+b%26')",
  "b64": "$util.base64Decode('aGk=')",
  "parsed": $util.parseJson('{"k": 2}').k,
  "whole": $input.json('$'),
  "missing": "$input.json('$.nope')",
  "p": "$input.params('id')|$input.params('q')|$input.params('X-H')|$input.params('none')",
  "ctx": "$context.httpMethod $context.resourcePath $context.identity.sourceIp $context.requestId",
  "sv": "$stageVariables.v"
}"""
    response, seen = vtl_answer(
        template, body='{"s": "say \\"q\\"\\n"}', params={"q": "2"}, headers={"X-H": "h"}
    )
    assert response.status_code == 200
    event = seen[0]
    assert event["esc"] == 'say "q"\n'
    assert event["dec"] == "a b&"
    assert event["b64"] == "hi"
    assert event["parsed"] == 2
    assert event["whole"] == {"s": 'say "q"\n'}
    assert event["missing"] == ""
    assert event["p"] == "7|2|h|"
    assert event["ctx"].startswith("POST /x/{id} 198.51.100.1 ")
    assert event["sv"] == "1"


def test_vtl_escape_javascript_escapes_single_quotes_as_aws_does():
    # A known AWS pitfall: \' is not a JSON escape, so the rendered payload is not JSON (500).
    response, _ = vtl_answer("""{"s": "$util.escapeJavaScript($input.path('$.s'))"}""", body='{"s": "it\'s"}')
    assert response.status_code == 500


def test_vtl_template_is_chosen_by_the_request_content_type():
    _, seen = vtl_answer('{"t": 1}', body="<x/>", content_type="application/xml")
    assert seen == [{"t": 1}]


def test_vtl_non_json_payload_is_a_configuration_error():
    response, _ = vtl_answer("not json at all")
    assert response.status_code == 500
    assert response.reason.startswith("a mapping template or integration setting failed: JSONDecodeError")


def test_vtl_bad_base64_is_a_template_failure():
    response, _ = vtl_answer('{"x": "$util.base64Decode(\'!!!\')"}')
    assert response.status_code == 500


# cache key parameters


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("method.request.header.X-Tenant", ("header", "x-tenant")),
        ("multivaluequerystring.tag", ("multivaluequerystring", "tag")),
        ("multivalueheader.Accept", ("multivalueheader", "accept")),
        ("id", ("path", "id")),
        ("q", ("querystring", "q")),
    ],
)
def test_cache_key_parameter_forms(name, expected):
    assert normalize_cache_key_parameter(name, ("id",), "route 'GET /x/{id}'") == expected


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "route 'R': cache_key_parameters entries must be non-empty strings, got ''"),
        ("header.", "route 'R': cache key parameter 'header.' has no parameter name"),
        (
            "method.request.body.x",
            "route 'R': cache key parameter 'method.request.body.x': the source must be one of path, "
            "querystring, multivaluequerystring, header, multivalueheader",
        ),
    ],
)
def test_cache_key_parameter_errors(name, message):
    with pytest.raises(UsageError) as info:
        normalize_cache_key_parameter(name, (), "route 'R'")
    assert str(info.value) == message


def test_multi_value_cache_keys_split_the_cache():
    calls = []
    gateway = Gateway()
    api = gateway.rest_api("c")
    api.route(
        "GET /a",
        lambda e, c: calls.append(1) or {"statusCode": 200, "body": str(len(calls))},
        cache_key_parameters=["multivaluequerystring.t", "header.X-T", "multivalueheader.X-M"],
    )
    client = api.deploy("prod", cache_ttl=60).client()
    assert client.get("/a", params={"t": ["1", "2"]}).text == "1"
    assert client.get("/a", params={"t": ["1", "2"]}).text == "1"
    assert client.get("/a", params={"t": ["1"]}).text == "2"
    assert client.get("/a", headers={"X-T": "x"}).text == "3"
    assert client.get("/a", headers=[("X-M", "1"), ("X-M", "2")]).text == "4"


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
