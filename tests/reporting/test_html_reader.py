"""Audit of the html report (issue 7) as a reader meets it."""

from __future__ import annotations

import re

from pytest_serverless import StateMachine
from pytest_serverless.reporting.coverage import CoverageData
from pytest_serverless.reporting.html import html_pages, machine_svg, page_name

FLOW = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"},
                {"Variable": "$.n", "NumericEquals": 1, "Next": "One"},
            ],
            "Default": "Small",
        },
        "Big": {"Type": "Pass", "Next": "Done"},
        "One": {"Type": "Pass", "Next": "Done"},
        "Small": {"Type": "Pass", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def _rows(page: str) -> list[tuple[str, str]]:
    table = page.split("<h2>States and transitions</h2>", 1)[1]
    return re.findall(r'<tr class="(taken|missed)"><td><code>(.*?)</code>', table)


def test_states_and_transitions_table_lists_missed_rows_first_in_definition_order():
    machine = StateMachine(FLOW, name="Flow")
    data = CoverageData()
    data.add_execution(machine.name, machine.definition, machine.execute({"n": 5}))
    (coverage,) = data.machines.values()
    rows = _rows(html_pages(data)[page_name(coverage)])
    assert rows == [
        ("missed", "state One"),
        ("missed", "state Small"),
        ("missed", "Check -&gt; One [Choices[1]]"),
        ("missed", "Check -&gt; Small [Default]"),
        ("missed", "One -&gt; Done [Next]"),
        ("missed", "Small -&gt; Done [Next]"),
        ("taken", "Check -&gt; Big [Choices[0]]"),
        ("taken", "Big -&gt; Done [Next]"),
    ]


def test_edge_labels_are_drawn_after_every_edge_so_no_edge_crosses_their_text():
    machine = StateMachine(FLOW, name="Flow")
    data = CoverageData()
    data.add_execution(machine.name, machine.definition, machine.execute({"n": 5}))
    (coverage,) = data.machines.values()
    svg = machine_svg(coverage)
    last_path = svg.rindex("<path ")
    labels = [match.start() for match in re.finditer(r'<g class="edge-label (taken|missed)"><text', svg)]
    assert len(labels) == 3  # Choices[0] x1, Choices[1], Default
    assert min(labels) > last_path
    assert '<g class="edge-label taken"><text' in svg
    assert re.search(r'<g class="edge-label missed"><text [^>]*>Default</text>', svg)


def test_state_boxes_leave_room_for_the_hit_badge_beside_a_centred_name():
    from pytest_serverless.reporting.layout import layout_machine

    machine = StateMachine(
        {"StartAt": "RecordPayment", "States": {"RecordPayment": {"Type": "Pass", "End": True}}}, name="M"
    )
    data = CoverageData()
    data.add_execution(machine.name, machine.definition, machine.execute({}))
    (coverage,) = data.machines.values()
    box = layout_machine(coverage.graph()).boxes["RecordPayment"]
    name_width = 8.0 * len("RecordPayment")  # 13px bold sans-serif, generously
    badge_width = 24.0  # "12×" at 10.5px and its 6px margin
    assert (box.width - name_width) / 2 >= badge_width
