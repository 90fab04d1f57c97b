"""The term and json reports, and the fail-under line."""

from __future__ import annotations

import json

from pytest_serverless import StateMachine
from pytest_serverless.reporting.coverage import CoverageData
from pytest_serverless.reporting.graph import definition_digest
from pytest_serverless.reporting.render import (
    format_percent,
    json_report,
    json_text,
    term_lines,
    under_threshold,
)

FLOW = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.big", "BooleanEquals": True, "Next": "Review"}],
            "Default": "Done",
        },
        "Review": {"Type": "Pass", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
KEY = f"Flow@{definition_digest(FLOW)}"


def _data(*inputs):
    machine = StateMachine(FLOW, name="Flow")
    data = CoverageData()
    data.add_machine(machine.name, machine.definition)
    for value in inputs:
        data.add_execution(machine.name, machine.definition, machine.execute(value))
    return data


# section: term


def test_term_report_lists_each_machine_with_its_misses():
    lines = term_lines(_data({"big": False}))
    width = len(KEY)
    assert lines == [
        f"{'Name':<{width}}   Runs  States  Miss  Transitions  Miss  Cover",
        "-" * (width + 47),
        f"{KEY}      1       3     1            3     2    50%",
        "    missing states: Review",
        "    missing transitions:",
        "      Check -> Review [Choices[0]]",
        "      Review -> Done [Next]",
        "-" * (width + 47),
        f"{'TOTAL':<{width}}      1       3     1            3     2    50%",
    ]


def test_term_report_of_a_fully_covered_machine_has_no_missing_lines():
    lines = term_lines(_data({"big": False}, {"big": True}))
    assert lines[2] == f"{KEY}      2       3     0            3     0   100%"
    assert not any("missing" in line for line in lines)


def test_term_report_shows_routes_by_status_class():
    data = CoverageData()
    data.add_api("orders", "HTTP", ["GET /orders/{id}", "POST /orders"])
    data.add_response("orders", "HTTP", "GET /orders/{id}", 200)
    data.add_response("orders", "HTTP", "GET /orders/{id}", 502)
    data.add_response("orders", "HTTP", None, 404)
    assert term_lines(data) == [
        "API     Route              2XX   3XX   4XX   5XX  Called",
        "--------------------------------------------------------",
        "orders  GET /orders/{id}     1     0     0     1  yes",
        "orders  POST /orders         0     0     0     0  NO",
        "orders  (no route)           0     0     1     0  yes",
        "--------------------------------------------------------",
        "routes called: 1 of 2",
    ]


def test_term_report_of_nothing():
    assert term_lines(CoverageData()) == ["No state machine ran and no gateway answered: nothing to report."]


def test_a_machine_never_run_shows_at_zero():
    lines = term_lines(_data())
    assert lines[2] == f"{KEY}      0       3     3            3     3     0%"


# section: percent and fail-under


def test_format_percent_never_rounds_to_a_bound():
    assert [format_percent(v) for v in (0, 0.2, 12.5, 50, 99.6, 100)] == [
        "0%",
        "1%",
        "13%",
        "50%",
        "99%",
        "100%",
    ]


def test_under_threshold_line():
    data = _data({"big": False})
    assert under_threshold(data, 50) is None
    assert (
        under_threshold(data, 80)
        == "FAIL Required state machine coverage of 80% not reached. Total coverage: 50.00%"
    )


# section: json


def test_json_report_is_sorted_and_complete():
    data = _data({"big": True})
    data.add_api("orders", "REST", ["GET /x"])
    report = json_report(data)
    assert report["totals"] == {
        "percent_covered": 83.33,
        "states": 3,
        "states_covered": 3,
        "transitions": 3,
        "transitions_covered": 2,
    }
    machine = report["machines"][KEY]
    assert machine["states"] == {"Check": 1, "Done": 1, "Review": 1}
    assert machine["transitions"] == {
        "Check -> Done [Default]": 0,
        "Check -> Review [Choices[0]]": 1,
        "Review -> Done [Next]": 1,
    }
    assert machine["missing_transitions"] == ["Check -> Done [Default]"]
    assert report["apis"]["orders"]["missing_routes"] == ["GET /x"]
    text = json_text(data)
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert json_text(data) == text
