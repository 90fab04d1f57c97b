"""Field-level helpers shared by the state checks: typed scalars, paths, payload templates, variables.

``FieldChecker`` adds ``(json_pointer, message)`` problems to a ``Problems``; ``flow.py`` (Choice, Retry,
Catch) and ``states.py`` (each state type) build on it. Messages quote the JSON keys users search for.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from pytest_serverless.asl.validation.problems import Problems
from pytest_serverless.asl.validation.syntax import (
    is_jsonata,
    jsonata_problem,
    path_problem,
    pointer_join,
    template_value_problem,
    type_name,
    variable_name_problem,
)

__all__ = [
    "JSONATA",
    "JSONPATH",
    "LITERAL",
    "MAX_SECONDS",
    "NEEDS_JSONATA",
    "QUERY_LANGUAGES",
    "FieldChecker",
    "NestedMachine",
    "Transitions",
    "is_int",
    "is_number",
    "unknown_field_message",
]

JSONPATH = "JSONPath"
JSONATA = "JSONata"
QUERY_LANGUAGES = (JSONPATH, JSONATA)
LITERAL = "literal"  # pseudo language of fields that take neither paths nor expressions (Retry)

Transitions = list[tuple[str, str]]  # (target state name, pointer of the field naming it)
NestedMachine = Callable[[object, str, str, str], None]  # (machine, pointer, default language, kind)

MAX_SECONDS = 99_999_999
NEEDS_JSONATA = 'expressions need "QueryLanguage": "JSONata" on the state or the machine'


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def unknown_field_message(field: str, known: frozenset[str], where: str) -> str:
    """``unknown field 'X' in a Task state (did you mean 'Y'?)``."""
    close = difflib.get_close_matches(field, sorted(known), n=1, cutoff=0.75)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown field '{field}' in {where}{hint}"


class FieldChecker:
    """Collects problems into ``problems``; ``nested`` validates a nested machine (branch, item processor)."""

    def __init__(self, problems: Problems, nested: NestedMachine) -> None:
        self.problems = problems
        self.nested = nested
        # a machine whose top level says JSONata cannot switch any state back to JSONPath
        self.jsonata_locked = False

    def add(self, pointer: str, message: str) -> None:
        self.problems.add(pointer, message)

    def non_empty_array(
        self, parent: Mapping[str, Any], pointer: str, field: str, items: str, *, missing: str | None = None
    ) -> list[Any] | None:
        """``parent[field]`` when it is a non-empty array (of ``items``, which the caller checks); else None,
        reported as missing (``missing``, or "missing required field ...") or as not such an array."""
        value = parent.get(field)
        if field not in parent:
            self.add(pointer, missing or f"missing required field '{field}' (a non-empty array of {items})")
        elif not isinstance(value, list) or not value:
            self.add(
                pointer_join(pointer, field),
                f"'{field}' must be a non-empty array of {items}, got {type_name(value)}",
            )
        else:
            return value
        return None

    def array_items(
        self, parent: Mapping[str, Any], pointer: str, field: str, items: str
    ) -> list[tuple[Any, str]]:
        """The items of ``parent[field]`` with their pointers when it is a non-empty array (of ``items``,
        which the caller checks); none, reported, when it is missing or not such an array."""
        values = self.non_empty_array(parent, pointer, field, items)
        if values is None:
            return []
        where = pointer_join(pointer, field)
        return [(value, pointer_join(where, index)) for index, value in enumerate(values)]

    def _target(self, value: object, pointer: str, field: str, transitions: Transitions) -> None:
        if isinstance(value, str):
            transitions.append((value, pointer))
        else:
            self.add(pointer, f"'{field}' must be a state name (a string), got {type_name(value)}")

    def _path_field(
        self, value: object, pointer: str, field: str, *, reference: bool, nullable: bool = False
    ) -> None:
        if value is None and nullable:
            return
        if not isinstance(value, str):
            expected = "a path string or null" if nullable else "a path string"
            self.add(pointer, f"'{field}' must be {expected}, got {type_name(value)}")
            return
        problem = path_problem(value, reference=reference, variables=field != "ResultPath")
        if problem:
            kind = "reference path" if reference else "path"
            self.add(pointer, f"'{field}' is not a valid {kind} {value!r}: {problem}")

    def template(self, template: Mapping[Any, Any], pointer: str) -> None:
        """A payload template (Parameters, ItemSelector, ResultSelector): check every ``.$`` value."""
        for key, value in template.items():
            where = pointer_join(pointer, str(key))
            if isinstance(key, str) and key.endswith(".$"):
                problem = template_value_problem(key, value)
                if problem:
                    self.add(where, problem)
            elif isinstance(value, Mapping):
                self.template(value, where)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, Mapping):
                        self.template(item, pointer_join(where, index))

    def jsonata_value(self, value: object, pointer: str) -> None:
        """Check the syntax of every ``{% %}`` expression in a JSONata field value."""
        if isinstance(value, str):
            if is_jsonata(value):
                problem = jsonata_problem(value)
                if problem:
                    self.add(pointer, problem)
        elif isinstance(value, Mapping):
            for key, item in value.items():
                self.jsonata_value(item, pointer_join(pointer, str(key)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.jsonata_value(item, pointer_join(pointer, index))

    def assign(self, value: object, pointer: str, language: str) -> None:
        if language == JSONATA and is_jsonata(value):
            self.jsonata_value(value, pointer)
            return
        if not isinstance(value, Mapping):
            self.add(
                pointer, f"'Assign' must be an object of variable names to values, got {type_name(value)}"
            )
            return
        for key, item in value.items():
            where = pointer_join(pointer, str(key))
            name = str(key)
            if language == JSONPATH and name.endswith(".$"):
                problem = template_value_problem(name, item)
                if problem:
                    self.add(where, problem)
                name = name[:-2]
            elif language == JSONATA:
                self.jsonata_value(item, where)
            elif isinstance(item, Mapping):
                self.template(item, where)
            bad = variable_name_problem(name)
            if bad:
                self.add(where, f"cannot assign variable {name!r}: {bad}")

    def integer(
        self,
        state: Mapping[str, Any],
        pointer: str,
        field: str,
        language: str,
        *,
        minimum: int,
        maximum: int | None = None,
    ) -> int | None:
        """Check an integer field that JSONata may also give as an expression; return the literal value."""
        if field not in state:
            return None
        value = state[field]
        where = pointer_join(pointer, field)
        if language == JSONATA and is_jsonata(value):
            self.jsonata_value(value, where)
            return None
        if not is_int(value):
            if is_jsonata(value):
                hint = NEEDS_JSONATA if language == JSONPATH else "this field takes no expressions"
                self.add(where, f"'{field}' must be an integer, got a JSONata expression; {hint}")
                return None
            extra = " or a '{% %}' expression" if language == JSONATA else ""
            self.add(where, f"'{field}' must be an integer{extra}, got {type_name(value)}")
            return None
        if value < minimum or (maximum is not None and value > maximum):
            limits = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
            self.add(where, f"'{field}' must be {limits}, got {value}")
            return None
        return int(value)

    def exclusive(self, state: Mapping[str, Any], pointer: str, *fields: str, required: bool = False) -> None:
        present = [field for field in fields if field in state]
        if len(present) == 1 or (not present and not required):
            return
        quoted = ", ".join(f"'{field}'" for field in fields)
        if len(present) > 1:
            self.add(
                pointer,
                f"{' and '.join(repr(f) for f in present)} cannot be used together; use one of {quoted}",
            )
        elif required and not present:
            self.add(pointer, f"needs exactly one of {quoted}")

    def _fields(self, value: Mapping[str, Any], pointer: str, known: frozenset[str], where: str) -> None:
        for field in value:
            if field not in known:
                self.add(pointer, unknown_field_message(str(field), known, where))
