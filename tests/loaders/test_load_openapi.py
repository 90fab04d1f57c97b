"""OpenAPI bodies (tests/loaders/templates/openapi_orders): Swagger 2 inline DefinitionBody, OpenAPI 3 from a
local DefinitionUri, x-amazon-apigateway-integration (aws_proxy, aws, mock, http_proxy), -authorizer, api
keys, -request-validators, -cors; a function event on a REST API whose body the user wrote adds no route (SAM
leaves that body alone)."""

from __future__ import annotations

import pytest
import responses

TEMPLATE = "openapi_orders/template.yaml"


@pytest.fixture
def app(load):
    return load(TEMPLATE)


@pytest.fixture
def catalog(app):
    return app.api("CatalogApi").stage("v1").client()


def test_routes_from_the_body_only_when_the_user_wrote_it(app):
    # ItemsFunction's Api event GET /extra names CatalogApi, whose DefinitionBody has no /extra: SAM adds only
    # a permission, so AWS has no such route (403 Missing Authentication Token)
    assert sorted(app.api("CatalogApi").routes) == [
        "ANY /legacy/{proxy+}",
        "GET /items",
        "GET /ping",
        "POST /items",
        "POST /shout",
    ]
    assert sorted(app.api("PartnerHttpApi").routes) == ["$default", "GET /items/{id}"]
    missing = app.api("CatalogApi").stage("v1").client().get("/extra")
    assert (missing.status_code, missing.json()) == (403, {"message": "Missing Authentication Token"})


def test_lambda_request_authorizer_with_two_identity_sources(catalog):
    allowed = catalog.get("/items", headers={"X-Shop": "acme"}, params={"shop": "acme"})
    assert (allowed.status_code, allowed.json()) == (
        200,
        {"route": "GET /items", "version": "1.0", "shop": "acme"},
    )
    assert catalog.get("/items", headers={"X-Shop": "evil"}, params={"shop": "evil"}).status_code == 403
    assert catalog.get("/items").status_code == 401  # an identity source is missing


def test_api_key_security_and_shared_usage_plan(app, catalog):
    assert catalog.post("/items", json={"name": "pen"}).status_code == 403
    key = app.api_keys["ServerlessApiKey"]
    assert catalog.post("/items", json={"name": "pen"}, headers={"x-api-key": key}).status_code == 200


def test_request_validator_with_a_ref_schema(app, catalog):
    key = app.api_keys["ServerlessApiKey"]
    invalid = catalog.post("/items", json={"title": "pen"}, headers={"x-api-key": key})
    assert (invalid.status_code, invalid.json()) == (400, {"message": "Invalid request body"})


def test_mock_and_non_proxy_lambda_integrations(catalog):
    assert catalog.get("/ping", headers={"X-Trace": "1"}).json() == {"pong": True}
    assert catalog.post("/shout", json={"word": "hey"}).json() == {"shouted": "HEY"}


def test_http_proxy_integration_is_answered_by_responses(catalog):
    with responses.RequestsMock() as mock:
        mock.get("https://legacy.example.com/a/b", json={"legacy": True})
        assert catalog.get("/legacy/a/b").json() == {"legacy": True}


def test_openapi3_jwt_authorizer_with_scopes(app):
    client = app.api("PartnerHttpApi").stage("$default").client()
    issuer = app.token_issuer("partner-jwt")
    assert (issuer.issuer, issuer.audience) == ("https://login.partner.example/", "catalog-api")
    assert client.get("/items/1").status_code == 401
    wrong_scope = issuer.token(scopes=["items/write"], token_use="access")
    assert client.get("/items/1", headers={"Authorization": wrong_scope}).status_code == 403
    token = issuer.token(scopes=["items/read"], token_use="access")
    response = client.get("/items/1", headers={"Authorization": token})
    assert response.json() == {"route": "GET /items/{id}", "version": "2.0", "shop": None}


def test_default_route_and_cors(app):
    client = app.api("PartnerHttpApi").stage("$default").client()
    assert client.get("/anything/else").json()["route"] == "$default"
    preflight = client.options(
        "/items/1", headers={"Origin": "https://partner.example", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://partner.example"
    assert preflight.headers["Access-Control-Max-Age"] == "600"


def test_required_parameters_from_a_parameter_validator(catalog):
    missing = catalog.get("/ping")
    assert (missing.status_code, missing.json()) == (
        400,
        {"message": "Missing required request parameters: [X-Trace]"},
    )
