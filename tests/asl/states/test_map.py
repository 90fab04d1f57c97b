"""Map (inline and distributed) on the virtual clock."""

from __future__ import annotations

import time

from pytest_serverless import StateMachine
from tests.helpers import event_types

WAIT_ITEM = {"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}}}
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def _map(**fields) -> dict:
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": PASS, **fields}}}


# section: inline Map


def test_map_items_path_and_item_selector_with_context():
    execution = StateMachine(
        _map(
            ItemsPath="$.orders",
            ItemSelector={"order.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "shop.$": "$.shop"},
        )
    ).execute({"orders": ["a", "b"], "shop": "s"})
    assert execution.output == [
        {"order": "a", "index": 0, "shop": "s"},
        {"order": "b", "index": 1, "shop": "s"},
    ]
    assert execution.path == ["M", "P", "P"]
    assert event_types(execution) == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    assert execution.history[2]["mapStateStartedEventDetails"] == {"length": 2}
    assert execution.history[3]["mapIterationStartedEventDetails"] == {"name": "M", "index": 0}


def test_legacy_iterator_and_parameters():
    definition = {
        "StartAt": "M",
        "States": {
            "M": {"Type": "Map", "Iterator": PASS, "Parameters": {"v.$": "$$.Map.Item.Value"}, "End": True}
        },
    }
    assert StateMachine(definition).execute([1, 2]).output == [{"v": 1}, {"v": 2}]


def test_map_max_concurrency_shapes_virtual_duration():
    items = [{"s": 10}, {"s": 10}, {"s": 10}, {"s": 5}]
    unbounded = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": WAIT_ITEM, "End": True}}}
    assert StateMachine(unbounded).execute(items).duration == 10
    unbounded["States"]["M"]["MaxConcurrency"] = 2
    assert StateMachine(unbounded).execute(items).duration == 20
    unbounded["States"]["M"]["MaxConcurrency"] = 1
    assert StateMachine(unbounded).execute(items).duration == 35


def test_map_on_non_array_fails():
    execution = StateMachine(_map(ItemsPath="$.x")).execute({"x": {"not": "a list"}})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"


def _failing_processor() -> dict:
    return {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "F"}],
                "Default": "P",
            },
            "F": {"Type": "Fail", "Error": "Zero", "Cause": "zero"},
            "P": {"Type": "Pass", "End": True},
        },
    }


def test_map_iteration_failure_fails_the_map_with_its_error():
    execution = StateMachine(_map(ItemProcessor=_failing_processor())).execute([1, 0, 2])
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Zero", "zero")
    assert event_types(execution)[-3:] == ["MapIterationFailed", "MapStateFailed", "ExecutionFailed"]


def test_tolerated_failures():
    machine = StateMachine(_map(ItemProcessor=_failing_processor(), ToleratedFailureCount=1))
    assert machine.execute([1, 0, 2]).output == [1, {"Error": "Zero", "Cause": "zero"}, 2]
    exceeded = machine.execute([0, 0, 2])
    assert exceeded.error == "States.ExceedToleratedFailureThreshold"
    percentage = StateMachine(_map(ItemProcessor=_failing_processor(), ToleratedFailurePercentage=50))
    assert percentage.execute([0, 1, 2, 3]).status == "SUCCEEDED"
    assert percentage.execute([0, 0, 0, 3]).status == "FAILED"


def test_tolerated_failure_count_path_errors():
    machine = StateMachine(_map(ItemsPath="$.items", ToleratedFailureCountPath="$.n"))
    execution = machine.execute({"items": [], "n": "NoNumber"})
    assert execution.cause == (
        "An error occurred while executing the state 'M' (entered at the event id #2). The "
        'ToleratedFailureCountPath field refers to value "NoNumber" which is not a valid integer: $.n'
    )


def test_item_batcher():
    definition = _map(ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"k": 1}})
    assert StateMachine(definition).execute([1, 2, 3]).output == [
        {"BatchInput": {"k": 1}, "Items": [1, 2]},
        {"BatchInput": {"k": 1}, "Items": [3]},
    ]


def test_map_retry_restarts_the_map():
    definition = _map(ItemProcessor=_failing_processor(), Retry=[{"ErrorEquals": ["Zero"], "MaxAttempts": 1}])
    execution = StateMachine(definition).execute([0])
    assert event_types(execution).count("MapStateStarted") == 2
    assert event_types(execution).count("MapStateFailed") == 1


def test_map_of_a_thousand_items_is_fast():
    machine = StateMachine(_map())
    items = list(range(1000))
    started = time.perf_counter()
    execution = machine.execute(items)
    assert time.perf_counter() - started < 1.0
    assert execution.output == items


# section: distributed Map


DISTRIBUTED = {
    "StartAt": "M",
    "States": {
        "M": {
            "Type": "Map",
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "JSON"},
                "Parameters": {"Bucket": "in", "Key.$": "$.key"},
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "P",
                "States": {"P": {"Type": "Pass", "End": True}},
            },
            "End": True,
        }
    },
}


def test_distributed_map_reads_items_from_a_mock():
    execution = StateMachine(DISTRIBUTED).execute({"key": "k.json"}, mocks={"M": [{"Return": [1, 2, 3]}]})
    assert execution.output == [1, 2, 3]
    assert execution.path == ["M", "P", "P", "P"]
    assert execution.task_calls[0].input == {"Bucket": "in", "Key": "k.json"}
    assert event_types(execution) == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapRunStarted",
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]


def test_distributed_map_result_writer_is_recorded():
    import copy

    definition = copy.deepcopy(DISTRIBUTED)
    definition["States"]["M"]["ResultWriter"] = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "out", "Prefix": "runs"},
    }
    execution = StateMachine(definition).execute({"key": "k"}, mocks={"M.ItemReader": [{"Return": [1]}]})
    assert execution.output["ResultWriterDetails"]["Bucket"] == "out"
    assert execution.result_writes[0]["results"] == [1]


def test_distributed_map_parses_csv_objects():
    import copy

    definition = copy.deepcopy(DISTRIBUTED)
    definition["States"]["M"]["ItemReader"]["ReaderConfig"] = {
        "InputType": "CSV",
        "CSVHeaderLocation": "FIRST_ROW",
    }
    execution = StateMachine(definition).execute(
        {"key": "k.csv"}, mocks={"M": [{"Return": "id,name\n1,a\n2,b\n"}]}
    )
    assert execution.output == [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}]


def test_both_tolerances_fail_when_either_is_exceeded():
    machine = StateMachine(
        _map(ItemProcessor=_failing_processor(), ToleratedFailureCount=1, ToleratedFailurePercentage=100)
    )
    assert machine.execute([0, 1, 2]).status == "SUCCEEDED"
    assert machine.execute([0, 0, 2]).error == "States.ExceedToleratedFailureThreshold"


def test_timeout_inside_a_distributed_map_ends_the_parent_history():
    import copy

    definition = copy.deepcopy(DISTRIBUTED)
    definition["TimeoutSeconds"] = 5
    definition["States"]["M"]["ItemProcessor"]["States"]["P"] = {"Type": "Wait", "Seconds": 10, "End": True}
    execution = StateMachine(definition).execute({"key": "k"}, mocks={"M": [{"Return": [1]}]})
    assert execution.status == "TIMED_OUT"
    assert event_types(execution)[-1] == "ExecutionTimedOut"
