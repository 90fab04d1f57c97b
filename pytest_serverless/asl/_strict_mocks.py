"""Mocks that match nothing fail loudly: ``execute(mocks={"Chrage": ...})`` raises ``UsageError`` with a "did
you mean" instead of letting the real handler run (API.md 5, strict mocks).

A mock key may name a Task state, a Task's ``Resource``, or the function a ``lambda:invoke`` Task calls (its
ARN or name, as the engine looks them up), or a Map state with an ``ItemReader`` (``Name``,
``Name.ItemReader``, the reader's ``Resource``), in the machine or in the machines it may start. A Task whose
``FunctionName`` is computed at run time (``FunctionName.$``, JSONata) could call any function: then function
ARNs and names are not checked.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from pytest_serverless._cache import BoundedCache
from pytest_serverless.errors import UsageError

from .tasks import function_arn, function_name

__all__ = ["check_mock_keys", "mock_targets"]


class _Targets:
    __slots__ = ("dynamic", "resources", "states")

    def __init__(self) -> None:
        self.states: set[str] = set()
        self.resources: set[str] = set()
        self.dynamic = False


def _walk(definition: Any, targets: _Targets) -> None:
    states = definition.get("States") if isinstance(definition, Mapping) else None
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        if state.get("Type") == "Task":
            targets.states.add(str(name))
            resource = state.get("Resource")
            if isinstance(resource, str):
                targets.resources.add(resource)
                if ":function:" in resource:
                    targets.resources.add(function_name(resource))
            for field in ("Parameters", "Arguments"):
                arguments = state.get(field)
                if not isinstance(arguments, Mapping):
                    continue
                if "FunctionName.$" in arguments:
                    targets.dynamic = True
                given = arguments.get("FunctionName")
                if isinstance(given, str):
                    if "{%" in given:
                        targets.dynamic = True
                        continue
                    arn = function_arn(given)
                    if arn is not None:
                        targets.resources.update((given, arn, function_name(arn)))
        reader = state.get("ItemReader")
        if state.get("Type") == "Map" and isinstance(reader, Mapping):  # its data comes from a mock too
            targets.states.update((str(name), f"{name}.ItemReader"))
            if isinstance(reader.get("Resource"), str):
                targets.resources.add(reader["Resource"])
        for branch in state.get("Branches") or ():
            _walk(branch, targets)
        for key in ("ItemProcessor", "Iterator"):
            _walk(state.get(key), targets)


_CACHE: BoundedCache[int, tuple[Any, _Targets]] = BoundedCache(512)


def mock_targets(definition: Any) -> _Targets:
    """What a mock key of ``definition`` may name (remembered per definition object: they are shared)."""
    known = _CACHE.get(id(definition))
    if known is not None and known[0] is definition:
        return known[1]
    targets = _Targets()
    _walk(definition, targets)
    _CACHE.put(id(definition), (definition, targets))  # holding the definition keeps its id unique
    return targets


def check_mock_keys(machine: Any, keys: Iterable[str], *, call: str = "execute") -> None:
    """Raise ``UsageError`` for a mock key naming no Task state and no resource of ``machine`` (or of the
    machines it may start)."""
    own = mock_targets(machine.definition)
    unknown = [key for key in keys if key not in own.states and key not in own.resources]
    if not unknown:
        return
    everything = [own]
    seen = {id(machine)}
    for other in getattr(machine, "state_machines", {}).values():
        if id(other) not in seen:
            seen.add(id(other))
            everything.append(mock_targets(other.definition))
    states = set().union(*(targets.states for targets in everything))
    resources = set().union(*(targets.resources for targets in everything))
    dynamic = any(targets.dynamic for targets in everything)
    problems = []
    for key in unknown:
        if key in states or key in resources:
            continue
        if dynamic and (key.startswith("arn:aws:lambda:") or ":" not in key):
            continue  # a Task computes its FunctionName: this may be the function it calls
        close = difflib.get_close_matches(key, sorted(states | resources), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        problems.append(
            f"{key!r} names no Task state and no resource of state machine {machine.name!r}{hint}"
        )
    if problems:
        known = ", ".join(repr(name) for name in sorted(states)) or "none"
        raise UsageError(f"{call}(mocks=...): " + "; ".join(problems) + f" (Task states: {known})")
