"""The WebSocket API reader and builder, one property at a time: what each Route, Integration, Authorizer,
Stage and UsagePlan property does to the live API, and the TemplateError naming the property when it is
wrong."""

from __future__ import annotations

import json
import warnings

import pytest

from pytest_serverless import TemplateError, load_template
from pytest_serverless.loaders import UnsupportedResourceWarning

API = """Resources:
  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: ws
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
{api}
  Mock:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {{ApiId: !Ref Ws, IntegrationType: MOCK{integration}}}
{resources}
"""

DEFAULT_ROUTE = """  Default:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: $default, Target: !Join [/, [integrations, !Ref Mock]]}
"""

STAGE = """  Live:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: live}
"""


def _load(tmp_path, resources="", *, api="", integration=""):
    path = tmp_path / "template.yaml"
    path.write_text(API.format(api=api, integration=integration, resources=resources))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedResourceWarning)
        return load_template(path)


def _error(tmp_path, resources="", **kwargs):
    with pytest.raises(TemplateError) as raised:
        _load(tmp_path, resources, **kwargs)
    return raised.value


def test_api_key_selection_expression_reaches_the_api(tmp_path):
    app = _load(
        tmp_path, DEFAULT_ROUTE + STAGE, api="      ApiKeySelectionExpression: $request.header.x-api-key"
    )
    assert app.api("Ws").api_key_source == "HEADER"


def test_an_api_key_selection_expression_the_gateway_refuses_names_the_api(tmp_path):
    error = _error(tmp_path, DEFAULT_ROUTE, api="      ApiKeySelectionExpression: $request.body.key")
    assert error.reason.startswith(
        "WebSocket API Ws: WebSocket API 'ws': api_key_selection_expression must be"
    )
    assert error.pointer == "/Resources/Ws/Properties"


def test_a_body_on_a_websocket_api_is_listed_as_not_emulated(tmp_path):
    app = _load(tmp_path, DEFAULT_ROUTE, api="      Body: {}")
    assert "Ws: Body on a WebSocket API (declare routes)" in app.unsupported


def test_an_integration_type_not_emulated_is_listed_and_its_route_answers_internal_server_error(tmp_path):
    resources = """  Sqs:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      {ApiId: !Ref Ws, IntegrationType: AWS, IntegrationUri: "arn:aws:apigateway:us-east-1:sqs:path/q"}
  Send:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: send, Target: !Join [/, [integrations, !Ref Sqs]]}
"""
    app = _load(tmp_path, resources + STAGE)
    assert (
        "Sqs: WebSocket integration AWS (AWS_PROXY to a function, MOCK and HTTP_PROXY are emulated; "
        "its routes answer Internal server error)" in app.unsupported
    )
    ws = app.api("Ws").stage("live").connect()
    ws.send(json={"action": "send"})
    assert json.loads(ws.receive())["message"] == "Internal server error"


def test_integration_timeout_is_clamped_to_what_the_gateway_allows(tmp_path):
    app = _load(tmp_path, DEFAULT_ROUTE, integration=", TimeoutInMillis: 10")
    assert app.api("Ws").routes["$default"].timeout == 0.05


def test_an_authorizer_that_is_not_request_names_the_authorizer(tmp_path):
    resources = """  Auth:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties: {ApiId: !Ref Ws, AuthorizerType: JWT, Name: jwt}
"""
    error = _error(tmp_path, resources)
    assert error.reason == "a WebSocket API authorizer is a REQUEST authorizer with an AuthorizerUri"
    assert error.pointer == "/Resources/Auth/Properties"


def test_an_authorizer_the_gateway_refuses_names_the_authorizer(tmp_path):
    resources = """  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, InlineCode: "def handler(e, c): pass"}
  Auth:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Ws
      AuthorizerType: REQUEST
      Name: gate
      IdentitySource: [$bogus.token]
      AuthorizerUri: !Sub arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
"""
    error = _error(tmp_path, resources)
    assert error.reason.startswith(
        "authorizer gate: LambdaAuthorizer(identity_source=...): cannot read '$bogus.token'"
    )
    assert error.pointer == "/Resources/Auth/Properties"


def test_a_route_without_route_key_names_the_property(tmp_path):
    resources = """  Bad:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, Target: !Join [/, [integrations, !Ref Mock]]}
"""
    error = _error(tmp_path, resources)
    assert error.reason == "a route needs a RouteKey"
    assert error.pointer == "/Resources/Bad/Properties/RouteKey"


def test_a_target_that_names_no_integration_names_the_property(tmp_path):
    resources = """  Bad:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: go, Target: integrations/nothing}
"""
    error = _error(tmp_path, resources)
    assert error.reason == "Target must be integrations/<Ref of an AWS::ApiGatewayV2::Integration>"
    assert error.pointer == "/Resources/Bad/Properties/Target"


def test_a_route_key_the_gateway_refuses_names_the_route(tmp_path):
    resources = """  Bad:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: $bogus, Target: !Join [/, [integrations, !Ref Mock]]}
"""
    error = _error(tmp_path, resources)
    assert error.reason.startswith(
        "route $bogus: WebSocket route '$bogus': the only route keys starting with '$'"
    )
    assert error.pointer == "/Resources/Bad/Properties"


def test_a_route_without_target_answers_internal_server_error(tmp_path):
    resources = """  Bare:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: bare}
"""
    app = _load(tmp_path, resources + STAGE)
    ws = app.api("Ws").stage("live").connect()
    ws.send(json={"action": "bare"})
    assert json.loads(ws.receive())["message"] == "Internal server error"


def test_a_stage_the_gateway_refuses_names_the_stage(tmp_path):
    resources = """  Bad:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: a/b}
"""
    error = _error(tmp_path, DEFAULT_ROUTE + resources)
    assert error.reason.startswith("stage a/b: deploy(stage): a WebSocket stage name is a non-empty string")
    assert error.pointer == "/Resources/Ws/Properties"


PLAN = """  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      UsagePlanName: partners
      ApiStages: [{{ApiId: !Ref Ws, Stage: live}}]
      {limits}
"""


def test_a_usage_plan_throttle_reaches_the_websocket_api(tmp_path):
    app = _load(
        tmp_path, DEFAULT_ROUTE + STAGE + PLAN.format(limits="Throttle: {RateLimit: 5, BurstLimit: 2}")
    )
    (plan,) = app.api("Ws").usage_plans
    assert (plan.name, plan.throttle) == ("partners", (5.0, 2))


def test_a_usage_plan_the_gateway_refuses_names_the_plan(tmp_path):
    error = _error(tmp_path, DEFAULT_ROUTE + STAGE + PLAN.format(limits="Quota: {Limit: 5, Period: YEAR}"))
    assert error.reason.startswith("usage plan partners: ")
    assert error.pointer == "/Resources/Ws/Properties"
