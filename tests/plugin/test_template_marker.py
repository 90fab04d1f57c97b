"""The serverless_template marker and the load_serverless_app fixture (issue 15, API.md 5)."""

from __future__ import annotations

import pytest

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting: {Type: String, Default: hello}
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: hello.handler
      Runtime: python3.12
      Environment: {Variables: {GREETING: !Ref Greeting, MODE: template}}
      Events:
        Hello: {Type: Api, Properties: {Path: /hello, Method: get}}
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Say
        States:
          Say: {Type: Task, Resource: !GetAtt HelloFunction.Arn, End: true}
"""

HANDLER = """
import os

MODE_AT_IMPORT = os.environ.get("MODE")

def handler(event, context):
    text = f"{os.environ['GREETING']} {os.environ['MODE']} {MODE_AT_IMPORT}"
    return {"statusCode": 200, "body": text} if "httpMethod" in event else text
"""


@pytest.fixture
def app_project(project):
    for folder in ("infra", "other"):
        project.mkdir(folder)
        project.path.joinpath(folder, "template.yaml").write_text(TEMPLATE)
        project.mkdir(f"{folder}/src")
        project.path.joinpath(folder, "src", "hello.py").write_text(HANDLER)
    project.mkdir("tests")
    project.makeini(
        "[pytest]\naddopts = -p no:cacheprovider -p no:hypothesispytest\n"
        "serverless_template = infra/template.yaml\nfilterwarnings =\n    error\n"
    )
    return project


def _run(project, source, *args):
    project.path.joinpath("tests", "test_it.py").write_text(source)
    return project.runpytest("tests", *args)


def test_marker_parameters_environment_and_the_innermost_marker(app_project):
    result = _run(
        app_project,
        """
import os
import pytest

pytestmark = pytest.mark.serverless_template(parameters={"Greeting": "module"})

def _hello(app):
    return app.api("ServerlessRestApi").stage("Prod").client().get("/hello").text

def test_module_marker(serverless_app):
    assert _hello(serverless_app) == "module template template"

@pytest.mark.serverless_template("../other/template.yaml", environment={"MODE": "test"})
def test_innermost_marker_wins_whole(serverless_app):
    assert str(serverless_app.source).endswith("other/template.yaml")
    assert _hello(serverless_app) == "hello test test"
    assert "MODE" not in os.environ

@pytest.mark.serverless_template(handlers={"HelloFunction": lambda event, context: "stub"})
def test_handlers_by_logical_id(serverless_app):
    assert serverless_app.state_machine("Flow").execute().output == "stub"

def test_more_apps_in_one_test(serverless_app, load_serverless_app, serverless_clock):
    other = load_serverless_app("../other/template.yaml", parameters={"Greeting": "hi"})
    assert other.clock is serverless_clock
    assert other.state_machine("Flow").execute().output == "hi template template"
""",
    )
    result.assert_outcomes(passed=4)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            "serverless_template('infra/nope.yaml')",
            "@pytest.mark.serverless_template('infra/nope.yaml') on tests/test_it.py::test_it: "
            "'{root}/tests/infra/nope.yaml' does not exist (a relative path is relative to the test file's "
            "folder)",
        ),
        (
            "serverless_template(params={})",
            "@pytest.mark.serverless_template(params={}) on tests/test_it.py::test_it: _template_signature() "
            "got an unexpected keyword argument 'params' (did you mean 'parameters'?); the signature is "
            "serverless_template(path=None, *, parameters=None, handlers=None, environment=None)",
        ),
        (
            "serverless_template(environment={'DEBUG': 1})",
            "@pytest.mark.serverless_template(environment={'DEBUG': 1}) on tests/test_it.py::test_it: "
            "environment maps variable names to strings, got 'DEBUG': 1 (write 'DEBUG': '1')",
        ),
        (
            "serverless_template(parameters=['Greeting'])",
            "@pytest.mark.serverless_template(parameters=['Greeting']) on tests/test_it.py::test_it: "
            "parameters takes a mapping {ParameterName: value}, got list",
        ),
        (
            "serverless_template(handlers={'Hello': print})",
            "@pytest.mark.serverless_template(handlers={'Hello': <built-in function print>}) on "
            "tests/test_it.py::test_it: load_template(handlers=...): 'Hello' is not a function of "
            "{root}/infra/template.yaml (functions: ['HelloFunction'])",
        ),
    ],
    ids=["missing-file", "unknown-keyword", "environment-value", "parameters-type", "unknown-handler"],
)
def test_marker_wrong_uses(app_project, match_lines, marker, message):
    result = _run(
        app_project,
        f"""
import pytest

@pytest.mark.{marker}
def test_it(serverless_app):
    pass
""",
    )
    result.assert_outcomes(errors=1)
    match_lines(result, [message.replace("{root}", str(app_project.path))])


def test_load_serverless_app_wrong_uses(app_project, match_lines):
    result = _run(
        app_project,
        """
def test_missing(load_serverless_app):
    load_serverless_app("nowhere.yaml")

def test_no_path(load_serverless_app):
    load_serverless_app()
""",
    )
    result.assert_outcomes(failed=2)
    match_lines(
        result,
        [
            f"load_serverless_app('nowhere.yaml'): '{app_project.path}/tests/nowhere.yaml' does not exist (a "
            "relative path is relative to the test file's folder)",
            "load_serverless_app(None): path is required, e.g. load_serverless_app('infra/template.yaml')",
        ],
    )


# section: unsupported resources: one short warning per template and session

UNSUPPORTED = (
    TEMPLATE
    + """
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {BillingMode: PAY_PER_REQUEST}
"""
)

TWO_TESTS = """
def test_one(serverless_app):
    pass

def test_two(serverless_app):
    pass
"""


def test_unsupported_resource_warns_once_per_session(app_project, match_lines):
    app_project.path.joinpath("infra", "template.yaml").write_text(UNSUPPORTED)
    result = _run(app_project, TWO_TESTS, "-W", "default")
    result.assert_outcomes(passed=2, warnings=1)
    match_lines(
        result,
        [
            "*UnsupportedResourceWarning: infra/template.yaml: not emulated, ignored: Table: "
            "AWS::DynamoDB::Table (silence with the ini line: filterwarnings = "
            "ignore::pytest_serverless.UnsupportedResourceWarning)",
        ],
    )


def test_unsupported_resource_under_filterwarnings_error_is_one_line(app_project, match_lines):
    app_project.path.joinpath("infra", "template.yaml").write_text(UNSUPPORTED)
    result = _run(app_project, TWO_TESTS)
    result.assert_outcomes(passed=1, errors=1)
    match_lines(
        result,
        [
            "*_ ERROR at setup of test_one _*",
            "infra/template.yaml: not emulated, ignored: Table: AWS::DynamoDB::Table (silence with the ini "
            "line: filterwarnings = ignore::pytest_serverless.UnsupportedResourceWarning)",
            "*short test summary*",
        ],
    )
    result.stdout.no_fnmatch_line("*pytest_serverless/*.py*")


# section: contracts and coverage name template resources by logical id, wherever the project is checked out

CONTRACT_TESTS = """
def test_flow(serverless_app):
    assert serverless_app.state_machine("Flow").execute().status == "SUCCEEDED"
    client = serverless_app.api("ServerlessRestApi").stage("Prod").client()
    assert client.get("/hello").status_code == 200
"""


def test_contracts_still_pass_in_another_checkout_folder(app_project, tmp_path_factory):
    import json
    import os
    import shutil

    # a template at the checkout's root: its stack name, so its physical names, come from the folder's name
    app_project.path.joinpath("template.yaml").write_text(
        TEMPLATE.replace("CodeUri: src/", "CodeUri: infra/src/")
    )
    app_project.path.joinpath("tests", "test_it.py").write_text(CONTRACT_TESTS)
    args = ("tests", "--serverless-template=template.yaml")
    app_project.runpytest(*args, "--serverless-contracts=update").assert_outcomes(passed=1)
    recorded = json.loads(
        app_project.path.joinpath("tests", "__serverless_contracts__", "test_it.json").read_text()
    )
    assert [entry["machine"] for entry in recorded["test_flow"]["executions"]] == ["Flow"]
    elsewhere = tmp_path_factory.mktemp("another-checkout") / "renamed-clone"
    shutil.copytree(app_project.path, elsewhere)
    os.chdir(elsewhere)  # pytester puts the working directory back after the test
    result = app_project.runpytest(*args, "--rootdir", str(elsewhere), "-c", str(elsewhere / "tox.ini"))
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*contract changed*")
