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
