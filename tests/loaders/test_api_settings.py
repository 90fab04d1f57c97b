"""Template API settings that reach the gateway: API key source AUTHORIZER (a Lambda authorizer's
``usageIdentifierKey``), per-method caching and TTL and per-method throttles from ``MethodSettings``, HTTP API
``RouteSettings`` throttles, and payload format 1.0 on an ``AWS::ApiGatewayV2::Integration``."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from pytest_serverless.loaders import UnsupportedResourceWarning, load_template

GOLD_KEY = "gold-key-0123456789abcdef"  # the ApiKey Value in rest_api_settings.yaml
TEMPLATES = Path(__file__).parent / "templates" / "gaps"
CFN = (TEMPLATES / "rest_api_settings.yaml").read_text()


@pytest.fixture
def calls():
    return []


@pytest.fixture
def cfn(tmp_path, calls):
    (tmp_path / "template.yaml").write_text(CFN)

    def orders(event, context):
        calls.append(f"{event['httpMethod']} {event['path']}")
        return {"statusCode": 200, "body": json.dumps({"call": len(calls)})}

    def key_auth(event, context):
        token = event["authorizationToken"]
        policy = {
            "principalId": "client",
            "policyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}],
            },
        }
        if token != "no-key":
            policy["usageIdentifierKey"] = token
        return policy

    app = load_template(
        tmp_path / "template.yaml", handlers={"OrdersFunction": orders, "KeyAuthFunction": key_auth}
    )
    yield app
    app.close()


# section: API key source AUTHORIZER


def test_api_key_from_the_authorizer_is_accepted(cfn):
    client = cfn.api("Api").stage("prod").client()
    response = client.get("/orders", headers={"Authorization": GOLD_KEY})
    assert response.status_code == 200


def test_unknown_api_key_from_the_authorizer_is_forbidden(cfn):
    client = cfn.api("Api").stage("prod").client()
    response = client.get("/orders", headers={"Authorization": "not-a-key-of-any-plan-000"})
    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden"}


def test_x_api_key_header_is_ignored_when_the_source_is_the_authorizer(cfn):
    client = cfn.api("Api").stage("prod").client()
    response = client.get("/orders", headers={"Authorization": "no-key", "x-api-key": GOLD_KEY})
    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden"}


def test_sam_api_key_source_type_reaches_the_gateway(tmp_path):
    (tmp_path / "template.yaml").write_text(
        textwrap.dedent(
            """\
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Api:
                Type: AWS::Serverless::Api
                Properties:
                  StageName: live
                  ApiKeySourceType: AUTHORIZER
                  Auth:
                    ApiKeyRequired: true
                    DefaultAuthorizer: Keys
                    Authorizers:
                      Keys:
                        FunctionArn: !GetAtt AuthFunction.Arn
                        Identity: {Header: X-Client, ReauthorizeEvery: 0}
                    UsagePlan: {CreateUsagePlan: PER_API}
              AuthFunction:
                Type: AWS::Serverless::Function
                Properties: {Runtime: python3.12, Handler: app.auth}
              HelloFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.hello
                  Events:
                    Hello:
                      Type: Api
                      Properties: {RestApiId: !Ref Api, Path: /hello, Method: get}
            """
        )
    )
    keys = {}

    def auth(event, context):
        return {
            "principalId": "c",
            "usageIdentifierKey": keys.get(event["authorizationToken"], "unknown-key-00000000000"),
            "policyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}],
            },
        }

    app = load_template(
        tmp_path / "template.yaml",
        handlers={"AuthFunction": auth, "HelloFunction": lambda e, c: {"statusCode": 200, "body": "hi"}},
    )
    keys["client-1"] = app.api_keys["ApiApiKey"]
    client = app.api("Api").stage("live").client()
    assert app.api("Api").api_key_source == "AUTHORIZER"
    assert client.get("/hello", headers={"X-Client": "client-1"}).text == "hi"
    assert client.get("/hello", headers={"X-Client": "client-2"}).status_code == 403


# section: MethodSettings caching and throttling


def test_method_cache_ttl_overrides_the_stage_ttl(cfn, calls):
    client = cfn.api("Api").stage("prod").client()
    first = client.get("/orders/1")
    cfn.clock.advance(59)
    second = client.get("/orders/1")
    cfn.clock.advance(2)  # 61 s: past the method's 60 s (the stage's 300 s would still hold it)
    third = client.get("/orders/1")
    assert [first.json(), second.json(), third.json()] == [{"call": 1}, {"call": 1}, {"call": 2}]
    assert [log["cacheHit"] for log in cfn.api("Api").stage("prod").logs] == [False, True, False]


def test_method_with_caching_disabled_is_not_cached(cfn, calls):
    client = cfn.api("Api").stage("prod").client()
    for _ in range(2):
        assert client.get("/orders", headers={"Authorization": GOLD_KEY}).status_code == 200
    assert calls == ["GET /orders", "GET /orders"]


def test_method_throttle_applies_to_that_method_only(cfn):
    client = cfn.api("Api").stage("prod").client()
    assert [client.post("/orders", json={}).status_code for _ in range(2)] == [200, 429]
    assert client.get("/orders/7").status_code == 200
    cfn.clock.advance(1)
    assert client.post("/orders", json={}).status_code == 200


def test_stage_without_a_cache_cluster_caches_nothing(tmp_path, calls):
    template = tmp_path / "template.yaml"
    template.write_text(CFN.replace("CacheClusterEnabled: true", "CacheClusterEnabled: false"))

    def orders(event, context):
        calls.append(event["path"])
        return {"statusCode": 200, "body": "{}"}

    app = load_template(
        tmp_path / "template.yaml", handlers={"OrdersFunction": orders, "KeyAuthFunction": lambda e, c: {}}
    )
    client = app.api("Api").stage("prod").client()
    client.get("/orders/1")
    client.get("/orders/1")
    assert calls == ["/orders/1", "/orders/1"]
    assert app.api("Api").stage("prod").cache is None


# section: HTTP APIs (CloudFormation ApiGatewayV2): payload format 1.0, RouteSettings


def test_v2_integration_payload_format_1_0_and_route_settings():
    events = []

    def fn(event, context):
        events.append(event)
        return {"statusCode": 200, "body": event["version"]}

    app = load_template(TEMPLATES / "http_api_v2.yaml", handlers={"Fn": fn})
    client = app.api("HttpApi").stage("$default").client()
    assert client.get("/legacy", params={"a": "1"}).text == "1.0"
    assert events[-1]["httpMethod"] == "GET"
    assert events[-1]["queryStringParameters"] == {"a": "1"}
    assert client.get("/modern").text == "2.0"
    assert client.get("/legacy").status_code == 429  # RouteSettings: 1 request/s, burst 1
    assert client.get("/modern").status_code == 200
    assert app.unsupported == []


def test_unsupported_resource_warning_is_exported_from_the_package():
    import pytest_serverless

    assert pytest_serverless.UnsupportedResourceWarning is UnsupportedResourceWarning
    assert "UnsupportedResourceWarning" in pytest_serverless.__all__


# section: SAM (AWS::Serverless::Api MethodSettings, AWS::Serverless::HttpApi RouteSettings)

SAM_SETTINGS = textwrap.dedent(
    """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Api:
        Type: AWS::Serverless::Api
        Properties:
          StageName: v1
          CacheClusterEnabled: true
          MethodSettings:
            - {ResourcePath: "/*", HttpMethod: "*", CachingEnabled: true, CacheTtlInSeconds: 30}
            - {ResourcePath: "/report", HttpMethod: "POST", CachingEnabled: true, CacheTtlInSeconds: 120,
               ThrottlingRateLimit: 2, ThrottlingBurstLimit: 2}
      Http:
        Type: AWS::Serverless::HttpApi
        Properties:
          RouteSettings:
            "GET /ping": {ThrottlingRateLimit: 1, ThrottlingBurstLimit: 1}
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          Events:
            Items: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /items, Method: get}}
            Report: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /report, Method: post}}
            Ping: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /ping, Method: get}}
    """
)


def test_sam_method_settings_cache_and_throttle_per_method(tmp_path):
    (tmp_path / "template.yaml").write_text(SAM_SETTINGS)
    count = []

    def fn(event, context):
        count.append(1)
        return {"statusCode": 200, "body": json.dumps({"n": len(count)})}

    app = load_template(tmp_path / "template.yaml", handlers={"Fn": fn})
    client = app.api("Api").stage("v1").client()
    stage = app.api("Api").stage("v1")
    # GET /items: the stage-wide 30 s; POST /report: cached too (its own entry enables it), for 120 s
    assert client.get("/items").json() == client.get("/items").json() == {"n": 1}
    assert client.post("/report", json={}).json() == client.post("/report", json={}).json() == {"n": 2}
    app.clock.advance(31)
    assert client.get("/items").json() == {"n": 3}
    assert client.post("/report", json={}).json() == {"n": 2}
    app.clock.advance(90)
    assert client.post("/report", json={}).json() == {"n": 4}
    assert [log["cacheHit"] for log in stage.logs] == [False, True, False, True, False, True, False]
    http = app.api("Http").stage("$default").client()
    assert [http.get("/ping").status_code for _ in range(2)] == [200, 429]
