"""The coverable parts of a state machine definition: its states and the transitions between them.

A ``MachineGraph`` is built from the definition alone (a plain dict, as ``StateMachine.definition`` holds it),
so a coverage data file that stores the definition can be reported on later without the machine.

Transitions, each with a stable key ``"<source> -> <target> [<label>]"``:

* ``Next``: a state's ``Next``;
* ``Choices[i]`` and ``Default``: each Choice rule and the Choice's default;
* ``Catch[i]``: each catcher of a Task, Parallel or Map (to the catcher's ``Next``);
* ``Retry[i]``: each retrier (a loop on the state itself);
* ``Branches[i]`` / ``ItemProcessor`` (``Iterator`` in older definitions): entering a Parallel's branch or a
  Map's item processor;
* ``End``: leaving a state with ``"End": true`` (the end of its machine, branch or item processor).

The edge from the machine's start to ``StartAt`` is kept for drawing but not counted (every execution
takes it).
Succeed and Fail states are terminal: entering them is what counts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["END", "START", "MachineGraph", "StateNode", "Transition", "definition_digest", "transition_key"]

START = "(start)"
END = "(end)"


def definition_digest(definition: Mapping[str, Any]) -> str:
    """A short hash of the machine's graph (states, their types and every transition): tells two versions
    of a machine apart. Values that do not change the graph (a Resource ARN, a timeout, a template
    parameter substituted into the definition, a Comment) do not: the same workflow loaded with other
    parameters is covered as one machine."""
    text = json.dumps(
        _skeleton(definition), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _skeleton(program: Any) -> Any:
    """What of a (sub-)program shapes its graph: StartAt, and per state its Type, Next/End/Default, the
    targets of its Choices and Catchers, how many Retriers it has, and its branches or item processor."""
    if not isinstance(program, Mapping):
        return None
    states = program.get("States")
    shape: dict[str, Any] = {"StartAt": program.get("StartAt")}
    if isinstance(states, Mapping):
        shape["States"] = {str(name): _state_skeleton(state) for name, state in states.items()}
    return shape


def _state_skeleton(state: Any) -> Any:
    if not isinstance(state, Mapping):
        return None
    shape: dict[str, Any] = {
        key: state.get(key) for key in ("Type", "Next", "End", "Default") if key in state
    }
    for key in ("Choices", "Catch"):
        rules = state.get(key)
        if isinstance(rules, list):
            shape[key] = [rule.get("Next") if isinstance(rule, Mapping) else None for rule in rules]
    if isinstance(state.get("Retry"), list):
        shape["Retry"] = len(state["Retry"])
    if isinstance(state.get("Branches"), list):
        shape["Branches"] = [_skeleton(branch) for branch in state["Branches"]]
    for key in ("ItemProcessor", "Iterator"):
        if key in state:
            shape[key] = _skeleton(state[key])
    return shape


def transition_key(source: str, target: str, label: str) -> str:
    return f"{source} -> {target} [{label}]"


@dataclass(frozen=True)
class StateNode:
    """One state. ``scope`` is ``""`` at the top level, ``"Fan/Branches[0]"`` in a Parallel branch and
    ``"Items/ItemProcessor"`` in a Map's processor; ``parent`` is the Parallel or Map state, if any."""

    name: str
    type: str
    scope: str
    parent: str | None
    depth: int
    pointer: str


@dataclass(frozen=True)
class Transition:
    """One edge; ``target`` is ``END`` for an ``End`` transition and the state itself for ``Retry[i]``."""

    source: str
    target: str
    label: str
    scope: str
    counted: bool = True

    @property
    def key(self) -> str:
        return transition_key(self.source, self.target, self.label)

    @property
    def kind(self) -> str:
        """``next``, ``choice``, ``default``, ``catch``, ``retry``, ``branch``, ``end`` or ``start``."""
        head = self.label.partition("[")[0]
        return {
            "Next": "next",
            "Choices": "choice",
            "Default": "default",
            "Catch": "catch",
            "Retry": "retry",
            "Branches": "branch",
            "ItemProcessor": "branch",
            "Iterator": "branch",
            "End": "end",
            "Start": "start",
        }.get(head, "next")


class MachineGraph:
    """States (nested ones included, in definition order) and transitions of a definition."""

    def __init__(self, definition: Mapping[str, Any]) -> None:
        self.definition = definition
        self.states: dict[str, StateNode] = {}
        self.raw: dict[str, Mapping[str, Any]] = {}
        self.transitions: list[Transition] = []
        start = definition.get("StartAt")
        if isinstance(start, str):
            self.transitions.append(Transition(START, start, "Start", "", counted=False))
        self._walk(definition, scope="", parent=None, depth=0, pointer="")
        self.by_key: dict[str, Transition] = {transition.key: transition for transition in self.transitions}

    @property
    def counted(self) -> list[Transition]:
        return [transition for transition in self.transitions if transition.counted]

    def _walk(self, scope_def: Any, *, scope: str, parent: str | None, depth: int, pointer: str) -> None:
        states = scope_def.get("States") if isinstance(scope_def, Mapping) else None
        if not isinstance(states, Mapping):
            return
        for name, state in states.items():
            if not isinstance(state, Mapping) or name in self.states:
                continue
            where = f"{pointer}/States/{name}"
            kind = str(state.get("Type", "?"))
            self.states[name] = StateNode(name, kind, scope, parent, depth, where)
            self.raw[name] = state
            self._edges(name, kind, state, scope)
            if kind == "Parallel":
                for index, branch in enumerate(state.get("Branches") or ()):
                    self._nested(name, f"Branches[{index}]", branch, scope=scope, depth=depth, pointer=where)
            elif kind == "Map":
                for field in ("ItemProcessor", "Iterator"):
                    processor = state.get(field)
                    if isinstance(processor, Mapping):
                        self._nested(name, field, processor, scope=scope, depth=depth, pointer=where)
                        break

    def _nested(self, owner: str, label: str, machine: Any, *, scope: str, depth: int, pointer: str) -> None:
        """Walk a Parallel branch or Map processor (``label``) of ``owner``, and the transition into it."""
        start = machine.get("StartAt") if isinstance(machine, Mapping) else None
        if isinstance(start, str):
            self.transitions.append(Transition(owner, start, label, scope))
        self._walk(
            machine, scope=f"{owner}/{label}", parent=owner, depth=depth + 1, pointer=f"{pointer}/{label}"
        )

    def _entry_edges(self, name: str, field: str, state: Mapping[str, Any], scope: str) -> None:
        """A transition for each entry of ``field`` (``Choices``, ``Catch``) that names a ``Next``."""
        for index, entry in enumerate(state.get(field) or ()):
            target = entry.get("Next") if isinstance(entry, Mapping) else None
            if isinstance(target, str):
                self.transitions.append(Transition(name, target, f"{field}[{index}]", scope))

    def _edges(self, name: str, kind: str, state: Mapping[str, Any], scope: str) -> None:
        add = self.transitions.append
        if kind == "Choice":
            self._entry_edges(name, "Choices", state, scope)
            default = state.get("Default")
            if isinstance(default, str):
                add(Transition(name, default, "Default", scope))
            return
        if kind in ("Succeed", "Fail"):
            return
        for index, _retrier in enumerate(state.get("Retry") or ()):
            add(Transition(name, name, f"Retry[{index}]", scope))
        self._entry_edges(name, "Catch", state, scope)
        target = state.get("Next")
        if isinstance(target, str):
            add(Transition(name, target, "Next", scope))
        elif state.get("End") is True:
            add(Transition(name, END, "End", scope))
