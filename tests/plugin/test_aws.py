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


def test_websocket_handlers_reply_through_apigatewaymanagementapi(project):
    project.makepyfile(
        """
        import boto3

        def broadcast(event, context):
            context_ = event["requestContext"]
            endpoint = f"https://{context_['domainName']}/{context_['stage']}"
            api = boto3.client("apigatewaymanagementapi", endpoint_url=endpoint)
            me = context_["connectionId"]
            api.post_to_connection(ConnectionId=me, Data=b"echo: " + event["body"].encode())
            seen = api.get_connection(ConnectionId=me)
            api.post_to_connection(ConnectionId=me, Data=seen["Identity"]["SourceIp"])
            try:
                api.post_to_connection(ConnectionId="gone-away", Data="x")
            except api.exceptions.GoneException as error:
                api.post_to_connection(ConnectionId=me, Data=error.response["Error"]["Code"])
            return {"statusCode": 200}

        def test_chat(gateway):
            api = gateway.websocket_api("chat")
            api.route("$default", broadcast)
            ws = api.deploy("prod").connect()
            ws.send(text="hi")
            assert ws.messages[0] == "echo: hi"
            assert ws.messages[2] == "GoneException"
            assert len(ws.messages) == 3

        def test_an_endpoint_of_no_stage(gateway):
            import pytest
            from pytest_serverless import UnemulatedCall
            api = boto3.client("apigatewaymanagementapi", endpoint_url="https://nope.execute-api.us-east-1.amazonaws.com/prod")
            with pytest.raises(UnemulatedCall, match="names no WebSocket stage here"):
                api.post_to_connection(ConnectionId="c", Data="x")
        """
    )
    result = project.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*test_an_endpoint_of_no_stage*", "*names no WebSocket stage here*"])


def test_serverless_app_answers_lambda_and_events(project):
    project.makefile(
        ".yaml",
        template="""
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Notify:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: "def handler(e, c): return e"
        """,
    )
    project.makepyfile(
        """
        import json
        import boto3
        import pytest

        @pytest.mark.serverless_template("template.yaml")
        def test_invoke(serverless_app):
            name = serverless_app.function_name("Notify")
            answer = boto3.client("lambda").invoke(FunctionName=name, Payload=b'{"a": 1}')
            assert json.loads(answer["Payload"].read()) == {"a": 1}
        """
    )
    project.runpytest().assert_outcomes(passed=1)


MOCKED_PUT = """
PUT = {
    "StartAt": "Save",
    "States": {
        "Save": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "orders", "Item": {"id": {"S": "1"}}},
            "End": True,
        }
    },
}
"""


def test_mock_results_are_checked_against_the_service_model(project, match_lines):
    project.makepyfile(flows=MOCKED_PUT)
    project.makepyfile(
        """
        import pytest
        from flows import PUT

        @pytest.mark.mock_task("Save", returns={"ConsumedCapacity": {"CapacityUnits": "one"}})
        def test_a_mock_of_the_wrong_type(sfn):
            sfn(PUT).execute({})

        @pytest.mark.mock_task("Save", returns={"ConsumedCapacity": {"CapacityUnits": "one"}})
        def test_the_keyword_wins(sfn):
            assert sfn(PUT, mock_validation="NONE").execute({}).status == "SUCCEEDED"

        @pytest.mark.mock_task("Save", returns={"Unknown": 1, "Attributes": {}})
        def test_unknown_members_are_allowed(sfn):
            assert sfn(PUT).execute({}).status == "SUCCEEDED"
        """
    )
    result = project.runpytest()
    result.assert_outcomes(passed=2, failed=1)
    match_lines(
        result,
        [
            "*UsageError: the mocked result of Task state 'Save' (resource "
            "'arn:aws:states:::dynamodb:putItem') does not fit dynamodb PutItem's output in the service "
            "model: member 'ConsumedCapacity.CapacityUnits' must be a number (ConsumedCapacityUnits), got "
            "'one' (mock_validation='PRESENT'*",
        ],
    )


def test_the_ini_option_sets_the_validation_of_the_tests_machines(project):
    project.makepyfile(flows=MOCKED_PUT)
    project.makeini(
        "[pytest]\naddopts = -p no:cacheprovider -p no:hypothesispytest -p no:pytest_cov\n"
        "serverless_mock_validation = STRICT\n"
    )
    project.makepyfile(
        """
        import pytest
        from flows import PUT

        START = {"StartAt": "Child", "States": {"Child": {
            "Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
            "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:c"},
            "End": True}}}

        @pytest.mark.mock_task("Child", returns={"ExecutionArn": "arn"})
        def test_strict_wants_required_members(sfn):
            with pytest.raises(Exception, match="required member 'StartDate' is missing"):
                sfn(START).execute({})

        @pytest.mark.mock_task("Save", returns={"ConsumedCapacity": {}})
        def test_present_members(sfn):
            assert sfn(PUT).execute({}).status == "SUCCEEDED"
        """
    )
    project.runpytest().assert_outcomes(passed=2)


def test_under_xdist_each_worker_answers_its_own_tests(project):
    project.makepyfile(
        """
        import json
        import boto3
        import pytest
        from machines import PASSES

        @pytest.mark.parametrize("n", range(6))
        def test_start(sfn, n):
            machine = sfn(PASSES, name=f"Passes{n}")
            client = boto3.client("stepfunctions")
            started = client.start_execution(stateMachineArn=machine.arn, input=json.dumps({"n": n}))
            arn = started["executionArn"]
            assert client.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
            assert [e.arn for e in sfn.service.list_executions(machine.arn)] == [arn]

        def test_unemulated(sfn):
            try:
                boto3.client("sqs").list_queues()
            except Exception:
                pass
        """
    )
    result = project.runpytest_subprocess("-p", "xdist", "-n", "2")
    result.assert_outcomes(passed=6, failed=1)
    result.stdout.fnmatch_lines(["*AWS call sqs.ListQueues is not emulated here*"])
