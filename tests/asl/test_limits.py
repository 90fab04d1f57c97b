"""Service limits: payload size, history length."""

from __future__ import annotations

from pytest_serverless import StateMachine

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
