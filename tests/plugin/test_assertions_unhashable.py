"""Audit: a failing assert on values that are not hashable is reported as an AssertionError with pytest's
diff, not a TypeError from the plugin's assertion explanation hook."""

from __future__ import annotations


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
