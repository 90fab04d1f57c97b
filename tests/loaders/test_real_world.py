"""Real-world SAM templates load: SAM's generated references, attribute values of AWS's shape,
DefinitionSubstitutions left literal, and parts the library does not emulate degrading only themselves."""

from __future__ import annotations

import textwrap
import warnings
import zipfile
from pathlib import Path

import pytest

from pytest_serverless.errors import TemplateError
from pytest_serverless.loaders import UnsupportedResourceWarning, load_template


def write(tmp_path, text, name="template.yaml"):
    file = tmp_path / name
    file.write_text(textwrap.dedent(text))
    return file


def quiet_load(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedResourceWarning)
        return load_template(path, **kwargs)


# section: SAM's generated references and attribute shapes

REFS = """
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Globals:
      Function:
        Runtime: python3.12
        AutoPublishAlias: live
    Resources:
      OrdersApi:
        Type: AWS::Serverless::Api
        Properties:
          StageName: v1
      OrdersTable:
        Type: AWS::DynamoDB::Table
        Properties:
          TableName: Orders
          StreamSpecification: {StreamViewType: NEW_IMAGE}
      ApprovalActivity:
        Type: AWS::StepFunctions::Activity
        Properties: {Name: approve}
      Notify:
        Type: AWS::Serverless::Function
        Properties:
          FunctionName: notify
          InlineCode: "def handler(event, context):\\n    return event\\n"
          Handler: index.handler
          FunctionUrlConfig: {AuthType: NONE}
          Environment:
            Variables:
              STAGE: !Ref OrdersApi.Stage
              STAGE_BY_ID: !Ref OrdersApiv1Stage
              ALIAS: !Ref Notify.Alias
              VERSION: !Ref Notify.Version
              STREAM_LABEL: !Select [3, !Split ["/", !GetAtt OrdersTable.StreamArn]]
              TABLE_ARN: !GetAtt OrdersTable.Arn
              URL_HOST: !Select [2, !Split ["/", !GetAtt NotifyUrl.FunctionUrl]]
              ROLE_NAME: !Select [1, !Split ["/", !GetAtt NotifyRole.Arn]]
              ACTIVITY: !Ref ApprovalActivity
              ACTIVITY_NAME: !GetAtt ApprovalActivity.Name
              BASE: !Sub "https://${OrdersApi}.execute-api.${AWS::Region}.amazonaws.com/${OrdersApi.Stage}"
              BUCKET_DOMAIN: !GetAtt Uploads.RegionalDomainName
              BUS_ARN: !GetAtt Bus.Arn
              QUEUE_URL: !GetAtt Jobs.QueueUrl
          Events:
            Get:
              Type: Api
              Properties: {RestApiId: !Ref OrdersApi, Path: /orders, Method: get}
            Implicit:
              Type: Api
              Properties: {Path: /implicit, Method: get}
            Everything:
              Type: HttpApi
      Uploads:
        Type: AWS::S3::Bucket
        Properties: {BucketName: uploads}
      Bus:
        Type: AWS::Events::EventBus
        Properties: {Name: shop}
      Jobs:
        Type: AWS::SQS::Queue
        Properties: {QueueName: jobs}
      Flow:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition:
            StartAt: Approve
            States:
              Approve: {Type: Task, Resource: "${Activity}", End: true}
          DefinitionSubstitutions:
            Activity: !Ref ApprovalActivity
            RestApi: !Ref ServerlessRestApi
            HttpApi: !Ref ServerlessHttpApi
            ProdStage: !Ref ServerlessRestApiProdStage
"""


def test_sam_generated_references_and_attribute_shapes(tmp_path):
    app = quiet_load(write(tmp_path, REFS))
    env = app.model.functions["Notify"].environment
    arn = "arn:aws:lambda:us-east-1:123456789012:function:notify"
    assert env["STAGE"] == env["STAGE_BY_ID"] == "v1"
    assert env["ALIAS"] == f"{arn}:live"
    assert env["VERSION"] == f"{arn}:1"
    assert env["STREAM_LABEL"] == "2024-01-01T00:00:00.000"
    assert env["TABLE_ARN"] == "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"
    assert env["URL_HOST"].endswith(".lambda-url.us-east-1.on.aws")
    assert "-NotifyRole-" in env["ROLE_NAME"]
    assert env["ACTIVITY"] == "arn:aws:states:us-east-1:123456789012:activity:approve"
    assert env["ACTIVITY_NAME"] == "approve"
    host, stage = env["BASE"].removeprefix("https://").split("/")
    assert (host.split(".", 1)[1], stage) == ("execute-api.us-east-1.amazonaws.com", "v1")
    assert env["BUCKET_DOMAIN"] == "uploads.s3.us-east-1.amazonaws.com"
    assert env["BUS_ARN"] == "arn:aws:events:us-east-1:123456789012:event-bus/shop"
    assert env["QUEUE_URL"] == "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
    substitutions = app.model.state_machines["Flow"].substitutions
    assert substitutions["Activity"] == env["ACTIVITY"]
    assert substitutions["ProdStage"] == "Prod"
    assert substitutions["RestApi"] != substitutions["HttpApi"]


def test_unknown_generated_reference_still_names_what_exists(tmp_path):
    text = REFS.replace("!Ref OrdersApi.Stage", "!Ref OrdersApi.Stages")
    with pytest.raises(TemplateError) as caught:
        quiet_load(write(tmp_path, text))
    assert "unresolved reference 'OrdersApi.Stages'" in str(caught.value)
    assert str(caught.value).endswith("did you mean 'OrdersApi.Stage'?")


# section: DefinitionSubstitutions


def test_placeholder_without_a_substitution_stays_literal(tmp_path):
    file = write(
        tmp_path,
        """
        Resources:
          Flow:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              DefinitionString: >-
                {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true, "Result":
                {"table": "${Table}", "note": "costs ${Price} (${NotGiven})", "flag": ${Flag}}}}}
              DefinitionSubstitutions:
                Table: Orders
                Price: 5
                Flag: true
        """,
    )
    output = load_template(file).state_machine("Flow").execute({}).output
    assert output == {"table": "Orders", "note": "costs 5 (${NotGiven})", "flag": True}


# section: a part not emulated degrades its own route only

DEGRADED = Path(__file__).parent / "templates" / "gaps" / "degraded_routes.yaml"


@pytest.fixture
def degraded():
    with pytest.warns(UnsupportedResourceWarning) as caught:
        app = load_template(DEGRADED)
    yield app, [str(w.message) for w in caught]
    app.close()


def test_unemulated_integrations_are_listed_once_and_warned(degraded):
    app, messages = degraded
    routes = [entry for entry in app.unsupported if ": route " in entry]
    assert routes == [
        "RestApi: route POST /jobs: AWS service integration sqs:path/123456789012/"
        f"{app.template.physical_name('Jobs')} (requests to it answer 500)",
        "RestApi: route GET /private: private integration through a VPC link "
        "(HTTP_PROXY http://internal-nlb.example.com/private) (requests to it answer 500)",
        "HttpApi: route POST /send: HTTP API AWS service integration (IntegrationSubtype SQS-SendMessage) "
        "(requests to it answer 500)",
        "HttpApi: route ANY /app/{proxy+}: private integration through a VPC link (HTTP_PROXY "
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/50dc6c495c0c9188/"
        "0467ef3c8400ae65) (requests to it answer 500)",
    ]
    assert len(messages) == 1
    assert all(entry in messages[0] for entry in routes)


def test_unemulated_rest_route_answers_500_naming_the_feature(degraded):
    app, _ = degraded
    response = app.api("RestApi").stage("prod").client().post("/jobs", json={"id": 1})
    assert (response.status_code, response.json()) == (500, {"message": "Internal server error"})
    assert response.headers["x-amzn-ErrorType"] == "InternalServerErrorException"
    assert "AWS service integration sqs:path/123456789012/" in response.reason
    assert "is not emulated by pytest_serverless" in response.reason


def test_unemulated_http_api_routes_answer_500(degraded):
    app, _ = degraded
    client = app.api("HttpApi").stage("$default").client()
    sent = client.post("/send", json={"id": 1})
    assert (sent.status_code, sent.text) == (500, '{"message":"Internal Server Error"}')
    assert "IntegrationSubtype SQS-SendMessage" in sent.reason
    assert client.get("/app/anything").status_code == 500


def test_other_routes_of_the_same_api_still_work(degraded):
    app, _ = degraded
    client = app.api("RestApi").stage("prod").client()
    streamed = client.get("/orders")  # a response-streaming invocation URI is a Lambda proxy here
    assert (streamed.status_code, streamed.json()["fn"]) == (200, "blue")


def test_stage_variable_names_the_lambda_function(degraded):
    app, _ = degraded
    api = app.api("RestApi")
    assert api.stage("prod").client().get("/by-stage").text == "green"
    api.deploy("blue", variables={"fn": "orders-blue"})
    assert api.stage("blue").client().get("/by-stage").json()["fn"] == "blue"
    api.deploy("nowhere", variables={"fn": "orders-red"})
    missing = api.stage("nowhere").client().get("/by-stage")
    assert missing.status_code == 500
    assert "which is no function of the template" in missing.reason


STEP_FUNCTIONS_ACTIONS = """
    Resources:
      Api:
        Type: AWS::ApiGateway::RestApi
        Properties:
          Name: flows
          Body:
            swagger: "2.0"
            info: {title: flows, version: "1"}
            paths:
              /stop:
                post:
                  x-amazon-apigateway-integration:
                    type: aws
                    httpMethod: POST
                    uri: arn:aws:apigateway:us-east-1:states:action/StopExecution
              /elsewhere:
                post:
                  x-amazon-apigateway-integration:
                    type: aws
                    httpMethod: POST
                    uri: arn:aws:apigateway:us-east-1:states:action/StartExecution
                    requestTemplates:
                      application/json: >-
                        {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Other"}
      Stage:
        Type: AWS::ApiGateway::Stage
        Properties: {RestApiId: !Ref Api, StageName: live}
"""


def test_step_functions_integrations_not_emulated_degrade(tmp_path):
    with pytest.warns(UnsupportedResourceWarning):
        app = load_template(write(tmp_path, STEP_FUNCTIONS_ACTIONS))
    assert app.unsupported == [
        "Api: route POST /stop: Step Functions action StopExecution (only StartExecution and "
        "StartSyncExecution) (requests to it answer 500)",
        "Api: route POST /elsewhere: a Step Functions integration starting "
        "'arn:aws:states:us-east-1:123456789012:stateMachine:Other', which is not a state machine of this "
        "template (requests to it answer 500)",
    ]
    assert app.api("Api").stage("live").client().post("/stop", json={}).status_code == 500


# section: nothing dropped silently

API_FEATURES = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Orders:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          InlineCode: "def handler(event, context):\\n    return {'statusCode': 200, 'body': 'ok'}\\n"
          Events:
            List:
              Type: Api
              Properties: {RestApiId: !Ref ShopApi, Path: /orders, Method: get}
      ShopApi:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          TracingEnabled: false
          AccessLogSetting:
            DestinationArn: !GetAtt Logs.Arn
            Format: $context.requestId
          MethodSettings:
            - {ResourcePath: "/*", HttpMethod: "*", LoggingLevel: INFO, MetricsEnabled: true,
               ThrottlingRateLimit: 10, ThrottlingBurstLimit: 5}
          GatewayResponses:
            DEFAULT_4XX:
              ResponseParameters:
                Headers: {Access-Control-Allow-Origin: "'*'"}
          Auth:
            ResourcePolicy:
              IpRangeDenylist: [10.0.0.0/8]
      Logs:
        Type: AWS::Logs::LogGroup
      Missing:
        Type: AWS::ApiGateway::GatewayResponse
        Properties:
          RestApiId: !Ref ShopApi
          ResponseType: MISSING_AUTHENTICATION_TOKEN
          StatusCode: "404"
      Http:
        Type: AWS::Serverless::HttpApi
        Properties:
          AccessLogSettings: {DestinationArn: !GetAtt Logs.Arn, Format: $context.requestId}
          DefinitionBody:
            openapi: "3.0.1"
            info: {title: http, version: "1"}
            x-amazon-apigateway-policy: {Version: "2012-10-17", Statement: []}
            paths: {}
"""


def test_api_features_not_emulated_are_listed_and_the_api_still_serves(tmp_path):
    with pytest.warns(UnsupportedResourceWarning) as caught:
        app = load_template(write(tmp_path, API_FEATURES))
    assert app.unsupported == [
        "Missing: AWS::ApiGateway::GatewayResponse",
        "ShopApi: GatewayResponses, AccessLogSetting, Auth.ResourcePolicy, MethodSettings (LoggingLevel, "
        "MetricsEnabled) (not emulated)",
        "Http: OpenAPI x-amazon-apigateway-policy (not emulated)",
        "Http: AccessLogSettings (not emulated)",
    ]
    assert len(caught) == 1
    client = app.api("ShopApi").stage("prod").client()
    assert (client.get("/orders").status_code, client.get("/orders").text) == (200, "ok")


# section: SAM state machine events

WORKFLOW = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      OrdersApi:
        Type: AWS::Serverless::Api
        Properties: {StageName: prod}
      OrderFlow:
        Type: AWS::Serverless::StateMachine
        Properties:
          Type: EXPRESS
          Definition:
            StartAt: Record
            States:
              Record: {Type: Pass, End: true}
          Events:
            Submit:
              Type: Api
              Properties: {RestApiId: !Ref OrdersApi, Path: /orders, Method: post}
            Quoted:
              Type: Api
              Properties:
                RestApiId: !Ref OrdersApi
                Path: /quoted
                Method: post
                UnescapeMappingTemplate: true
            Implicit:
              Type: Api
              Properties: {Path: /implicit, Method: post}
            Placed:
              Type: EventBridgeRule
              Properties:
                EventBusName: shop
                Pattern: {source: [shop.orders], detail-type: [OrderPlaced]}
                InputPath: $.detail
            Nightly:
              Type: Schedule
              Properties: {Schedule: rate(1 day), Input: '{"report": "nightly"}'}
            Hourly:
              Type: ScheduleV2
              Properties: {ScheduleExpression: rate(1 hour), Input: '{"report": "hourly"}'}
"""


@pytest.fixture
def workflow(tmp_path):
    app = load_template(write(tmp_path, WORKFLOW))
    yield app
    app.close()


def test_state_machine_api_event_starts_an_execution_with_the_body(workflow):
    client = workflow.api("OrdersApi").stage("prod").client()
    response = client.post("/orders", json={"id": "o-1"})
    assert response.status_code == 200
    assert set(response.json()) == {"executionArn", "startDate"}
    assert workflow.executions[-1].input == {"id": "o-1"}
    implicit = workflow.api("ServerlessRestApi").stage("Prod").client().post("/implicit", json={"n": 1})
    assert implicit.status_code == 200


def test_state_machine_api_event_escapes_quotes_as_sam_writes_it(workflow):
    client = workflow.api("OrdersApi").stage("prod").client()
    escaped = client.post("/orders", json={"name": "O'Brien"})  # \\' is no JSON escape: AWS answers 400
    assert escaped.status_code == 400
    unescaped = client.post("/quoted", json={"name": "O'Brien"})
    assert unescaped.status_code == 200
    assert workflow.executions[-1].input == {"name": "O'Brien"}


def test_state_machine_rule_and_schedule_events(workflow):
    started = workflow.put_events(
        [{"Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": {"id": 7}, "EventBusName": "shop"}]
    )
    assert [execution.input for execution in started] == [{"id": 7}]
    workflow.clock.advance(24 * 3600)
    inputs = [execution.input for execution in workflow.executions[1:]]
    assert inputs.count({"report": "hourly"}) == 24
    assert inputs.count({"report": "nightly"}) == 1


def test_state_machine_http_api_event_is_refused_as_sam_refuses_it(tmp_path):
    text = WORKFLOW.replace("Type: ScheduleV2", "Type: HttpApi")
    with pytest.raises(TemplateError) as caught:
        load_template(write(tmp_path, text))
    assert caught.value.pointer == "/Resources/OrderFlow/Properties/Events/Hourly/Type"
    assert str(caught.value).endswith(
        "event Hourly has Type 'HttpApi': an AWS::Serverless::StateMachine event is one of Api, Schedule, "
        "ScheduleV2, CloudWatchEvent, EventBridgeRule (SAM refuses others); did you mean 'Api'?"
    )


# section: an Api event on an API with an OpenAPI body


MERGE = """
    Transform: AWS::Serverless-2016-10-31
    Globals:
      Function:
        Runtime: python3.12
        Handler: index.handler
    Resources:
      FromBody:
        Type: AWS::Serverless::Function
        Properties:
          InlineCode: "def handler(event, context):\\n    return {'statusCode': 200, 'body': 'body'}\\n"
      FromEvent:
        Type: AWS::Serverless::Function
        Properties:
          InlineCode: "def handler(event, context):\\n    return {'statusCode': 200, 'body': 'event'}\\n"
          Events:
            Get:
              Type: Api
              Properties: {RestApiId: !Ref Shop, Path: /orders, Method: GET}
            Extra:
              Type: Api
              Properties: {RestApiId: !Ref Shop, Path: /extra, Method: GET}
            Http:
              Type: HttpApi
              Properties: {ApiId: !Ref ShopHttp, Path: /orders, Method: GET}
      Shop:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          MergeDefinitions: MERGE
          DefinitionBody:
            openapi: "3.0.1"
            info: {title: shop, version: "1"}
            paths:
              /orders:
                get:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    httpMethod: POST
                    uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/\\
                      ${FromBody.Arn}/invocations"
      ShopHttp:
        Type: AWS::Serverless::HttpApi
        Properties:
          DefinitionBody:
            openapi: "3.0.1"
            info: {title: shop-http, version: "1"}
            paths:
              /orders:
                get:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    httpMethod: POST
                    payloadFormatVersion: "2.0"
                    uri: !GetAtt FromBody.Arn
"""


def test_event_on_a_body_the_user_wrote_adds_no_route(tmp_path):
    app = load_template(write(tmp_path, MERGE.replace("MERGE", "false")))
    assert sorted(app.api("Shop").routes) == ["GET /orders"]
    client = app.api("Shop").stage("prod").client()
    assert client.get("/orders").text == "body"
    assert client.get("/extra").status_code == 403  # no such route: Missing Authentication Token
    # SAM does put an HttpApi event's integration into the body: one route, the event's function
    assert sorted(app.api("ShopHttp").routes) == ["GET /orders"]
    assert app.api("ShopHttp").stage("$default").client().get("/orders").text == "event"


def test_merge_definitions_puts_the_events_into_the_body(tmp_path):
    app = load_template(write(tmp_path, MERGE.replace("MERGE", "true")))
    assert sorted(app.api("Shop").routes) == ["GET /extra", "GET /orders"]
    client = app.api("Shop").stage("prod").client()
    assert (client.get("/orders").text, client.get("/extra").text) == ("event", "event")


# section: code packaged as a .zip


def test_code_uri_zip_imports_from_the_archive_and_a_missing_one_degrades(tmp_path):
    with zipfile.ZipFile(tmp_path / "orders.zip", "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 'zip'\n")
    file = write(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function: {Runtime: python3.12, Handler: app.handler}
        Resources:
          Zipped:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: orders.zip
              Events:
                Get: {Type: HttpApi, Properties: {Path: /orders, Method: GET}}
          NotBuilt:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: .aws-sam/build/reports.zip
        """,
    )
    with pytest.warns(UnsupportedResourceWarning, match="NotBuilt: no local Python code to run"):
        app = load_template(file)
    assert app.api("ServerlessHttpApi").stage("$default").client().get("/orders").text == "zip"
