"""WebSocket APIs through the plugin: expect_status checks $connect, coverage and contracts count routes."""

from __future__ import annotations

import json

import pytest

CHAT = """
from pytest_serverless import LambdaAuthorizer


def allow(event, context):
    if event["headers"].get("Auth") != "good":
        raise Exception("Unauthorized")
    return {"principalId": "u", "policyDocument": {"Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]}}


def chat_stage(gateway):
    api = gateway.websocket_api("chat")
    source = "route.request.header.Auth"
    api.authorizer("auth", LambdaAuthorizer(allow, type="REQUEST", identity_source=source))
    api.route("$connect", lambda e, c: {"statusCode": 200}, authorizer="auth")
    api.route("$disconnect", lambda e, c: None)
    two_way = {"route_response_selection_expression": "$default"}
    api.route("send", lambda e, c: {"statusCode": 200, "body": "ok"}, **two_way)
    api.route("$default", lambda e, c: {"statusCode": 200})
    return api.deploy("prod")
"""

TESTS = """
import pytest
from ws_chat import chat_stage


@pytest.mark.expect_status(101)
def test_connects_sends_and_leaves(gateway):
    ws = chat_stage(gateway).connect(headers={"Auth": "good"})
    ws.send(json={"action": "send"})
    ws.close()


@pytest.mark.expect_status(401)
def test_refused_without_token(gateway):
    chat_stage(gateway).connect()


@pytest.mark.expect_status(101)
def test_expects_accepted_but_refused(gateway):
    chat_stage(gateway).connect(headers={"Auth": "bad"})
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(
        "[pytest]\naddopts = --strict-markers -p no:cacheprovider -p no:hypothesispytest -p no:pytest_cov\n"
        "filterwarnings =\n    default\n"
    )
    pytester.makepyfile(ws_chat=CHAT, test_ws_chat=TESTS)
    return pytester


def test_expect_status_applies_to_connect(suite):
    result = suite.runpytest()
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_expects_accepted_but_refused*the last gateway response (of 1) has status 401, "
            "expected 101",
        ]
    )


def test_coverage_counts_websocket_routes(suite):
    result = suite.runpytest("--sfn-coverage=json", "-k", "not expects")
    result.assert_outcomes(passed=2)
    report = json.loads((suite.path / "sfn-coverage.json").read_text())
    chat = report["apis"]["chat"]
    assert chat["missing_routes"] == ["$default"]
    assert sorted(chat["routes"]) == ["$connect", "$default", "$disconnect", "send"]
    assert chat["routes"]["$connect"] == {"2XX": 1, "3XX": 0, "4XX": 1, "5XX": 0}
    assert chat["routes"]["send"] == {"2XX": 1, "3XX": 0, "4XX": 0, "5XX": 0}


def test_contracts_record_websocket_routes(suite):
    result = suite.runpytest("--serverless-contracts=update", "-k", "not expects")
    result.assert_outcomes(passed=2)
    stored = json.loads((suite.path / "__serverless_contracts__" / "test_ws_chat.json").read_text())
    assert stored["test_connects_sends_and_leaves"]["responses"] == [
        {"request": "CONNECT $connect", "status": 101},
        {"request": "MESSAGE send", "status": 200},
        {"request": "DISCONNECT $disconnect", "status": 200},
    ]
    assert stored["test_refused_without_token"]["responses"] == [
        {"request": "CONNECT $connect", "status": 401}
    ]


def test_serverless_app_records_websocket_routes_of_its_template(pytester):
    template = (
        "Resources:\n"
        "  Ws:\n    Type: AWS::ApiGatewayV2::Api\n"
        "    Properties: {Name: ws, ProtocolType: WEBSOCKET,"
        " RouteSelectionExpression: $request.body.action}\n"
        "  Refuse:\n    Type: AWS::ApiGatewayV2::Integration\n"
        "    Properties: {ApiId: !Ref Ws, IntegrationType: HTTP_PROXY, IntegrationUri: 'https://nowhere.invalid'}\n"
        "  Connect:\n    Type: AWS::ApiGatewayV2::Route\n"
        "    Properties: {ApiId: !Ref Ws, RouteKey: $connect, ApiKeyRequired: true,"
        " Target: !Join [/, [integrations, !Ref Refuse]]}\n"
        "  Stage:\n    Type: AWS::ApiGatewayV2::Stage\n    Properties: {ApiId: !Ref Ws, StageName: live}\n"
    )
    pytester.makefile(".yaml", template=template)
    pytester.makeini(
        "[pytest]\naddopts = -p no:cacheprovider -p no:hypothesispytest -p no:pytest_cov\n"
        "serverless_template = template.yaml\n"
    )
    pytester.makepyfile(
        test_app="""
        import pytest

        @pytest.mark.expect_status(403)
        def test_connect_needs_an_api_key(serverless_app):
            stage = serverless_app.api("Ws").stage("live")
            assert stage.connect().status_code == 403
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
