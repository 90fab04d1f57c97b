"""Broken templates: a TemplateError naming the file, the resource and the field, never a traceback."""

from __future__ import annotations

import textwrap

import pytest

from pytest_serverless.errors import TemplateError
from pytest_serverless.loaders import load_template

HEAD = "Transform: AWS::Serverless-2016-10-31\nResources:\n"


def write(tmp_path, body, name="template.yaml"):
    path = tmp_path / name
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(body), "  "))
    return path


def error_of(path, **kwargs):
    with pytest.raises(TemplateError) as info:
        load_template(path, **kwargs)
    return info.value


FUNCTION = """
Fn:
  Type: AWS::Serverless::Function
  Properties:
    Handler: app.handler
    Runtime: python3.12
    InlineCode: "def handler(event, context):\\n    return {'statusCode': 200, 'body': 'ok'}\\n"
"""


CODE_URI_FUNCTION = (
    "Fn: {Type: AWS::Serverless::Function, "
    "Properties: {Handler: app.handler, Runtime: python3.12, CodeUri: src}}\n"
)


def test_api_event_without_path(tmp_path):
    path = write(tmp_path, FUNCTION + "    Events:\n      Get: {Type: Api, Properties: {Method: get}}\n")
    error = error_of(path)
    assert (error.source, error.pointer) == (str(path), "/Resources/Fn/Properties/Events/Get/Properties/Path")
    assert (
        str(error) == f"{path}:/Resources/Fn/Properties/Events/Get/Properties/Path: an Api event needs 'Path'"
    )


def test_rest_api_id_naming_something_else(tmp_path):
    body = (
        FUNCTION
        + "    Events:\n      Get: {Type: Api, Properties: {Path: /x, Method: get, RestApiId: !Ref Fn}}\n"
    )
    error = error_of(write(tmp_path, body))
    assert error.pointer == "/Resources/Fn/Properties/Events/Get/Properties/RestApiId"
    assert error.reason == "RestApiId 'Fn' is not an AWS::Serverless::Api"


def test_default_authorizer_not_declared(tmp_path):
    body = """
    Api:
      Type: AWS::Serverless::Api
      Properties:
        StageName: prod
        Auth:
          DefaultAuthorizer: Missing
          Authorizers:
            Users: {UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc}
    """
    error = error_of(write(tmp_path, body))
    assert error.pointer == "/Resources/Api/Properties/Auth/DefaultAuthorizer"
    assert error.reason == "DefaultAuthorizer 'Missing' is not one of the API's Authorizers (['Users'])"


def test_route_naming_an_undeclared_authorizer(tmp_path):
    body = (
        "Api: {Type: AWS::Serverless::Api, Properties: {StageName: prod}}\n"
        + FUNCTION
        + "    Events:\n      Get: {Type: Api, Properties: {Path: /x, Method: get, RestApiId: !Ref Api,"
        " Auth: {Authorizer: Users}}}\n"
    )
    error = error_of(write(tmp_path, body))
    assert error.pointer == "/Resources/Fn/Properties/Events/Get"
    assert (
        error.reason
        == "route GET /x uses authorizer 'Users', which the API does not declare (authorizers: none)"
    )


def test_bad_user_pool_arn(tmp_path):
    body = """
    Api:
      Type: AWS::Serverless::Api
      Properties:
        StageName: prod
        Auth:
          Authorizers:
            Users: {UserPoolArn: not-an-arn}
    """
    error = error_of(write(tmp_path, body))
    assert error.pointer == "/Resources/Api/Properties/Auth/Authorizers/Users/UserPoolArn"
    assert error.reason == (
        "not a Cognito user pool ARN: 'not-an-arn' "
        "(expected arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>)"
    )


def test_missing_definition_file(tmp_path):
    body = "Flow: {Type: AWS::Serverless::StateMachine, Properties: {DefinitionUri: flow.asl.json}}\n"
    error = error_of(write(tmp_path, body))
    assert error.pointer == "/Resources/Flow/Properties/DefinitionUri"
    assert error.reason == f"file {str(tmp_path / 'flow.asl.json')!r} does not exist"


def test_invalid_state_machine_definition_lists_every_problem(tmp_path):
    body = """
    Flow:
      Type: AWS::Serverless::StateMachine
      Properties:
        Definition:
          StartAt: Missing
          States:
            Check: {Type: Choice, Choices: [{Variable: $.x, StringEqual: a, Next: Check}]}
    """
    error = error_of(write(tmp_path, body))
    assert error.pointer == "/Resources/Flow/Properties/Definition"
    assert error.reason.startswith("state machine Flow has an invalid definition:\n  ")
    assert "/StartAt" in error.reason
    assert "/States/Check/Choices/0" in error.reason


def test_invalid_event_pattern(tmp_path):
    body = """
    Flow:
      Type: AWS::Serverless::StateMachine
      Properties:
        Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
        Events:
          Placed: {Type: EventBridgeRule, Properties: {Pattern: {source: shop}}}
    """
    error = error_of(write(tmp_path, body))
    assert error.pointer == "/Resources/Flow/Properties/Events/Placed/Properties/Pattern/source"
    assert error.reason == 'invalid event pattern: a match value must be inside a list: use ["shop"]'


def test_invalid_schedule(tmp_path):
    body = """
    Flow:
      Type: AWS::Serverless::StateMachine
      Properties:
        Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
        Events:
          Nightly: {Type: Schedule, Properties: {Schedule: rate(1 days)}}
    """
    error = error_of(write(tmp_path, body))
    assert error.pointer == "/Resources/Flow/Properties/Events/Nightly/Properties/Schedule"
    assert error.reason == "'rate(1 days)': AWS requires rate(1 day)"


def test_unresolved_reference_in_a_property(tmp_path):
    body = FUNCTION + "    Environment: {Variables: {TABLE: !Ref Table}}\n"
    error = error_of(write(tmp_path, body))
    assert error.pointer == "/Resources/Fn/Properties/Environment/Variables/TABLE/Ref"
    assert (
        error.reason == "unresolved reference 'Table': no parameter or resource of that name (known: ['Fn'])"
    )


def test_handler_module_that_does_not_import(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("import not_installed_anywhere\n")
    body = CODE_URI_FUNCTION
    error = error_of(write(tmp_path, body))
    assert error.pointer == "/Resources/Fn/Properties/Handler"
    assert error.reason == (
        f"cannot import handler module 'app' of Fn from {tmp_path / 'src'}: "
        "No module named 'not_installed_anywhere'; "
        "pass handlers={'Fn': fn} to use another function"
    )
    assert load_template(write(tmp_path, body), handlers={"Fn": lambda event, context: None}).functions


def test_handler_function_missing_from_its_module(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def other(event, context):\n    return 1\n")
    body = CODE_URI_FUNCTION
    error = error_of(write(tmp_path, body))
    assert error.reason == "module 'app' has no function 'handler' (Handler 'app.handler')"


def test_handler_module_raising_at_import(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("import os\nTABLE = os.environ['TABLE_NAME']\n")
    body = CODE_URI_FUNCTION
    error = error_of(write(tmp_path, body))
    assert error.reason == "importing handler module 'app' of Fn raised KeyError: 'TABLE_NAME'"


def test_openapi_security_naming_no_scheme(tmp_path):
    body = """
    Api:
      Type: AWS::Serverless::Api
      Properties:
        StageName: prod
        DefinitionBody:
          openapi: 3.0.1
          paths:
            /x:
              get:
                security: [{nope: []}]
                x-amazon-apigateway-integration: {type: mock}
    """
    error = error_of(write(tmp_path, body))
    assert error.pointer == "/Resources/Api/Properties/DefinitionBody/paths/~1x/get/security"
    assert error.reason == "security requirement 'nope' names no security scheme (declared: [])"


def test_unsupported_transform(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("Transform: AWS::Include\nResources:\n  Q: {Type: AWS::SQS::Queue}\n")
    error = error_of(path)
    assert (error.pointer, error.reason) == (
        "/Transform",
        "Transform 'AWS::Include' is not supported (only AWS::Serverless-2016-10-31)",
    )


def test_not_a_template(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("- just\n- a list\n")
    assert str(error_of(path)) == f"{path}: a template must be a mapping with a 'Resources' section"


def test_duplicate_route(tmp_path):
    body = FUNCTION + (
        "    Events:\n"
        "      A: {Type: Api, Properties: {Path: /x, Method: get}}\n"
        "      B: {Type: Api, Properties: {Path: /x, Method: GET}}\n"
    )
    error = error_of(write(tmp_path, body))
    assert error.pointer == "/Resources/Fn/Properties/Events/B"
    assert error.reason == "route GET /x is declared twice (also at /Resources/Fn/Properties/Events/A)"


def test_unexpected_shape_names_the_field(tmp_path):
    body = FUNCTION + "    Events: [not, a, mapping]\n"
    error = error_of(write(tmp_path, body))
    assert error.pointer == "/Resources/Fn/Properties/Events"
    assert error.reason == 'Events must be a mapping, got ["not", "a", "mapping"]'
