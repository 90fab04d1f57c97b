"""serverless_app with a template, the template options, the report header, loading the plugin."""

from __future__ import annotations

import pytest

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: orders.handler
      Runtime: python3.12
      Events:
        GetOrder:
          Type: Api
          Properties:
            Path: /orders/{id}
            Method: get
  OrderFlow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: OrderFlow
      Definition:
        StartAt: Validate
        States:
          Validate:
            Type: Pass
            Next: Charge
          Charge:
            Type: Task
            Resource: arn:aws:lambda:us-east-1:123456789012:function:charge
            End: true
"""

HANDLER = """
def handler(event, context):
    return {"statusCode": 200, "body": event["pathParameters"]["id"]}
"""

APP_TESTS = """
import pytest

@pytest.mark.mock_task("Charge", returns={"charged": True})
@pytest.mark.expect_path(["Validate", "Charge"])
@pytest.mark.expect_status(200)
def test_app(serverless_app, serverless_clock):
    assert serverless_app.clock is serverless_clock
    execution = serverless_app.state_machine("OrderFlow").execute({})
    assert execution.output == {"charged": True}
    response = serverless_app.api("ServerlessRestApi").stage("Prod").client().get("/orders/7")
    assert response.text == "7"

@pytest.mark.mock_task("Chrage", returns={})
def test_typo(serverless_app):
    serverless_app.state_machine("OrderFlow").execute({})
"""


@pytest.fixture
def app_project(project):
    project.mkdir("infra")
    project.path.joinpath("infra", "template.yaml").write_text(TEMPLATE)
    project.mkdir("infra/src")
    project.path.joinpath("infra", "src", "orders.py").write_text(HANDLER)
    return project


def test_serverless_app_from_the_ini_option(app_project, match_lines):
    app_project.makeini(
        "[pytest]\naddopts = -p no:cacheprovider -p no:hypothesispytest -p no:schemathesis -p "
        "no:pytest_cov\nserverless_template = infra/template.yaml\n"
    )
    app_project.mkdir("tests")
    app_project.path.joinpath("tests", "test_app.py").write_text(APP_TESTS)
    result = app_project.runpytest("tests")
    result.assert_outcomes(passed=1, errors=1)
    match_lines(
        result,
        [
            "serverless: pytest-serverless-contracts 0.1.0, template: infra/template.yaml",
            "*_ ERROR at setup of test_typo _*",
            "@pytest.mark.mock_task('Chrage', returns={}) on tests/test_app.py::test_typo: no state machine "
            "of this test has a state or resource 'Chrage'; did you mean 'Charge'? (states: 'Charge', "
            "'Validate')",
        ],
    )


def test_serverless_app_from_the_command_line(app_project, match_lines):
    app_project.makepyfile(test_app=APP_TESTS)
    result = app_project.runpytest("--serverless-template", "infra/template.yaml", "-k", "not typo")
    result.assert_outcomes(passed=1)
    match_lines(result, ["serverless: pytest-serverless-contracts 0.1.0, template: infra/template.yaml"])


def test_serverless_app_template_error_is_a_clean_setup_error(project, match_lines):
    project.path.joinpath("template.yaml").write_text(
        "Resources:\n  Flow:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Definition: "
        "{StartAt: Nope, States: {}}\n"
    )
    project.makepyfile(test_app="def test_app(serverless_app):\n    pass\n")
    result = project.runpytest("--serverless-template", "template.yaml")
    result.assert_outcomes(errors=1)
    match_lines(
        result,
        [
            "*ERROR at setup of test_app*",
            "*/template.yaml:/Resources/Flow/Properties/Definition: state machine Flow has an invalid "
            "definition:",
        ],
    )
    result.stdout.no_fnmatch_line("*pytest_serverless/*")


def test_report_header_without_a_template(project):
    result = project.runpytest("--co")
    result.stdout.fnmatch_lines(["serverless: pytest-serverless-contracts 0.1.0, template: none"])


def test_plugin_can_be_disabled(project):
    project.makepyfile(
        "def test_it(request):\n    assert request.config.pluginmanager.get_plugin('serverless') is None\n"
    )
    result = project.runpytest("-p", "no:serverless")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("serverless: *")


def test_plugin_loads_with_autoload_disabled(project, monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    project.makepyfile(
        """
        import pytest
        from machines import PASSES

        @pytest.mark.expect_path(["One", "Two"])
        def test_it(sfn):
            sfn(PASSES).execute({})
        """
    )
    project.runpytest("-p", "pytest_serverless.plugin").assert_outcomes(passed=1)


def test_serverless_app_gets_registered_integrations_and_reports_to_the_hooks(app_project):
    app_project.makeconftest(
        """
        SEEN = []

        def charge(event, context):
            return {"by": "hook"}

        def pytest_serverless_register_integrations(registry):
            registry.task_integration("arn:aws:lambda:*:*:function:charge", charge)

        def pytest_serverless_execution_finished(execution):
            SEEN.append(execution.output)

        def pytest_serverless_gateway_response(response):
            SEEN.append(response.status_code)
        """
    )
    app_project.makepyfile(
        test_app="""
        import conftest

        def test_app(serverless_app):
            serverless_app.state_machine("OrderFlow").execute({})
            serverless_app.api("ServerlessRestApi").stage("Prod").client().get("/orders/7")
            assert conftest.SEEN == [{"by": "hook"}, 200]
        """
    )
    app_project.runpytest("--serverless-template", "infra/template.yaml").assert_outcomes(passed=1)
