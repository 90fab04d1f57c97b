"""Which states one execution entered and which transitions it took, read from its history.

Each ``...StateEntered`` event is traced back through ``previousEventId`` to the state exited before it, the
Parallel branch or Map iteration that started it, or the execution's start. The history does not say which
Choice rule matched or which Catch or Retry handled an error; they are derived, see :func:`trace_execution`.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_serverless.asl._events import details_key
from pytest_serverless.asl.states_errors import error_matches

from .graph import END, MachineGraph, transition_key

__all__ = ["trace_execution"]

_ATTEMPT_STARTS = ("ParallelStateStarted", "MapStateStarted")
_NO_DETAILS: Mapping[str, Any] = {}


class _Undecidable(Exception):
    """A Choice rule that cannot be re-evaluated from the history alone (variables, context object)."""


def _details(event: Mapping[str, Any]) -> Mapping[str, Any]:
    kind = event.get("type")
    if type(kind) is str and kind:
        found = event.get(details_key(kind))  # where AWS puts this event type's details
        if type(found) is dict:
            return found
    for key, value in event.items():  # a history from elsewhere, spelled differently
        if key.endswith("EventDetails") and isinstance(value, Mapping):
            return value
    return _NO_DETAILS


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _choice_rule_index(rules: Sequence[Any], value: Any) -> int | None:
    """The index of the first Choice rule matching ``value`` (the state's input), -1 for none (Default),
    or None when a rule cannot be decided from the input alone."""
    from pytest_serverless.asl.states_errors import StatesError

    for index, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            return None
        try:
            if "Condition" in rule:
                matched = _jsonata_condition(rule["Condition"], value)
            else:
                from pytest_serverless.asl.choice import compile_choice_rule

                matched = compile_choice_rule(rule).matches(_resolver(value))
        except (_Undecidable, StatesError, ValueError, TypeError, LookupError):
            return None
        if matched:
            return index
    return -1


def _resolver(data: Any) -> Any:
    from pytest_serverless.asl.paths import compile_path

    def resolve(text: str) -> Any:
        path = compile_path(text)
        if path.root != "$":  # $$ (context object) or $name (a variable): not in the history
            raise _Undecidable(text)
        return path.get(data)

    return resolve


def _jsonata_condition(condition: Any, value: Any) -> bool:
    from pytest_serverless.asl.jsonata import compile_template

    outcome = compile_template(condition, "Condition").evaluate(
        {"input": value, "context": {}}, {}, random.Random(0)
    )
    if not isinstance(outcome, bool):
        raise _Undecidable(str(condition))
    return outcome


def _choice_input(state: Mapping[str, Any], value: Any) -> Any:
    """The Choice's effective input: its ``InputPath`` applied (JSONPath states)."""
    if any(isinstance(rule, Mapping) and "Condition" in rule for rule in state.get("Choices") or ()):
        return value
    if "InputPath" not in state:
        return value
    path = state["InputPath"]
    if path is None:
        return {}
    from pytest_serverless.asl.paths import compile_path

    try:
        return compile_path(str(path)).get(value)
    except (LookupError, ValueError) as error:
        raise _Undecidable(str(path)) from error


def _choice_label(graph: MachineGraph, source: str, target: str, entered: Mapping[str, Any]) -> str | None:
    state = graph.raw[source]
    rules = list(state.get("Choices") or ())
    try:
        index = _choice_rule_index(rules, _choice_input(state, _json(_details(entered).get("input"))))
    except _Undecidable:
        index = None
    if index is not None:
        label = "Default" if index < 0 else f"Choices[{index}]"
        if transition_key(source, target, label) in graph.by_key:
            return label
    for position, rule in enumerate(rules):  # undecidable: the first rule leading where the execution went
        if isinstance(rule, Mapping) and rule.get("Next") == target:
            return f"Choices[{position}]"
    return "Default" if state.get("Default") == target else None


def _handler_index(handlers: Sequence[Any], error: str | None, target: str | None) -> int | None:
    """The first retrier/catcher whose ``ErrorEquals`` matches ``error`` (and, for a catcher, whose ``Next``
    is ``target``); without a known error, the first catcher leading to ``target``."""
    for index, handler in enumerate(handlers):
        if not isinstance(handler, Mapping):
            continue
        if target is not None and handler.get("Next") != target:
            continue
        if error is None or any(
            error_matches(str(pattern), error) for pattern in handler.get("ErrorEquals") or ()
        ):
            return index
    if error is not None and target is not None:
        return _handler_index(handlers, None, target)
    return None


class _Trace:
    """One pass over a history: owners of events, then states entered and transitions taken.

    Owners come from a stack of the states open at each event, in event order (the engine runs branches
    and iterations one after another): an exit closes its state (and the unfinished states inside it), a
    ``...Scheduled`` event belongs to the innermost open state, ``ParallelStateStarted``,
    ``MapStateStarted`` and ``MapIterationStarted`` to the innermost open Parallel or Map.
    """

    def __init__(self, graph: MachineGraph, history: Sequence[Mapping[str, Any]]) -> None:
        self.graph = graph
        self.events: dict[int, Mapping[str, Any]] = {}
        self.owner: dict[int, int] = {}  # event id -> id of the StateEntered event of the state it belongs to
        self.attempt_starts: dict[int, list[int]] = {}  # StateEntered id -> ids of its attempts' first events
        stack: list[list[Any]] = []  # [state name, StateEntered id, failed]
        for event in sorted(history, key=lambda event: int(event.get("id", 0))):
            event_id = int(event.get("id", 0))
            self.events[event_id] = event
            kind = str(event.get("type", ""))
            if kind.endswith("StateEntered"):
                stack.append([_details(event).get("name"), event_id, False])
                self.owner[event_id] = event_id
            elif kind.endswith("StateExited"):
                name = _details(event).get("name")
                if any(frame[0] == name for frame in stack):
                    while stack[-1][0] != name:
                        stack.pop()
                    self.owner[event_id] = stack.pop()[1]
            elif kind.endswith("Scheduled"):
                if stack:
                    self._attempt(event_id, stack[-1][1])
            elif kind.startswith(("ParallelState", "MapState", "MapIteration")):
                frame = self._innermost(stack, "Parallel" if kind.startswith("Parallel") else "Map")
                if frame is None:
                    continue
                self.owner[event_id] = frame[1]
                if kind in _ATTEMPT_STARTS:
                    frame[2] = False
                    self._attempt(event_id, frame[1])
                elif kind.endswith(("StateFailed", "StateAborted")):
                    frame[2] = True
        self.states: Counter[str] = Counter()
        self.transitions: Counter[str] = Counter()

    def _attempt(self, event_id: int, entered_id: int) -> None:
        self.owner[event_id] = entered_id
        self.attempt_starts.setdefault(entered_id, []).append(event_id)

    def _innermost(self, stack: list[list[Any]], state_type: str) -> list[Any] | None:
        """The innermost open state of ``state_type`` (one not failed first); the states above it are done."""
        for wanted_failed in (False, True):
            for depth in range(len(stack) - 1, -1, -1):
                node = self.graph.states.get(str(stack[depth][0]))
                if node is not None and node.type == state_type and stack[depth][2] == wanted_failed:
                    del stack[depth + 1 :]
                    return stack[depth]
        return None

    def run(self) -> None:
        for event_id, event in self.events.items():
            kind = str(event.get("type", ""))
            if kind.endswith("StateEntered"):
                self._entered(event_id, event)
            elif kind.endswith("StateExited"):
                self._exited(event_id, event)

    def _name(self, event: Mapping[str, Any]) -> str | None:
        name = _details(event).get("name")
        return name if isinstance(name, str) and name in self.graph.states else None

    def _take(self, source: str, target: str, label: str | None) -> None:
        if label is None:
            return
        key = transition_key(source, target, label)
        if key in self.graph.by_key:
            self.transitions[key] += 1

    def _entered(self, event_id: int, event: Mapping[str, Any]) -> None:
        target = self._name(event)
        if target is None:
            return
        self.states[target] += 1
        self._attempts(event_id, target)
        previous = self.events.get(int(event.get("previousEventId", 0) or 0))
        if previous is None:
            return
        kind = str(previous.get("type", ""))
        if kind.endswith("StateExited"):
            source = self._name(previous)
            if source is not None:
                self._take(source, target, self._exit_label(source, target, previous))
        elif kind in ("ParallelStateStarted", "MapIterationStarted"):
            parent_id = self.owner.get(int(previous.get("id", 0)))
            parent = self._name(self.events[parent_id]) if parent_id is not None else None
            if parent is not None:
                for transition in self.graph.transitions:
                    if (
                        transition.source == parent
                        and transition.target == target
                        and transition.kind == "branch"
                    ):
                        self.transitions[transition.key] += 1
                        break

    def _failure_before(self, exited: Mapping[str, Any]) -> tuple[bool, str | None]:
        """Whether the state left after an error (caught), and the error's name if the history has it."""
        exited_id = int(exited.get("id", 0))
        before = (self.events.get(int(exited.get("previousEventId", 0) or 0)), self.events.get(exited_id - 1))
        if not any(
            event is not None
            and (
                str(event.get("type", "")).endswith(("Failed", "TimedOut", "Aborted"))
                or "error" in _details(event)
            )
            for event in before
        ):
            return False, None
        entered_id = self.owner.get(exited_id, 0)
        for candidate in range(exited_id - 1, entered_id, -1):
            error = _details(self.events.get(candidate, {})).get("error")
            if isinstance(error, str):
                return True, error
        return True, None

    def _exit_label(self, source: str, target: str, exited: Mapping[str, Any]) -> str | None:
        state = self.graph.raw[source]
        if self.graph.states[source].type == "Choice":
            entered = self.events.get(self.owner.get(int(exited.get("id", 0)), 0), {})
            return _choice_label(self.graph, source, target, entered)
        caught, error = self._failure_before(exited)
        catchers = list(state.get("Catch") or ())
        if caught or (state.get("Next") != target and catchers):
            index = _handler_index(catchers, error, target)
            if index is not None:
                return f"Catch[{index}]"
        return "Next" if state.get("Next") == target else None

    def _exited(self, event_id: int, event: Mapping[str, Any]) -> None:
        source = self._name(event)
        if source is None or self.graph.raw[source].get("End") is not True:
            return
        caught, _ = self._failure_before(event)
        if caught and self.graph.raw[source].get("Catch"):
            return  # left through a Catch: the next StateEntered counts it
        self._take(source, END, "End")

    def _attempts(self, entered_id: int, name: str) -> None:
        """Count ``Retry[i]`` for each attempt after the first of the state entered at ``entered_id``."""
        retriers = list(self.graph.raw[name].get("Retry") or ())
        if not retriers:
            return
        starts = self.attempt_starts.get(entered_id, [])
        for earlier, later in zip(starts, starts[1:], strict=False):
            error = None
            for candidate in range(later - 1, earlier, -1):
                found = _details(self.events.get(candidate, {})).get("error")
                if isinstance(found, str):
                    error = found
                    break
            index = _handler_index(retriers, error, None)
            self._take(name, name, f"Retry[{index if index is not None else 0}]")


def trace_execution(graph: MachineGraph, execution: Any) -> tuple[Counter[str], Counter[str]]:
    """States entered and transitions taken (keys of ``graph.by_key``) by one execution, with counts.

    Read from ``execution.history``. Derived where the history is silent:

    * the Choice rule: the Choice's rules are evaluated again on the input recorded in its
      ``ChoiceStateEntered`` event (its ``InputPath`` applied; JSONata ``Condition`` rules with
      ``$states.input``). A rule that needs what the history does not hold (variables, the context object)
      is undecidable: the transition is then attributed to the first rule (in order) whose ``Next`` is the
      state entered next, else to ``Default``;
    * the Catch: the error named by the last failure event before the state was left, matched against each
      catcher's ``ErrorEquals`` in order (AWS's rule: the first match wins);
    * the Retry: for every attempt after the first (a new ``...Scheduled``, ``ParallelStateStarted`` or
      ``MapStateStarted`` event of the same state), the first retrier matching the previous attempt's error.

    Without a history, the states of ``execution.path`` are counted (no transitions).
    """
    history = list(getattr(execution, "history", None) or ())
    if not history:
        path = [name for name in getattr(execution, "path", None) or () if name in graph.states]
        return Counter(path), Counter()
    trace = _Trace(graph, history)
    trace.run()
    return trace.states, trace.transitions
