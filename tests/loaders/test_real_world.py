"""Real-world SAM templates load: SAM's generated references, attribute values of AWS's shape,
DefinitionSubstitutions left literal, and parts the library does not emulate degrading only themselves."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import pytest

from pytest_serverless.errors import TemplateError
from pytest_serverless.loaders import UnsupportedResourceWarning, load_template
from tests.helpers import write_template

REAL_WORLD = Path(__file__).parent / "templates" / "real_world"


def quiet_load(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedResourceWarning)
        return load_template(path, **kwargs)


# section: SAM's generated references and attribute shapes

REFS = (REAL_WORLD / "refs.yaml").read_text()


def test_sam_generated_references_and_attribute_shapes(tmp_path):
    app = quiet_load(write_template(tmp_path, REFS))
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
        quiet_load(write_template(tmp_path, text))
    assert "unresolved reference 'OrdersApi.Stages'" in str(caught.value)
    assert str(caught.value).endswith("did you mean 'OrdersApi.Stage'?")


# section: DefinitionSubstitutions


def test_placeholder_without_a_substitution_stays_literal(tmp_path):
    file = write_template(
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

DEGRADED = REAL_WORLD / "degraded_routes.yaml"


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
        "RestApi: route GET /private: private integration through a VPC link "
        "(HTTP_PROXY http://internal-nlb.example.com/private) (requests to it answer 500)",
        "HttpApi: route ANY /app/{proxy+}: private integration through a VPC link (HTTP_PROXY "
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/50dc6c495c0c9188/"
        "0467ef3c8400ae65) (requests to it answer 500)",
    ]
    assert len(messages) == 1
    assert all(entry in messages[0] for entry in routes)


def test_an_sqs_route_is_emulated_and_without_integration_responses_answers_500_as_aws(degraded):
    app, _ = degraded
    client = app.api("RestApi").stage("prod").client()
    response = client.post("/jobs", json={"id": 1})  # nothing answers SendMessage yet
    assert (response.status_code, response.json()) == (500, {"message": "Internal server error"})
    assert response.headers["x-amzn-ErrorType"] == "InternalServerErrorException"
    assert "gateway.aws_service('sqs', 'SendMessage', handler)" in response.reason
    sent = []
    app.gateway.aws_service(
        "sqs", "SendMessage", lambda request: sent.append(request.params) or {"MessageId": "1"}
    )
    response = client.post("/jobs", json={"id": 1})  # answered, but the method maps no response (AWS: 500)
    assert response.status_code == 500
    assert "No match for output mapping" in response.reason
    assert sent == [
        {
            "MessageBody": '{"id": 1}',
            "QueueUrl": f"https://sqs.us-east-1.amazonaws.com/123456789012/{app.template.physical_name('Jobs')}",
        }
    ]


def test_unemulated_http_api_routes_answer_500(degraded):
    app, _ = degraded
    client = app.api("HttpApi").stage("$default").client()
    sent = client.post("/send", json={"id": 1})  # SQS-SendMessage is emulated: nothing answers it here
    assert (sent.status_code, sent.text) == (500, '{"message":"Internal Server Error"}')
    assert "gateway.aws_service('sqs', 'SendMessage', handler)" in sent.reason
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


STEP_FUNCTIONS_ACTIONS = (REAL_WORLD / "step_functions_actions.yaml").read_text()


def test_step_functions_integrations_not_emulated_degrade(tmp_path):
    with pytest.warns(UnsupportedResourceWarning):
        app = load_template(write_template(tmp_path, STEP_FUNCTIONS_ACTIONS))
    assert app.unsupported == [
        "Api: route POST /elsewhere: a Step Functions integration starting "
        "'arn:aws:states:us-east-1:123456789012:stateMachine:Other', which is not a state machine of this "
        "template (requests to it answer 500)",
    ]
    # StopExecution is answered by the app's Step Functions (InvalidArn here); the method maps no
    # integration response, so AWS answers 500 ("No match for output mapping")
    stopped = app.api("Api").stage("live").client().post("/stop", json={})
    assert stopped.status_code == 500
    assert "No match for output mapping" in stopped.reason


# section: nothing dropped silently

API_FEATURES = (REAL_WORLD / "api_features.yaml").read_text()


def test_api_features_not_emulated_are_listed_and_the_api_still_serves(tmp_path):
    with pytest.warns(UnsupportedResourceWarning) as caught:
        app = load_template(write_template(tmp_path, API_FEATURES))
    assert app.unsupported == [
        "ShopApi: MethodSettings (LoggingLevel) (not emulated)",
        "Http: OpenAPI x-amazon-apigateway-policy (not emulated)",
    ]
    assert len(caught) == 1
    client = app.api("ShopApi").stage("prod").client()
    assert (client.get("/orders").status_code, client.get("/orders").text) == (200, "ok")
    missing = client.get("/nowhere")  # a GatewayResponse of its own: no DEFAULT_4XX headers
    assert missing.status_code == 404
    assert "Access-Control-Allow-Origin" not in missing.headers
    denied = app.api("ShopApi").stage("prod").client(source_ip="10.1.2.3").get("/orders")  # IpRangeDenylist
    assert denied.status_code == 403
    assert denied.json()["Message"].endswith("/prod/GET/orders with an explicit deny")


# section: SAM state machine events

WORKFLOW = (REAL_WORLD / "workflow.yaml").read_text()


@pytest.fixture
def workflow(tmp_path):
    app = load_template(write_template(tmp_path, WORKFLOW))
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
        load_template(write_template(tmp_path, text))
    assert caught.value.pointer == "/Resources/OrderFlow/Properties/Events/Hourly/Type"
    assert str(caught.value).endswith(
        "event Hourly has Type 'HttpApi': an AWS::Serverless::StateMachine event is one of Api, Schedule, "
        "ScheduleV2, CloudWatchEvent, EventBridgeRule (SAM refuses others); did you mean 'Api'?"
    )


# section: an Api event on an API with an OpenAPI body


MERGE = (REAL_WORLD / "merge.yaml").read_text()


def test_event_on_a_body_the_user_wrote_adds_no_route(tmp_path):
    app = load_template(write_template(tmp_path, MERGE.replace("MERGE", "false")))
    assert sorted(app.api("Shop").routes) == ["GET /orders"]
    client = app.api("Shop").stage("prod").client()
    assert client.get("/orders").text == "body"
    assert client.get("/extra").status_code == 403  # no such route: Missing Authentication Token
    # SAM does put an HttpApi event's integration into the body: one route, the event's function
    assert sorted(app.api("ShopHttp").routes) == ["GET /orders"]
    assert app.api("ShopHttp").stage("$default").client().get("/orders").text == "event"


def test_merge_definitions_puts_the_events_into_the_body(tmp_path):
    app = load_template(write_template(tmp_path, MERGE.replace("MERGE", "true")))
    assert sorted(app.api("Shop").routes) == ["GET /extra", "GET /orders"]
    client = app.api("Shop").stage("prod").client()
    assert (client.get("/orders").text, client.get("/extra").text) == ("event", "event")


# section: code packaged as a .zip


def test_code_uri_zip_imports_from_the_archive_and_a_missing_one_degrades(tmp_path):
    with zipfile.ZipFile(tmp_path / "orders.zip", "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 'zip'\n")
    file = write_template(
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


# section: bad input keeps precise messages


@pytest.mark.parametrize(
    ("change", "pointer", "reason"),
    [
        (
            ("Timeout: 30", "Timeout: soon"),
            "/Resources/Orders/Properties/Timeout",
            'Timeout must be a number, got "soon"',
        ),
        (
            ("Variables: {TABLE: orders}", "Variables: [orders]"),
            "/Resources/Orders/Properties/Environment/Variables",
            'Environment.Variables must be a mapping, got ["orders"]',
        ),
        (
            ("Type: HttpApi", "Kind: HttpApi"),
            "/Resources/Orders/Properties/Events/Get/Type",
            "event Get needs a 'Type'",
        ),
        (
            ("ApiId: !Ref Http", "ApiId: !Ref Htp"),
            "/Resources/Orders/Properties/Events/Get/Properties/ApiId/Ref",
            "unresolved reference 'Htp': no parameter or resource of that name (known: ['Http', 'Orders']); "
            "did you mean 'Http'?",
        ),
    ],
)
def test_broken_template_names_file_field_and_fix(tmp_path, change, pointer, reason):
    text = """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Http:
            Type: AWS::Serverless::HttpApi
          Orders:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: "def handler(event, context):\\n    return 'ok'\\n"
              Timeout: 30
              Environment:
                Variables: {TABLE: orders}
              Events:
                Get:
                  Type: HttpApi
                  Properties: {ApiId: !Ref Http, Path: /orders, Method: GET}
    """
    file = write_template(tmp_path, text.replace(*change))
    with pytest.raises(TemplateError) as caught:
        load_template(file)
    assert (caught.value.source, caught.value.pointer, caught.value.reason) == (str(file), pointer, reason)


# section: what lives outside the template


def test_s3_definitions_and_missing_parameter_values_leave_only_their_part_out(tmp_path):
    file = write_template(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          QueueArn: {Type: String}
          Env: {Type: String, AllowedValues: [dev, prod]}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
        Resources:
          Packaged:
            Type: AWS::Serverless::StateMachine
            Properties:
              DefinitionUri: {Bucket: artifacts, Key: flow.asl.json}
              Events:
                Start:
                  Type: Api
                  Properties: {Path: /start, Method: post}
          Local:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              Definition:
                StartAt: Send
                States:
                  Send:
                    Type: Task
                    Resource: arn:aws:states:::sqs:sendMessage
                    Parameters: {QueueUrl: !Ref QueueArn, MessageBody.$: $}
                    End: true
          Documented:
            Type: AWS::Serverless::Api
            Properties:
              StageName: !If [IsProd, prod, dev]
              DefinitionUri: s3://artifacts/openapi.yaml
        """,
    )
    with pytest.warns(UnsupportedResourceWarning):
        app = load_template(file)
    assert app.unsupported == [
        'parameter QueueArn has no Default and no value was given: it is "QueueArn" here; pass '
        "load_template(..., parameters={'QueueArn': ...})",
        'parameter Env has no Default and no value was given: it is "dev" here; pass '
        "load_template(..., parameters={'Env': ...})",
        "Packaged: DefinitionUri in S3 (no local definition: the state machine is left out; point it at a "
        "local file to run it)",
        "Documented: DefinitionUri in S3 (its routes are unknown; use a local path)",
        "ServerlessRestApi: route POST /start: a Step Functions integration starting 'Packaged', which is "
        "not a state machine of this template (requests to it answer 500)",
    ]
    assert sorted(app.state_machines) == ["Local"]
    assert app.api("Documented").stage("dev").client().get("/anything").status_code == 403
    execution = app.state_machine("Local").execute(
        {"id": 1}, mocks={"Send": [{"Return": {"MessageId": "m"}}]}
    )
    assert execution.status == "SUCCEEDED"


def test_fn_cidr_gives_the_subnets(tmp_path):
    file = write_template(
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
                    End: true
                    Result:
                      second: !Select [1, !Cidr [10.0.0.0/16, 3, 8]]
                      all: !Cidr [10.0.0.0/16, 2, 12]
        """,
    )
    output = load_template(file).state_machine("Flow").execute({}).output
    assert output == {"second": "10.0.1.0/24", "all": ["10.0.0.0/20", "10.0.16.0/20"]}


def test_a_macro_transform_is_listed_and_the_template_read_as_written(tmp_path):
    file = write_template(
        tmp_path,
        """
        Transform: [AWS::Serverless-2016-10-31, AWS::SecretsManager-2020-07-23]
        Resources:
          Flow:
            Type: AWS::Serverless::StateMachine
            Properties:
              Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
        """,
    )
    with pytest.warns(UnsupportedResourceWarning):
        app = load_template(file)
    assert app.unsupported == [
        "Transform AWS::SecretsManager-2020-07-23 (not expanded: the template is read as written)"
    ]
    assert app.state_machine("Flow").execute({}).status == "SUCCEEDED"


def test_language_extensions_for_each_expands_resources_and_properties(tmp_path):
    file = write_template(
        tmp_path,
        """
        Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
        Parameters:
          Topics: {Type: CommaDelimitedList, Default: "orders,order-refunds"}
        Resources:
          Fn::ForEach::Flows:
            - Topic
            - !Ref Topics
            - "&{Topic}Flow":
                Type: AWS::Serverless::StateMachine
                Properties:
                  Name: !Sub "${Topic}-flow"
                  Definition:
                    StartAt: P
                    States:
                      P:
                        Type: Pass
                        End: true
                        Result:
                          topic: !Ref Topic
                          Fn::ForEach::Fields:
                            - Field
                            - [a, b]
                            - "${Field}": !Sub "${Topic}.${Field}"
        """,
    )
    app = load_template(file)
    assert sorted(app.state_machines) == ["orderrefundsFlow", "ordersFlow"]
    output = app.state_machine("orderrefundsFlow").execute({}).output
    assert output == {"topic": "order-refunds", "a": "order-refunds.a", "b": "order-refunds.b"}
    assert app.state_machine("orders-flow") is app.state_machine("ordersFlow")


def test_a_misspelt_sam_type_is_refused_with_did_you_mean(tmp_path):
    file = write_template(tmp_path, "Resources:\n  Flow:\n    Type: AWS::Serverless::Statemachine\n")
    with pytest.raises(TemplateError) as caught:
        load_template(file)
    assert caught.value.pointer == "/Resources/Flow/Type"
    assert caught.value.reason.endswith("did you mean 'AWS::Serverless::StateMachine'?")


def test_imported_user_pool_gets_a_stand_in_issuer(tmp_path):
    file = write_template(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              Auth:
                DefaultAuthorizer: Users
                Authorizers:
                  Users: {UserPoolArn: !ImportValue shared-UserPoolArn}
          Orders:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: "def handler(event, context):\\n    return {'statusCode': 200, 'body': 'ok'}\\n"
              Events:
                Get:
                  Type: Api
                  Properties: {RestApiId: !Ref Api, Path: /orders, Method: GET}
        """,
    )
    app = load_template(file)
    client = app.api("Api").stage("prod").client()
    assert client.get("/orders").status_code == 401
    token = app.token_issuer("Users").token(sub="u-1")
    assert client.get("/orders", headers={"Authorization": token}).text == "ok"


def test_http_api_route_without_a_target_fails_alone(tmp_path):
    file = write_template(
        tmp_path,
        """
        Resources:
          Http:
            Type: AWS::ApiGatewayV2::Api
            Properties: {Name: shop, ProtocolType: HTTP}
          Hello:
            Type: AWS::ApiGatewayV2::Integration
            Properties:
              ApiId: !Ref Http
              IntegrationType: HTTP_PROXY
              IntegrationMethod: GET
              IntegrationUri: https://example.com/hello
              PayloadFormatVersion: "1.0"
          HelloRoute:
            Type: AWS::ApiGatewayV2::Route
            Properties: {ApiId: !Ref Http, RouteKey: GET /hello, Target: !Sub "integrations/${Hello}"}
          Draft:
            Type: AWS::ApiGatewayV2::Route
            Properties: {ApiId: !Ref Http, RouteKey: GET /draft}
          Stage:
            Type: AWS::ApiGatewayV2::Stage
            Properties: {ApiId: !Ref Http, StageName: $default}
        """,
    )
    with pytest.warns(UnsupportedResourceWarning):
        app = load_template(file)
    assert app.unsupported == [
        "Http: route GET /draft: a route with no integration (no Target) (requests to it answer 500)"
    ]
    assert sorted(app.api("Http").routes) == ["GET /draft", "GET /hello"]
    assert app.api("Http").stage("$default").client().get("/draft").status_code == 500


def test_rule_enabled_with_cloudtrail_management_events_delivers(tmp_path):
    file = write_template(
        tmp_path,
        """
        Resources:
          Flow:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
          Audit:
            Type: AWS::Events::Rule
            Properties:
              State: ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
              EventPattern: {source: [aws.s3]}
              Targets: [{Id: flow, Arn: !Ref Flow}]
        """,
    )
    app = load_template(file)
    assert len(app.put_events([{"Source": "aws.s3", "DetailType": "x", "Detail": {}}])) == 1


def test_scheduler_schedule_starts_its_state_machine_on_the_clock(tmp_path):
    file = write_template(
        tmp_path,
        """
        Resources:
          Report:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
          Hourly:
            Type: AWS::Scheduler::Schedule
            Properties:
              ScheduleExpression: rate(1 hour)
              FlexibleTimeWindow: {Mode: "OFF"}
              Target: {Arn: !Ref Report, RoleArn: !GetAtt Role.Arn, Input: '{"kind": "hourly"}'}
          Elsewhere:
            Type: AWS::Scheduler::Schedule
            Properties:
              ScheduleExpression: rate(1 day)
              FlexibleTimeWindow: {Mode: "OFF"}
              Target: {Arn: "arn:aws:scheduler:::aws-sdk:sqs:sendMessage", RoleArn: !GetAtt Role.Arn}
          Role:
            Type: AWS::IAM::Role
        """,
    )
    with pytest.warns(UnsupportedResourceWarning, match="Elsewhere: schedule target"):
        app = load_template(file)
    app.clock.advance(3 * 3600)
    assert [execution.input for execution in app.executions] == [{"kind": "hourly"}] * 3
    app.close()
