"""The markers: registration and argument validation (wrong arguments are setup errors)."""

from __future__ import annotations

# section: registration


def test_markers_are_registered_for_strict_markers(project):
    project.makepyfile(
        """
        import pytest

        @pytest.mark.mock_task("Charge", returns={})
        @pytest.mark.expect_path(["One", "Two"])
        @pytest.mark.expect_status(200)
        def test_marked():
            pass
        """
    )
    result = project.runpytest("--strict-markers", "--collect-only", "-q")
    result.assert_outcomes()
    assert result.ret == 0


def test_markers_are_listed_with_their_signatures(project, match_lines):
    result = project.runpytest("--markers")
    match_lines(
        result,
        [
            "@pytest.mark.mock_task(state_or_arn, *, returns=..., raises=('Error', 'Cause'), "
            "responses=[...], side_effect=callable): mock the Task state*",
            "@pytest.mark.expect_path(expected, mode='exact'): every execution*",
            "@pytest.mark.expect_status(code): the last gateway response of the test must have this status "
            "code.",
        ],
    )


# section: wrong arguments fail the test setup


WRONG_USES = [
    (
        '@pytest.mark.mock_task("Charge", returns={"ok": True}, raises=("E", "C"))',
        "@pytest.mark.mock_task('Charge', returns={'ok': True}, raises=('E', 'C')) on "
        "test_wrong.py::{test}: give one outcome, not returns= and raises=",
    ),
    (
        '@pytest.mark.mock_task("Charge")',
        "@pytest.mark.mock_task('Charge') on test_wrong.py::{test}: no outcome; give one of returns=, "
        "raises=, responses= or side_effect=",
    ),
    (
        '@pytest.mark.mock_task("Charge", retuns=1)',
        "@pytest.mark.mock_task('Charge', retuns=1) on test_wrong.py::{test}: mock_task() got an unexpected "
        "keyword argument 'retuns' (did you mean 'returns'?); the signature is "
        "mock_task(state_or_arn, *, returns=..., raises=('Error', 'Cause'), responses=[...], "
        "side_effect=callable)",
    ),
    (
        "@pytest.mark.mock_task(returns=1)",
        "@pytest.mark.mock_task(returns=1) on test_wrong.py::{test}: mock_task() missing 1 required "
        "positional argument: 'state_or_arn'; the signature is mock_task(*",
    ),
    (
        "@pytest.mark.mock_task(42, returns=1)",
        "@pytest.mark.mock_task(42, returns=1) on test_wrong.py::{test}: the first argument must be a state "
        "name or resource ARN (a non-empty str)",
    ),
    (
        '@pytest.mark.mock_task("Charge", raises=("Error",))',
        "@pytest.mark.mock_task('Charge', raises=('Error',)) on test_wrong.py::{test}: raises= must be an "
        "(error, cause) pair of str, like ('Payment.Declined', 'card expired'), or an error name alone, not "
        "('Error',)",
    ),
    (
        '@pytest.mark.mock_task("Charge", responses=[{"Returns": 1}])',
        "@pytest.mark.mock_task('Charge', responses=[{'Returns': 1}]) on test_wrong.py::{test}: "
        "responses[0] must be {'Return': value} or {'Throw': {'Error': 'E', 'Cause': 'C'}} (optionally with "
        "'Duration': seconds), not {'Returns': 1}",
    ),
    (
        '@pytest.mark.mock_task("Charge", responses=[])',
        "@pytest.mark.mock_task('Charge', responses=[]) on test_wrong.py::{test}: responses= is empty; give "
        "one response per invocation",
    ),
    (
        '@pytest.mark.mock_task("Charge", responses={"0": {"Return": 1}, "x": {"Return": 2}})',
        "*responses keys must be invocation numbers like '0' or ranges like '1-2', not 'x'",
    ),
    (
        '@pytest.mark.mock_task("Charge", responses=[{"Throw": {"Error": 1}}])',
        "*responses[0]['Throw'] must be a dict with an 'Error' name (str) and an optional 'Cause', not "
        "{'Error': 1}",
    ),
    (
        '@pytest.mark.mock_task("Charge", side_effect="boom")',
        "@pytest.mark.mock_task('Charge', side_effect='boom') on test_wrong.py::{test}: side_effect= must "
        "be a callable f(input) -> result (raise TaskFailure(error, cause) to fail), not str",
    ),
    (
        '@pytest.mark.mock_task("Charge", returns=object())',
        "*on test_wrong.py::{test}: returns= must be JSON-serializable (a Task returns JSON): Object of "
        "type object is not JSON serializable",
    ),
    (
        '@pytest.mark.expect_path(["A"], mode="prefx")',
        "@pytest.mark.expect_path(['A'], mode='prefx') on test_wrong.py::{test}: unknown mode 'prefx'; use "
        "one of 'exact', 'prefix', 'contains', 'subsequence'",
    ),
    (
        '@pytest.mark.expect_path("Validate")',
        "@pytest.mark.expect_path('Validate') on test_wrong.py::{test}: the expected path must be a list of "
        "state names, not str (write ['Validate'] for a single state)",
    ),
    (
        "@pytest.mark.expect_path([])",
        "@pytest.mark.expect_path([]) on test_wrong.py::{test}: the expected path is empty; name at least "
        "one state",
    ),
    (
        '@pytest.mark.expect_path(["A", 2])',
        "*the expected path must hold state names (str), not 2",
    ),
    (
        '@pytest.mark.expect_path(["A"], "exact", "extra")',
        "*expect_path() takes from 1 to 2 positional arguments but 3 were given; the signature is "
        "expect_path(expected, mode='exact')",
    ),
    (
        '@pytest.mark.expect_status("200")',
        "@pytest.mark.expect_status('200') on test_wrong.py::{test}: the status code must be an int like "
        "200, not str",
    ),
    (
        "@pytest.mark.expect_status(2000)",
        "@pytest.mark.expect_status(2000) on test_wrong.py::{test}: 2000 is not an HTTP status code "
        "(100-599)",
    ),
    (
        "@pytest.mark.expect_status()",
        "*expect_status() missing 1 required positional argument: 'code'; the signature is "
        "expect_status(code)",
    ),
]


def test_marker_wrong_uses_fail_setup_with_a_clear_message(project, match_lines):
    # one pytester run for every wrong use (each its own test), then each message checked in full
    source = ["import pytest", ""]
    for index, (decorator, _) in enumerate(WRONG_USES):
        source += [decorator, f"def test_{index}():", "    pass", ""]
    project.makepyfile(test_wrong="\n".join(source))
    result = project.runpytest()
    result.assert_outcomes(errors=len(WRONG_USES))
    for index, (_, message) in enumerate(WRONG_USES):
        test = f"test_{index}"
        match_lines(result, [f"*_ ERROR at setup of {test} _*", message.replace("{test}", test)])
    match_lines(
        result,
        ["*short test summary*", "ERROR test_wrong.py::test_0 - pytest_serverless.errors.UsageError: *"],
    )
    # the message says it all: no traceback through the plugin
    result.stdout.no_fnmatch_line("*pytest_serverless/plugin*")


def test_marker_wrong_use_on_a_module_fails_every_test_setup(project, match_lines):
    project.makepyfile(
        test_wrong="""
        import pytest

        pytestmark = pytest.mark.mock_task("Charge", returns=1, side_effect=print)

        def test_one():
            pass

        def test_two():
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(errors=2)
    match_lines(
        result,
        [
            "@pytest.mark.mock_task('Charge', returns=1, side_effect=<built-in function print>) on "
            "test_wrong.py: give one outcome, not returns= and side_effect="
        ],
    )


def test_mock_task_twice_for_one_state_on_one_test_is_an_error(project, match_lines):
    project.makepyfile(
        test_wrong="""
        import pytest

        @pytest.mark.mock_task("Charge", returns=1)
        @pytest.mark.mock_task("Charge", returns=2)
        def test_it():
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    match_lines(
        result,
        [
            "@pytest.mark.mock_task('Charge', returns=1) on test_wrong.py::test_it: 'Charge' is mocked "
            "twice on test_wrong.py::test_it (also by @pytest.mark.mock_task('Charge', returns=2)); keep "
            "one marker, with responses=[...] for one outcome per invocation"
        ],
    )


def test_marker_wrong_use_does_not_need_the_fixtures(project):
    project.makepyfile(
        test_wrong="""
        import pytest

        @pytest.mark.expect_status(True)
        def test_it():
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the status code must be an int like 200, not bool"])
