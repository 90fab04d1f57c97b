"""assert_path and assert_status: matching, the failure texts, pytest_assertrepr_compare."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from pytest_serverless import UsageError, assert_path, assert_status
from pytest_serverless.gateway.request import GatewayRequest, Headers, Response
from pytest_serverless.plugin.assertions import PathMismatch, StatusMismatch, path_matches


def _declined():
    """An execution (as the engine returns it) that failed in a Fail state after a caught Task error."""
    history = [
        {"type": "ExecutionStarted", "id": 1},
        {"type": "PassStateEntered", "id": 2, "stateEnteredEventDetails": {"name": "Validate"}},
        {"type": "PassStateExited", "id": 3, "stateExitedEventDetails": {"name": "Validate"}},
        {"type": "TaskStateEntered", "id": 4, "stateEnteredEventDetails": {"name": "Charge"}},
        {"type": "TaskStateExited", "id": 5, "stateExitedEventDetails": {"name": "Charge"}},
        {"type": "FailStateEntered", "id": 6, "stateEnteredEventDetails": {"name": "Declined"}},
        {"type": "ExecutionFailed", "id": 7},
    ]
    return SimpleNamespace(
        path=["Validate", "Charge", "Declined"],
        status="FAILED",
        error="Payment.Declined",
        cause="card declined",
        history=history,
    )


def _failed_in_task():
    history = [
        {"type": "TaskStateEntered", "id": 2, "stateEnteredEventDetails": {"name": "Charge"}},
        {"type": "TaskFailed", "id": 3},
        {"type": "ExecutionFailed", "id": 4},
    ]
    return SimpleNamespace(
        path=["Charge"], status="FAILED", error="States.TaskFailed", cause="boom", history=history
    )


# section: matching


@pytest.mark.parametrize(
    ("expected", "mode", "matches"),
    [
        (["A", "B", "C"], "exact", True),
        (["A", "B"], "exact", False),
        (["A", "B"], "prefix", True),
        (["B", "C"], "prefix", False),
        (["B", "C"], "contains", True),
        (["A", "C"], "contains", False),
        (["A", "C"], "subsequence", True),
        (["C", "A"], "subsequence", False),
        (["A", "B", "C", "D"], "prefix", False),
        (["A", "B", "C", "D"], "contains", False),
    ],
)
def test_path_modes(expected, mode, matches):
    assert path_matches(["A", "B", "C"], expected, mode) is matches


def test_subsequence_consumes_states_in_order():
    assert path_matches(["A", "B", "A"], ["A", "A"], "subsequence")
    assert not path_matches(["A", "B"], ["A", "A"], "subsequence")


# section: assert_path


def test_assert_path_passes_silently():
    assert_path(_declined(), ["Validate", "Charge", "Declined"])
    assert_path(_declined(), ["Charge"], mode="contains")


def test_assert_path_exact_failure_text():
    with pytest.raises(PathMismatch) as caught:
        assert_path(_declined(), ["Validate", "Charge", "Ship", "Done"])
    assert isinstance(caught.value, AssertionError)
    assert str(caught.value) == (
        "state path does not match (mode 'exact')\n  expected: the path is exactly ['Validate', 'Charge', "
        "'Ship', 'Done']\n  #  expected  actual\n  0  Validate  Validate\n  1  Charge    Charge\n  2  Ship  "
        "    Declined  <-- first difference\n  3  Done      -\n  first difference at #2: expected 'Ship', "
        "entered 'Declined'\n  the execution FAILED in state 'Declined': error 'Payment.Declined', cause "
        "'card declined'"
    )


def test_assert_path_too_long_path_marks_where_it_went_on():
    with pytest.raises(PathMismatch) as caught:
        assert_path(_declined(), ["Validate", "Charge"])
    assert str(caught.value).splitlines()[2:] == [
        "  #  expected  actual",
        "  0  Validate  Validate",
        "  1  Charge    Charge",
        "  2  -         Declined  <-- first difference",
        "  the execution went on after 'Charge': entered 'Declined'",
        "  the execution FAILED in state 'Declined': error 'Payment.Declined', cause 'card declined'",
    ]


def test_assert_path_contains_failure_shows_the_longest_run():
    with pytest.raises(PathMismatch) as caught:
        assert_path(_declined(), ["Charge", "Ship"], mode="contains")
    assert str(caught.value).splitlines() == [
        "state path does not match (mode 'contains')",
        "  expected: the path contains, as one contiguous run, ['Charge', 'Ship']",
        "  #  expected  actual",
        "  0            Validate",
        "  1  Charge    Charge",
        "  2  Ship      Declined  <-- the run breaks here",
        "  the longest run found starts at #1; expected 'Ship' at #2, entered 'Declined'",
        "  the execution FAILED in state 'Declined': error 'Payment.Declined', cause 'card declined'",
    ]


def test_assert_path_subsequence_failure_names_the_missing_state():
    with pytest.raises(PathMismatch) as caught:
        assert_path(_declined(), ["Validate", "Ship"], mode="subsequence")
    lines = str(caught.value).splitlines()
    assert lines[0] == "state path does not match (mode 'subsequence')"
    assert "  1  Ship      Charge  <-- not entered from here on" in lines
    assert "  'Ship' was not entered after #0 ('Validate')" in lines


def test_assert_path_names_the_state_a_task_failed_in():
    with pytest.raises(PathMismatch) as caught:
        assert_path(_failed_in_task(), ["Charge", "Done"])
    assert str(caught.value).splitlines()[-1] == (
        "  the execution FAILED in state 'Charge': error 'States.TaskFailed', cause 'boom'"
    )


def test_assert_path_long_paths_are_elided_around_the_difference():
    execution = SimpleNamespace(
        path=["Start", *["Loop"] * 60, "Done"], status="SUCCEEDED", error=None, cause=None, history=[]
    )
    with pytest.raises(PathMismatch) as caught:
        assert_path(execution, ["Start", *["Loop"] * 40, "Done"])
    lines = str(caught.value).splitlines()
    assert lines[1] == (
        "  expected: the path is exactly ['Start', 'Loop', 'Loop', 'Loop', 'Loop', 'Loop', ..., 'Loop', "
        "'Loop', 'Done'] (42 states)"
    )
    assert "  41  Done      Loop  <-- first difference" in lines
    assert lines.count("      ...") == 2
    assert len(lines) < 25
    assert lines[-1] == "  the execution SUCCEEDED after 'Done'"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            (["A"], "fuzzy"),
            "assert_path(): unknown mode 'fuzzy'; use one of 'exact', 'prefix', 'contains', 'subsequence'",
        ),
        (
            ("A", "exact"),
            "assert_path(): the expected path must be a list of state names, not str (write ['A'] for a "
            "single state)",
        ),
        (([], "exact"), "assert_path(): the expected path is empty; name at least one state"),
    ],
)
def test_assert_path_wrong_arguments(args, message):
    with pytest.raises(UsageError) as caught:
        assert_path(_declined(), *args)
    assert str(caught.value) == message


def test_assert_path_needs_an_execution():
    with pytest.raises(
        UsageError, match=r"^assert_path\(\): the first argument must be an Execution, not dict$"
    ):
        assert_path({}, ["A"])


# section: assert_status


def _response(status, body, *, error_type=None, answered_by="integration", route_key="GET /orders/{id}"):
    headers = Headers({"Content-Type": "application/json"})
    if error_type:
        headers.add("x-amzn-ErrorType", error_type)
    request = GatewayRequest(method="GET", path="/orders/1", raw_path="/prod/orders/1")
    return Response(
        status, headers, body.encode(), answered_by=answered_by, request=request, route_key=route_key
    )


def test_assert_status_passes_silently():
    assert_status(_response(200, "{}"), 200)


def test_assert_status_failure_text():
    response = _response(
        403,
        '{"Message":"User is not authorized to access this resource with an explicit deny"}',
        error_type="AccessDeniedException",
        answered_by="authorizer",
    )
    with pytest.raises(StatusMismatch) as caught:
        assert_status(response, 200)
    assert isinstance(caught.value, AssertionError)
    assert str(caught.value) == (
        "status 403, expected 200\n  request: GET /prod/orders/1 (route 'GET /orders/{id}')\n  answered by: "
        "authorizer\n  x-amzn-ErrorType: AccessDeniedException\n"
        '  body: {"Message":"User is not authorized to access this resource with an explicit deny"}'
    )


def test_assert_status_shows_what_a_handler_raised_behind_a_502():
    response = _response(
        502, '{"message": "Internal server error"}', error_type="InternalServerErrorException"
    )
    response.error = KeyError("id")
    with pytest.raises(StatusMismatch) as caught:
        assert_status(response, 200)
    assert str(caught.value).splitlines()[-1] == "  raised behind the response: KeyError: 'id'"


def test_assert_status_long_bodies_are_cut():
    with pytest.raises(StatusMismatch) as caught:
        assert_status(_response(500, "x" * 1000), 200)
    assert str(caught.value).splitlines()[-1] == "  body: " + "x" * 600 + "... (400 more characters)"


def test_assert_status_wrong_arguments():
    with pytest.raises(UsageError, match=r"^assert_status\(\): the expected status must be an int, not str$"):
        assert_status(_response(200, ""), "200")
    with pytest.raises(
        UsageError, match=r"^assert_status\(\): the first argument must be a response, not int$"
    ):
        assert_status(200, 200)


# section: no pytest needed


def test_assertions_module_does_not_import_pytest():
    code = "import sys, pytest_serverless; pytest_serverless.assert_path; print('pytest' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "False"


# section: A failing assert on values that are not hashable is reported as an AssertionError with
# pytest's diff, not a TypeError from the plugin's assertion explanation hook.


def test_failing_assert_on_a_tuple_holding_a_list_is_an_assertion_error(pytester):
    pytester.makepyfile(
        """
        from pytest_serverless import StateMachine

        def test_output(sfn):
            machine = sfn({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
            execution = machine.execute([1, 2, 3])
            assert (execution.status, execution.output) == ("SUCCEEDED", [1, 2])
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*AssertionError*", "*At index 1 diff: [[]1, 2, 3[]] != [[]1, 2[]]*"])
    result.stdout.no_fnmatch_line("*TypeError*")
