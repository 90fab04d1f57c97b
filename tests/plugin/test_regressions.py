"""Audit of issues 4 and 7 as a user meets them: defects found end to end, each pinned by a pytester run."""

from __future__ import annotations

import json

import pytest

# section: report header


def test_report_header_names_the_options_in_force(project):
    result = project.runpytest(
        "--co", "--sfn-coverage=term,json", "--sfn-coverage-fail-under=90", "--serverless-contracts=update"
    )
    result.stdout.fnmatch_lines(
        [
            "serverless: pytest-serverless-contracts 0.1.0, template: none, sfn-coverage: term,json, "
            "fail-under: 90%, contracts: update"
        ]
    )


# section: errors raised by the engine point at the test's line, not at the engine's frames


def test_unmocked_task_failure_shows_the_test_line_not_the_engine(project):
    project.makepyfile(
        """
        from machines import ORDER

        def test_pay(sfn):
            machine = sfn(ORDER)
            machine.execute({})
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            ">       machine.execute({})",
            "E       pytest_serverless.errors.UnmockedTask: Task state 'Charge' (resource "
            "'arn:aws:lambda:us-east-1:123456789012:function:charge') has no mock and no handler.*",
            "test_unmocked_task_failure_shows_the_test_line_not_the_engine.py:5: UnmockedTask",
        ]
    )
    result.stdout.no_fnmatch_line("*pytest_serverless/asl/*")


def test_invalid_definition_in_a_fixture_points_at_the_fixture(project):
    project.makepyfile(
        """
        import pytest

        @pytest.fixture
        def machine(sfn):
            return sfn({"StartAt": "A", "States": {"A": {"Type": "Pas", "End": True}}})

        def test_it(machine):
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            '>       return sfn({"StartAt": "A", "States": {"A": {"Type": "Pas", "End": True}}})',
            "E       pytest_serverless.errors.InvalidDefinition: *",
            "E         /States/A/Type: unknown state type 'Pas'*",
        ]
    )
    result.stdout.no_fnmatch_line("*pytest_serverless/asl/*")


def test_engine_frames_still_shown_with_fulltrace(project):
    project.makepyfile(
        """
        from machines import ORDER

        def test_pay(sfn):
            sfn(ORDER).execute({})
        """
    )
    result = project.runpytest("--fulltrace")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*pytest_serverless/asl/*"])


# section: contracts


_CONTRACT_TESTS = """
import pytest
from machines import PASSES

@pytest.mark.parametrize("n", [1, 2])
def test_run(sfn, n):
    sfn(PASSES, name="Passes").execute({})
"""


def test_contracts_update_of_one_selected_test_keeps_the_other_entries(project):
    project.makepyfile(test_flow=_CONTRACT_TESTS)
    project.runpytest("--serverless-contracts=update").assert_outcomes(passed=2)
    path = project.path / "__serverless_contracts__" / "test_flow.json"
    assert sorted(json.loads(path.read_text())) == ["test_run[1]", "test_run[2]"]

    result = project.runpytest("--serverless-contracts=update", "test_flow.py::test_run[1]")
    result.assert_outcomes(passed=1)
    assert sorted(json.loads(path.read_text())) == ["test_run[1]", "test_run[2]"]
    result.stdout.fnmatch_lines(["serverless contracts: 1 recorded, 0 removed"])

    # run in full, a test that is gone is dropped
    project.makepyfile(test_flow=_CONTRACT_TESTS.replace("[1, 2]", "[1]"))
    result = project.runpytest("--serverless-contracts=update")
    assert sorted(json.loads(path.read_text())) == ["test_run[1]"]
    result.stdout.fnmatch_lines(["serverless contracts: 1 recorded, 1 removed"])


@pytest.mark.parametrize("kinds", [("rest_api", "http_api"), ("http_api", "rest_api")])
def test_coverage_keeps_two_apis_of_one_name_and_different_kinds_apart(project, kinds):
    first, second = kinds
    project.makepyfile(
        f"""
        def _call(gateway, make):
            api = getattr(gateway, make)("orders")
            api.route("GET /x", mock={{"statusCode": 200, "body": "ok"}})
            api.deploy("prod").client().get("/x")

        def test_a(gateway):
            _call(gateway, {first!r})

        def test_b(gateway):
            _call(gateway, {second!r})
        """
    )
    project.runpytest("--sfn-coverage=json").assert_outcomes(passed=2)
    data = json.loads((project.path / "sfn-coverage.json").read_text())
    assert {key: api["kind"] for key, api in data["apis"].items()} == {
        "orders (HTTP)": "HTTP",
        "orders (REST)": "REST",
    }


# section: a mistyped mock_task on a module or class


def test_module_mock_with_a_typo_is_named_when_the_task_goes_unmocked(project):
    project.makepyfile(
        """
        import pytest
        from machines import ORDER

        pytestmark = pytest.mark.mock_task("Chrage", returns={"ok": True})

        @pytest.mark.mock_task("Ship", returns={})
        def test_pay(sfn):
            sfn(ORDER).execute({})
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- Captured serverless call -*",
            "@pytest.mark.mock_task('Chrage', returns={'ok': True}) on "
            "test_module_mock_with_a_typo_is_named_when_the_task_goes_unmocked.py: no state machine of this "
            "test has a Task state or resource 'Chrage'; did you mean 'Charge'? (Task states: 'Charge', "
            "'Ship')",
        ]
    )


# section: pytest_assertrepr_compare on plain ints


def test_plain_int_assert_that_is_not_about_a_status_gets_no_response_explanation(project):
    project.makepyfile(
        """
        def test_count(gateway):
            api = gateway.rest_api("a")
            api.route("GET /x", mock={"statusCode": 200, "body": "ok"})
            api.deploy("prod").client().get("/x")
            items = [1] * 150
            assert len(items) == 200
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E       assert 150 == 200"])
    result.stdout.no_fnmatch_line("*answered by*")
