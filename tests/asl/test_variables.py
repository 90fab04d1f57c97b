"""Workflow variables: Assign on every state kind, evaluation order, scoping in Map and Parallel."""

from __future__ import annotations

from pytest_serverless import StateMachine

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:f"


def _assigned(execution) -> list[tuple[str, dict | None]]:
    return [
        (event["stateExitedEventDetails"]["name"], event["stateExitedEventDetails"].get("assignedVariables"))
        for event in execution.history
        if event["type"].endswith("StateExited")
    ]


# section: JSONPath states


def test_jsonpath_assign_reads_the_result_and_var_paths_read_variables():
    definition = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Pass",
                "Result": {"v": 5},
                "Assign": {"fromResult.$": "$.v", "literal": "x", "state.$": "$$.State.Name"},
                "Next": "B",
            },
            "B": {
                "Type": "Pass",
                "Parameters": {
                    "v.$": "$fromResult",
                    "both.$": "States.Array($fromResult, $literal)",
                    "s.$": "$state",
                },
                "End": True,
            },
        },
    }
    execution = StateMachine(definition).execute({})
    assert execution.output == {"v": 5, "both": [5, "x"], "s": "A"}
    assert _assigned(execution)[0] == ("A", {"fromResult": "5", "literal": '"x"', "state": '"A"'})


def test_task_assign_sees_the_selected_result():
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": FUNCTION,
                "ResultSelector": {"id.$": "$.body.id"},
                "Assign": {"id.$": "$.id"},
                "ResultPath": None,
                "Next": "Use",
            },
            "Use": {"Type": "Pass", "Parameters": {"id.$": "$id", "input.$": "$"}, "End": True},
        },
    }
    execution = StateMachine(definition).execute({"in": 1}, mocks={"T": [{"Return": {"body": {"id": 9}}}]})
    assert execution.output == {"id": 9, "input": {"in": 1}}


def test_missing_variable_is_a_runtime_error():
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Parameters": {"x.$": "$nope"}, "End": True}},
    }
    execution = StateMachine(definition).execute({})
    assert execution.error == "States.Runtime"
    assert execution.cause == (
        "An error occurred while executing the state 'A' (entered at the event id #2). "
        "The JSONPath '$nope' specified for the field 'x.$' could not be found in the variables"
    )


def test_catch_assign_reads_the_error_output():
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": FUNCTION,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"err.$": "$.Error"}, "Next": "H"}],
                "End": True,
            },
            "H": {"Type": "Pass", "Parameters": {"err.$": "$err"}, "End": True},
        },
    }
    execution = StateMachine(definition).execute(
        {}, mocks={"T": [{"Throw": {"Error": "Boom", "Cause": "c"}}]}
    )
    assert execution.output == {"err": "Boom"}


# section: evaluation order (JSONata)


def test_new_values_are_visible_from_the_next_state_on():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
            "B": {
                "Type": "Pass",
                "Assign": {"x": "{% $x + 1 %}", "seen": "{% $x %}"},
                "Output": {"outputSeesOld": "{% $x %}"},
                "Next": "C",
            },
            "C": {
                "Type": "Pass",
                "Output": {"x": "{% $x %}", "seen": "{% $seen %}", "in": "{% $states.input %}"},
                "End": True,
            },
        },
    }
    execution = StateMachine(definition).execute({})
    assert execution.output == {"x": 2, "seen": 1, "in": {"outputSeesOld": 1}}


def test_task_assign_sees_input_and_result():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": FUNCTION,
                "Assign": {"sum": "{% $states.input.a + $states.result.b %}"},
                "Output": "{% $states.result %}",
                "Next": "U",
            },
            "U": {"Type": "Pass", "Output": "{% $sum %}", "End": True},
        },
    }
    execution = StateMachine(definition).execute({"a": 1}, mocks={"T": [{"Return": {"b": 2}}]})
    assert execution.output == 3


def test_choice_rule_and_wait_assign():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $states.input.n > 1 %}", "Assign": {"branch": "big"}, "Next": "W"}
                ],
                "Default": "W",
                "Assign": {"branch": "default"},
            },
            "W": {"Type": "Wait", "Seconds": 1, "Assign": {"waited": True}, "Next": "D"},
            "D": {
                "Type": "Pass",
                "Output": {"branch": "{% $branch %}", "waited": "{% $waited %}"},
                "End": True,
            },
        },
    }
    machine = StateMachine(definition)
    assert machine.execute({"n": 5}).output == {"branch": "big", "waited": True}
    assert machine.execute({"n": 0}).output == {"branch": "default", "waited": True}


# section: scoping


def test_map_iterations_read_outer_variables_but_cannot_assign_them():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"outer": 10}, "Next": "M"},
            "M": {
                "Type": "Map",
                "Items": "{% [1, 2] %}",
                "ItemProcessor": {
                    "StartAt": "I",
                    "States": {
                        "I": {
                            "Type": "Pass",
                            "Assign": {"outer": 99, "inner": 1},
                            "Output": "{% $states.input + $outer %}",
                            "End": True,
                        }
                    },
                },
                "Assign": {"total": "{% $sum($states.result) %}"},
                "Next": "B",
            },
            "B": {
                "Type": "Pass",
                "Output": {
                    "outer": "{% $outer %}",
                    "total": "{% $total %}",
                    "inner": "{% $exists($inner) %}",
                },
                "End": True,
            },
        },
    }
    assert StateMachine(definition).execute({}).output == {"outer": 10, "total": 23, "inner": False}


def test_parallel_branches_read_outer_variables():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"v": "outer"}, "Next": "P"},
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "Output": "{% $v %}", "End": True}}},
                    {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "Assign": {"v": "in"}, "End": True}}},
                ],
                "Output": {"results": "{% $states.result[0] %}", "v": "{% $v %}"},
                "End": True,
            },
        },
    }
    assert StateMachine(definition).execute({}).output == {"results": "outer", "v": "outer"}


def test_distributed_map_children_see_no_outer_variables():
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"v": 1}, "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "Parameters": {"Bucket": "b", "Key": "k"},
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "I",
                    "States": {"I": {"Type": "Pass", "Parameters": {"v.$": "$v"}, "End": True}},
                },
                "End": True,
            },
        },
    }
    execution = StateMachine(definition).execute({}, mocks={"M": [{"Return": [1]}]})
    assert execution.error == "States.Runtime"


# section: Workflow variables' size limit and scoping as seen from outside Map and Parallel (issue
# 5).


def test_assignments_over_256_kib_fail_with_data_limit_exceeded():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Assign": {"a": "{% $states.input.s %}", "b": "{% $states.input.s %}"},
                "Next": "Never",
            },
            "Never": {"Type": "Succeed"},
        },
    }
    execution = StateMachine(definition).execute({"s": "x" * 140_000})
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
    assert execution.cause == "The variables assigned by the state 'P' exceed the maximum size of 256 KiB."
    assert execution.path == ["P"]


def test_assignments_just_under_256_kib_are_kept():
    definition = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Pass", "Assign": {"a.$": "$.s"}, "Next": "Read"},
            "Read": {
                "Type": "Pass",
                "Parameters": {"n.$": "States.ArrayLength(States.StringSplit($a, 'y'))"},
                "End": True,
            },
        },
    }
    execution = StateMachine(definition).execute({"s": "x" * 200_000})
    assert (execution.status, execution.output) == ("SUCCEEDED", {"n": 1})
    assigned = execution.history[2]["stateExitedEventDetails"]["assignedVariables"]
    assert len(assigned["a"]) == 200_002


def test_variables_assigned_inside_parallel_branches_and_map_iterations_stay_inside():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"inner": 1}, "End": True}}}
                ],
                "Next": "M",
            },
            "M": {
                "Type": "Map",
                "Items": [1, 2],
                "ItemProcessor": {
                    "StartAt": "I",
                    "States": {"I": {"Type": "Pass", "Assign": {"item": "{% $states.input %}"}, "End": True}},
                },
                "Next": "After",
            },
            "After": {"Type": "Pass", "Output": "{% [$exists($inner), $exists($item)] %}", "End": True},
        },
    }
    execution = StateMachine(definition).execute({})
    assert (execution.status, execution.output) == ("SUCCEEDED", [False, False])
