"""Broken templates: a TemplateError naming the file, the resource and the field, never a traceback."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless import StateMachine
from pytest_serverless._yaml_limits import LimitedSafeLoader
from pytest_serverless.errors import InvalidDefinition, TemplateError
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


# section: a function whose module cannot be imported fails its own calls, nothing else (issue 21)

TWO_FUNCTIONS = """
Api:
  Type: AWS::Serverless::Api
  Properties: {StageName: prod}
Fn:
  Type: AWS::Serverless::Function
  Properties:
    Handler: app.handler
    Runtime: python3.12
    CodeUri: src
    Events: {Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /broken, Method: get}}}
Ok:
  Type: AWS::Serverless::Function
  Properties:
    Handler: ok.handler
    Runtime: python3.12
    CodeUri: src
    Events: {Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /ok, Method: get}}}
Flow:
  Type: AWS::Serverless::StateMachine
  Properties:
    Definition:
      StartAt: Call
      States:
        Call: {Type: Task, Resource: !GetAtt Fn.Arn, End: true}
"""


def _broken_app(tmp_path, code):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(code)
    (tmp_path / "src" / "ok.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'fine'}\n"
    )
    return load_template(write(tmp_path, TWO_FUNCTIONS))


def _lambda_error(execution):
    import json

    return execution.error, json.loads(execution.cause)["errorMessage"]


def test_handler_module_that_does_not_import(tmp_path):
    app = _broken_app(tmp_path, "import not_installed_anywhere\n")
    client = app.api("Api").stage("prod").client()
    assert client.get("/ok").text == "fine"
    assert client.get("/broken").status_code == 502
    assert _lambda_error(app.state_machine("Flow").execute({})) == (
        "Runtime.ImportModuleError",
        "Unable to import module 'app' of Fn (Handler 'app.handler'): "
        "No module named 'not_installed_anywhere'",
    )
    assert load_template(tmp_path / "template.yaml", handlers={"Fn": lambda event, context: 1}).functions


def test_handler_function_missing_from_its_module(tmp_path):
    app = _broken_app(tmp_path, "def other(event, context):\n    return 1\n")
    assert _lambda_error(app.state_machine("Flow").execute({})) == (
        "Runtime.HandlerNotFound",
        "module 'app' of Fn has no function 'handler' (Handler 'app.handler')",
    )
    assert app.api("Api").stage("prod").client().get("/ok").status_code == 200


def test_handler_module_raising_at_import(tmp_path):
    app = _broken_app(tmp_path, "import os\nTABLE = os.environ['TABLE_NAME']\n")
    assert _lambda_error(app.state_machine("Flow").execute({})) == (
        "Runtime.ImportModuleError",
        "Unable to import module 'app' of Fn (Handler 'app.handler'): KeyError: 'TABLE_NAME'",
    )
    with pytest.raises(Exception, match="KeyError: 'TABLE_NAME'") as info:
        app.function("Fn")({}, None)
    assert str(info.value) == (
        "Unable to import module 'app' of Fn (Handler 'app.handler'): KeyError: 'TABLE_NAME'"
    )


def test_handler_modules_are_imported_on_first_call_only(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "import os\nimport counter\ncounter.IMPORTS.append(os.environ.get('MODE'))\n"
        "def handler(event, context):\n    return counter.IMPORTS\n"
    )
    (tmp_path / "src" / "ok.py").write_text("def handler(event, context):\n    return 'ok'\n")
    (tmp_path / "src" / "counter.py").write_text("IMPORTS = []\n")
    app = load_template(write(tmp_path, TWO_FUNCTIONS), environment={"MODE": "test"})
    assert "counter" not in __import__("sys").modules
    handler = app.function("Fn")
    assert handler({}, None) == ["test"]
    assert handler({}, None) == ["test"]  # imported once per app
    again = load_template(tmp_path / "template.yaml")
    assert again.function("Fn")({}, None) == [None]  # a fresh module for the next app


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


# section: Hostile templates and definitions: a clear TemplateError / InvalidDefinition, never a hang or a
# crash.


pytestmark = pytest.mark.filterwarnings("ignore::pytest_serverless.loaders.UnsupportedResourceWarning")

BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def write_raw(tmp_path, text, name="template.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def template_error(path, **kwargs):
    with pytest.raises(TemplateError) as info:
        load_template(path, **kwargs)
    return info.value


# -- YAML aliases, size and depth --------------------------------------------------------------------


def test_alias_bomb_template_is_refused_at_the_first_alias(tmp_path):
    path = write_raw(
        tmp_path, "Metadata:\n" + textwrap.indent(BOMB, "  ") + HEAD + textwrap.indent(FUNCTION, "  ")
    )
    error = template_error(path)
    assert error.source == str(path)
    assert str(error) == (
        f"{path}: not valid YAML: YAML aliases are not allowed in CloudFormation templates (*a); "
        "`sam build` and `aws cloudformation package` expand them: load the template they write "
        "(line 3, column 10)"
    )


def test_alias_bomb_definition_is_refused(tmp_path):
    path = write_raw(
        tmp_path, "StartAt: P\nStates:\n  P: {Type: Pass, End: true}\n" + BOMB, "machine.asl.yaml"
    )
    with pytest.raises(InvalidDefinition) as info:
        StateMachine(path)
    assert "YAML aliases are not allowed" in str(info.value)


def test_node_budget_bounds_any_document(tmp_path, monkeypatch):
    monkeypatch.setattr(LimitedSafeLoader, "max_nodes", 50)
    path = write_raw(tmp_path, HEAD + "".join(f"  R{n}: {{Type: AWS::SNS::Topic}}\n" for n in range(30)))
    error = template_error(path)
    assert "not valid YAML: the document has more than 50 nodes" in str(error)


@pytest.mark.parametrize("form", ["yaml-block", "yaml-flow", "json"])
def test_template_nested_3000_deep_is_a_template_error(tmp_path, form):
    if form == "json":
        deep = "[" * 3000 + "]" * 3000
        text = json.dumps({"Metadata": "@@", "Resources": {"T": {"Type": "AWS::SNS::Topic"}}}).replace(
            '"@@"', deep
        )
        path = write_raw(tmp_path, text, "template.json")
        expected = "the document nests more than 200 levels deep"
    else:
        deep = (
            "[" * 3000 + "]" * 3000 if form == "yaml-flow" else "".join(f"{' ' * n}k:\n" for n in range(1000))
        )
        path = write_raw(
            tmp_path,
            "Metadata:\n" + textwrap.indent(deep, "  ") + "\nResources:\n  T: {Type: AWS::SNS::Topic}\n",
        )
        expected = "not valid YAML: the document nests more than 200 levels deep"
    assert expected in str(template_error(path))


def test_deep_definition_is_invalid(tmp_path):
    path = write_raw(tmp_path, "[" * 5000 + "]" * 5000, "machine.asl.json")
    with pytest.raises(InvalidDefinition, match="the definition is nested too deeply"):
        StateMachine(path)


# -- files that never end ----------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_as_a_template_is_refused():
    error = template_error(Path("/dev/zero"))
    assert str(error) == "/dev/zero: not a regular file (a directory, device or pipe)"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_as_a_definition_is_refused():
    with pytest.raises(InvalidDefinition, match="not a regular file"):
        StateMachine(Path("/dev/zero"))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_as_an_include_is_refused(tmp_path):
    error = template_error(write_raw(tmp_path, _including("/dev/zero")))
    assert "AWS::Include: file '/dev/zero' does not exist" in str(error)


def test_template_over_1_mb_is_refused(tmp_path):
    path = write_raw(tmp_path, HEAD + textwrap.indent(FUNCTION, "  ") + "#" * (1024 * 1024))
    assert str(template_error(path)).endswith(
        "the file is larger than 1,048,576 bytes, CloudFormation's largest template"
    )


# -- AWS::Include cycles ---------------------------------------------------------------------------


def _including(location, *, twice=False):
    include = f"Fn::Transform: {{Name: AWS::Include, Parameters: {{Location: {location}}}}}"
    text = HEAD + textwrap.indent(FUNCTION, "  ") + f"      Description: {{{include}}}\n"
    if twice:
        text += "      Environment: {Variables: {NAME: {" + include + "}}}\n"
    return text


def test_include_of_itself_is_a_template_error(tmp_path):
    path = write_raw(tmp_path, _including("template.yaml"))
    error = template_error(path)
    assert f"AWS::Include: the file includes itself ({path} -> {path})" in str(error)
    assert error.pointer == "/Resources/Fn/Properties/Description/Fn::Transform/Parameters/Location"


def test_includes_in_a_cycle_are_a_template_error(tmp_path):
    write_raw(tmp_path, "Fn::Transform: {Name: AWS::Include, Parameters: {Location: b.yaml}}\n", "a.yaml")
    write_raw(tmp_path, "Fn::Transform: {Name: AWS::Include, Parameters: {Location: a.yaml}}\n", "b.yaml")
    path = write_raw(tmp_path, _including("a.yaml"))
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert f"the file includes itself ({a} -> {b} -> {a})" in str(template_error(path))


def test_the_same_file_included_twice_is_fine(tmp_path):
    write_raw(tmp_path, "included text\n", "name.yaml")
    load_template(write_raw(tmp_path, _including("name.yaml", twice=True))).close()


# -- DependsOn ---------------------------------------------------------------------------------------


def test_dangling_depends_on_is_refused(tmp_path):
    path = write_raw(
        tmp_path,
        "Resources:\n  A: {Type: AWS::SNS::Topic, DependsOn: [Missing, B]}\n  B: {Type: AWS::SNS::Topic}\n",
    )
    error = template_error(path)
    assert str(error) == (
        f"{path}:/Resources/A/DependsOn: Unresolved resource dependencies [Missing] in the Resources block "
        "of the template (DependsOn names a resource the template does not declare)"
    )


def test_depends_on_cycle_is_refused(tmp_path):
    path = write_raw(
        tmp_path,
        "Resources:\n  A: {Type: AWS::SNS::Topic, DependsOn: B}\n"
        "  B: {Type: AWS::SNS::Topic, DependsOn: [C]}\n"
        "  C: {Type: AWS::SNS::Topic, DependsOn: A}\n"
        "  D: {Type: AWS::SNS::Topic, DependsOn: A}\n",
    )
    error = template_error(path)
    assert str(error) == (
        f"{path}:/Resources/A/DependsOn: Circular dependency between resources: [A, B, C] "
        "(DependsOn: A -> B -> C -> A)"
    )


def test_depends_on_itself_is_a_cycle(tmp_path):
    path = write_raw(tmp_path, "Resources:\n  A: {Type: AWS::SNS::Topic, DependsOn: A}\n")
    assert "Circular dependency between resources: [A] (DependsOn: A -> A)" in str(template_error(path))


def test_depends_on_must_name_resources(tmp_path):
    path = write_raw(
        tmp_path,
        "Resources:\n  A: {Type: AWS::SNS::Topic, DependsOn: {B: 1}}\n  B: {Type: AWS::SNS::Topic}\n",
    )
    assert "DependsOn must be a resource name or a list of resource names, got {'B': 1}" in str(
        template_error(path)
    )


def test_long_depends_on_chain_and_sam_generated_names_are_fine(tmp_path):
    chain = "".join(f"  R{n}: {{Type: AWS::SNS::Topic, DependsOn: R{n + 1}}}\n" for n in range(500))
    text = (
        HEAD
        + textwrap.indent(FUNCTION, "  ")
        + chain
        + "  R500: {Type: AWS::SNS::Topic, DependsOn: [FnRole, ServerlessRestApiProdStage]}\n"
    )
    load_template(write_raw(tmp_path, text)).close()


# -- generated hostile definitions -----------------------------------------------------------------

_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=6)
_fragments = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["Type", "Next", "End", "States", "StartAt", "x"]), inner, max_size=3
        )
    ),
    max_leaves=10,
)
_texts = st.one_of(
    _fragments.map(json.dumps),
    st.integers(150, 5000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(150, 2000).map(lambda depth: "a: " + "[" * depth + "]" * depth),
    st.integers(1, 30).map(lambda width: "x: &x [1]\n" + "".join(f"y{n}: *x\n" for n in range(width))),
    st.text(max_size=40),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_texts)
def test_generated_hostile_definitions_are_refused_clearly(tmp_path, text):
    path = tmp_path / "machine.asl.yaml"
    path.write_text(text)
    problems = [("", "loaded")]
    try:
        StateMachine(path)
    except InvalidDefinition as error:
        problems = error.problems
    assert problems
    # anything else propagates and fails the test: no RecursionError, no yaml error, no KeyError
