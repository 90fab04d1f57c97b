"""The fixtures (serverless_clock, sfn, gateway, serverless_app) and mock_task / expect_path / expect_status
as a user's test suite meets them, through pytester."""

from __future__ import annotations

# section: serverless_clock and sfn


def test_sfn_machines_run_on_the_test_clock(project):
    project.makepyfile(
        """
        from datetime import datetime, timezone

        WAIT = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 90, "End": True}}}

        def test_wait_moves_the_test_clock(sfn, serverless_clock):
            machine = sfn(WAIT)
            assert machine.clock is serverless_clock
            assert serverless_clock.now() == datetime(2024, 1, 1, tzinfo=timezone.utc)
            execution = machine.execute({})
            assert execution.status == "SUCCEEDED"
            assert execution.duration == 90
            assert serverless_clock.time() == datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp() + 90

        def test_an_explicit_clock_wins(sfn):
            from pytest_serverless import VirtualClock
            clock = VirtualClock()
            assert sfn(WAIT, clock=clock).clock is clock
        """
    )
    project.runpytest().assert_outcomes(passed=2)


def test_serverless_clock_can_be_overridden_in_conftest(project):
    project.makeconftest(
        """
        from datetime import datetime, timezone
        import pytest
        from pytest_serverless import VirtualClock

        @pytest.fixture
        def serverless_clock():
            return VirtualClock(datetime(2030, 6, 1, tzinfo=timezone.utc))
        """
    )
    project.makepyfile(
        """
        from machines import PASSES

        def test_it(sfn, gateway):
            assert sfn(PASSES).clock.now().year == 2030
            assert gateway.clock.now().year == 2030
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_sfn_passes_keywords_to_state_machine(project):
    project.makepyfile(
        """
        from machines import PASSES

        def test_it(sfn):
            machine = sfn(PASSES, name="Checkout", type="EXPRESS")
            assert (machine.name, machine.type) == ("Checkout", "EXPRESS")
            assert machine.execute({}).output == {"done": True}
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_sfn_refuses_mocks_at_construction(project, match_lines):
    project.makepyfile(
        """
        from machines import PASSES

        def test_it(sfn):
            sfn(PASSES, mocks={"One": []})
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    match_lines(
        result,
        [
            "E       pytest_serverless.errors.UsageError: sfn(definition, mocks=...): mocks are given per "
            "execution, as sm.execute(input, mocks={...}), or for the whole test with "
            "@pytest.mark.mock_task(state, ...)"
        ],
    )


# section: mock_task


def test_mock_task_outcomes(project):
    project.makepyfile(
        """
        import pytest
        from pytest_serverless import TaskFailure
        from machines import ORDER, CHARGE_ARN

        @pytest.mark.mock_task("Charge", returns={"charged": 10})
        @pytest.mark.mock_task("Ship", returns={"shipped": True})
        def test_returns(sfn):
            execution = sfn(ORDER).execute({"order": 1})
            assert execution.path == ["Validate", "Charge", "Ship", "Done"]
            assert execution.task_calls[0].input == {"order": 1}
            assert execution.output == {"shipped": True}

        @pytest.mark.mock_task("Charge", raises=("Payment.Declined", "card expired"))
        def test_raises(sfn):
            execution = sfn(ORDER).execute({})
            assert execution.path == ["Validate", "Charge", "Declined"]
            assert (execution.status, execution.error) == ("FAILED", "Payment.Declined")

        @pytest.mark.mock_task(CHARGE_ARN, responses=[{"Throw": {"Error": "E", "Cause": "c"}}])
        def test_responses_by_arn(sfn):
            assert sfn(ORDER).execute({}).path[-1] == "Declined"

        def _charge(task_input):
            if task_input["amount"] > 100:
                raise TaskFailure("Payment.TooMuch", "over the limit")
            return {"charged": task_input["amount"]}

        @pytest.mark.mock_task("Charge", side_effect=_charge)
        @pytest.mark.mock_task("Ship", returns={})
        def test_side_effect(sfn):
            machine = sfn(ORDER)
            assert machine.execute({"amount": 5}).status == "SUCCEEDED"
            assert machine.execute({"amount": 500}).path[-1] == "Declined"

        @pytest.mark.mock_task("Charge", returns={"from": "marker"})
        @pytest.mark.mock_task("Ship", returns={})
        def test_execute_mocks_win_over_markers(sfn):
            execution = sfn(ORDER).execute({}, mocks={"Charge": [{"Throw": {"Error": "E"}}]})
            assert execution.path[-1] == "Declined"
        """
    )
    project.runpytest().assert_outcomes(passed=5)


def test_mock_task_on_class_and_module_closest_wins(project):
    project.makepyfile(
        """
        import pytest
        from machines import ORDER

        pytestmark = [
            pytest.mark.mock_task("Charge", raises=("Module", "level")),
            pytest.mark.mock_task("Ship", returns={"by": "module"}),
        ]

        def test_module_level(sfn):
            assert sfn(ORDER).execute({}).path[-1] == "Declined"

        @pytest.mark.mock_task("Charge", returns={"by": "class"})
        class TestCheckout:
            def test_class_level(self, sfn):
                execution = sfn(ORDER).execute({})
                assert execution.path[-1] == "Done"
                assert execution.output == {"by": "module"}

            @pytest.mark.mock_task("Charge", raises=("Function", "level"))
            def test_function_level(self, sfn):
                assert sfn(ORDER).execute({}).path[-1] == "Declined"

        @pytest.mark.parametrize("outcome", [
            pytest.param("Done", marks=pytest.mark.mock_task("Charge", returns={})),
            pytest.param("Declined"),
        ])
        def test_parametrized(sfn, outcome):
            assert sfn(ORDER).execute({}).path[-1] == outcome
        """
    )
    project.runpytest().assert_outcomes(passed=5)


def test_module_level_mock_naming_nothing_of_the_tests_machines_fails_it(project, match_lines):
    project.makepyfile(
        test_module_mock="""
        import pytest
        from machines import ORDER, PASSES

        pytestmark = pytest.mark.mock_task("Ship", returns={})

        def test_passes(sfn):
            assert sfn(PASSES).execute({}).status == "SUCCEEDED"

        def test_order(sfn):
            assert sfn(ORDER).execute({}, mocks={"Charge": lambda event: {}}).status == "SUCCEEDED"
        """
    )
    result = project.runpytest("-W", "error")
    result.assert_outcomes(passed=1, failed=1)
    match_lines(
        result,
        [
            "@pytest.mark.mock_task('Ship', returns={}) on test_module_mock.py: no state machine of this "
            "test has a Task state or resource 'Ship' (Task states: none)",
        ],
    )


def test_unknown_state_in_mock_task_fails_the_test(project, match_lines):
    project.makepyfile(
        test_typo="""
        import pytest
        from machines import PASSES

        @pytest.mark.mock_task("Tow", returns={})
        def test_it(sfn):
            sfn(PASSES).execute({})
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    match_lines(
        result,
        [
            "*_ test_it _*",
            "@pytest.mark.mock_task('Tow', returns={}) on test_typo.py::test_it: no state machine of this "
            "test has a Task state or resource 'Tow' (Task states: none)",
            "*short test summary*",
            "FAILED test_typo.py::test_it - pytest_serverless.errors.UsageError: *",
        ],
    )


def test_unknown_state_is_noted_when_the_test_fails_anyway(project, match_lines):
    project.makepyfile(
        test_typo="""
        import pytest
        from machines import ORDER

        @pytest.mark.mock_task("Chrge", returns={})
        def test_it(sfn):
            sfn(ORDER).execute({})
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    match_lines(
        result,
        [
            "E       pytest_serverless.errors.UnmockedTask: Task state 'Charge' (resource "
            "'arn:aws:lambda:us-east-1:123456789012:function:charge') has no mock and no handler.*",
            "*- Captured serverless call -*",
            "@pytest.mark.mock_task('Chrge', returns={}) on test_typo.py::test_it: no state machine of this "
            "test has a Task state or resource 'Chrge'; did you mean 'Charge'? (Task states: 'Charge', "
            "'Ship')",
        ],
    )


def test_unused_mock_is_reported_at_teardown(project, match_lines):
    project.makepyfile(
        test_unused="""
        import pytest
        from machines import ORDER

        @pytest.mark.mock_task("Charge", raises=("E", "C"))
        @pytest.mark.mock_task("Ship", returns={})
        def test_declined(sfn):
            sfn(ORDER).execute({})

        @pytest.mark.mock_task("Charge", returns={})
        def test_no_machine():
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(passed=2, warnings=2)
    match_lines(
        result,
        [
            "*warnings summary*",
            "test_unused.py::test_declined",
            "  test_unused.py:4: UnusedMockWarning: @pytest.mark.mock_task('Ship', returns={}) on "
            "test_unused.py::test_declined: mock never used: 'Ship' was not invoked by the 1 execution the "
            "test ran",
            "*",
            "test_unused.py::test_no_machine",
            "  test_unused.py:9: UnusedMockWarning: @pytest.mark.mock_task('Charge', returns={}) on "
            "test_unused.py::test_no_machine: mock never used: the test made no state machine through the "
            "sfn or serverless_app fixtures",
        ],
    )
    error = project.runpytest("-W", "error::pytest_serverless.plugin.UnusedMockWarning")
    error.assert_outcomes(passed=2, errors=2)


# section: expect_path


def test_expect_path_passes_in_every_mode(project):
    project.makepyfile(
        """
        import pytest
        from machines import ORDER

        pytestmark = [pytest.mark.mock_task("Charge", returns={}), pytest.mark.mock_task("Ship", returns={})]

        @pytest.mark.expect_path(["Validate", "Charge", "Ship", "Done"])
        def test_exact(sfn):
            sfn(ORDER).execute({})

        @pytest.mark.expect_path(["Validate", "Charge"], mode="prefix")
        def test_prefix(sfn):
            sfn(ORDER).execute({})

        @pytest.mark.expect_path(["Charge", "Ship"], mode="contains")
        def test_contains(sfn):
            sfn(ORDER).execute({})

        @pytest.mark.expect_path(["Validate", "Done"], mode="subsequence")
        def test_subsequence(sfn):
            sfn(ORDER).execute({})
        """
    )
    project.runpytest().assert_outcomes(passed=4)


def test_expect_path_mismatch_fails_the_test_itself(project, match_lines):
    project.makepyfile(
        test_path="""
        import pytest
        from machines import ORDER

        @pytest.mark.mock_task("Charge", raises=("Payment.Declined", "card expired"))
        @pytest.mark.expect_path(["Validate", "Charge", "Ship", "Done"])
        def test_checkout(sfn):
            sfn(ORDER).execute({"order": 1})
        """
    )
    result = project.runpytest("-rA")
    result.assert_outcomes(failed=1)
    match_lines(
        result,
        [
            "*= FAILURES =*",
            "*_ test_checkout _*",
            "@pytest.mark.expect_path(['Validate', 'Charge', 'Ship', 'Done']) on "
            "test_path.py::test_checkout: the execution of 'StateMachine' took another path (mode 'exact')",
            "  expected: the path is exactly ['Validate', 'Charge', 'Ship', 'Done']",
            "  #  expected  actual",
            "  0  Validate  Validate",
            "  1  Charge    Charge",
            "  2  Ship      Declined  <-- first difference",
            "  3  Done      -",
            "  first difference at #2: expected 'Ship', entered 'Declined'",
            "  the execution FAILED in state 'Declined': error 'Payment.Declined', cause 'card declined'",
            "*short test summary*",
            "FAILED test_path.py::test_checkout - *",
        ],
    )
    # a failure of the test, not of its teardown, and no plugin traceback
    result.stdout.no_fnmatch_line("*ERROR at teardown*")
    result.stdout.no_fnmatch_line("*pytest_serverless/plugin*")


def test_expect_path_checks_every_execution(project, match_lines):
    project.makepyfile(
        test_path="""
        import pytest
        from machines import ORDER

        @pytest.mark.mock_task("Ship", returns={})
        @pytest.mark.expect_path(["Validate", "Charge", "Ship", "Done"])
        def test_two_orders(sfn):
            machine = sfn(ORDER, name="Orders")
            machine.execute({}, mocks={"Charge": [{"Return": {}}]})
            machine.execute({}, mocks={"Charge": [{"Throw": {"Error": "Declined"}}]})
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    match_lines(
        result,
        [
            "@pytest.mark.expect_path(['Validate', 'Charge', 'Ship', 'Done']) on "
            "test_path.py::test_two_orders: execution 2 of 2 of 'Orders' took another path (mode 'exact')",
        ],
    )


def test_expect_path_without_any_execution_fails(project, match_lines):
    project.makepyfile(
        test_path="""
        import pytest

        @pytest.mark.expect_path(["Validate"])
        def test_nothing_ran(sfn):
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    match_lines(
        result,
        [
            "@pytest.mark.expect_path(['Validate']) on test_path.py::test_nothing_ran: the test ran no "
            "execution through the sfn or serverless_app fixtures"
        ],
    )


def test_expect_path_on_a_class_and_xfail(project):
    project.makepyfile(
        """
        import pytest
        from machines import PASSES

        @pytest.mark.expect_path(["One", "Two"])
        class TestPasses:
            def test_ok(self, sfn):
                sfn(PASSES).execute({})

            @pytest.mark.expect_path(["One"])
            def test_closest_wins(self, sfn):
                sfn(PASSES).execute({})

            @pytest.mark.xfail(reason="a known wrong path", strict=True)
            @pytest.mark.expect_path(["Two", "One"])
            def test_known_wrong(self, sfn):
                sfn(PASSES).execute({})
        """
    )
    project.runpytest().assert_outcomes(passed=1, failed=1, xfailed=1)


def test_plain_assert_on_a_path_shows_the_aligned_diff(project, match_lines):
    project.makepyfile(
        test_path="""
        import pytest
        from machines import ORDER

        @pytest.mark.mock_task("Charge", raises=("Payment.Declined", "card expired"))
        def test_checkout(sfn):
            execution = sfn(ORDER).execute({})
            assert execution.path == ["Validate", "Charge", "Ship", "Done"]
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    match_lines(
        result,
        [
            '>       assert execution.path == ["Validate", "Charge", "Ship", "Done"]',
            "E       AssertionError: assert ['Validate', 'Charge', 'Declined'] == ['Validate', 'Charge', "
            "'Ship', 'Done']",
            "E         state path does not match (mode 'exact')",
            "E           expected: the path is exactly ['Validate', 'Charge', 'Ship', 'Done']",
            "E           #  expected  actual",
            "E           0  Validate  Validate",
            "E           1  Charge    Charge",
            "E           2  Ship      Declined  <-- first difference",
            "E           3  Done      -",
            "E           first difference at #2: expected 'Ship', entered 'Declined'",
            "E           the execution FAILED in state 'Declined': error 'Payment.Declined', cause 'card "
            "declined'",
        ],
    )


def test_assert_path_failure_points_at_the_test_line(project, match_lines):
    project.makepyfile(
        test_path="""
        import pytest
        from pytest_serverless import assert_path
        from machines import PASSES

        def test_passes(sfn):
            execution = sfn(PASSES).execute({})
            assert_path(execution, ["One", "Three"], mode="prefix")
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    match_lines(
        result,
        [
            '>       assert_path(execution, ["One", "Three"], mode="prefix")',
            "E       pytest_serverless.plugin.assertions.PathMismatch: state path does not match (mode "
            "'prefix')",
            "E         expected: the path starts with ['One', 'Three']",
            "E         #  expected  actual",
            "E         0  One       One",
            "E         1  Three     Two  <-- first difference",
            "E         first difference at #1: expected 'Three', entered 'Two'",
            "E         the execution SUCCEEDED after 'Two'",
            "test_path.py:7: PathMismatch",
        ],
    )
    result.stdout.no_fnmatch_line("*pytest_serverless/plugin*")


# section: gateway and expect_status

GATEWAY_APP = """
from pytest_serverless import assert_status


def throttled_client(gateway):
    api = gateway.rest_api("orders")
    api.route("GET /orders/{id}", lambda event, context: {"statusCode": 200, "body": "ok"})
    return api.deploy("prod", throttle=(1, 1)).client()
"""


def test_gateway_runs_on_the_test_clock(project):
    project.makepyfile(app=GATEWAY_APP)
    project.makepyfile(
        """
        from app import throttled_client

        def test_refill(gateway, serverless_clock):
            assert gateway.clock is serverless_clock
            client = throttled_client(gateway)
            assert [client.get("/orders/1").status_code for _ in range(2)] == [200, 429]
            serverless_clock.advance(1)
            assert client.get("/orders/1").status_code == 200
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_expect_status_passes_and_fails(project, match_lines):
    project.makepyfile(app=GATEWAY_APP)
    project.makepyfile(
        test_status="""
        import pytest
        from app import throttled_client

        @pytest.mark.expect_status(429)
        def test_second_is_throttled(gateway):
            client = throttled_client(gateway)
            client.get("/orders/1")
            client.get("/orders/1")

        @pytest.mark.expect_status(200)
        def test_expects_ok(gateway):
            client = throttled_client(gateway)
            client.get("/orders/1")
            client.get("/orders/2")

        @pytest.mark.expect_status(200)
        def test_no_request(gateway):
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(passed=1, failed=2)
    match_lines(
        result,
        [
            "*_ test_expects_ok _*",
            "@pytest.mark.expect_status(200) on test_status.py::test_expects_ok: the last gateway response "
            "(of 2) has status 429, expected 200",
            "  request: GET /prod/orders/2 (route 'GET /orders/{id}')",
            "  answered by: throttle",
            "  x-amzn-ErrorType: TooManyRequestsException",
            '  body: {"message":"Too Many Requests"}',
            "*_ test_no_request _*",
            "@pytest.mark.expect_status(200) on test_status.py::test_no_request: the test got no response "
            "through the gateway or serverless_app fixtures",
        ],
    )


def test_assert_status_and_plain_assert_show_the_response(project, match_lines):
    project.makepyfile(app=GATEWAY_APP)
    project.makepyfile(
        test_status="""
        from pytest_serverless import assert_status
        from app import throttled_client

        def test_helper(gateway):
            client = throttled_client(gateway)
            client.get("/orders/1")
            assert_status(client.get("/orders/1"), 200)

        def test_plain(gateway):
            api = gateway.http_api("orders")
            api.route("GET /orders/{id}", lambda event, context: 1 / 0)
            response = api.deploy("prod").client().get("/orders/1")
            assert response.status_code == 200
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=2)
    match_lines(
        result,
        [
            '>       assert_status(client.get("/orders/1"), 200)',
            "E       pytest_serverless.plugin.assertions.StatusMismatch: status 429, expected 200",
            "E         request: GET /prod/orders/1 (route 'GET /orders/{id}')",
            "E         answered by: throttle",
            "E         x-amzn-ErrorType: TooManyRequestsException",
            'E         body: {"message":"Too Many Requests"}',
            "*",
            ">       assert response.status_code == 200",
            "E       assert 500 == 200",
            "E           request: GET /prod/orders/1 (route 'GET /orders/{id}')",
            "E           answered by: integration",
            'E           body: {"message":"Internal Server Error"}',
            "E           raised behind the response: ZeroDivisionError: division by zero",
        ],
    )


def test_step_functions_routes_record_executions_and_apply_mocks(project):
    project.makepyfile(
        """
        import json
        import pytest
        from machines import ORDER

        @pytest.mark.mock_task("Charge", returns={})
        @pytest.mark.mock_task("Ship", returns={"shipped": True})
        @pytest.mark.expect_path(["Validate", "Charge", "Ship", "Done"])
        @pytest.mark.expect_status(200)
        def test_checkout_endpoint(sfn, gateway):
            api = gateway.rest_api("orders")
            api.route("POST /orders", state_machine=sfn(ORDER), sync=True)
            response = api.deploy("prod").client().post("/orders", json={"order": 1})
            assert json.loads(response.json()["output"]) == {"shipped": True}
        """
    )
    project.runpytest().assert_outcomes(passed=1)


# section: serverless_app


def test_serverless_app_without_a_template_says_how_to_configure_one(project, match_lines):
    project.makepyfile(
        test_app="""
        def test_app(serverless_app):
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    match_lines(
        result,
        [
            "*ERROR at setup of test_app*",
            "the serverless_app fixture needs a template: set serverless_template = path/to/template.yaml "
            "in the [pytest] section of your ini file (or [tool.pytest.ini_options] in pyproject.toml), pass "
            "--serverless-template=path/to/template.yaml, or mark the test "
            "@pytest.mark.serverless_template('path/to/template.yaml')",
        ],
    )


def test_serverless_app_with_a_missing_template(project, match_lines):
    project.makepyfile(
        test_app="""
        def test_app(serverless_app):
            pass
        """
    )
    result = project.runpytest("--serverless-template", "nope.yaml")
    result.assert_outcomes(errors=1)
    match_lines(result, ["serverless_template '*/nope.yaml' does not exist (set by --serverless-template)"])
    result.stdout.no_fnmatch_line("*pytest_serverless/plugin*")


def test_expect_path_notes_states_the_machine_does_not_have(project, match_lines):
    project.makepyfile(
        test_path="""
        import pytest
        from machines import PASSES

        @pytest.mark.expect_path(["One", "Tow"])
        def test_typo(sfn):
            sfn(PASSES).execute({})
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    match_lines(
        result,
        [
            "  1  Tow       Two  <-- first difference",
            "  first difference at #1: expected 'Tow', entered 'Two'",
            "  the execution SUCCEEDED after 'Two'",
            "  note: 'Tow' is not a state of this state machine",
        ],
    )


def test_plain_assert_explains_the_most_recent_matching_response(project, match_lines):
    project.makepyfile(app=GATEWAY_APP)
    project.makepyfile(
        test_status="""
        from app import throttled_client

        def test_reversed(gateway):
            client = throttled_client(gateway)
            assert client.get("/orders/1").status_code == 200
            response = client.get("/orders/2")
            assert 200 == response.status_code
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    match_lines(
        result,
        [
            "E       assert 200 == 429",
            "E           request: GET /prod/orders/2 (route 'GET /orders/{id}')",
            "E           answered by: throttle",
        ],
    )


def test_plain_assert_on_a_status_says_how_the_execution_ended(project, match_lines):
    project.makepyfile(
        test_status="""
        import pytest
        from machines import ORDER

        @pytest.mark.mock_task("Charge", raises=("Payment.Declined", "card expired"))
        def test_checkout(sfn):
            assert sfn(ORDER).execute({}).status == "SUCCEEDED"
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    match_lines(
        result,
        [
            "E       AssertionError: assert 'FAILED' == 'SUCCEEDED'",
            "E           the execution FAILED in state 'Declined': error 'Payment.Declined', cause *",
            "E           path: ['Validate', 'Charge', 'Declined']",
        ],
    )
