"""The benchmark workloads do what their rows claim (a quick refusal or a failed run would measure nothing).

Timing is not checked here (``benchmarks/`` measures it); only that each workload runs to the right end.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module", autouse=True)
def _benchmarks_importable():
    sys.path.insert(0, str(BENCHMARKS))
    yield
    sys.path.remove(str(BENCHMARKS))


def test_every_gateway_row_is_answered_by_the_handler_with_the_same_body_as_the_direct_call():
    import bench_gateway

    rows = bench_gateway.build_rows()
    titles = [title for title, _ in rows]
    assert titles[0] == "direct handler call"
    assert {"REST API, no auth", "HTTP API, no auth", "HTTP API, JWT authorizer"} <= set(titles)
    expected = json.loads(rows[0][1]()["body"])
    del expected["id"]  # the order id comes from the path (one row asks for a new one each time)
    for title, request in rows[1:]:
        for _ in range(3):  # repeated requests stay answered (no throttle or cache in the way)
            response = request()
            assert response.status_code == 200, (title, response.text)
            assert response.answered_by == "integration", title
            body = response.json()
            assert body.pop("id").isdigit(), title
            assert body == expected, title


def test_every_step_functions_workload_succeeds_and_enters_the_states_its_title_counts():
    import bench_sfn

    from pytest_serverless import StateMachine

    entered = {
        "10-state chain": 10,
        "10-state chain (JSONata)": 10,
        "Map 20 items x 3 states": 1 + 20 * 3,
        "Parallel 4 x 5 states": 1 + 4 * 5,
        "Wait one year + Pass": 2,
    }
    for workload in bench_sfn.workloads(map_items=20):
        execution = StateMachine(workload.definition).execute(workload.payload)
        assert execution.status == "SUCCEEDED", workload.title
        states = sum(1 for event in execution.history if event["type"].endswith("StateEntered"))
        assert states == entered[workload.title], workload.title
    year = StateMachine(bench_sfn.wait_definition()).execute({})
    assert year.duration >= 365 * 86_400


def test_every_scale_case_ends_as_its_row_expects():
    import bench_scale

    from pytest_serverless import StateMachine

    for case in bench_scale.cases(quick=True):
        if case.size > 3_000 and case.expect == "SUCCEEDED":
            continue  # the big sizes only repeat the small ones
        execution = StateMachine(case.definition).execute(case.payload, mocks=case.mocks)
        assert execution.status == case.expect, (case.group, case.size)


def test_every_test_state_row_answers_as_its_title_says():
    import bench_test_state

    statuses = {
        "test_state, result mock, INFO": "SUCCEEDED",
        "test_state, result mock, DEBUG": "SUCCEEDED",
        "test_state, errorOutput -> RETRIABLE": "RETRIABLE",
        "execute(), the one Task mocked": "SUCCEEDED",
    }
    rows = bench_test_state.calls()
    assert [title for title, _ in rows] == list(statuses)
    for title, call in rows:
        assert call().status == statuses[title], title
    assert rows[1][1]().inspection_data["afterResultSelector"] == {"paid": True}
    assert rows[3][1]().path == ["Charge"]


def test_every_websocket_row_is_answered_by_the_handler():
    import bench_websocket

    rows = bench_websocket.build_rows()
    assert [title for title, _ in rows] == [
        "direct handler call",
        "WebSocket $default, one-way",
        "WebSocket $default, two-way",
    ]
    assert rows[1][1]() is None  # one-way: nothing comes back
    for _ in range(3):  # two-way: the handler's answer, as the direct call gives it (but its connection id)
        answer = json.loads(rows[2][1]())
        expected = json.loads(rows[0][1]()["body"])
        del answer["connection"], expected["connection"]
        assert answer == expected


def test_the_callback_row_answers_every_execution():
    import bench_sfn

    assert bench_sfn.run_callbacks(20) > 0
    (header, row) = bench_sfn.callback_lines(0.0, count=20)
    assert "us/exec" in header
    assert row.startswith("20 executions waiting on a callback")


def test_every_serving_row_gets_the_handlers_answer_over_its_path():
    import bench_serving

    with bench_serving.rows() as rows:
        titles = [title for title, _ in rows]
        assert titles[0] == "stage.client()"
        assert "serve_http, http.client keep-alive" in titles
        for _, request in rows:
            assert [request() for _ in range(3)] == [200, 200, 200]
    line = bench_serving.table_lines([bench_serving.Result("row", 1000.0, [2.0, 3.0, 2.5])])[1]
    assert line.split()[-2:] == ["2.50x", "2.00-3.00"]  # the median of the rounds, and their range


def test_the_aws_rows_get_the_same_answer_through_boto3_and_directly():
    import bench_aws

    rows, scope = bench_aws.calls()
    try:
        assert [title for title, _ in rows] == [
            "direct: service.start_execution + describe",
            "boto3: start + describe",
        ]
        assert [call() for _, call in rows] == ["SUCCEEDED", "SUCCEEDED"]
    finally:
        scope.__exit__(None, None, None)


def test_each_import_row_imports_what_it_names_in_a_fresh_interpreter(tmp_path):
    import bench_imports

    sfn = bench_imports.run_once(sys.executable, "sfn path", str(tmp_path))
    assert "pytest_serverless.asl.machine" in sfn["package"]
    assert "pytest_serverless.plugin" not in sfn["package"]  # imported first, untimed
    assert isinstance(sfn["seconds"], float)
    loaded = bench_imports.run_once(sys.executable, "first template load", str(tmp_path))
    assert "pytest_serverless.loaders" not in loaded["package"]  # imported first: only the load is timed
    assert "pytest_serverless.gateway.authorizers.cognito_jwt" in loaded["package"]
    lines = bench_imports.table_lines({sys.executable: {step: [sfn] for step in bench_imports.STEPS}})
    assert [line.split()[0] for line in lines[1:-1]] == [step.split()[0] for step in bench_imports.STEPS]
