"""boto3 answered in process inside tests using the plugin's fixtures (API.md section 7), through pytester."""

from __future__ import annotations


def test_sfn_tests_answer_boto3_stepfunctions_calls(project):
    project.makepyfile(
        """
        import json
        import boto3
        from machines import PASSES

        def test_start_through_boto3(sfn):
            machine = sfn(PASSES, name="Passes")
            client = boto3.client("stepfunctions")
            arn = client.start_execution(stateMachineArn=machine.arn, input="{}")["executionArn"]
            described = client.describe_execution(executionArn=arn)
            assert json.loads(described["output"]) == {"done": True}
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_an_unemulated_call_swallowed_by_the_code_under_test_fails_the_test(project, match_lines):
    project.makepyfile(
        """
        import boto3

        def save(order):
            try:
                boto3.client("dynamodb").put_item(TableName="orders", Item={"id": {"S": order}})
            except Exception:
                return False  # the code under test swallows every error
            return True

        def test_save(gateway):
            assert save("o-1") is False

        def test_no_fixture_no_bridge():
            import botocore.handlers
            assert all("pytest_serverless" not in repr(spec) for spec in botocore.handlers.BUILTIN_HANDLERS)
        """
    )
    result = project.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    match_lines(
        result,
        [
            "*AWS call dynamodb.PutItem is not emulated here. No AWS call leaves the process: answer it "
            "with a mock*moto*",
        ],
    )
