"""The html report: structure of the pages and SVG, and a real render in headless Chromium."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless import StateMachine
from pytest_serverless.reporting.coverage import CoverageData
from pytest_serverless.reporting.html import html_pages, machine_svg, page_name, write_html
from pytest_serverless.reporting.layout import layout_machine

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
SVG = "{http://www.w3.org/2000/svg}"

ORDER = {
    "StartAt": "Validate",
    "States": {
        "Validate": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.split", "BooleanEquals": True, "Next": "Fan"}],
            "Default": "Charge",
        },
        "Charge": {
            "Type": "Task",
            "Resource": LAMBDA + "charge",
            "Retry": [{"ErrorEquals": ["Throttled"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Declined"}],
            "Next": "Ship",
        },
        "Fan": {
            "ResultPath": None,
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Wait", "Seconds": 1, "End": True}}},
            ],
            "Next": "Ship",
        },
        "Ship": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "Box", "States": {"Box": {"Type": "Pass", "End": True}}},
            "Next": "Again",
        },
        "Again": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.loop", "IsPresent": True, "Next": "Validate"}],
            "Default": "Done",
        },
        "Done": {"Type": "Succeed"},
        "Declined": {"Type": "Fail", "Error": "Declined"},
    },
}


@pytest.fixture(scope="module")
def data():
    machine = StateMachine(ORDER, name="Order")
    coverage = CoverageData()
    for value in ({"split": True, "items": [1, 2]}, {"split": False, "items": []}):
        coverage.add_execution(
            machine.name,
            machine.definition,
            machine.execute(value, mocks={"Charge": [{"Return": {"items": []}}]}),
        )
    return coverage


def _svg(data):
    (machine,) = data.machines.values()
    return machine, ET.fromstring(machine_svg(machine))


def _classes(element):
    return set(element.get("class", "").split())


# section: structure


def test_svg_has_every_state_and_transition_with_its_status(data):
    machine, svg = _svg(data)
    states = {g.get("data-state"): _classes(g) for g in svg.iter(f"{SVG}g") if "state" in _classes(g)}
    assert states == {
        name: {"state", "covered" if machine.states.get(name) else "missed"}
        | ({"container"} if name in ("Fan", "Ship") else set())
        for name in machine.graph().states
    }
    assert states["Declined"] == {"state", "missed"}
    edges = {
        g.get("data-transition"): _classes(g) for g in svg.iter(f"{SVG}g") if "transition" in _classes(g)
    }
    for transition in machine.graph().counted:
        status = "taken" if machine.transitions.get(transition.key) else "missed"
        assert edges[transition.key] == {"transition", status}, transition.key
    assert edges["Charge -> Declined [Catch[0]]"] == {"transition", "missed"}
    assert edges["Validate -> Fan [Choices[0]]"] == {"transition", "taken"}
    titles = [title.text for title in svg.iter(f"{SVG}title")]
    assert "Validate -> Fan [Choices[0]]: taken 1 time" in titles
    assert "Declined (Fail): never entered" in titles


def test_layout_keeps_boxes_apart_and_nested_states_inside(data):
    machine, _ = _svg(data)
    layout = layout_machine(machine.graph())
    boxes = [box for box in layout.boxes.values() if box.kind != "dummy"]
    for first in boxes:
        for second in boxes:
            if first is not second:
                apart = (
                    first.x + first.width <= second.x
                    or second.x + second.width <= first.x
                    or first.y + first.height <= second.y
                    or second.y + second.height <= first.y
                )
                assert apart, (first.id, second.id)
    fan = layout.boxes["Fan"]
    assert [child.scope for child in fan.children] == ["Fan/Branches[0]", "Fan/Branches[1]"]
    for child in fan.children:
        assert child.x + child.width <= fan.width
        assert child.y + child.height <= fan.height
    # the top scope flows downwards: start above Validate, Done below Ship
    assert (
        layout.boxes["(start)"].y
        < layout.boxes["Validate"].y
        < layout.boxes["Ship"].y
        < layout.boxes["Done"].y
    )


def test_pages_index_links_every_machine(data, tmp_path):
    index = write_html(data, tmp_path / "report")
    (machine,) = data.machines.values()
    assert sorted(p.name for p in (tmp_path / "report").iterdir()) == sorted(
        ["index.html", page_name(machine)]
    )
    text = index.read_text()
    assert f'href="{page_name(machine)}"' in text
    assert re.search(r"<td>\d+%", text)
    page = html_pages(data)[page_name(machine)]
    assert "<h1>Order</h1>" in page
    assert "transition never taken" in page
    assert "<script" not in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")


# section: a real browser


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _run_chromium(tmp_path, *args):
    binary = _chromium()
    if binary is None:
        pytest.skip("chromium is not installed")
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path)


def _pixels(path):
    """RGBA rows of an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes)."""
    blob = path.read_bytes()
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    width = height = channels = 0
    while position < len(blob):
        (length,) = struct.unpack(">I", blob[position : position + 4])
        kind = blob[position + 4 : position + 8]
        body = blob[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert (depth, interlace, color in (2, 6)) == (8, 0, True)
            channels = 4 if color == 6 else 3
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, data = line[0], bytearray(line[1:])
        for i in range(stride):
            left = data[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                data[i] = (data[i] + left) & 255
            elif kind == 2:
                data[i] = (data[i] + up) & 255
            elif kind == 3:
                data[i] = (data[i] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                data[i] = (data[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(data))
        previous = data
    return width, height, channels, rows


def _count_color(image, rgb, tolerance=24):
    _, _, channels, rows = image
    count = 0
    for row in rows:
        for i in range(0, len(row), channels):
            if all(abs(row[i + c] - rgb[c]) <= tolerance for c in range(3)):
                count += 1
    return count


def test_html_renders_in_chromium_with_taken_and_missed_drawn(data, tmp_path):
    write_html(data, tmp_path / "report")
    (machine,) = data.machines.values()
    page = (tmp_path / "report" / page_name(machine)).as_uri()
    dom = _run_chromium(tmp_path, "--dump-dom", page)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count('class="transition missed"') >= 1
    assert dom.stdout.count('class="transition taken"') >= 5
    assert 'class="state missed" data-state="Declined"' in dom.stdout
    assert 'class="state container covered" data-state="Fan"' in dom.stdout
    shot = tmp_path / "page.png"
    result = _run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=900,700", page)
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.is_file()
    image = _pixels(shot)
    assert image[:2] == (900, 700)
    green = _count_color(image, (0x2E, 0x7D, 0x32))  # taken transitions, covered states
    red = _count_color(image, (0xC6, 0x28, 0x28))  # missed transitions and states
    assert green > 500, green
    assert red > 100, red


# section: any definition lays out


@st.composite
def _definitions(draw):
    count = draw(st.integers(2, 9))
    names = [f"S{index}" for index in range(count)] + ["End"]
    states = {}
    for index in range(count):
        targets = st.sampled_from([name for name in names if name != names[index]])
        kind = draw(st.sampled_from(["Pass", "Task", "Choice"]))
        if kind == "Choice":
            rules = draw(st.lists(targets, min_size=1, max_size=3))
            states[names[index]] = {
                "Type": "Choice",
                "Choices": [{"Variable": "$.v", "NumericEquals": i, "Next": t} for i, t in enumerate(rules)],
                "Default": draw(targets),
            }
        elif kind == "Task":
            states[names[index]] = {
                "Type": "Task",
                "Resource": LAMBDA + "f",
                "Retry": [{"ErrorEquals": ["States.ALL"]}] * draw(st.integers(0, 2)),
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": draw(targets)}],
                "Next": draw(targets),
            }
        else:
            states[names[index]] = {"Type": "Pass", "Next": draw(targets)}
    states["End"] = {"Type": "Succeed"}
    return {"StartAt": "S0", "States": states}


@settings(max_examples=25, deadline=None)
@given(_definitions())
def test_any_definition_lays_out_without_overlaps(definition):
    coverage = CoverageData()
    machine = coverage.add_machine("Random", definition)
    svg = ET.fromstring(machine_svg(machine))
    drawn = {g.get("data-transition") for g in svg.iter(f"{SVG}g") if "transition" in _classes(g)}
    assert {t.key for t in machine.graph().counted} <= drawn
    layout = layout_machine(machine.graph())
    boxes = [box for box in layout.boxes.values() if box.kind != "dummy"]
    for position, first in enumerate(boxes):
        for second in boxes[position + 1 :]:
            assert (
                first.x + first.width <= second.x
                or second.x + second.width <= first.x
                or first.y + first.height <= second.y
                or second.y + second.height <= first.y
            ), (first.id, second.id)


# section: the html report as a reader meets it.


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
