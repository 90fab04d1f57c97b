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


# section: broad excepts
#
# A broad ``except`` (bare, ``Exception``, ``BaseException``) must either always end by raising (a bare
# ``raise``, the caught exception, or an ``InternalError``), or tell our own bugs apart with a
# ``raise InternalError(...)``, or be one of these documented boundaries, keyed by module and function:

_BOUNDARIES = {
    # threads of an execution: the failure of a thread's generator goes to its owner's on_done, which ends
    # the execution FAILED for a StatesError, raises misuse, and raises InternalError for anything else
    # (Interpreter._root_done)
    "asl/interpreter.py Interpreter.begin": "the root thread run in line: its failure goes to _root_done",
    "asl/runtime.py Thread._step": "a thread's failure goes to its owner's on_done",
    "asl/states/_fanout.py Fanout._pump": "a Map/Parallel child's failure goes to _done_at",
    # the user's code (a Lambda handler, a task mock, an authorizer function, a test's HTTP backend or service
    # handler, a mapping template, a function's module import) is called through this one function: what it
    # raises comes back as UserCodeFailed, which each caller answers as AWS does; InternalError and what the
    # caller names (by default every ServerlessError: misuse) go through unchanged
    "_user_code.py call_user": "the one boundary with the user's code: its failure becomes UserCodeFailed",
    # a server thread cannot raise into the test: the exception is kept and raised when the block ends
    "gateway/serving.py _Handler._serve": "kept in server.errors and raised in the test's thread",
}


def _qualname(stack: list[ast.AST]) -> str:
    return ".".join(node.name for node in stack if isinstance(node, ast.ClassDef | ast.FunctionDef))


def _is_broad(handler: ast.ExceptHandler) -> bool:
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(
        t is None or (isinstance(t, ast.Name) and t.id in ("Exception", "BaseException")) for t in types
    )


def _raises_internal(node: ast.Raise) -> bool:
    exc = node.exc
    return isinstance(exc, ast.Call) and isinstance(exc.func, ast.Name) and exc.func.id == "InternalError"


def _always_raises(handler: ast.ExceptHandler) -> bool:
    last = handler.body[-1]
    if not isinstance(last, ast.Raise):
        return False
    return (
        last.exc is None
        or (isinstance(last.exc, ast.Name) and last.exc.id == handler.name)
        or _raises_internal(last)
    )


def broad_excepts(module: str, tree: ast.Module) -> list[tuple[str, int]]:
    """``(qualified function, line)`` of each broad except of ``tree`` that swallows what it catches."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, stack: list[ast.AST]) -> None:
        if isinstance(node, ast.ExceptHandler) and _is_broad(node):
            separates = any(isinstance(n, ast.Raise) and _raises_internal(n) for n in ast.walk(node))
            if not (_always_raises(node) or separates):
                found.append((_qualname(stack), node.lineno))
        inner = [*stack, node] if isinstance(node, ast.ClassDef | ast.FunctionDef) else stack
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(tree, [])
    return found


def test_broad_excepts_raise_or_are_documented_boundaries():
    seen = set()
    unexplained = []
    for module, tree in SOURCES:
        for function, line in broad_excepts(module, tree):
            seen.add(f"{module} {function}")
            if f"{module} {function}" not in _BOUNDARIES:
                unexplained.append(f"{module}:{line} in {function}")
    assert unexplained == [], (
        "narrow these excepts, re-raise, raise InternalError for our own failures, or document the "
        "boundary in _BOUNDARIES:\n" + "\n".join(unexplained)
    )
    assert sorted(set(_BOUNDARIES) - seen) == [], "stale _BOUNDARIES entries"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("try:\n    f()\nexcept Exception:\n    pass", [("", 3)]),
        ("def g():\n    try:\n        f()\n    except:\n        return 1", [("g", 4)]),
        ("try:\n    f()\nexcept (ValueError, Exception) as e:\n    log(e)", [("", 3)]),
        ("try:\n    f()\nexcept Exception:\n    cleanup()\n    raise", []),
        ("try:\n    f()\nexcept Exception as e:\n    raise e", []),
        ("try:\n    f()\nexcept Exception as e:\n    raise InternalError('doing', e) from e", []),
        (
            "try:\n    f()\nexcept Exception as e:\n    if x:\n        raise InternalError('', e)\n    g()",
            [],
        ),
        ("try:\n    f()\nexcept Exception as e:\n    raise ValueError(str(e))", [("", 3)]),
        ("try:\n    f()\nexcept ValueError:\n    pass", []),
    ],
)
def test_the_broad_except_scan(source, expected):
    assert broad_excepts("x.py", ast.parse(source)) == expected
