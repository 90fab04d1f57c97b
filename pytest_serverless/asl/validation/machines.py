"""Static validation of an Amazon States Language definition, before anything runs.

``validate_definition(definition)`` returns every problem at once as ``(json_pointer, message)`` pairs, in
document order, e.g. ``("/States/Check/Choices/0", "unknown comparison operator 'StringEqual'")``.
``StateMachine`` raises ``InvalidDefinition(problems)`` when the list is not empty. It never raises itself:
any JSON-like value is answered with problems.

This module walks machines (the top level, Parallel branches, Map item processors) and their transition
graphs; ``states.py`` checks the fields of each state, ``syntax.py`` the strings inside them; every check
adds to one ``problems.Problems``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pytest_serverless.asl.validation.fields import unknown_field_message
from pytest_serverless.asl.validation.problems import Problems
from pytest_serverless.asl.validation.states import (
    JSONATA,
    JSONPATH,
    QUERY_LANGUAGES,
    StateChecker,
    Transitions,
)
from pytest_serverless.asl.validation.syntax import pointer_join, type_name

__all__ = ["MAX_DEFINITION_BYTES", "MAX_STATE_NAME_LENGTH", "validate_definition"]

MAX_DEFINITION_BYTES = 1_048_576
MAX_STATE_NAME_LENGTH = 80
MAX_MACHINE_TIMEOUT = 99_999_999

_TOP_FIELDS = frozenset({"StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage"})
_BRANCH_FIELDS = frozenset({"StartAt", "States", "Comment", "QueryLanguage"})
_PROCESSOR_FIELDS = _BRANCH_FIELDS | {"ProcessorConfig"}
_KIND_FIELDS = {
    "top": _TOP_FIELDS,
    "branch": _BRANCH_FIELDS,
    "ItemProcessor": _PROCESSOR_FIELDS,
    "Iterator": _PROCESSOR_FIELDS,
}
_KIND_NAMES = {
    "top": "the state machine",
    "branch": "a Parallel branch",
    "ItemProcessor": "'ItemProcessor'",
    "Iterator": "'Iterator'",
}


def validate_definition(definition: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every problem AWS would report for ``definition``, each as ``(json_pointer, message)``."""
    validator = _Validator()
    try:
        validator.run(definition)
    except RecursionError:
        validator.problems.add("", "the definition is nested too deeply to validate")
    return validator.problems.as_list()


class _Validator:
    def __init__(self) -> None:
        self.problems = Problems()
        self.states = StateChecker(self.problems, self.machine)
        # state name -> pointer of the first state of that name anywhere in the definition
        self.names: dict[str, str] = {}

    def run(self, definition: object) -> None:
        if not isinstance(definition, Mapping):
            self.problems.add(
                "", f"a state machine definition must be a JSON object, got {type_name(definition)}"
            )
            return
        self._size(definition)
        self._collect_names(definition, "")
        self.machine(definition, "", JSONPATH, "top")

    def _size(self, definition: Mapping[str, Any]) -> None:
        try:
            text = json.dumps(definition, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as error:
            self.problems.add("", f"the definition is not JSON-serializable: {error}")
            return
        except RecursionError:
            raise
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_DEFINITION_BYTES:
            self.problems.add(
                "",
                f"the definition is {size:,} bytes; AWS accepts at most {MAX_DEFINITION_BYTES:,} (1 MiB)",
            )

    def _collect_names(self, machine: object, pointer: str) -> None:
        """Record every state name of the definition; report names used twice anywhere."""
        if not isinstance(machine, Mapping):
            return
        states = machine.get("States")
        if not isinstance(states, Mapping):
            return
        states_pointer = pointer_join(pointer, "States")
        for name, state in states.items():
            state_pointer = pointer_join(states_pointer, str(name))
            if isinstance(name, str):
                if name in self.names:
                    self.problems.add(
                        state_pointer,
                        f"duplicate state name {name!r} (also at {self.names[name]}); "
                        "state names must be unique in the whole definition",
                    )
                else:
                    self.names[name] = state_pointer
            if not isinstance(state, Mapping):
                continue
            branches = state.get("Branches")
            if isinstance(branches, list):
                for index, branch in enumerate(branches):
                    self._collect_names(branch, pointer_join(pointer_join(state_pointer, "Branches"), index))
            for field in ("ItemProcessor", "Iterator"):
                if field in state:
                    self._collect_names(state[field], pointer_join(state_pointer, field))

    # one machine ------------------------------------------------------------------------------------

    def machine(self, machine: object, pointer: str, default_language: str, kind: str) -> None:
        """Validate a machine: the top level, a Parallel branch or a Map item processor."""
        where = _KIND_NAMES[kind]
        if not isinstance(machine, Mapping):
            self.problems.add(
                pointer, f"{where} must be an object with 'StartAt' and 'States', got {type_name(machine)}"
            )
            return
        known = _KIND_FIELDS[kind]
        for field in machine:
            if field not in known:
                self.problems.add(pointer, unknown_field_message(str(field), known, where))
        language = self._query_language(machine, pointer, default_language)
        if kind == "top":
            self.states.jsonata_locked = language == JSONATA
        self._machine_fields(machine, pointer, kind)
        states = machine.get("States")
        if "States" not in machine:
            self.problems.add(pointer, "missing required field 'States' (an object of state names to states)")
            states = None
        elif not isinstance(states, Mapping) or not states:
            self.problems.add(
                pointer_join(pointer, "States"),
                f"'States' must be a non-empty object, got {type_name(states)}",
            )
            states = None
        start = machine.get("StartAt")
        if "StartAt" not in machine:
            self.problems.add(pointer, "missing required field 'StartAt' (the name of the first state)")
        elif not isinstance(start, str):
            self.problems.add(
                pointer_join(pointer, "StartAt"), f"'StartAt' must be a state name, got {type_name(start)}"
            )
            start = None
        if states is None:
            return
        states_pointer = pointer_join(pointer, "States")
        graph: dict[str, Transitions] = {}
        terminals: set[str] = set()
        for name, state in states.items():
            state_pointer = pointer_join(states_pointer, str(name))
            if not isinstance(name, str) or not name:
                self.problems.add(state_pointer, "a state name must be a non-empty string")
            elif len(name) > MAX_STATE_NAME_LENGTH:
                self.problems.add(
                    state_pointer,
                    f"state name is {len(name)} characters long; AWS allows at most {MAX_STATE_NAME_LENGTH}",
                )
            if not isinstance(state, Mapping):
                self.problems.add(state_pointer, f"a state must be an object, got {type_name(state)}")
                graph[str(name)] = []
                continue
            transitions, terminal = self.states.check_state(state, state_pointer, language)
            graph[str(name)] = transitions
            if terminal:
                terminals.add(str(name))
        if isinstance(start, str) and start not in graph:
            self.problems.add(pointer_join(pointer, "StartAt"), self._unknown_target("StartAt", start, graph))
            start = None
        for transitions in graph.values():
            for target, target_pointer in transitions:
                if target not in graph:
                    self.problems.add(
                        target_pointer, self._unknown_target(_field_of(target_pointer), target, graph)
                    )
        if isinstance(start, str):
            self._reachability(start, graph, terminals, states_pointer, pointer)

    def _query_language(self, machine: Mapping[str, Any], pointer: str, default: str) -> str:
        if "QueryLanguage" not in machine:
            return default
        value = machine["QueryLanguage"]
        where = pointer_join(pointer, "QueryLanguage")
        if value not in QUERY_LANGUAGES:
            self.problems.add(where, f"'QueryLanguage' must be 'JSONPath' or 'JSONata', got {value!r}")
            return default
        if self.states.jsonata_locked and value == JSONPATH:
            self.problems.add(
                where,
                "a nested machine cannot switch 'QueryLanguage' back to 'JSONPath' inside a JSONata machine",
            )
        return str(value)

    def _machine_fields(self, machine: Mapping[str, Any], pointer: str, kind: str) -> None:
        if "Comment" in machine and not isinstance(machine["Comment"], str):
            self.problems.add(
                pointer_join(pointer, "Comment"),
                f"'Comment' must be a string, got {type_name(machine['Comment'])}",
            )
        if kind != "top":
            if "ProcessorConfig" in machine:
                self.states.processor_config(
                    machine["ProcessorConfig"], pointer_join(pointer, "ProcessorConfig")
                )
            return
        if "Version" in machine and machine["Version"] != "1.0":
            self.problems.add(
                pointer_join(pointer, "Version"), f"'Version' must be \"1.0\", got {machine['Version']!r}"
            )
        if "TimeoutSeconds" in machine:
            value = machine["TimeoutSeconds"]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MACHINE_TIMEOUT:
                self.problems.add(
                    pointer_join(pointer, "TimeoutSeconds"),
                    f"'TimeoutSeconds' must be an integer between 0 and {MAX_MACHINE_TIMEOUT}, got {value!r}",
                )

    def _unknown_target(self, field: str, target: str, graph: Mapping[str, Transitions]) -> str:
        elsewhere = self.names.get(target)
        if elsewhere is not None:
            return (
                f"'{field}' names {target!r}, which is a state of another scope ({elsewhere}); "
                "a state can only move to states of its own 'States' object "
                "(Parallel branches and Map processors are closed)"
            )
        names = ", ".join(repr(name) for name in graph)
        return f"'{field}' names {target!r}, which is not a state; states here: {names}"

    def _reachability(
        self,
        start: str,
        graph: Mapping[str, Transitions],
        terminals: set[str],
        states_pointer: str,
        pointer: str,
    ) -> None:
        seen = {start}
        todo = [start]
        while todo:
            for target, _ in graph.get(todo.pop(), ()):
                if target in graph and target not in seen:
                    seen.add(target)
                    todo.append(target)
        for name in graph:
            if name not in seen:
                self.problems.add(
                    pointer_join(states_pointer, name),
                    f"state {name!r} is unreachable: no 'StartAt', 'Next', 'Default' or catcher leads to it",
                )
        if not seen & terminals:
            self.problems.add(
                pointer,
                f"no terminal state can be reached from 'StartAt' {start!r}: add \"End\": true "
                "or a Succeed or Fail state",
            )


def _field_of(pointer: str) -> str:
    return pointer.rsplit("/", 1)[-1]
