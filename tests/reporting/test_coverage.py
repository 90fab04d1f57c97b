"""State and transition coverage computed from real executions of real definitions."""

from __future__ import annotations

import json

import pytest

from pytest_serverless import StateMachine, TaskFailure
from pytest_serverless.reporting.coverage import CoverageData, status_class, trace_execution
from pytest_serverless.reporting.graph import MachineGraph, definition_digest

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"

PAYMENT = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.kind", "StringEquals": "card", "Next": "Charge"},
                {"Variable": "$.kind", "StringEquals": "split", "Next": "Fan"},
            ],
            "Default": "Items",
        },
        "Charge": {
            "Type": "Task",
            "Resource": LAMBDA + "charge",
            "Retry": [
                {"ErrorEquals": ["Throttled"], "MaxAttempts": 2, "IntervalSeconds": 1},
                {"ErrorEquals": ["States.ALL"], "MaxAttempts": 1},
            ],
            "Catch": [
                {"ErrorEquals": ["Declined"], "Next": "Rejected"},
                {"ErrorEquals": ["States.ALL"], "Next": "Rejected"},
            ],
            "Next": "Done",
        },
        "Fan": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {
                    "StartAt": "Right",
                    "States": {
                        "Right": {"Type": "Pass", "Next": "RightDone"},
                        "RightDone": {"Type": "Succeed"},
                    },
                },
            ],
            "Next": "Done",
        },
        "Items": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "Each", "States": {"Each": {"Type": "Pass", "End": True}}},
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
        "Rejected": {"Type": "Fail", "Error": "Rejected"},
    },
}


def _run(definition, inputs, mocks=None):
    machine = StateMachine(definition, name="Payment")
    data = CoverageData()
    for value in inputs:
        data.add_execution(machine.name, machine.definition, machine.execute(value, mocks=mocks))
    (entry,) = data.machines.values()
    return data, entry


def _throw(*errors):
    return [{"Throw": {"Error": error, "Cause": "c"}} for error in errors]


# section: the graph of a definition


def test_graph_lists_every_transition_of_the_definition():
    graph = MachineGraph(PAYMENT)
    assert list(graph.states) == [
        "Check",
        "Charge",
        "Fan",
        "Left",
        "Right",
        "RightDone",
        "Items",
        "Each",
        "Done",
        "Rejected",
    ]
    assert [t.key for t in graph.counted] == [
        "Check -> Charge [Choices[0]]",
        "Check -> Fan [Choices[1]]",
        "Check -> Items [Default]",
        "Charge -> Charge [Retry[0]]",
        "Charge -> Charge [Retry[1]]",
        "Charge -> Rejected [Catch[0]]",
        "Charge -> Rejected [Catch[1]]",
        "Charge -> Done [Next]",
        "Fan -> Done [Next]",
        "Fan -> Left [Branches[0]]",
        "Left -> (end) [End]",
        "Fan -> Right [Branches[1]]",
        "Right -> RightDone [Next]",
        "Items -> Done [Next]",
        "Items -> Each [ItemProcessor]",
        "Each -> (end) [End]",
    ]
    assert graph.states["Each"].scope == "Items/ItemProcessor"
    assert graph.states["Right"].parent == "Fan"


def test_definition_digest_ignores_key_order():
    reordered = json.loads(json.dumps(PAYMENT, sort_keys=True))
    assert definition_digest(reordered) == definition_digest(PAYMENT)
    assert len(definition_digest(PAYMENT)) == 8


# section: transitions taken


def test_choice_rules_are_told_apart_by_re_evaluating_them():
    _, entry = _run(PAYMENT, [{"kind": "split"}, {"kind": "other", "items": [1, 2, 3]}])
    assert entry.transitions["Check -> Fan [Choices[1]]"] == 1
    assert entry.transitions["Check -> Items [Default]"] == 1
    assert entry.transitions["Check -> Charge [Choices[0]]"] == 0
    assert entry.transitions["Fan -> Left [Branches[0]]"] == 1
    assert entry.transitions["Fan -> Right [Branches[1]]"] == 1
    assert entry.transitions["Right -> RightDone [Next]"] == 1
    assert entry.transitions["Left -> (end) [End]"] == 1
    assert entry.transitions["Items -> Each [ItemProcessor]"] == 3
    assert entry.transitions["Each -> (end) [End]"] == 3
    assert entry.states["Each"] == 3
    assert entry.states["Charge"] == 0


def test_retry_and_catch_are_matched_by_error_name():
    _, entry = _run(PAYMENT, [{"kind": "card"}], mocks={"Charge": _throw("Throttled", "Oops", "Declined")})
    assert entry.transitions["Charge -> Charge [Retry[0]]"] == 1
    assert entry.transitions["Charge -> Charge [Retry[1]]"] == 1
    assert entry.transitions["Charge -> Rejected [Catch[0]]"] == 1
    assert entry.transitions["Charge -> Rejected [Catch[1]]"] == 0
    assert entry.transitions["Charge -> Done [Next]"] == 0


def test_catch_all_matches_when_the_named_catcher_does_not():
    _, entry = _run(PAYMENT, [{"kind": "card"}], mocks={"Charge": _throw("Oops", "Oops")})
    assert entry.transitions["Charge -> Charge [Retry[1]]"] == 1
    assert entry.transitions["Charge -> Rejected [Catch[1]]"] == 1
    assert entry.transitions["Charge -> Rejected [Catch[0]]"] == 0


def test_same_target_next_and_catch_are_told_apart():
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": LAMBDA + "work",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "After"}],
                "Next": "After",
            },
            "After": {"Type": "Pass", "End": True},
        },
    }
    machine = StateMachine(definition, name="Work")
    data = CoverageData()
    for mock in ([{"Return": 1}], _throw("E")):
        data.add_execution(machine.name, machine.definition, machine.execute({}, mocks={"Work": mock}))
    (entry,) = data.machines.values()
    assert entry.transitions["Work -> After [Next]"] == 1
    assert entry.transitions["Work -> After [Catch[0]]"] == 1
    assert entry.transitions["After -> (end) [End]"] == 2


def test_parallel_retry_and_catch_use_the_branch_error():
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Call",
                        "States": {"Call": {"Type": "Task", "Resource": LAMBDA + "a", "End": True}},
                    }
                ],
                "Retry": [
                    {"ErrorEquals": ["Other"], "MaxAttempts": 1},
                    {"ErrorEquals": ["Boom"], "MaxAttempts": 1},
                ],
                "Catch": [
                    {"ErrorEquals": ["Other"], "Next": "Caught"},
                    {"ErrorEquals": ["Boom"], "Next": "Caught"},
                ],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    }
    _, entry = _run(definition, [{}], mocks={"Call": _throw("Boom", "Boom")})
    assert entry.transitions["Fan -> Fan [Retry[1]]"] == 1
    assert entry.transitions["Fan -> Fan [Retry[0]]"] == 0
    assert entry.transitions["Fan -> Caught [Catch[1]]"] == 1
    assert entry.transitions["Fan -> Call [Branches[0]]"] == 2
    assert entry.transitions["Fan -> (end) [End]"] == 0
    assert entry.states == {"Fan": 1, "Call": 2, "Caught": 1}


def test_choice_with_input_path_and_a_loop():
    definition = {
        "StartAt": "Count",
        "States": {
            "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Enough"},
            "Enough": {
                "Type": "Choice",
                "InputPath": "$",
                "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Count"}],
                "Default": "Stop",
            },
            "Stop": {"Type": "Succeed"},
        },
    }
    _, entry = _run(definition, [{"n": 0}])
    assert entry.transitions["Enough -> Count [Choices[0]]"] == 2
    assert entry.transitions["Enough -> Stop [Default]"] == 1
    assert entry.transitions["Count -> Enough [Next]"] == 3


def test_jsonata_condition_rules_are_evaluated():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Route",
        "States": {
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $states.input.size > 10 %}", "Next": "Big"},
                    {"Condition": "{% $states.input.size > 5 %}", "Next": "Big"},
                ],
                "Default": "Small",
            },
            "Big": {"Type": "Succeed"},
            "Small": {"Type": "Succeed"},
        },
    }
    _, entry = _run(definition, [{"size": 7}, {"size": 70}, {"size": 1}])
    assert entry.transitions["Route -> Big [Choices[0]]"] == 1
    assert entry.transitions["Route -> Big [Choices[1]]"] == 1
    assert entry.transitions["Route -> Small [Default]"] == 1


def test_choice_on_a_variable_falls_back_to_the_first_rule_leading_there():
    definition = {
        "StartAt": "Remember",
        "States": {
            "Remember": {"Type": "Pass", "Assign": {"limit": 5}, "Next": "Route"},
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$limit", "NumericGreaterThan": 100, "Next": "Big"},
                    {"Variable": "$limit", "NumericGreaterThan": 1, "Next": "Big"},
                ],
                "Default": "Small",
            },
            "Big": {"Type": "Succeed"},
            "Small": {"Type": "Succeed"},
        },
    }
    _, entry = _run(definition, [{}])
    # the variable is not in the history: attributed to the first rule whose Next is where it went
    assert entry.transitions["Route -> Big [Choices[0]]"] == 1
    assert entry.transitions["Route -> Big [Choices[1]]"] == 0


def test_trace_without_history_counts_the_path_only():
    class Bare:
        history: list = []
        path = ["Check", "Items", "Unknown"]

    states, transitions = trace_execution(MachineGraph(PAYMENT), Bare())
    assert dict(states) == {"Check": 1, "Items": 1}
    assert not transitions


# section: summary, merge and data file


def test_summary_counts_states_and_transitions():
    data, entry = _run(PAYMENT, [{"kind": "split"}])
    summary = entry.summary()
    assert (summary.states, summary.states_covered) == (10, 6)
    assert (summary.transitions, summary.transitions_covered) == (16, 6)
    assert summary.percent == pytest.approx(100 * 12 / 26)
    assert summary.missing_states == ["Charge", "Items", "Each", "Rejected"]
    assert "Check -> Items [Default]" in summary.missing_transitions
    assert data.summary().percent == summary.percent


def test_the_digest_is_the_graph_not_the_values():
    """The same workflow loaded with other template parameters (ARNs, timeouts, comments) is one machine;
    a changed transition or an added retrier is another version."""
    values = json.loads(json.dumps(PAYMENT))
    values["Comment"] = "prod"
    values["States"]["Charge"]["Resource"] = LAMBDA + "charge-prod"
    values["States"]["Charge"]["TimeoutSeconds"] = 30
    values["States"]["Charge"]["Retry"][0]["MaxAttempts"] = 5
    assert definition_digest(values) == definition_digest(PAYMENT)
    retried = json.loads(json.dumps(PAYMENT))
    retried["States"]["Charge"]["Retry"].insert(0, {"ErrorEquals": ["Busy"]})
    rerouted = json.loads(json.dumps(PAYMENT))
    rerouted["States"]["Charge"]["Catch"][0]["Next"] = "Done"
    nested = json.loads(json.dumps(PAYMENT))
    nested["States"]["Fan"]["Branches"][0]["States"]["Left"]["Type"] = "Succeed"
    digests = {definition_digest(d) for d in (PAYMENT, retried, rerouted, nested)}
    assert len(digests) == 4


def test_merge_adds_counts_and_keeps_versions_apart():
    first, _ = _run(PAYMENT, [{"kind": "split"}])
    second, _ = _run(PAYMENT, [{"kind": "split"}, {"kind": "x", "items": []}])
    changed = json.loads(json.dumps(PAYMENT))
    changed["States"]["Charge"]["Retry"].insert(0, {"ErrorEquals": ["Busy"]})  # a new graph: another version
    third, _ = _run(changed, [{"kind": "split"}])
    first.merge(second)
    first.merge(third)
    assert sorted(first.machines) == sorted(
        [f"Payment@{definition_digest(PAYMENT)}", f"Payment@{definition_digest(changed)}"]
    )
    merged = first.machines[f"Payment@{definition_digest(PAYMENT)}"]
    assert merged.executions == 3
    assert merged.transitions["Check -> Fan [Choices[1]]"] == 2
    assert merged.transitions["Check -> Items [Default]"] == 1


def test_data_file_round_trips_and_is_stable(tmp_path):
    data, _ = _run(PAYMENT, [{"kind": "split"}, {"kind": "card"}], mocks={"Charge": [{"Return": {}}]})
    data.add_api("orders", "REST", ["GET /orders/{id}", "POST /orders"])
    data.add_response("orders", "REST", "GET /orders/{id}", 200)
    data.add_response("orders", "REST", "GET /orders/{id}", 404)
    data.add_response("orders", "REST", None, 403)
    path = tmp_path / ".sfn-coverage.json"
    data.save(path)
    text = path.read_text()
    loaded = CoverageData.load(path)
    assert loaded.dumps() == text
    stored = json.loads(text)
    assert stored["format"] == 1
    assert stored["apis"]["orders"] == {
        "kind": "REST",
        "name": "orders",
        "routes": {"GET /orders/{id}": {"2XX": 1, "4XX": 1}, "POST /orders": {}},
        "unmatched": {"4XX": 1},
    }
    assert list(stored["machines"]["Payment@" + definition_digest(PAYMENT)]["transitions"]) == sorted(
        stored["machines"]["Payment@" + definition_digest(PAYMENT)]["transitions"]
    )


def test_combine_merges_data_files(tmp_path):
    first, _ = _run(PAYMENT, [{"kind": "split"}])
    second, _ = _run(PAYMENT, [{"kind": "x", "items": [1]}])
    first.save(tmp_path / "a.json")
    second.save(tmp_path / "b.json")
    combined = CoverageData.combine([tmp_path / "a.json", tmp_path / "b.json"])
    (entry,) = combined.machines.values()
    assert entry.executions == 2
    assert entry.transitions["Check -> Items [Default]"] == 1
    assert entry.transitions["Check -> Fan [Choices[1]]"] == 1


def test_load_refuses_a_foreign_file(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"meta": {}}')
    with pytest.raises(ValueError, match="not a pytest_serverless coverage data file"):
        CoverageData.load(path)
    path.write_text("{nope")
    with pytest.raises(ValueError, match="not a JSON coverage data file"):
        CoverageData.load(path)


@pytest.mark.parametrize(
    ("status", "expected"), [(200, "2XX"), (204, "2XX"), (302, "3XX"), (429, "4XX"), (504, "5XX")]
)
def test_status_class(status, expected):
    assert status_class(status) == expected


def test_retry_on_a_task_counts_each_attempt_after_the_first():
    calls = []

    def flaky(value):
        calls.append(value)
        if len(calls) < 3:
            raise TaskFailure("Throttled", "slow down")
        return {"ok": True}

    _, entry = _run(PAYMENT, [{"kind": "card"}], mocks={"Charge": flaky})
    assert entry.transitions["Charge -> Charge [Retry[0]]"] == 2
    assert entry.transitions["Charge -> Done [Next]"] == 1


def test_retry_of_an_outer_parallel_when_an_inner_one_failed():
    inner = {
        "Type": "Parallel",
        "Branches": [
            {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": LAMBDA + "a", "End": True}}}
        ],
        "End": True,
    }
    definition = {
        "StartAt": "Outer",
        "States": {
            "Outer": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "Inner", "States": {"Inner": inner}}],
                "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 1}],
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    _, entry = _run(definition, [{}], mocks={"Call": [*_throw("Boom"), {"Return": 1}]})
    assert entry.transitions["Outer -> Outer [Retry[0]]"] == 1
    assert entry.transitions["Outer -> Inner [Branches[0]]"] == 2
    assert entry.transitions["Inner -> Call [Branches[0]]"] == 2
    assert entry.transitions["Call -> (end) [End]"] == 1
    assert entry.transitions["Inner -> (end) [End]"] == 1
    assert entry.transitions["Outer -> Done [Next]"] == 1


def test_map_iterations_with_a_caught_failure():
    definition = {
        "StartAt": "Items",
        "States": {
            "Items": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Work",
                    "States": {
                        "Work": {
                            "Type": "Task",
                            "Resource": LAMBDA + "w",
                            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Skip"}],
                            "End": True,
                        },
                        "Skip": {"Type": "Pass", "End": True},
                    },
                },
                "End": True,
            }
        },
    }
    _, entry = _run(definition, [[1, 2, 3]], mocks={"Work": [{"Return": 1}, *_throw("Bad"), {"Return": 3}]})
    assert entry.transitions["Items -> Work [ItemProcessor]"] == 3
    assert entry.transitions["Work -> (end) [End]"] == 2
    assert entry.transitions["Work -> Skip [Catch[0]]"] == 1
    assert entry.transitions["Skip -> (end) [End]"] == 1
    assert entry.transitions["Items -> (end) [End]"] == 1
