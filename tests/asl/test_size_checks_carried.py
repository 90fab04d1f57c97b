"""The 256 KiB payload check stays exact when parts of the payload are carried from state to state
(the engine sizes a carried part once per execution, by identity; these pin the outcome)."""

from __future__ import annotations

from pytest_serverless import StateMachine


def _copying_chain(count: int) -> dict:
    names = [f"S{i}" for i in range(count)]
    states = {
        name: {
            "Type": "Pass",
            "InputPath": "$.items",
            "ResultPath": f"$.copy{i}",
            **({"Next": names[i + 1]} if i < count - 1 else {"End": True}),
        }
        for i, name in enumerate(names)
    }
    return {"StartAt": names[0], "States": states}


# section: one list referenced again and again


def test_size_check_carried_list_counts_every_reference():
    # 48,891 bytes of JSON per reference: the fifth copy takes the output past 262,144 bytes
    execution = StateMachine(_copying_chain(6)).execute({"items": list(range(10_000))})

    assert execution.status == "FAILED"
    assert execution.error == "States.DataLimitExceeded"
    assert execution.cause == (
        "The state/task 'S4' returned a result with a size exceeding the maximum number of bytes "
        "service limit."
    )
    assert execution.path == ["S0", "S1", "S2", "S3", "S4"]


def test_size_check_carried_list_under_the_limit_succeeds():
    execution = StateMachine(_copying_chain(4)).execute({"items": list(range(10_000))})

    assert execution.status == "SUCCEEDED"
    assert execution.output["copy3"] == list(range(10_000))


def test_size_check_small_members_adding_up_past_the_limit():
    big = "x" * 100_000
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Result": big, "ResultPath": "$.a", "Next": "B"},
            "B": {"Type": "Pass", "Result": big, "ResultPath": "$.b", "Next": "C"},
            "C": {"Type": "Pass", "Result": big, "ResultPath": "$.c", "End": True},
        },
    }

    execution = StateMachine(definition).execute({"items": [{"k": "v" * 10} for _ in range(100)]})

    assert execution.error == "States.DataLimitExceeded"
    assert execution.path == ["A", "B", "C"]


def test_size_check_task_result_mutating_a_carried_value_is_sized_again():
    # a handler gets a copy of its input: changing it and returning it is a new, bigger value
    def grow(event, context):
        event["items"].extend(range(40_000))
        return event

    definition = {
        "StartAt": "Carry",
        "States": {
            "Carry": {"Type": "Pass", "Next": "Grow"},
            "Grow": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:grow",
                "End": True,
            },
        },
    }

    execution = StateMachine(definition, tasks={"Grow": grow}).execute({"items": list(range(10_000))})

    assert execution.error == "States.DataLimitExceeded"
    assert execution.path == ["Carry", "Grow"]
