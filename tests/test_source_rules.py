"""Rules over the package source, checked by scanning its syntax trees.

* ``States.*`` error names are spelled once, in ``asl/states_errors.py`` (``StatesErrorName``); the rest of
  the package uses the enum. Intrinsic function names (``States.Format``...) are not error names: they are
  spelled in the intrinsic modules (``intrinsics.FUNCTIONS``, ``_intrinsic_parse.INTRINSIC_PREFIX``), which
  may not spell an error name either. Docstrings and messages that merely mention a name inside their text
  are prose and allowed; a string literal *starting* with ``States.`` is a name and is not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pytest_serverless
from pytest_serverless.asl.states_errors import StatesErrorName

PACKAGE = Path(pytest_serverless.__file__).parent
_ERROR_NAMES_HOME = "asl/states_errors.py"
_INTRINSIC_HOMES = frozenset({"asl/intrinsics.py", "asl/_intrinsic_parse.py"})


def _sources() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


SOURCES = _sources()


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _names_an_error(text: str) -> bool:
    for name in StatesErrorName:
        if text.startswith(name.value) and not text[len(name.value) :][:1].isalnum():
            return True
    return False


def states_literals(module: str, tree: ast.Module) -> list[str]:
    """``module:line: 'literal'`` for each forbidden ``States.`` string literal of ``tree``."""
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in docstrings:
            continue
        text = node.value
        if not text.startswith("States.") or module == _ERROR_NAMES_HOME:
            continue
        if module not in _INTRINSIC_HOMES or _names_an_error(text):
            found.append(f"{module}:{node.lineno}: {text!r}")
    return found


# section: States.* names


def test_no_states_error_literals_outside_the_enum():
    found = [line for module, tree in SOURCES for line in states_literals(module, tree)]
    assert found == [], "use StatesErrorName (asl/states_errors.py) instead of:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("asl/x.py", 'raise StatesError("States.Timeout", "")', ["asl/x.py:1: 'States.Timeout'"]),
        ("asl/x.py", 'error = f"States.{name}"', ["asl/x.py:1: 'States.'"]),
        ("asl/x.py", 'CAUSE = "retry the States.Timeout"', []),
        ("asl/x.py", 'def f():\n    """States.Timeout is caught here."""', []),
        ("asl/intrinsics.py", 'NAME = "States.Format"', []),
        (
            "asl/intrinsics.py",
            'NAME = "States.IntrinsicFailure"',
            ["asl/intrinsics.py:1: 'States.IntrinsicFailure'"],
        ),
        ("asl/states_errors.py", 'TIMEOUT = "States.Timeout"', []),
    ],
)
def test_the_states_literal_scan_tells_names_from_prose(module, source, expected):
    assert states_literals(module, ast.parse(source)) == expected


def test_error_names_are_plain_strings_to_users():
    assert StatesErrorName.TIMEOUT == "States.Timeout"
    assert {"States.Runtime": 1}[StatesErrorName.RUNTIME] == 1
    assert f"{StatesErrorName.TASK_FAILED}" == str(StatesErrorName.TASK_FAILED) == "States.TaskFailed"
    assert all(name.value.startswith("States.") for name in StatesErrorName)
