"""Distributed Map with ItemReader data from a mock or a handler, ItemBatcher, ResultWriter
(issue 2, "Map ... distributed mode with ItemReader over data given by a mock, and ResultWriter recorded")."""

from __future__ import annotations

import pytest

from pytest_serverless import InvalidDefinition, StateMachine, TaskFailure, UsageError

READER = "arn:aws:states:::s3:getObject"


def _machine(**map_fields) -> dict:
    state = {
        "Type": "Map",
        "ItemReader": {
            "Resource": READER,
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket": "b", "Key": "items.json"},
        },
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work",
            "States": {"Work": {"Type": "Pass", "End": True}},
        },
        "End": True,
    }
    state.update(map_fields)
    return {"StartAt": "M", "States": {"M": state}}


# section: ItemReader answered by a handler in tasks=


def test_item_reader_handler_gets_the_reader_parameters_and_a_lambda_context():
    seen = {}

    def reader(event, context):
        seen["event"] = event
        seen["context"] = (context.function_name, context.get_remaining_time_in_millis() > 0)
        return [1, 2, 3]

    execution = StateMachine(_machine(), tasks={READER: reader}).execute({})
    assert (execution.status, execution.output) == ("SUCCEEDED", [1, 2, 3])
    assert seen["event"] == {"Bucket": "b", "Key": "items.json"}
    assert seen["context"] == ("getObject", True)


def test_item_reader_handler_raising_task_failure_fails_the_map_with_that_error():
    def reader(event, context):
        raise TaskFailure("S3.NoSuchKey", "The specified key does not exist.")

    execution = StateMachine(_machine(), tasks={READER: reader}).execute({})
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED",
        "S3.NoSuchKey",
        "The specified key does not exist.",
    )


def test_item_reader_handler_misuse_stays_loud():
    def reader(event, context):
        raise UsageError("bad fixture")

    with pytest.raises(UsageError, match="bad fixture"):
        StateMachine(_machine(), tasks={READER: reader}).execute({})


def test_item_reader_handler_returning_non_json_fails_the_reader():
    execution = StateMachine(_machine(), tasks={READER: lambda event, context: [{1, 2}]}).execute({})
    assert (execution.status, execution.error) == ("FAILED", "States.ItemReaderFailed")
    assert execution.cause == "The ItemReader data is not JSON: Object of type set is not JSON serializable"


# section: ReaderConfig limits


def test_reader_max_items_path_limits_the_items():
    definition = _machine()
    definition["States"]["M"]["ItemReader"]["ReaderConfig"] = {"InputType": "JSON", "MaxItemsPath": "$.limit"}
    execution = StateMachine(definition).execute({"limit": 2}, mocks={"M": [{"Return": [1, 2, 3]}]})
    assert (execution.status, execution.output) == ("SUCCEEDED", [1, 2])


def test_reader_max_items_path_missing_is_a_runtime_error():
    definition = _machine()
    definition["States"]["M"]["ItemReader"]["ReaderConfig"] = {"InputType": "JSON", "MaxItemsPath": "$.limit"}
    execution = StateMachine(definition).execute({}, mocks={"M": [{"Return": [1, 2, 3]}]})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.cause == (
        "An error occurred while executing the state 'M' (entered at the event id #2). "
        "Invalid path '$.limit' : No results for path: $['limit']"
    )


# section: batching, tolerated failures and the written results


def test_batches_failures_within_tolerance_and_result_writer_are_recorded():
    def work(event, context):
        if 3 in event["Items"]:
            raise TaskFailure("Item.Bad", "three")
        return {"sum": sum(event["Items"]), "batch": event["BatchInput"]}

    definition = _machine(
        ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"run": "r1"}},
        ToleratedFailureCount=1,
        ResultWriter={
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "out", "Prefix": "p"},
        },
    )
    definition["States"]["M"]["ItemProcessor"]["States"]["Work"] = {
        "Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
        "End": True,
    }
    execution = StateMachine(definition, tasks={"Work": work}).execute(
        {}, mocks={"M": [{"Return": [1, 2, 3, 4, 5]}]}
    )
    assert execution.status == "SUCCEEDED"
    assert [call.input for call in execution.task_calls] == [
        {"Bucket": "b", "Key": "items.json"},
        {"Items": [1, 2], "BatchInput": {"run": "r1"}},
        {"Items": [3, 4], "BatchInput": {"run": "r1"}},
        {"Items": [5], "BatchInput": {"run": "r1"}},
    ]
    assert execution.output["ResultWriterDetails"]["Bucket"] == "out"
    assert execution.output["ResultWriterDetails"]["Key"].startswith("p/")
    (write,) = execution.result_writes
    assert write["state"] == "M"
    assert write["results"][0] == {"sum": 3, "batch": {"run": "r1"}}
    assert write["results"][1]["Error"] == "Item.Bad"
    assert write["results"][2] == {"sum": 5, "batch": {"run": "r1"}}
    assert [event["type"] for event in execution.history][2:6] == [
        "MapStateStarted",
        "MapRunStarted",
        "MapRunSucceeded",
        "MapStateSucceeded",
    ]


# section: EXPRESS child workflows


def _express_children(child_state: dict) -> dict:
    return {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "Child",
                    "States": {"Child": child_state},
                },
                "End": True,
            }
        },
    }


def test_express_child_workflows_time_out_after_five_minutes():
    execution = StateMachine(_express_children({"Type": "Wait", "Seconds": 400, "End": True})).execute([1])
    assert (execution.status, execution.error, execution.duration) == ("FAILED", "States.Timeout", 300.0)
    assert [event["type"] for event in execution.history][-3:] == [
        "MapRunFailed",
        "MapStateFailed",
        "ExecutionFailed",
    ]


def test_express_child_workflows_within_five_minutes_succeed():
    execution = StateMachine(_express_children({"Type": "Wait", "Seconds": 300, "End": True})).execute([1, 2])
    assert (execution.status, execution.output, execution.duration) == ("SUCCEEDED", [1, 2], 300.0)


def test_standard_child_workflows_have_no_five_minute_limit():
    definition = _express_children({"Type": "Wait", "Seconds": 400, "End": True})
    definition["States"]["M"]["ItemProcessor"]["ProcessorConfig"]["ExecutionType"] = "STANDARD"
    assert StateMachine(definition).execute([1]).status == "SUCCEEDED"


def test_express_child_workflows_refuse_callback_tasks():
    child = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {},
        "End": True,
    }
    with pytest.raises(InvalidDefinition) as raised:
        StateMachine(_express_children(child))
    assert raised.value.problems == [
        (
            "/States/M/ItemProcessor/States/Child/Resource",
            "EXPRESS child workflows do not support the '.waitForTaskToken' integration pattern "
            "(resource 'arn:aws:states:::sqs:sendMessage.waitForTaskToken'); use 'ExecutionType': 'STANDARD'",
        )
    ]


def test_map_run_arn_in_the_output_matches_the_map_run_started_event_with_a_label():
    definition = _machine(
        Label="Chunks",
        ResultWriter={
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "o", "Prefix": "p"},
        },
    )
    execution = StateMachine(definition).execute({}, mocks={"M": [{"Return": [1]}]})
    started = next(event for event in execution.history if event["type"] == "MapRunStarted")
    assert execution.output["MapRunArn"] == started["mapRunStartedEventDetails"]["mapRunArn"]
    assert execution.output["MapRunArn"].endswith("/Chunks")
