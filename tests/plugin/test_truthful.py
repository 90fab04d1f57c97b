"""Tests that tell the truth (issue 15): strict mocks, a session report of shared markers that never matched,
readable failures. Every wrong-use message is asserted in full."""

from __future__ import annotations

# section: strict mocks


def test_execute_mock_key_naming_nothing_fails_the_test(project, match_lines):
    project.makepyfile(
        test_strict="""
        from machines import ORDER

        def test_it(sfn):
            sfn(ORDER, name="Orders").execute({}, mocks={"Chrage": lambda event: {}})
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    match_lines(
        result,
        [
            "E       pytest_serverless.errors.UsageError: execute(mocks=...): 'Chrage' names no Task state "
            "and no resource of state machine 'Orders'; did you mean 'Charge'? (Task states: 'Charge', "
            "'Ship')",
        ],
    )


def test_class_level_marker_that_never_matched_is_reported_at_session_end(project, match_lines):
    project.makepyfile(
        test_shared="""
        import pytest
        from machines import ORDER

        @pytest.mark.mock_task("Ship", returns={})
        class TestOrders:
            def test_api_only(self, gateway):
                pass

        @pytest.mark.mock_task("Charge", returns={})
        @pytest.mark.mock_task("Ship", returns={})
        class TestFlow:
            def test_flow(self, sfn):
                sfn(ORDER).execute({})
        """
    )
    for args in ((), ("-n", "2")):
        result = project.runpytest(*args)
        result.assert_outcomes(passed=2)
        match_lines(
            result,
            [
                "*- serverless: mock_task markers that never matched -*",
                "@pytest.mark.mock_task('Ship', returns={}) on test_shared.py::TestOrders: matched no Task "
                "state or resource of any state machine its tests made",
            ],
        )
        result.stdout.no_fnmatch_line("*TestFlow: matched no*")


# section: a failing test's report shows each execution's events


def test_failing_test_report_has_each_executions_events(project, match_lines):
    project.makepyfile(
        test_execution_events="""
        import pytest
        from machines import ORDER

        @pytest.mark.mock_task("Charge", raises=("Payment.Declined", "card expired"))
        def test_order(sfn):
            execution = sfn(ORDER, name="Orders").execute({"orderId": "o-1"})
            assert execution.status == "SUCCEEDED"
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    match_lines(
        result,
        [
            "*- Captured serverless executions call -*",
            "execution of 'Orders' (FAILED: Payment.Declined), virtual time from its start:",
            '   +0.000s  ExecutionStarted              input {"orderId":"o-1"}',
            '   +0.000s  PassStateEntered              Validate  input {"orderId":"o-1"}',
            '   +0.000s  PassStateExited               Validate  output {"orderId":"o-1"}',
            '   +0.000s  TaskStateEntered              Charge  input {"orderId":"o-1"}',
            "*LambdaFunctionFailed          error Payment.Declined  cause card expired",
            "*TaskStateExited               Charge  output*",
            "*FailStateEntered              Declined  input*",
            "*ExecutionFailed               error Payment.Declined  cause card declined",
        ],
    )


# section: status failures carry the gateway's reason


def test_expect_status_failure_says_why_the_gateway_refused(project, match_lines):
    project.makepyfile(
        test_reason="""
        import pytest
        from pytest_serverless import assert_status

        @pytest.mark.expect_status(200)
        def test_marker(gateway):
            api = gateway.rest_api("orders")
            api.route("GET /orders/{id}", mock={"statusCode": 200, "body": "ok"})
            api.deploy("prod").client().get("/order/1")

        def test_helper(gateway):
            api = gateway.rest_api("orders")
            api.route("GET /orders/{id}", mock={"statusCode": 200, "body": "ok"})
            assert_status(api.deploy("prod").client().post("/orders/1"), 200)
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=2)
    match_lines(
        result,
        [
            "  why: no route matches GET /order/1 (routes: GET /orders/{id})",
            "E         why: resource /orders/{id} has no POST method (methods: GET)",
        ],
    )


# section: JUnit properties


def test_junit_xml_carries_paths_and_statuses(project):
    project.makepyfile(
        test_junit="""
        from machines import PASSES

        def test_it(sfn, gateway):
            sfn(PASSES, name="Passes").execute({})
            api = gateway.rest_api("a")
            api.route("GET /x", mock={"statusCode": 200, "body": "ok"})
            api.deploy("prod").client().get("/x")
        """
    )
    project.runpytest("--junitxml=out.xml").assert_outcomes(passed=1)
    xml = project.path.joinpath("out.xml").read_text()
    assert '<property name="serverless_execution" value="Passes: SUCCEEDED: One &gt; Two" />' in xml
    assert '<property name="serverless_response" value="GET /x: 200" />' in xml


# section: --serverless-artifacts and Execution.to_svg()


def test_artifacts_of_failing_tests(project):
    project.makepyfile(
        test_artifacts="""
        import pytest
        from machines import ORDER, PASSES

        @pytest.mark.mock_task("Charge", raises=("Payment.Declined", "card expired"))
        def test_fails(sfn):
            sfn(PASSES, name="Passes").execute({})
            assert sfn(ORDER, name="Orders").execute({}).status == "SUCCEEDED"

        def test_passes(sfn):
            sfn(PASSES).execute({})
        """
    )
    project.runpytest("--serverless-artifacts=out").assert_outcomes(passed=1, failed=1)
    folder = project.path / "out"
    assert sorted(path.name for path in folder.iterdir()) == ["test_artifacts.py_test_fails"]
    files = sorted(path.name for path in (folder / "test_artifacts.py_test_fails").iterdir())
    assert files == [
        "execution-1-Passes.json",
        "execution-1-Passes.svg",
        "execution-2-Orders.json",
        "execution-2-Orders.svg",
    ]
    svg = (folder / "test_artifacts.py_test_fails" / "execution-2-Orders.svg").read_text()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'aria-label="state graph of Orders"' in svg


def test_execution_to_svg_highlights_the_path_taken():
    from pytest_serverless import StateMachine

    definition = {
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "One"}],
                "Default": "Other",
            },
            "One": {"Type": "Pass", "End": True},
            "Other": {"Type": "Pass", "End": True},
        },
    }
    svg = StateMachine(definition).execute({"x": 1}).to_svg()
    assert svg.count('class="state covered') == 2  # Pick and One
    assert svg.count('class="state missed') == 1  # Other
