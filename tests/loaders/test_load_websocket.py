"""Templates with AWS::ApiGatewayV2::Api ProtocolType WEBSOCKET load into live WebSocket APIs."""

from __future__ import annotations

import json

import pytest

from pytest_serverless import TemplateError, load_template


def test_websocket_template_loads_routes_authorizer_route_responses_and_stage(load):
    app = load("websocket/template.yaml")
    api = app.api("ChatApi")
    assert api.kind == "WEBSOCKET"
    assert app.api("chat") is api
    assert sorted(api.routes) == ["$connect", "echo", "ping"]
    stage = api.stage("prod")
    assert stage.connect().status_code == 401  # no token: the authorizer is not called
    assert stage.connect(params={"token": "wrong"}).status_code == 401
    ws = stage.connect(params={"token": "secret"})
    assert ws.status_code == 101
    ws.send(json={"action": "echo", "text": "hi"})
    assert ws.receive() == 'hello ada (chat-connections): {"action": "echo", "text": "hi"}'
    ws.send(json={"action": "ping"})  # MOCK, one-way
    ws.send(json={"action": "nope"})  # no $default route
    assert json.loads(ws.receive())["message"] == "Forbidden"
    ws.send(json={"action": "echo"})
    ws.send(json={"action": "echo"})  # the route's throttle: burst 2
    assert json.loads(ws.messages[-1])["message"] == "Too Many Requests"
    assert stage.throttle == (100.0, 50)


def test_websocket_api_without_route_selection_expression_is_a_template_error(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n"
        "      Name: chat\n      ProtocolType: WEBSOCKET\n"
    )
    with pytest.raises(TemplateError, match="needs a RouteSelectionExpression") as raised:
        load_template(path)
    assert raised.value.pointer == "/Resources/Api/Properties/RouteSelectionExpression"


def test_websocket_route_with_unknown_authorizer_is_a_template_error(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(
        """
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: chat, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: $connect, AuthorizationType: CUSTOM, AuthorizerId: nope}
"""
    )
    with pytest.raises(TemplateError, match="AuthorizationType CUSTOM needs an AuthorizerId"):
        load_template(path)


def test_http_and_websocket_apis_side_by_side(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(
        """
Resources:
  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  WsMock:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Ws, IntegrationType: MOCK}
  WsRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: $default, Target: !Join [/, [integrations, !Ref WsMock]]}
  WsStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: live}
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: http, ProtocolType: HTTP}
  HttpMock:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Http, IntegrationType: MOCK}
  HttpRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Http, RouteKey: GET /ok, Target: !Join [/, [integrations, !Ref HttpMock]]}
  HttpStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Http, StageName: $default}
"""
    )
    app = load_template(path)
    assert app.api("Ws").kind == "WEBSOCKET"
    assert app.api("Http").kind == "HTTP"
    assert app.api("Ws").stage("live").connect().status_code == 101
    assert list(app.api("Http").routes) == ["GET /ok"]
    assert not [item for item in app.unsupported if "WEBSOCKET" in item]


def test_websocket_template_with_iam_api_keys_usage_plan_and_http_proxy(load):
    responses = pytest.importorskip("responses")
    from pytest_serverless.gateway.authorizers.iam import sign_request
    from pytest_serverless.loaders.build_api import IAM_CREDENTIALS

    app = load("websocket/keys.yaml")
    stage = app.api("Ws").stage("live")
    key = "partner-key-123456789012345"
    assert stage.connect(headers={"x-api-key": key}).status_code == 403  # unsigned
    access, secret = next(iter(IAM_CREDENTIALS.items()))
    signed = sign_request(
        "GET", f"https://{stage.domain_name}/live", {}, b"", access, secret, clock=app.clock
    )
    assert stage.connect(headers=signed).status_code == 403  # no API key
    ws = stage.connect(headers={**signed, "x-api-key": key})  # the quota's first request
    assert ws.status_code == 101
    with responses.RequestsMock() as mocked:
        mocked.add(responses.POST, "https://backend.example.com/messages", body="filed")
        ws.send(json={"kind": "report"})
    ws.send(json={"kind": "report"})  # the quota (2 a day) is used up
    assert ws.messages[0] == "filed"
    assert json.loads(ws.messages[1])["message"] == "Limit Exceeded"


def test_websocket_route_without_target(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(
        """
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: chat, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Connect:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: $connect}
  Default:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: $default}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: prod}
"""
    )
    stage = load_template(path).api("Api").stage("prod")
    ws = stage.connect()
    assert ws.status_code == 101
    ws.send(text="hi")
    assert json.loads(ws.receive())["message"] == "Internal server error"
    assert stage.logs[-1]["reason"] == "LookupError: the route has no integration (Target)"


def test_websocket_usage_plan_with_a_malformed_quota_is_a_template_error(tmp_path):
    """The reader REST APIs use: the plan's resource and the field are named, no ValueError escapes."""
    path = tmp_path / "template.yaml"
    path.write_text(
        """
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: chat, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: prod}
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages: [{ApiId: !Ref Api, Stage: prod}]
      Quota: {Limit: lots, Period: DAY}
"""
    )
    with pytest.raises(TemplateError, match="Quota.Limit must be a number, got 'lots'") as raised:
        load_template(path)
    assert raised.value.pointer == "/Resources/Plan/Properties"
