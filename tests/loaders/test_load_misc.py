"""Smaller template features: implicit HTTP API, HTTP API Lambda authorizers, request models, IAM routes,
local DefinitionS3Location / BodyS3Location, JSON templates, put_events misuse."""

from __future__ import annotations

import json
import textwrap

import pytest

from pytest_serverless.errors import UsageError
from pytest_serverless.loaders import load_template
from tests.helpers import write_template

INLINE = "def handler(event, context):\\n    return {'statusCode': 200, 'body': 'ok'}\\n"


def test_implicit_http_api_default_route_and_lambda_authorizer(tmp_path):
    path = write_template(
        tmp_path,
        f"""
        Transform: AWS::Serverless-2016-10-31
        Globals:
          HttpApi:
            Auth:
              DefaultAuthorizer: Gate
              Authorizers:
                Gate:
                  FunctionArn: !GetAtt GateFn.Arn
                  AuthorizerPayloadFormatVersion: "2.0"
                  EnableSimpleResponses: true
                  Identity: {{Headers: [X-Pass]}}
        Resources:
          GateFn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: |
                def handler(event, context):
                    return {{"isAuthorized": event["headers"].get("x-pass") == "yes"}}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: "{INLINE}"
              Events:
                Everything: {{Type: HttpApi}}
        """,
    )
    app = load_template(path)
    assert list(app.apis) == ["ServerlessHttpApi"]
    client = app.api("ServerlessHttpApi").stage("$default").client()
    assert client.get("/any/path", headers={"X-Pass": "yes"}).text == "ok"
    assert client.get("/any/path", headers={"X-Pass": "no"}).status_code == 403
    assert client.get("/any/path").status_code == 401


def test_request_model_validates_the_body(tmp_path):
    path = write_template(
        tmp_path,
        f"""
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: v1
              Models:
                Order:
                  type: object
                  required: [sku]
                  properties: {{sku: {{type: string}}}}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: "{INLINE}"
              Events:
                Post:
                  Type: Api
                  Properties:
                    RestApiId: !Ref Api
                    Path: /orders
                    Method: post
                    RequestModel: {{Model: Order}}
        """,
    )
    client = load_template(path).api("Api").stage("v1").client()
    assert client.post("/orders", json={"sku": "A"}).status_code == 200
    assert client.post("/orders", json={"qty": 1}).json() == {"message": "Invalid request body"}


def test_iam_route_needs_a_signature(tmp_path):
    path = write_template(
        tmp_path,
        f"""
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties: {{StageName: v1, Auth: {{DefaultAuthorizer: AWS_IAM}}}}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: "{INLINE}"
              Events:
                Get: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: /x, Method: get}}}}
        """,
    )
    app = load_template(path)
    response = app.api("Api").stage("v1").client().get("/x")
    assert response.status_code == 403
    assert app.iam_credentials == {"AKIAIOSFODNN7EXAMPLE": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}


def test_local_definition_and_body_locations_in_a_json_template(tmp_path):
    (tmp_path / "flow.json").write_text(
        json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    )
    (tmp_path / "api.json").write_text(
        json.dumps(
            {
                "openapi": "3.0.1",
                "paths": {"/ping": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}}},
            }
        )
    )
    template = {
        "Resources": {
            "Flow": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"DefinitionS3Location": "flow.json"},
            },
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"BodyS3Location": "api.json"}},
            "Deployment": {
                "Type": "AWS::ApiGateway::Deployment",
                "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "dev"},
            },
        }
    }
    path = tmp_path / "stack.json"
    path.write_text(json.dumps(template))
    app = load_template(path)
    assert app.state_machine("Flow").execute({"a": 1}).output == {"a": 1}
    assert app.api("Api").stage("dev").client().get("/ping").status_code == 200


def test_import_value_and_get_azs_resolve(tmp_path):
    path = write_template(
        tmp_path,
        """
        Resources:
          Flow:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              Definition:
                StartAt: P
                States:
                  P:
                    Type: Pass
                    Result: {shared: !ImportValue shared-topic, zone: !Select [0, !GetAZs ""]}
                    End: true
        """,
    )
    assert load_template(path).state_machine("Flow").execute().output == {
        "shared": "imported:shared-topic",
        "zone": "us-east-1a",
    }


def test_put_events_misuse_is_explained(tmp_path):
    path = write_template(
        tmp_path,
        "Resources:\n  Flow:\n    Type: AWS::Serverless::StateMachine\n"
        "    Properties: {Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}}\n",
    )
    app = load_template(path)
    with pytest.raises(UsageError) as info:
        app.put_events({"Source": "x"})
    assert str(info.value) == (
        "put_events takes a list of entries: [{'Source': ..., 'DetailType': ..., 'Detail': {...}}]"
    )
    with pytest.raises(UsageError) as info:
        app.put_events([{"DetailType": "x"}])
    assert str(info.value) == (
        "put_events entry 0 needs 'Source', 'DetailType' and 'Detail', got {'DetailType': 'x'}"
    )
    assert app.put_events([{"Source": "x", "DetailType": "y", "Detail": "{}"}]) == []


def test_implicit_api_can_be_referenced(tmp_path):
    path = write_template(
        tmp_path,
        f"""
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: "{INLINE}"
              Environment:
                Variables:
                  API_URL: !Sub "https://${{ServerlessRestApi}}.execute-api.${{AWS::Region}}.amazonaws.com/Prod"
              Events:
                Implicit: {{Type: Api, Properties: {{Path: /a, Method: get}}}}
                Explicit:
                  Type: Api
                  Properties: {{Path: /b, Method: get, RestApiId: !Ref ServerlessRestApi}}
        """,
    )
    app = load_template(path)
    assert sorted(app.api("ServerlessRestApi").routes) == ["GET /a", "GET /b"]
    assert (
        app.model.functions["Fn"].environment["API_URL"].endswith(".execute-api.us-east-1.amazonaws.com/Prod")
    )


def test_aws_include_of_a_local_openapi_file(tmp_path):
    (tmp_path / "openapi.yaml").write_text(
        textwrap.dedent(
            """
            openapi: 3.0.1
            paths:
              /hello:
                get:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    uri: !Sub "arn:aws:apigateway:us-east-1:lambda:path/functions/${Fn.Arn}/invocations"
            """
        )
    )
    path = write_template(
        tmp_path,
        f"""
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: v1
              DefinitionBody:
                Fn::Transform:
                  Name: AWS::Include
                  Parameters: {{Location: openapi.yaml}}
          Fn:
            Type: AWS::Serverless::Function
            Properties: {{Runtime: python3.12, Handler: index.handler, InlineCode: "{INLINE}"}}
        """,
    )
    app = load_template(path)
    assert app.api("Api").stage("v1").client().get("/hello").text == "ok"


def test_openapi_cognito_authorizer_with_scopes_and_sam_request_authorizer(tmp_path):
    path = write_template(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Pool:
            Type: AWS::Cognito::UserPool
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: |
                def handler(event, context):
                    return {"statusCode": 200, "body": event["requestContext"]["authorizer"].get("tier", "-")}
          Gate:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: |
                def handler(event, context):
                    ok = event["queryStringParameters"].get("tier") == "gold"
                    return {"principalId": "p", "context": {"tier": "gold"}, "policyDocument": {
                        "Version": "2012-10-17", "Statement": [
                            {"Action": "execute-api:Invoke", "Effect": "Allow" if ok else "Deny",
                             "Resource": "*"}]}}
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: v1
              Auth:
                Authorizers:
                  TierGate:
                    FunctionArn: !GetAtt Gate.Arn
                    FunctionPayloadType: REQUEST
                    Identity: {QueryStrings: [tier], ReauthorizeEvery: 0}
              DefinitionBody:
                openapi: 3.0.1
                components:
                  securitySchemes:
                    users:
                      type: apiKey
                      name: Authorization
                      in: header
                      x-amazon-apigateway-authtype: cognito_user_pools
                      x-amazon-apigateway-authorizer:
                        type: cognito_user_pools
                        providerARNs: [!GetAtt Pool.Arn]
                paths:
                  /me:
                    get:
                      security: [{users: [profile/read]}]
                      x-amazon-apigateway-integration:
                        type: aws_proxy
                        httpMethod: POST
                        uri: !Sub "arn:aws:apigateway:us-east-1:lambda:path/functions/${Fn.Arn}/invocations"
          Events:
            Type: AWS::SQS::Queue
            Condition: Never
        Conditions:
          Never: !Equals [a, b]
        """,
    )
    app = load_template(path)
    app_fn = app.model.functions["Fn"]
    api = app.api("Api")
    api.route("GET /gold", app.function("Fn"), authorizer="TierGate")  # the SAM authorizer, on a new route
    api.deploy("v1")
    client = api.stage("v1").client()
    issuer = app.token_issuer("users")
    assert client.get("/me", headers={"Authorization": issuer.token(token_use="access")}).status_code == 401
    access = issuer.token(token_use="access", scopes=["profile/read"])
    assert client.get("/me", headers={"Authorization": access}).status_code == 200
    assert client.get("/gold", params={"tier": "gold"}).text == "gold"
    assert client.get("/gold", params={"tier": "tin"}).status_code == 403
    assert app_fn.runtime == "python3.12"
    assert app.unsupported == []  # the queue is left out by its condition
