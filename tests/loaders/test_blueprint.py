"""What one load of a template keeps for the next (issue 18): the read template, validated definitions and
compiled handler code are shared; every app still gets its own clock, gateway, machines and handler modules,
and a change to any file is seen by the next load."""

from __future__ import annotations

import functools
import inspect
import json
import textwrap

import pytest

from pytest_serverless import StateMachine
from pytest_serverless.asl.tasks import accepts
from pytest_serverless.errors import InvalidDefinition, TemplateError
from pytest_serverless.loaders import load_template

TEMPLATE = textwrap.dedent(
    """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Api:
        Type: AWS::Serverless::Api
        Properties: {StageName: prod}
      Count:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Runtime: python3.12
          CodeUri: src
          Events: {Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /count, Method: get}}}
      Flow:
        Type: AWS::Serverless::StateMachine
        Properties:
          DefinitionUri: flow.asl.json
    """
)
HANDLER = (
    "CALLS = []\n\ndef handler(event, context):\n    CALLS.append(1)\n"
    "    return {'statusCode': 200, 'body': '%s:' + str(len(CALLS))}\n"
)
FLOW = {"StartAt": "Say", "States": {"Say": {"Type": "Pass", "Result": "one", "End": True}}}


@pytest.fixture
def project(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER % "v1")
    (tmp_path / "flow.asl.json").write_text(json.dumps(FLOW))
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return tmp_path


def _get(app):
    return app.api("Api").stage("prod").client().get("/count").text


def test_each_app_has_fresh_handler_modules(project):
    first, second = load_template(project / "template.yaml"), load_template(project / "template.yaml")
    assert [_get(first), _get(first)] == ["v1:1", "v1:2"]
    assert _get(second) == "v1:1"


def test_a_changed_handler_file_is_recompiled(project):
    assert _get(load_template(project / "template.yaml")) == "v1:1"
    (project / "src" / "app.py").write_text(HANDLER % "version-2")
    assert _get(load_template(project / "template.yaml")) == "version-2:1"


def test_a_changed_definition_file_is_validated_again(project):
    assert load_template(project / "template.yaml").state_machine("Flow").execute().output == "one"
    broken = {"StartAt": "Say", "States": {"Say": {"Type": "Pass", "Next": "Nowhere"}}}
    (project / "flow.asl.json").write_text(json.dumps(broken, indent=1))
    with pytest.raises(TemplateError, match="Nowhere"):
        load_template(project / "template.yaml")


def test_apis_are_built_when_first_used_and_share_nothing(project):
    load_template(project / "template.yaml")  # the first load built (and so checked) the APIs
    app = load_template(project / "template.yaml")
    other = load_template(project / "template.yaml")
    assert app.gateway is not other.gateway
    assert app.api("Api") is app.apis["Api"]
    assert app.gateway.apis  # reached through the gateway too
    assert app.api("Api") is not other.api("Api")


def test_a_broken_api_fails_the_load(project):
    (project / "template.yaml").write_text(TEMPLATE.replace("Path: /count, ", ""))
    with pytest.raises(TemplateError, match="an Api event needs 'Path'"):
        load_template(project / "template.yaml")


def test_machines_of_one_definition_share_the_parsed_program_not_their_state():
    first, second = StateMachine(FLOW), StateMachine(FLOW)
    assert first.program is second.program
    first.execute()
    assert (len(first.clock.now().isoformat()), first.clock is not second.clock) == (25, True)
    with pytest.raises(InvalidDefinition):
        StateMachine({"StartAt": "Say", "States": {"Say": {"Type": "Pass", "Next": "Nowhere"}}})
    with pytest.raises(InvalidDefinition):  # an invalid definition is never kept
        StateMachine({"StartAt": "Say", "States": {"Say": {"Type": "Pass", "Next": "Nowhere"}}})


# section: accepts() reads plain functions' code objects; it answers as inspect.signature does


def _by_signature(function, count):
    try:
        inspect.signature(function).bind(*([None] * count))
    except TypeError:
        return False
    return True


def _wrapped(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)

    return wrapper


CALLABLES = [
    lambda: 0,
    lambda a: 0,
    lambda a, b: 0,
    lambda a, b=1: 0,
    lambda a, b, c=1: 0,
    lambda *a: 0,
    lambda a, *b: 0,
    lambda a, b, *, c: 0,
    lambda a, b, *, c=1: 0,
    lambda a, b, /: 0,
    lambda a, b, c: 0,
    lambda a=1, b=2, c=3: 0,
    lambda **k: 0,
    lambda a, b, **k: 0,
    _wrapped(lambda a: 0),
    _wrapped(_wrapped(lambda a, b: 0)),
    print,
    functools.partial(lambda a, b: 0, 1),
]


@pytest.mark.parametrize("function", CALLABLES)
def test_accepts_answers_as_inspect_does(function):
    assert [accepts(function, count) for count in range(4)] == [
        _by_signature(function, count) for count in range(4)
    ]
