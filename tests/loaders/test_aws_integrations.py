"""AWS service integrations declared in templates: OpenAPI ``type: aws`` and CloudFormation ``Method``
``Integration.Type: AWS``, answered by the app's own rules and state machines, a handler, or moto."""

from __future__ import annotations

import json
import textwrap

import pytest

from pytest_serverless import AwsError
from pytest_serverless.loaders import load_template

TEMPLATE = textwrap.dedent(
    """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Flow:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition: {StartAt: W, States: {W: {Type: Wait, Seconds: 60, End: true}}}
      OnOrder:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
          Events:
            Placed:
              Type: EventBridgeRule
              Properties: {Pattern: {source: [shop.orders]}}
      Api:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          DefinitionBody:
            openapi: "3.0.1"
            info: {title: shop, version: "1"}
            paths:
              /events:
                post:
                  x-amazon-apigateway-integration:
                    type: aws
                    httpMethod: POST
                    uri: !Sub arn:aws:apigateway:${AWS::Region}:events:action/PutEvents
                    requestParameters:
                      integration.request.header.X-Amz-Target: "'AWSEvents.PutEvents'"
                    requestTemplates:
                      application/json: |
                        {"Entries": [{"Source": "shop.orders", "DetailType": "OrderPlaced",
                          "Detail": "$util.escapeJavaScript($input.body)"}]}
                    responses:
                      default:
                        statusCode: "200"
                        responseTemplates:
                          application/json: '{"failed": $input.path(''$.FailedEntryCount'')}'
              /stop:
                post:
                  x-amazon-apigateway-integration:
                    type: aws
                    httpMethod: POST
                    uri: !Sub arn:aws:apigateway:${AWS::Region}:states:action/StopExecution
                    requestTemplates:
                      application/json: '{"executionArn": "$input.path(''$.arn'')"}'
                    responses:
                      "4\\\\d{2}":
                        statusCode: "404"
                        responseTemplates:
                          application/json: '{"error": "$input.path(''$.__type'')"}'
                      default:
                        statusCode: "200"
      Table:
        Type: AWS::DynamoDB::Table
      RestApi:
        Type: AWS::ApiGateway::RestApi
        Properties: {Name: plain}
      Items:
        Type: AWS::ApiGateway::Resource
        Properties: {RestApiId: !Ref RestApi, ParentId: !GetAtt RestApi.RootResourceId, PathPart: items}
      PutItem:
        Type: AWS::ApiGateway::Method
        Properties:
          RestApiId: !Ref RestApi
          ResourceId: !Ref Items
          HttpMethod: POST
          AuthorizationType: NONE
          Integration:
            Type: AWS
            IntegrationHttpMethod: POST
            Uri: !Sub arn:aws:apigateway:${AWS::Region}:dynamodb:action/PutItem
            RequestTemplates:
              application/json: !Sub '{"TableName": "${Table}", "Item": {"id": {"S": "$context.requestId"}}}'
            IntegrationResponses:
              - StatusCode: "201"
                ResponseTemplates: {application/json: '{"id": "$context.requestId"}'}
              - StatusCode: "409"
                SelectionPattern: "400"
                ResponseTemplates: {application/json: '{"message": "exists"}'}
      Deployment:
        Type: AWS::ApiGateway::Deployment
        DependsOn: PutItem
        Properties: {RestApiId: !Ref RestApi, StageName: live}
    """
)


@pytest.fixture
def app(tmp_path):
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    loaded = load_template(tmp_path / "template.yaml", warn=False)
    yield loaded
    loaded.close()


def test_nothing_of_the_aws_integrations_is_listed_as_unsupported(app):
    assert app.unsupported == ["Table: AWS::DynamoDB::Table"]  # the table itself: moto's or a handler's


def test_put_events_reaches_the_apps_rules(app):
    response = app.api("Api").stage("prod").client().post("/events", json={"id": 7})
    assert (response.status_code, response.json()) == (200, {"failed": 0})
    assert [execution.input["detail"] for execution in app.executions] == [{"id": 7}]


def test_each_app_of_the_template_answers_with_its_own_rules(tmp_path):
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    first, second, third = (load_template(tmp_path / "template.yaml", warn=False) for _ in range(3))
    # the first app's own change to its integration (the next apps' copies have their own templates)
    first.api("Api").routes["POST /events"].integration.request_templates.clear()
    for app in (second, third, first):
        response = app.api("Api").stage("prod").client().post("/events", json={"id": 7})
        assert response.status_code == 200
    assert [len(app.executions) for app in (first, second, third)] == [0, 1, 1]
    assert [execution.input["detail"] for execution in second.executions] == [{"id": 7}]


def test_stop_execution_reaches_the_apps_state_machine_and_maps_its_errors(app):
    execution = app.state_machine("Flow").start({})
    client = app.api("Api").stage("prod").client()
    stopped = client.post("/stop", json={"arn": execution.arn})
    assert stopped.status_code == 200
    assert execution.status == "ABORTED"
    missing = client.post("/stop", json={"arn": execution.arn + "x"})
    assert (missing.status_code, missing.json()) == (404, {"error": "ExecutionDoesNotExist"})


def test_a_cloudformation_method_answered_by_a_handler(app):
    calls = []

    def put_item(request):
        calls.append(request.params)
        if len(calls) > 1:
            raise AwsError("ConditionalCheckFailedException", "The conditional request failed")
        return {}

    app.gateway.aws_service("dynamodb", "PutItem", put_item)
    client = app.api("RestApi").stage("live").client()
    created = client.post("/items", json={})
    assert (created.status_code, created.json()) == (201, {"id": created.request_id})
    assert calls[0]["TableName"] == app.template.physical_name("Table")
    assert client.post("/items", json={}).status_code == 409


def test_moto_answers_a_template_route(app):
    moto = pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    with moto.mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        table = app.template.physical_name("Table")
        dynamodb.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        created = app.api("RestApi").stage("live").client().post("/items", json={})
        assert created.status_code == 201, created.text
        items = dynamodb.scan(TableName=table)["Items"]
        assert items == [{"id": {"S": created.request_id}}]
        assert json.loads(created.text)["id"] == created.request_id


HTTP_TEMPLATE = textwrap.dedent(
    """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      OnOrder:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
          Events:
            Placed:
              Type: EventBridgeRule
              Properties: {Pattern: {source: [shop.orders]}}
      Events:
        Type: AWS::Serverless::HttpApi
        Properties:
          DefinitionBody:
            openapi: "3.0.1"
            info: {title: events, version: "1"}
            paths:
              /orders:
                post:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    integrationSubtype: EventBridge-PutEvents
                    payloadFormatVersion: "1.0"
                    requestParameters:
                      Source: shop.orders
                      DetailType: OrderPlaced
                      Detail: $request.body
    """
)


def test_an_http_api_subtype_from_openapi_reaches_the_apps_rules(tmp_path):
    (tmp_path / "template.yaml").write_text(HTTP_TEMPLATE)
    app = load_template(tmp_path / "template.yaml")
    try:
        assert app.unsupported == []
        response = app.api("Events").stage("$default").client().post("/orders", json={"id": 3})
        assert response.status_code == 200
        assert response.json()["FailedEntryCount"] == 0
        assert [execution.input["detail"] for execution in app.executions] == [{"id": 3}]
    finally:
        app.close()
