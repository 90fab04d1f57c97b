"""--serverless-contracts=check|update|off: per-test paths and statuses in a reviewable file (pytester)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import fnmatch_literal
from tests.plugin.payment_flow import FLOW


def _tests(amount: int = 500, status: int = 201) -> str:
    return f"""
import pytest

FLOW = {FLOW!r}

@pytest.mark.mock_task("Charge", returns={{"ok": True}})
def test_pay(sfn):
    machine = sfn(FLOW, name="Payment")
    machine.execute({{"amount": {amount}}})

@pytest.mark.mock_task("Charge", raises=("Declined", "no money"))
def test_declined(sfn):
    sfn(FLOW, name="Payment").execute({{"amount": 5}})

def test_api(gateway):
    api = gateway.http_api("orders")
    api.route("POST /orders", lambda event, context: {{"statusCode": {status}, "body": "{{}}"}})
    client = api.deploy("$default").client()
    client.post("/orders", json={{}})
    client.get("/missing")

def test_nothing():
    pass
"""


CHANGED = "serverless contracts: 1 of 4 tests changed; run pytest --serverless-contracts=update to accept it"

EXPECTED = {
    "test_api": {
        "executions": [],
        "responses": [{"request": "POST /orders", "status": 201}, {"request": "GET /missing", "status": 404}],
    },
    "test_declined": {
        "executions": [
            {
                "error": "Declined",
                "machine": "Payment",
                "path": ["Check", "Charge", "Rejected"],
                "status": "FAILED",
            }
        ],
        "responses": [],
    },
    "test_pay": {
        "executions": [
            {"machine": "Payment", "path": ["Check", "Review", "Charge", "Done"], "status": "SUCCEEDED"}
        ],
        "responses": [],
    },
}


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(
        "[pytest]\naddopts = --strict-markers -p no:cacheprovider -p no:hypothesispytest -p no:schemathesis "
        "-p no:pytest_cov\n"
        "filterwarnings =\n    default\n"
    )
    pytester.mkdir("tests")
    (pytester.path / "tests" / "test_orders.py").write_text(_tests())
    return pytester


def _contract(suite: pytest.Pytester) -> str:
    return (suite.path / "tests" / "__serverless_contracts__" / "test_orders.json").read_text()


# section: update


def test_update_writes_a_sorted_file_per_module(suite):
    result = suite.runpytest("--serverless-contracts=update")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        [
            "*- serverless contracts -*",
            "written: tests/__serverless_contracts__/test_orders.json",
            "serverless contracts: 3 recorded, 0 removed",
        ]
    )
    text = _contract(suite)
    assert json.loads(text) == EXPECTED
    assert text == json.dumps(EXPECTED, indent=2, sort_keys=True) + "\n"
    assert '"path": [\n          "Check",\n          "Review",' in text  # one state per line: small diffs


def test_update_drops_tests_that_no_longer_exist_and_keeps_failing_ones(suite):
    suite.runpytest("--serverless-contracts=update").assert_outcomes(passed=4)
    source = _tests(amount=5).replace("def test_declined", "def test_renamed")
    source = source.replace("def test_pay(sfn):", "def test_pay(sfn):\n    assert False, 'broken'")
    (suite.path / "tests" / "test_orders.py").write_text(source)
    result = suite.runpytest("--serverless-contracts=update")
    result.assert_outcomes(passed=3, failed=1)
    stored = json.loads(_contract(suite))
    assert sorted(stored) == ["test_api", "test_pay", "test_renamed"]
    assert stored["test_pay"] == EXPECTED["test_pay"]  # a failing test does not overwrite its contract
    result.stdout.fnmatch_lines(["serverless contracts: 2 recorded, 1 removed"])


# section: check


def test_check_is_the_default_when_the_file_exists(suite):
    suite.runpytest("--serverless-contracts=update").assert_outcomes(passed=4)
    result = suite.runpytest()
    result.assert_outcomes(passed=4)


def test_check_fails_a_test_whose_path_changed_showing_the_diff(suite):
    suite.runpytest("--serverless-contracts=update").assert_outcomes(passed=4)
    (suite.path / "tests" / "test_orders.py").write_text(_tests(amount=5))
    result = suite.runpytest()
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_pay _*",
            fnmatch_literal(
                "serverless contract changed: tests/__serverless_contracts__/test_orders.json "
                ":: test_pay (run pytest --serverless-contracts=update to accept it)"
            ),
            "--- recorded",
            "+++ this run",
            "@@ -4,7 +4,6 @@",
            '       "machine": "Payment",',
            '       "path": [',
            '         "Check",',
            '-        "Review",',
            '         "Charge",',
            '         "Done"',
            "*- serverless contracts -*",
            CHANGED,
            "*short test summary info*",
            "FAILED tests/test_orders.py::test_pay - AssertionError: serverless contract*",
        ]
    )


def test_check_fails_a_test_whose_status_changed(suite):
    suite.runpytest("--serverless-contracts=update").assert_outcomes(passed=4)
    (suite.path / "tests" / "test_orders.py").write_text(_tests(status=500))
    result = suite.runpytest("--serverless-contracts=check")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "serverless contract changed: * :: test_api *",
            '-      "status": 201',
            '+      "status": 500',
        ]
    )


def test_check_fails_a_new_test_without_a_contract(suite):
    suite.runpytest("--serverless-contracts=update").assert_outcomes(passed=4)
    source = _tests() + (
        "\n\n@pytest.mark.mock_task('Charge', returns={})\n"
        "def test_new(sfn):\n    sfn(FLOW, name='Payment').execute({'amount': 1})\n"
    )
    (suite.path / "tests" / "test_orders.py").write_text(source)
    result = suite.runpytest()
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        [
            "serverless contract missing: tests/__serverless_contracts__/test_orders.json has "
            "no entry 'test_new' for this test (it ran 1 execution and 0 responses); run pytest "
            "--serverless-contracts=update to accept it",
        ]
    )


def test_explicit_check_without_a_file_fails_tests_that_record_something(suite):
    result = suite.runpytest("--serverless-contracts=check")
    result.assert_outcomes(passed=1, failed=3)


def test_without_a_file_nothing_is_checked_or_written(suite):
    result = suite.runpytest()
    result.assert_outcomes(passed=4)
    assert not (suite.path / "tests" / "__serverless_contracts__").exists()


def test_off_ignores_the_file(suite):
    suite.runpytest("--serverless-contracts=update").assert_outcomes(passed=4)
    (suite.path / "tests" / "test_orders.py").write_text(_tests(amount=5, status=500))
    suite.runpytest("--serverless-contracts=off").assert_outcomes(passed=4)


def test_bad_mode_is_a_usage_error(suite):
    result = suite.runpytest("--serverless-contracts=record")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: --serverless-contracts: expected check, update or off, got 'record'"]
    )


# section: xdist


def test_xdist_update_is_written_by_the_controller_then_checked(suite):
    result = suite.runpytest_subprocess("-p", "xdist", "-n", "2", "--serverless-contracts=update")
    result.assert_outcomes(passed=4)
    assert json.loads(_contract(suite)) == EXPECTED
    (suite.path / "tests" / "test_orders.py").write_text(_tests(amount=5))
    result = suite.runpytest_subprocess("-p", "xdist", "-n", "2")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            CHANGED,
            "*short test summary info*",
            "FAILED tests/test_orders.py::test_pay - AssertionError: serverless contract*",
        ]
    )
