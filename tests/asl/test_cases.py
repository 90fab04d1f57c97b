"""ASL behaviour as data: every ``cases/<area>/*.json`` runs through ``StateMachine``.

Each file holds ``definition``, ``input``, optional ``mocks`` and ``expected`` (``status``, and ``output``,
``error``, ``cause``, ``path``, ``duration`` when given). Set ``ASL_CASE=<area>/<name>`` to run one file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pytest_serverless import StateMachine

CASES = Path(__file__).parent / "cases"


def _case_files() -> list[Path]:
    files = sorted(CASES.glob("*/*.json"))
    only = os.environ.get("ASL_CASE")
    if only:
        files = [path for path in files if path.relative_to(CASES).with_suffix("").as_posix() == only]
    return files


@pytest.mark.parametrize(
    "path", _case_files(), ids=lambda path: path.relative_to(CASES).with_suffix("").as_posix()
)
def test_case(path):
    case = json.loads(path.read_text(encoding="utf-8"))
    execution = StateMachine(case["definition"]).execute(case.get("input"), mocks=case.get("mocks"))
    expected = case["expected"]
    assert execution.status == expected["status"], (execution.error, execution.cause)
    for field in ("output", "error", "cause", "path", "duration"):
        if field in expected:
            assert getattr(execution, field) == expected[field], field
