"""Nothing leaks between tests (mocks, clock, executions, throttle buckets), in any order, under xdist."""

from __future__ import annotations

import pytest

ISOLATION = """
import pytest
from pytest_serverless import UnmockedTask
from machines import ORDER, PASSES


def _client(gateway):
    api = gateway.rest_api("orders")
    api.route("GET /orders/{id}", lambda event, context: {"statusCode": 200, "body": "ok"})
    return api.deploy("prod", throttle=(1, 1)).client()


@pytest.mark.mock_task("Charge", returns={})
@pytest.mark.mock_task("Ship", returns={})
@pytest.mark.expect_path(["Validate", "Charge", "Ship", "Done"])
@pytest.mark.expect_status(429)
def test_busy(sfn, gateway, serverless_clock):
    sfn(ORDER).execute({})
    serverless_clock.advance(3600)
    client = _client(gateway)
    client.get("/orders/1")
    client.get("/orders/1")


@pytest.mark.expect_status(200)
def test_fresh(sfn, gateway, serverless_clock):
    assert serverless_clock.now().isoformat() == "2024-01-01T00:00:00+00:00"
    with pytest.raises(UnmockedTask):
        sfn(ORDER).execute({})
    # the failed execute recorded nothing; expect_path of the other test does not apply here
    sfn(PASSES).execute({})
    assert _client(gateway).get("/orders/1").status_code == 200


def test_no_plugin_fixtures_at_all():
    pass
"""

CONFTEST = """
import pytest

def pytest_serverless_register_integrations(registry):
    registry.task_integration("Unused", lambda event, context: None)
"""


@pytest.mark.parametrize(
    "order",
    [
        ["test_iso.py::test_busy", "test_iso.py::test_fresh", "test_iso.py::test_no_plugin_fixtures_at_all"],
        ["test_iso.py::test_fresh", "test_iso.py::test_no_plugin_fixtures_at_all", "test_iso.py::test_busy"],
    ],
    ids=["busy-first", "fresh-first"],
)
def test_isolation_in_both_orders(project, order):
    project.makeconftest(CONFTEST)
    project.makepyfile(test_iso=ISOLATION)
    result = project.runpytest("-v", *order)
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([f"{node} PASSED*" for node in order])


def test_isolation_and_failure_texts_under_xdist(project, match_lines):
    # one xdist session (they are slow to start): the isolation tests twice, plus failures as users see them
    project.makeconftest(CONFTEST)
    project.makepyfile(test_iso=ISOLATION)
    project.makepyfile(test_iso_again=ISOLATION)
    project.makepyfile(
        test_fail="""
        import pytest
        from machines import ORDER

        @pytest.mark.mock_task("Charge", raises=("Payment.Declined", "card expired"))
        @pytest.mark.expect_path(["Validate", "Charge", "Ship", "Done"])
        def test_path(sfn):
            sfn(ORDER).execute({})

        @pytest.mark.expect_path(["A"], mode="prefx")
        def test_wrong_marker():
            pass

        @pytest.mark.mock_task("Ship", returns={})
        def test_unused(sfn):
            pass
        """
    )
    result = project.runpytest("-p", "xdist", "-n", "2")
    result.assert_outcomes(passed=7, failed=1, errors=1, warnings=1)
    match_lines(
        result,
        [
            "@pytest.mark.expect_path(['Validate', 'Charge', 'Ship', 'Done']) on test_fail.py::test_path: "
            "the execution of 'StateMachine' took another path (mode 'exact')",
            "  2  Ship      Declined  <-- first difference",
        ],
    )
    match_lines(
        result,
        [
            "@pytest.mark.expect_path(['A'], mode='prefx') on test_fail.py::test_wrong_marker: unknown mode "
            "'prefx'; use one of 'exact', 'prefix', 'contains', 'subsequence'",
        ],
    )
    match_lines(
        result,
        ["*UnusedMockWarning: @pytest.mark.mock_task('Ship', returns={}) on test_fail.py::test_unused*"],
    )
