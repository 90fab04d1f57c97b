"""From a template's REST or HTTP API to the live gateway API: what each integration and route option of
the template becomes on the route, and the TemplateError naming the API, authorizer or plan the gateway
refuses."""

from __future__ import annotations

import warnings

import pytest
import responses

from pytest_serverless import TemplateError, load_template
from pytest_serverless.loaders import UnsupportedResourceWarning

REST = """Transform: AWS::Serverless-2016-10-31
Resources:
  Shop:
    Type: AWS::Serverless::Api
    Properties:
      Name: shop
      StageName: live
{properties}
      DefinitionBody:
        openapi: "3.0.1"
        paths:
{paths}
"""

MOCK_PATH = """          /ping:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {"application/json": '{"statusCode": 200}'}
                responses: {default: {statusCode: "200"}}
"""


def _load(tmp_path, text):
    path = tmp_path / "template.yaml"
    path.write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedResourceWarning)
        return load_template(path)


def _rest(tmp_path, paths=MOCK_PATH, properties=""):
    return _load(tmp_path, REST.format(paths=paths, properties=properties))


def test_a_non_proxy_http_integration_maps_the_backend_answer(tmp_path):
    paths = """          /legacy:
            get:
              x-amazon-apigateway-integration:
                type: http
                httpMethod: GET
                uri: https://legacy.example.com/items
                responses: {default: {statusCode: "200"}}
"""
    client = _rest(tmp_path, paths).api("Shop").stage("live").client()
    with responses.RequestsMock() as mock:
        mock.get("https://legacy.example.com/items", json={"legacy": True}, status=201)
        answer = client.get("/legacy")
    assert answer.status_code == 200  # the integration response's status, not the backend's 201
    assert answer.json() == {"legacy": True}


def test_integration_timeout_and_cache_key_parameters_reach_the_route(tmp_path):
    paths = """          /slow:
            get:
              parameters: [{name: q, in: query, schema: {type: string}}]
              x-amazon-apigateway-integration:
                type: mock
                timeoutInMillis: 1500
                cacheKeyParameters: [method.request.querystring.q]
                requestTemplates: {"application/json": '{"statusCode": 200}'}
                responses: {default: {statusCode: "200"}}
"""
    route = _rest(tmp_path, paths).api("Shop").routes["GET /slow"]
    assert route.timeout == 1.5
    assert route.cache_key_parameters == (("querystring", "q"),)


def test_two_apis_with_one_name_get_the_logical_id_appended(tmp_path):
    text = (
        REST.format(paths=MOCK_PATH, properties="")
        + """  Other:
    Type: AWS::Serverless::Api
    Properties:
      Name: shop
      StageName: live
      DefinitionBody:
        openapi: "3.0.1"
        paths:
"""
        + MOCK_PATH
    )
    app = _load(tmp_path, text)
    assert sorted(api.name for api in app.apis.values()) == ["shop", "shop-Other"]


def test_an_endpoint_type_the_gateway_refuses_names_the_api(tmp_path):
    with pytest.raises(TemplateError) as raised:
        _rest(tmp_path, properties="      EndpointConfiguration: {Type: SIDEWAYS}")
    assert raised.value.reason == (
        "API Shop: API 'shop': endpoint_type must be 'EDGE', 'REGIONAL' or 'PRIVATE', got 'SIDEWAYS'"
    )
    assert raised.value.pointer == "/Resources/Shop/Properties"


HTTP_JWT = """Transform: AWS::Serverless-2016-10-31
Resources:
  Partners:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          Jwt:
            IdentitySource: $context.token
            JwtConfiguration: {issuer: "https://issuer.example/", audience: [partners]}
"""


def test_an_authorizer_the_gateway_refuses_names_the_authorizer(tmp_path):
    with pytest.raises(TemplateError) as raised:
        _load(tmp_path, HTTP_JWT)
    assert raised.value.reason.startswith(
        "authorizer Jwt: JwtAuthorizer(identity_source='$context.token'): a JWT authorizer reads"
    )
    assert raised.value.pointer == "/Resources/Partners/Properties/Auth/Authorizers/Jwt"


def test_a_usage_plan_the_gateway_refuses_names_the_plan(tmp_path):
    properties = """      Auth:
        ApiKeyRequired: true
        UsagePlan: {CreateUsagePlan: PER_API, Quota: {Limit: 5, Period: YEAR}}"""
    with pytest.raises(TemplateError) as raised:
        _rest(tmp_path, properties=properties)
    assert raised.value.reason.startswith("usage plan ShopUsagePlan: ")
    assert raised.value.pointer == "/Resources/Shop/Properties"


def test_authorizers_of_one_issuer_share_its_token_issuer(tmp_path):
    text = """Transform: AWS::Serverless-2016-10-31
Resources:
  Partners:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          First:
            JwtConfiguration: {issuer: "https://issuer.example/", audience: [partners]}
          Second:
            JwtConfiguration: {issuer: "https://issuer.example/", audience: [others]}
"""
    app = _load(tmp_path, text)
    issuer = app.token_issuer("First")
    assert app.token_issuer("Second") is issuer
    assert (issuer.issuer, issuer.audience) == ("https://issuer.example/", "partners")
