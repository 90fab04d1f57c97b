"""ASL behaviour as data: every ``cases/<area>/*.json`` runs through ``StateMachine``.

A file holds one case, or (in the style of jmespath.py's compliance tests) a list of groups, each with an
optional ``comment``, ``given`` (the input of its cases), a ``definition``, ``state`` or ``rule`` its cases
share, and ``cases``. A case has a ``definition``, or a ``state`` (one state ``P``, ``"End": true`` added),
or a ``rule`` (a Choice state with that one rule: the machine answers ``true`` where it matches, ``false``
where it does not); an ``input``, optional ``mocks`` and ``comment``, and ``expected``: ``status``, and
``output``, ``error``, ``cause``, ``path``, ``duration``, ``task_inputs`` (the input of each task call, in
order) when given; or ``problems`` (the ``[pointer, message]`` pairs of the InvalidDefinition the definition
raises).
Set ``ASL_CASE=<area>/<name>`` to run one file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from pytest_serverless import InvalidDefinition, StateMachine

CASES = Path(__file__).parent / "cases"


def _case_files() -> list[Path]:
    files = sorted(CASES.glob("*/*.json"))
    only = os.environ.get("ASL_CASE")
    if only:
        files = [path for path in files if path.relative_to(CASES).with_suffix("").as_posix() == only]
    return files


def _cases() -> list[Any]:
    params = []
    for path in _case_files():
        name = path.relative_to(CASES).with_suffix("").as_posix()
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            params.append(pytest.param(data, id=name))
            continue
        number = 0
        for group in data:
            shared = {key: group[key] for key in ("definition", "state", "rule") if key in group}
            if "given" in group:
                shared["input"] = group["given"]
            for case in group["cases"]:
                params.append(pytest.param({**shared, **case}, id=f"{name}[{number}]"))
                number += 1
    return params


def _definition(case: dict[str, Any]) -> dict[str, Any]:
    if "definition" in case:
        return case["definition"]
    if "rule" in case:
        choice = {"Type": "Choice", "Choices": [{**case["rule"], "Next": "Yes"}], "Default": "No"}
        answer = {"Yes": {"Type": "Pass", "Result": True, "End": True}}
        answer["No"] = {"Type": "Pass", "Result": False, "End": True}
        return {"StartAt": "C", "States": {"C": choice, **answer}}
    return {"StartAt": "P", "States": {"P": {**case["state"], "End": True}}}


@pytest.mark.parametrize("case", _cases())
def test_case(case):
    expected = case["expected"]
    if "problems" in expected:
        with pytest.raises(InvalidDefinition) as caught:
            StateMachine(_definition(case))
        assert [list(problem) for problem in caught.value.problems] == expected["problems"]
        return
    execution = StateMachine(_definition(case)).execute(case.get("input"), mocks=case.get("mocks"))
    assert execution.status == expected["status"], (execution.error, execution.cause)
    for field in ("output", "error", "cause", "path", "duration"):
        if field in expected:
            assert _typed(getattr(execution, field)) == _typed(expected[field]), field
    if "task_inputs" in expected:
        assert _typed([call.input for call in execution.task_calls]) == _typed(expected["task_inputs"])


def _typed(value: Any) -> Any:
    """``value`` with each boolean tagged (``True == 1`` in Python, not in JSON)."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    if isinstance(value, bool):
        return ("boolean", value)
    return value
