"""``python -m pytest_serverless.reporting``: combine and report outside pytest (which it never imports)."""

from __future__ import annotations

import json
import subprocess
import sys

from pytest_serverless import StateMachine
from pytest_serverless.reporting.__main__ import main
from pytest_serverless.reporting.coverage import CoverageData

FLOW = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.big", "BooleanEquals": True, "Next": "Big"}],
            "Default": "Small",
        },
        "Big": {"Type": "Succeed"},
        "Small": {"Type": "Succeed"},
    },
}


def _shard(path, value):
    machine = StateMachine(FLOW, name="Flow")
    data = CoverageData()
    data.add_execution(machine.name, machine.definition, machine.execute(value))
    data.save(path)


def test_combine_then_report(tmp_path, capsys):
    _shard(tmp_path / "a.json", {"big": True})
    _shard(tmp_path / "b.json", {"big": False})
    combined = tmp_path / "all.json"
    assert main(["combine", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "-o", str(combined)]) == 0
    assert capsys.readouterr().out == f"combined 2 data files into {combined}\n"
    code = main(
        ["report", "--data", str(combined), "--json", str(tmp_path / "r.json"), "--fail-under", "100"]
    )
    assert code == 0
    assert json.loads((tmp_path / "r.json").read_text())["totals"]["percent_covered"] == 100.0


def test_report_fail_under_and_bad_file(tmp_path, capsys):
    _shard(tmp_path / "a.json", {"big": True})
    assert main(["report", "--data", str(tmp_path / "a.json"), "--term", "--fail-under", "90"]) == 1
    out = capsys.readouterr().out
    assert "missing states: Small" in out
    assert out.endswith("FAIL Required state machine coverage of 90% not reached. Total coverage: 60.00%\n")
    (tmp_path / "bad.json").write_text("[]")
    assert main(["report", "--data", str(tmp_path / "bad.json")]) == 2
    assert "not a pytest_serverless coverage data file" in capsys.readouterr().err


def test_reporting_does_not_import_pytest():
    code = (
        "import sys, pytest_serverless.reporting.html, pytest_serverless.reporting.__main__; "
        "print('pytest' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
