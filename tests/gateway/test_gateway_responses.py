"""REST gateway responses: DEFAULT_4XX / DEFAULT_5XX and each type's status, headers and body template,
through the Python API and through SAM, OpenAPI and CloudFormation templates."""

from __future__ import annotations

import json
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless import Gateway, UsageError
from pytest_serverless.loaders import load_template
from tests.helpers import boom, ok


def api_with(**responses):
    gateway = Gateway()
    api = gateway.rest_api("shop")
    api.route("GET /ok", ok)
    api.route("GET /boom", boom)
    api.route("GET /limited", ok, throttle=(1, 1))
    for response_type, options in responses.items():
        api.gateway_response(response_type, **options)
    return api


def test_default_4xx_headers_reach_every_4xx_answer():
    api = api_with(DEFAULT_4XX={"headers": {"Access-Control-Allow-Origin": "*"}})
    client = api.deploy("prod").client()
    missing = client.get("/nowhere")
    assert missing.status_code == 403
    assert missing.json() == {"message": "Missing Authentication Token"}
    assert missing.headers["Access-Control-Allow-Origin"] == "*"
    assert missing.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    client.get("/limited")
    throttled = client.get("/limited")
    assert throttled.status_code == 429
    assert throttled.headers["Access-Control-Allow-Origin"] == "*"
    failed = client.get("/boom")
    assert failed.status_code == 502
    assert "Access-Control-Allow-Origin" not in failed.headers
    assert "Access-Control-Allow-Origin" not in client.get("/ok").headers


def test_default_5xx_template_and_status_reach_lambda_failures():
    api = api_with(
        DEFAULT_5XX={
            "status": 503,
            "templates": {
                "application/json": '{"error": $context.error.messageString, "id": "$context.requestId"}'
            },
        }
    )
    response = api.deploy("prod").client().get("/boom")
    assert response.status_code == 503
    assert response.json() == {"error": "Internal server error", "id": response.request_id}
    assert response.headers["Content-Length"] == str(len(response.content))
    assert response.headers["Content-Type"] == "application/json"


def test_a_type_of_its_own_wins_over_the_default_and_keeps_the_fallback_status():
    api = api_with(
        DEFAULT_4XX={"status": 400, "headers": {"X-Default": "yes"}},
        THROTTLED={"headers": {"Retry-After": "1"}, "templates": {"application/json": '{"slow": "down"}'}},
    )
    client = api.deploy("prod").client()
    client.get("/limited")
    throttled = client.get("/limited")
    # AWS: a status on DEFAULT_4XX changes the status of every 4XX type without a status of its own
    assert throttled.status_code == 400
    assert throttled.json() == {"slow": "down"}
    assert throttled.headers["Retry-After"] == "1"
    assert "X-Default" not in throttled.headers
    missing = client.get("/nowhere")
    assert (missing.status_code, missing.headers["X-Default"]) == (400, "yes")


def test_response_type_and_request_values_in_headers_and_templates():
    api = api_with(
        MISSING_AUTHENTICATION_TOKEN={
            "status": 404,
            "templates": {
                "application/json": '{"type": "$context.error.responseType", "m": "$context.error.message"}'
            },
            "parameters": {
                "gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.Origin",
                "gatewayresponse.header.X-Stage": "context.stage",
                "gatewayresponse.header.X-Var": "stageVariables.colour",
            },
        }
    )
    client = api.deploy("prod", variables={"colour": "blue"}).client()
    response = client.get("/nowhere", headers={"Origin": "https://shop.example"})
    assert response.status_code == 404
    assert response.json() == {"type": "MISSING_AUTHENTICATION_TOKEN", "m": "Missing Authentication Token"}
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert response.headers["X-Stage"] == "prod"
    assert response.headers["X-Var"] == "blue"


def test_bad_gateway_response_arguments_are_refused_clearly():
    api = Gateway().rest_api("a")
    with pytest.raises(UsageError, match="'DEFAULT_4xx' is not a gateway response type"):
        api.gateway_response("DEFAULT_4xx")
    with pytest.raises(UsageError, match="status must be an HTTP status code"):
        api.gateway_response("DEFAULT_4XX", status="four hundred")
    with pytest.raises(UsageError, match="quoted literal"):
        api.gateway_response("DEFAULT_4XX", parameters={"gatewayresponse.header.X": "*"})
    with pytest.raises(UsageError, match="HTTP APIs have no gateway responses"):
        Gateway().http_api("h").gateway_response("DEFAULT_4XX")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    template=st.text(max_size=40), value=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126))
)
def test_any_template_text_gets_an_answer_or_a_clear_refusal(template, value):
    api = Gateway().rest_api("h")
    api.route("GET /ok", ok)
    try:
        api.gateway_response(
            "DEFAULT_4XX", headers={"X-Any": value}, templates={"application/json": template}
        )
    except UsageError:
        return  # a template that does not parse is refused when declared, naming where
    response = api.deploy("prod").client().get("/nowhere")
    assert response.status_code == 403
    assert response.headers["X-Any"] == value


SAM = textwrap.dedent(
    """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Orders:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          InlineCode: "def handler(event, context):\\n    raise ValueError('x')\\n"
          Events:
            List:
              Type: Api
              Properties: {RestApiId: !Ref ShopApi, Path: /orders, Method: get}
      ShopApi:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          GatewayResponses:
            DEFAULT_4XX:
              ResponseParameters:
                Headers:
                  Access-Control-Allow-Origin: "'*'"
                  Access-Control-Allow-Headers: "'Content-Type,Authorization'"
            DEFAULT_5XX:
              StatusCode: 500
              ResponseTemplates:
                application/json: '{"oops": $context.error.messageString}'
    """
)


def test_sam_gateway_responses(tmp_path):
    (tmp_path / "template.yaml").write_text(SAM)
    app = load_template(tmp_path / "template.yaml")
    try:
        assert app.unsupported == []
        client = app.api("ShopApi").stage("prod").client()
        missing = client.get("/nowhere")
        assert missing.headers["Access-Control-Allow-Origin"] == "*"
        assert missing.headers["Access-Control-Allow-Headers"] == "Content-Type,Authorization"
        failed = client.get("/orders")
        assert (failed.status_code, failed.json()) == (500, {"oops": "Internal server error"})
    finally:
        app.close()


OPENAPI_AND_CFN = textwrap.dedent(
    """\
    Resources:
      Api:
        Type: AWS::ApiGateway::RestApi
        Properties:
          Body:
            openapi: "3.0.1"
            info: {title: shop, version: "1"}
            x-amazon-apigateway-gateway-responses:
              UNAUTHORIZED:
                statusCode: 401
                responseParameters:
                  gatewayresponse.header.WWW-Authenticate: "'Bearer'"
                responseTemplates:
                  application/json: '{"message": "log in first"}'
            paths:
              /ping:
                get:
                  x-amazon-apigateway-integration:
                    type: mock
                    requestTemplates: {application/json: '{"statusCode": 200}'}
                    responses:
                      default: {statusCode: "200", responseTemplates: {application/json: '{"pong": true}'}}
      Missing:
        Type: AWS::ApiGateway::GatewayResponse
        Properties:
          RestApiId: !Ref Api
          ResponseType: MISSING_AUTHENTICATION_TOKEN
          StatusCode: "404"
          ResponseParameters:
            gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
          ResponseTemplates:
            application/json: '{"message": "no such route"}'
      Deployment:
        Type: AWS::ApiGateway::Deployment
        Properties: {RestApiId: !Ref Api, StageName: live}
    """
)


def test_openapi_and_cloudformation_gateway_responses(tmp_path):
    (tmp_path / "template.yaml").write_text(OPENAPI_AND_CFN)
    app = load_template(tmp_path / "template.yaml")
    try:
        assert app.unsupported == []
        api = app.api("Api")
        assert set(api.gateway_responses) == {"UNAUTHORIZED", "MISSING_AUTHENTICATION_TOKEN"}
        client = api.stage("live").client()
        missing = client.get("/nowhere")
        assert missing.status_code == 404
        assert missing.json() == {"message": "no such route"}
        assert missing.headers["Access-Control-Allow-Origin"] == "*"
        assert json.loads(client.get("/ping").text) == {"pong": True}
    finally:
        app.close()


def test_a_template_with_a_bad_gateway_response_type_names_where(tmp_path):
    from pytest_serverless.errors import TemplateError

    (tmp_path / "template.yaml").write_text(
        OPENAPI_AND_CFN.replace("MISSING_AUTHENTICATION_TOKEN", "MISSING")
    )
    with pytest.raises(TemplateError, match="'MISSING' is not a gateway response type") as caught:
        load_template(tmp_path / "template.yaml")
    assert "/Resources/Missing/Properties" in str(caught.value)


def test_rest_preflight_only_where_a_resource_exists():
    gateway = Gateway()
    rest = gateway.rest_api("r", cors={"allow_origins": ["*"], "allow_methods": ["GET"]})
    rest.route("GET /orders", ok)
    client = rest.deploy("prod").client()
    headers = {"Origin": "https://shop.example", "Access-Control-Request-Method": "GET"}
    assert client.request("OPTIONS", "/orders", headers=headers).status_code == 200
    unknown = client.request("OPTIONS", "/nowhere", headers=headers)
    assert (unknown.status_code, unknown.json()) == (403, {"message": "Missing Authentication Token"})
    http = gateway.http_api("h", cors={"allow_origins": ["*"], "allow_methods": ["GET"]})
    http.route("GET /orders", ok)
    assert http.deploy("$default").client().request("OPTIONS", "/nowhere", headers=headers).status_code == 204
