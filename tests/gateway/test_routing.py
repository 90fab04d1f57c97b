"""Route matching: path parameters, greedy paths, ANY, $default, most specific first, unknown routes."""

from __future__ import annotations

import json

import pytest

from pytest_serverless import Gateway, UsageError


def echo(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}


def echo_v2(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}


def rest(*routes):
    gateway = Gateway()
    api = gateway.rest_api("orders")
    for key in routes:
        api.route(key, echo)
    return api.deploy("prod").client()


def http(*routes, stage="$default"):
    gateway = Gateway()
    api = gateway.http_api("orders")
    for key in routes:
        api.route(key, echo_v2)
    return api.deploy(stage).client()


# REST matching


def test_rest_path_parameter_is_extracted():
    event = rest("GET /orders/{id}").get("/orders/42").json()
    assert event["resource"] == "/orders/{id}"
    assert event["pathParameters"] == {"id": "42"}
    assert event["path"] == "/orders/42"


def test_rest_static_route_beats_parameter_and_greedy():
    client = rest("GET /orders/{id}", "GET /orders/latest", "ANY /{proxy+}")
    assert client.get("/orders/latest").json()["resource"] == "/orders/latest"
    assert client.get("/orders/7").json()["resource"] == "/orders/{id}"
    assert client.get("/other/a/b").json()["resource"] == "/{proxy+}"


def test_rest_greedy_path_keeps_inner_double_slash_and_drops_trailing_slash():
    client = rest("ANY /{proxy+}", "GET /hardcoded")
    inner = client.get("/proxy-value//double-slash").json()
    assert inner["path"] == "/proxy-value//double-slash"
    assert inner["pathParameters"] == {"proxy": "proxy-value//double-slash"}
    trailing = client.get("/proxy-value/").json()
    assert trailing["path"] == "/proxy-value/"
    assert trailing["pathParameters"] == {"proxy": "proxy-value"}
    assert trailing["requestContext"]["path"] == "/prod/proxy-value/"


def test_rest_double_slash_after_stage_is_removed_from_path_but_kept_in_context():
    event = rest("ANY /{proxy+}", "GET /hardcoded").get("//hardcoded").json()
    assert event["resource"] == "/hardcoded"
    assert event["path"] == "/hardcoded"
    assert event["pathParameters"] is None
    assert event["requestContext"]["path"] == "/prod//hardcoded"


def test_rest_path_stays_percent_encoded():
    event = rest("ANY /{proxy+}").get("/test%2Balias@x/a+b").json()
    assert event["path"] == "/test%2Balias@x/a+b"
    assert event["pathParameters"] == {"proxy": "test%2Balias@x/a+b"}


def test_rest_any_method_route_answers_every_method():
    client = rest("ANY /items")
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        assert client.request(method, "/items").json()["httpMethod"] == method


def test_rest_unknown_path_is_missing_authentication_token():
    response = rest("GET /orders").get("/random-non-existing")
    assert response.status_code == 403
    assert response.text == '{"message":"Missing Authentication Token"}'
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-RequestId"] == response.request_id
    assert response.answered_by == "route"


def test_rest_existing_resource_wrong_method_is_missing_authentication_token():
    response = rest("GET /existing").post("/existing")
    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


# HTTP API matching


def test_http_unknown_route_is_not_found():
    response = http("GET /orders").get("/nothing")
    assert response.status_code == 404
    assert response.text == '{"message":"Not Found"}'
    assert "x-amzn-ErrorType" not in response.headers
    assert response.headers["apigw-requestid"]
    assert response.answered_by == "route"


def test_http_wrong_method_falls_to_default_route():
    client = http("GET /orders", "$default")
    event = client.post("/orders").json()
    assert event["routeKey"] == "$default"
    assert "pathParameters" not in event


def test_http_exact_method_beats_any_and_specific_beats_greedy():
    client = http("ANY /pets/{id}", "GET /pets/{id}", "GET /pets/dog/1", "ANY /{proxy+}")
    assert client.get("/pets/dog/1").json()["routeKey"] == "GET /pets/dog/1"
    assert client.get("/pets/2").json()["routeKey"] == "GET /pets/{id}"
    assert client.delete("/pets/2").json()["routeKey"] == "ANY /pets/{id}"
    assert client.get("/cats/1/2").json()["routeKey"] == "ANY /{proxy+}"


def test_http_path_parameters_are_decoded():
    event = http("GET /pets/{name}").get("/pets/a%20b").json()
    assert event["pathParameters"] == {"name": "a b"}


def test_http_named_stage_is_in_raw_path_and_default_stage_is_not():
    named = http("GET /pets", stage="prod").get("/pets").json()
    assert named["rawPath"] == "/prod/pets"
    assert named["requestContext"]["stage"] == "prod"
    default = http("GET /pets").get("/pets").json()
    assert default["rawPath"] == "/pets"
    assert default["requestContext"]["stage"] == "$default"


def test_http_stage_follows_routes_added_after_deploy():
    gateway = Gateway()
    api = gateway.http_api("late")
    stage = api.deploy("$default")
    api.route("GET /late", lambda e, c: {"ok": True})
    assert stage.client().get("/late").json() == {"ok": True}


def test_rest_stage_keeps_its_snapshot_until_redeployed():
    gateway = Gateway()
    api = gateway.rest_api("snap")
    api.route("GET /a", echo)
    stage = api.deploy("prod")
    api.route("GET /b", echo)
    assert stage.client().get("/b").status_code == 403
    api.deploy("prod")
    assert stage.client().get("/b").status_code == 200


# route keys


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            "FETCH /x",
            "route 'FETCH /x': unknown method 'FETCH'; use one of ANY, DELETE, GET, HEAD, OPTIONS, "
            "PATCH, POST, PUT followed by a path, e.g. 'GET /orders/{id}'",
        ),
        ("GET x", "route 'GET x': the path must start with '/', e.g. 'GET /orders'"),
        (
            "GET /a/{proxy+}/b",
            "route 'GET /a/{proxy+}/b': the greedy parameter {proxy+} must be the last segment",
        ),
        ("GET /a/x{id}", "route 'GET /a/x{id}': path segment 'x{id}' must be a whole '{name}' or '{name+}'"),
        ("GET /a//b", "route 'GET /a//b': empty path segment ('//')"),
        ("GET /{id}/{id}", "route 'GET /{id}/{id}': path parameter 'id' appears twice"),
    ],
)
def test_route_key_errors_name_the_route(key, message):
    api = Gateway().rest_api("bad")
    with pytest.raises(UsageError) as info:
        api.route(key, echo)
    assert str(info.value) == message


def test_default_route_is_http_only():
    with pytest.raises(UsageError, match=r"only HTTP APIs have a \$default route"):
        Gateway().rest_api("r").route("$default", echo)


def test_route_defined_twice_is_refused():
    api = Gateway().http_api("twice")
    api.route("GET /a", echo)
    with pytest.raises(UsageError, match="route 'GET /a' is defined twice on API 'twice'"):
        api.route("GET /a", echo)


def test_route_needs_exactly_one_integration():
    api = Gateway().http_api("none")
    with pytest.raises(UsageError) as info:
        api.route("GET /a")
    assert str(info.value) == (
        "route 'GET /a': give exactly one integration: a handler, state_machine=, http=, mock= or "
        "integration= (got none)"
    )


def test_unknown_authorizer_is_reported_at_deploy():
    api = Gateway().rest_api("auth")
    api.route("GET /a", echo, authorizer="users")
    with pytest.raises(UsageError) as info:
        api.deploy("prod")
    assert str(info.value) == (
        "route 'GET /a' uses authorizer 'users', which is not defined (authorizers: none); "
        "add it with api.authorizer('users', ...)"
    )


def test_unknown_stage_lists_the_stages():
    api = Gateway().rest_api("st")
    api.route("GET /a", echo)
    api.deploy("prod")
    with pytest.raises(UsageError) as info:
        api.stage("dev")
    assert str(info.value) == "API 'st' has no stage 'dev' (stages: 'prod'); create it with api.deploy('dev')"
