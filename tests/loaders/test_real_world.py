"""Real-world SAM templates load: SAM's generated references, attribute values of AWS's shape,
DefinitionSubstitutions left literal, and parts the library does not emulate degrading only themselves."""

from __future__ import annotations

import textwrap
import warnings

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
