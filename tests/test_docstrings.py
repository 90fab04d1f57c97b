"""Every public name, and every public method and property of the public classes, has a docstring.

Public: the names in ``pytest_serverless.__all__``; for each class among them, the methods, class/static
methods and properties whose names do not start with ``_``, defined in this package (its own or inherited
from a base class of ours; not those of ``object``, ``NamedTuple`` or other libraries).
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import pytest_serverless

_PUBLIC = [name for name in pytest_serverless.__all__ if name != "__version__"]


def _own_doc(obj: Any) -> str:
    if inspect.isclass(obj):
        doc = obj.__dict__.get("__doc__") or ""
        # a dataclass without a docstring gets its signature as __doc__
        return "" if doc.startswith(f"{obj.__name__}(") else doc.strip()
    return (getattr(obj, "__doc__", None) or "").strip()


def _members(cls: type) -> dict[str, Any]:
    """Public methods and properties of ``cls`` defined in our package, the nearest definition first."""
    found: dict[str, Any] = {}
    for klass in cls.__mro__:
        if not klass.__module__.startswith("pytest_serverless"):
            continue
        for attr, value in vars(klass).items():
            if attr.startswith("_") or attr in found:
                continue
            if isinstance(value, staticmethod | classmethod):
                value = value.__func__
            if isinstance(value, property) or inspect.isfunction(value):
                found[attr] = (klass, value)
    return found


@pytest.mark.parametrize("name", _PUBLIC)
def test_public_name_has_a_docstring(name: str) -> None:
    assert _own_doc(getattr(pytest_serverless, name)), f"pytest_serverless.{name} has no docstring"


@pytest.mark.parametrize("name", [n for n in _PUBLIC if inspect.isclass(getattr(pytest_serverless, n))])
def test_public_methods_and_properties_have_docstrings(name: str) -> None:
    members = _members(getattr(pytest_serverless, name))
    missing = [
        f"{klass.__module__}.{klass.__qualname__}.{attr}"
        for attr, (klass, value) in members.items()
        if not _own_doc(value)
    ]
    assert not missing, f"{name}: no docstring on {', '.join(missing)}"


def test_the_check_sees_the_members_it_should() -> None:
    """Guard against a walk that finds nothing (and so asserts nothing)."""
    members = _members(pytest_serverless.StepFunctions)
    assert {"create_state_machine", "send_task_success", "waiting_tasks"} <= set(members)  # own and inherited
    assert "done" in _members(pytest_serverless.Execution)  # a property
    assert not any(name in members for name in ("count", "index", "mro"))  # not ours
