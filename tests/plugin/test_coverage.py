"""--sfn-coverage, --sfn-coverage-fail-under, --sfn-coverage-data/--sfn-coverage-append, through pytester."""

from __future__ import annotations

import json

import pytest

from pytest_serverless.reporting.coverage import CoverageData
from pytest_serverless.reporting.graph import definition_digest
from tests.helpers import fnmatch_literal
from tests.plugin.payment_flow import FLOW

KEY = f"Payment@{definition_digest(FLOW)}"

TESTS = f"""
import pytest

FLOW = {FLOW!r}

@pytest.mark.mock_task("Charge", returns={{"ok": True}})
def test_small(sfn):
    assert sfn(FLOW, name="Payment").execute({{"amount": 5}}).status == "SUCCEEDED"

@pytest.mark.mock_task("Charge", raises=("Declined", "no money"))
def test_declined(sfn):
    assert sfn(FLOW, name="Payment").execute({{"amount": 500}}).status == "FAILED"

def test_api(gateway):
    api = gateway.rest_api("orders")
    api.route("GET /orders/{{id}}", lambda event, context: {{"statusCode": 200, "body": "{{}}"}})
    api.route("POST /orders", lambda event, context: {{"statusCode": 201, "body": "{{}}"}})
    client = api.deploy("prod").client()
    assert client.get("/orders/1").status_code == 200
    assert client.get("/nowhere").status_code == 403
"""

TABLE = [
    f"{'Name':<{len(KEY)}}   Runs  States  Miss  Transitions  Miss  Cover",
    "-" * (len(KEY) + 47),
    f"{KEY}      2       5     0            5     0   100%",
    "-" * (len(KEY) + 47),
    f"{'TOTAL':<{len(KEY)}}      2       5     0            5     0   100%",
    "",
    "API     Route              2XX   3XX   4XX   5XX  Called",
    "--------------------------------------------------------",
    "orders  GET /orders/{id}     1     0     0     0  yes",
    "orders  POST /orders         0     0     0     0  NO",
    "orders  (no route)           0     0     1     0  yes",
    "--------------------------------------------------------",
    "routes called: 1 of 2",
]


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(
        "[pytest]\naddopts = --strict-markers -p no:cacheprovider -p no:hypothesispytest -p no:schemathesis "
        "-p no:pytest_cov\n"
        "filterwarnings =\n    default\n"
    )
    pytester.makepyfile(test_flow=TESTS)
    return pytester


def _lines(result: pytest.RunResult, lines: list[str]) -> None:
    result.stdout.fnmatch_lines([fnmatch_literal(line) for line in lines], consecutive=True)


# section: reports


def test_term_report_in_the_terminal_summary(suite):
    result = suite.runpytest("--sfn-coverage=term")
    result.assert_outcomes(passed=3)
    _lines(result, ["*- state machine coverage -*", *TABLE])
    assert result.ret == 0
    data = CoverageData.load(suite.path / ".sfn-coverage.json")
    assert data.machines[KEY].executions == 2
    assert data.machines[KEY].transitions["Check -> Review [Choices[0]]"] == 1


def test_bare_option_means_term(suite):
    result = suite.runpytest("--sfn-coverage", "-k", "small")
    _lines(
        result,
        [f"{KEY}      1       5     2            5     3    50%", "    missing states: Review, Rejected"],
    )


def test_html_and_json_reports_comma_separated(suite):
    result = suite.runpytest("--sfn-coverage=html,json")
    result.assert_outcomes(passed=3)
    _lines(
        result,
        [
            "state machine coverage html written to sfn-coverage/",
            "state machine coverage json written to sfn-coverage.json",
        ],
    )
    assert "Runs  States" not in result.stdout.str()  # no term report unless asked
    report = json.loads((suite.path / "sfn-coverage.json").read_text())
    assert report["totals"]["percent_covered"] == 100.0
    assert report["apis"]["orders"]["missing_routes"] == ["POST /orders"]
    pages = sorted(path.name for path in (suite.path / "sfn-coverage").iterdir())
    assert pages == ["Payment_" + definition_digest(FLOW) + ".html", "index.html"]


def test_report_targets_and_data_file_can_be_chosen(suite):
    result = suite.runpytest(
        "--sfn-coverage=html:out/html",
        "--sfn-coverage=json:out/cov.json",
        "--sfn-coverage-data=out/data.json",
    )
    result.assert_outcomes(passed=3)
    assert (suite.path / "out/html/index.html").is_file()
    assert (suite.path / "out/cov.json").is_file()
    assert (suite.path / "out/data.json").is_file()
    assert not (suite.path / ".sfn-coverage.json").exists()


def test_no_option_no_report_no_data_file(suite):
    result = suite.runpytest()
    result.assert_outcomes(passed=3)
    assert "state machine coverage" not in result.stdout.str()
    assert not (suite.path / ".sfn-coverage.json").exists()


def test_machine_made_but_never_run_shows_at_zero(suite):
    suite.makepyfile(
        test_idle="""
        IDLE = {"StartAt": "Only", "States": {"Only": {"Type": "Pass", "End": True}}}

        def test_make_only(sfn):
            sfn(IDLE, name="Idle")
        """
    )
    result = suite.runpytest("--sfn-coverage=term", "test_idle.py")
    key = f"Idle@{definition_digest({'StartAt': 'Only', 'States': {'Only': {'Type': 'Pass', 'End': True}}})}"
    _lines(result, [f"{key}      0       1     1            1     1     0%"])


# section: fail-under


def test_fail_under_fails_the_session_with_a_clear_line(suite):
    result = suite.runpytest("--sfn-coverage-fail-under=90", "-k", "small")
    result.assert_outcomes(passed=1, deselected=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["FAIL Required state machine coverage of 90% not reached. Total coverage: 50.00%"]
    )


def test_fail_under_reached(suite):
    result = suite.runpytest("--sfn-coverage=term", "--sfn-coverage-fail-under=100")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["Required state machine coverage of 100% reached. Total coverage: 100.00%"])


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "--sfn-coverage=xml",
            "ERROR: --sfn-coverage: unknown report 'xml'; use term, html[:DIR] or json[:FILE] "
            "(e.g. --sfn-coverage=term,html)",
        ),
        ("--sfn-coverage=term:x", "ERROR: --sfn-coverage: the term report takes no target ('term:x')"),
        (
            "--sfn-coverage-fail-under=lots",
            "ERROR: --sfn-coverage-fail-under: expected a percentage from 0 to 100, got 'lots'",
        ),
    ],
)
def test_bad_options_are_usage_errors(suite, option, message):
    result = suite.runpytest(option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([fnmatch_literal(message)])


# section: separate runs and xdist


def test_append_combines_separate_runs(suite):
    suite.runpytest("--sfn-coverage=term", "-k", "small").assert_outcomes(passed=1, deselected=2)
    result = suite.runpytest("--sfn-coverage=term", "--sfn-coverage-append", "-k", "declined")
    result.assert_outcomes(passed=1, deselected=2)
    _lines(result, [f"{KEY}      2       5     0            5     0   100%"])


def test_xdist_workers_send_their_data_to_the_controller(suite):
    result = suite.runpytest_subprocess(
        "-p", "xdist", "-n", "2", "--sfn-coverage=term", "--sfn-coverage-fail-under=100"
    )
    result.assert_outcomes(passed=3)
    assert result.ret == 0
    _lines(result, TABLE)
    result.stdout.fnmatch_lines(["Required state machine coverage of 100% reached. Total coverage: 100.00%"])


def test_append_to_a_broken_data_file_fails_the_session(suite):
    (suite.path / ".sfn-coverage.json").write_text("{broken")
    result = suite.runpytest("--sfn-coverage=term", "--sfn-coverage-append", "-k", "small")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "FAIL --sfn-coverage-append: *.sfn-coverage.json: not a JSON coverage data file: "
            "* (not combined, overwritten)"
        ]
    )
    assert CoverageData.load(suite.path / ".sfn-coverage.json").machines[KEY].executions == 1
