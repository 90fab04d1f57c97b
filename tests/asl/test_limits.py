"""Service limits (payload size, history length) and Step Functions Local mock config files."""

from __future__ import annotations

import json

import pytest

from pytest_serverless import MockConfig, StateMachine, UsageError, load_mock_config

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:f"

# section: limits


def test_state_output_over_256_kib_fails_with_data_limit_exceeded():
    definition = {
        "StartAt": "Big",
        "States": {"Big": {"Type": "Pass", "Result": "x" * 262_145, "End": True}},
    }
    execution = StateMachine(definition).execute({})
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
    assert execution.cause == (
        "The state/task 'Big' returned a result with a size exceeding the maximum number of bytes "
        "service limit."
    )


def test_payload_size_counts_utf8_bytes():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "é" * 131_000, "End": True}}}
    assert StateMachine(definition).execute({}).status == "SUCCEEDED"
    definition["States"]["P"]["Result"] = "é" * 131_100
    assert StateMachine(definition).execute({}).error == "States.DataLimitExceeded"


def test_oversized_task_result_is_catchable_by_states_all():
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": FUNCTION,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H"}],
                "End": True,
            },
            "H": {"Type": "Pass", "End": True},
        },
    }
    execution = StateMachine(definition).execute({}, mocks={"T": [{"Return": "y" * 300_000}]})
    assert execution.path == ["T", "H"]
    assert execution.output["Error"] == "States.DataLimitExceeded"


def test_history_over_25000_events_fails_the_execution():
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "Loop"},
            "Loop": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Done"}],
                "Default": "A",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    execution = StateMachine(definition).execute({})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert len(execution.history) == 25_001
    assert execution.history[-1]["type"] == "ExecutionFailed"


# section: mock config


CONFIG = {
    "StateMachines": {
        "OrderFlow": {
            "TestCases": {
                "HappyPath": {"Charge": "ChargeOk"},
                "Throttled": {"Charge": "ThrottledThenOk"},
            }
        }
    },
    "MockedResponses": {
        "ChargeOk": {"0": {"Return": {"StatusCode": 200, "Payload": {"charged": True}}}},
        "ThrottledThenOk": {
            "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"}},
            "2": {"Return": {"StatusCode": 200, "Payload": {"charged": True}}},
        },
    },
}

ORDER_FLOW = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": FUNCTION, "Payload.$": "$"},
            "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1}],
            "OutputPath": "$.Payload",
            "End": True,
        }
    },
}


def test_load_mock_config_from_dict_and_file(tmp_path):
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(CONFIG))
    for source in (CONFIG, path, str(path)):
        config = load_mock_config(source)
        assert isinstance(config, MockConfig)
        machine = StateMachine(ORDER_FLOW, name="OrderFlow")
        happy = machine.execute({}, mocks=config.mocks("OrderFlow", "HappyPath"))
        assert happy.output == {"charged": True}
        throttled = machine.execute({}, mocks=config.mocks("OrderFlow", "Throttled"))
        assert throttled.output == {"charged": True}
        assert len(throttled.task_calls) == 3


def test_mock_config_errors_name_what_is_missing(tmp_path):
    config = load_mock_config(CONFIG)
    with pytest.raises(UsageError) as raised:
        config.mocks("OrderFlow", "Nope")
    assert str(raised.value) == (
        "mock config has no test case 'Nope' for state machine 'OrderFlow' (known: HappyPath, Throttled)"
    )
    with pytest.raises(UsageError, match="mock config has no state machine 'Other' \\(known: OrderFlow\\)"):
        config.mocks("Other", "HappyPath")
    broken = {"StateMachines": {"M": {"TestCases": {"C": {"S": "Missing"}}}}, "MockedResponses": {}}
    with pytest.raises(UsageError, match="names 'Missing', which is not in MockedResponses"):
        load_mock_config(broken)
    bad_file = tmp_path / "bad.json"
    bad_file.write_text("{nope")
    with pytest.raises(UsageError, match="is not valid JSON"):
        load_mock_config(bad_file)
    with pytest.raises(UsageError, match="cannot read mock config"):
        load_mock_config(tmp_path / "missing.json")
