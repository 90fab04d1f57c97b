"""Choice rules, Retry and Catch: the branching and error-handling fields of states.

Comparison operators themselves are checked by ``choice.choice_rule_problems`` (imported lazily); this module
adds the JSONata/JSONPath split of rules, reference-path checks and the ``States.ALL`` rules of retriers
and catchers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_serverless.asl.states_errors import StatesErrorName
from pytest_serverless.asl.validation.fields import (
    JSONATA,
    LITERAL,
    MAX_SECONDS,
    FieldChecker,
    Transitions,
    is_number,
)
from pytest_serverless.asl.validation.syntax import (
    _optional_function,
    is_jsonata,
    path_problem,
    pointer_join,
    type_name,
)
from pytest_serverless.errors import InternalError

__all__ = ["FlowChecker"]

MAX_RETRY_DELAY = 31_622_401
STATES_ALL = StatesErrorName.ALL.value
_RETRIER_FIELDS = frozenset(
    {
        "ErrorEquals",
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
        "JitterStrategy",
        "Comment",
    }
)
_CATCHER_FIELDS = frozenset({"ErrorEquals", "Next", "ResultPath", "Assign", "Output", "Comment"})
_JSONATA_RULE_FIELDS = frozenset({"Condition", "Next", "Assign", "Output", "Comment"})


class FlowChecker(FieldChecker):
    """Checks of Choice rules and of Retry/Catch arrays (shared by Task, Parallel and Map)."""

    def _check_choice(
        self, state: Mapping[str, Any], pointer: str, language: str, transitions: Transitions
    ) -> None:
        for rule, rule_pointer in self.array_items(state, pointer, "Choices", "choice rules"):
            self._choice_rule(rule, rule_pointer, language, transitions)
        if "Default" in state:
            self._target(state["Default"], pointer_join(pointer, "Default"), "Default", transitions)

    def _choice_rule(self, rule: object, pointer: str, language: str, transitions: Transitions) -> None:
        if not isinstance(rule, Mapping):
            self.add(pointer, f"a choice rule must be an object, got {type_name(rule)}")
            return
        if isinstance(rule.get("Next"), str):
            transitions.append((rule["Next"], pointer_join(pointer, "Next")))
        if "Assign" in rule:
            self.assign(rule["Assign"], pointer_join(pointer, "Assign"), language)
        if language == JSONATA:
            self._jsonata_rule(rule, pointer)
            return
        for field, instead in (
            ("Condition", "comparison operators such as 'StringEquals'"),
            ("Output", None),
        ):
            if field in rule:
                hint = f"; in JSONPath use {instead}" if instead else ""
                self.add(
                    pointer_join(pointer, field),
                    f'\'{field}\' is a JSONata field; set "QueryLanguage": "JSONata" to use it{hint}',
                )
        checker = _optional_function("pytest_serverless.asl.choice", "choice_rule_problems")
        if checker is None:
            if "Next" not in rule:
                self.add(pointer, "a choice rule needs 'Next'")
        else:
            stripped = {
                key: value for key, value in rule.items() if key not in ("Assign", "Condition", "Output")
            }
            try:
                found = checker(stripped, pointer, top_level=True)
            except Exception as error:  # a checker bug is not the user's problem
                raise InternalError(f"checking the choice rule at {pointer}", error) from error
            self.problems.extend(_rule_problems(found))
        self._rule_paths(rule, pointer)

    def _rule_paths(self, rule: Mapping[Any, Any], pointer: str) -> None:
        """``Variable`` and the ``...Path`` operands of a JSONPath choice rule must be reference paths."""
        for key, value in rule.items():
            if not isinstance(key, str):
                continue
            if key == "Not" and isinstance(value, Mapping):
                self._rule_paths(value, pointer_join(pointer, key))
            elif key in ("And", "Or") and isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, Mapping):
                        self._rule_paths(item, pointer_join(pointer_join(pointer, key), index))
            elif (
                (key == "Variable" or key.endswith("Path"))
                and isinstance(value, str)
                and value.startswith("$")
            ):
                problem = path_problem(value, reference=True)
                if problem:
                    self.add(
                        pointer_join(pointer, key),
                        f"'{key}' is not a valid reference path {value!r}: {problem}",
                    )

    def _jsonata_rule(self, rule: Mapping[str, Any], pointer: str) -> None:
        for field in rule:
            if field not in _JSONATA_RULE_FIELDS:
                self.add(
                    pointer,
                    f"'{field}' is not allowed in a JSONata choice rule; "
                    "use 'Condition' with a '{% %}' expression",
                )
        if "Next" not in rule:
            self.add(pointer, "a choice rule needs 'Next'")
        elif not isinstance(rule["Next"], str):
            self.add(
                pointer_join(pointer, "Next"), f"'Next' must be a state name, got {type_name(rule['Next'])}"
            )
        if "Condition" not in rule:
            self.add(pointer, "a JSONata choice rule needs 'Condition' (a '{% %}' expression)")
        else:
            condition = rule["Condition"]
            if not (isinstance(condition, bool) or is_jsonata(condition)):
                self.add(
                    pointer_join(pointer, "Condition"),
                    f"'Condition' must be a '{{% %}}' expression or a boolean, got {condition!r}",
                )
            self.jsonata_value(condition, pointer_join(pointer, "Condition"))
        if "Output" in rule:
            self.jsonata_value(rule["Output"], pointer_join(pointer, "Output"))

    def retry_catch(
        self, state: Mapping[str, Any], pointer: str, language: str, transitions: Transitions
    ) -> None:
        for field, known in (("Retry", _RETRIER_FIELDS), ("Catch", _CATCHER_FIELDS)):
            if field not in state:
                continue
            entries = state[field]
            where = pointer_join(pointer, field)
            if not isinstance(entries, list):
                self.add(where, f"'{field}' must be an array, got {type_name(entries)}")
                continue
            noun = "retrier" if field == "Retry" else "catcher"
            for index, entry in enumerate(entries):
                entry_pointer = pointer_join(where, index)
                if not isinstance(entry, Mapping):
                    self.add(entry_pointer, f"a {noun} must be an object, got {type_name(entry)}")
                    continue
                self._fields(entry, entry_pointer, known, f"a {noun}")
                self._error_equals(entry, entry_pointer, noun, last=index == len(entries) - 1)
                if field == "Retry":
                    self._retrier(entry, entry_pointer)
                else:
                    self._catcher(entry, entry_pointer, language, transitions)

    def _error_equals(self, entry: Mapping[str, Any], pointer: str, noun: str, *, last: bool) -> None:
        names = self.non_empty_array(
            entry,
            pointer,
            "ErrorEquals",
            "error names",
            missing=f"a {noun} needs 'ErrorEquals' (a non-empty array of error names)",
        )
        if names is None:
            return
        where = pointer_join(pointer, "ErrorEquals")
        for index, name in enumerate(names):
            if not isinstance(name, str):
                self.add(pointer_join(where, index), f"an error name must be a string, got {type_name(name)}")
            # A custom 'States.'-prefixed name is accepted, as AWS accepts it: the prefix is reserved for the
            # errors states raise (a Fail state's Error), not for the names a retrier or catcher matches.
        if STATES_ALL in names:
            if len(names) > 1:
                self.add(where, f"'{STATES_ALL}' must appear alone in 'ErrorEquals'")
            if not last:
                self.add(where, f"'{STATES_ALL}' must appear only in the last {noun}")

    def _retrier(self, entry: Mapping[str, Any], pointer: str) -> None:
        self.integer(entry, pointer, "IntervalSeconds", LITERAL, minimum=1, maximum=MAX_SECONDS)
        self.integer(entry, pointer, "MaxAttempts", LITERAL, minimum=0, maximum=MAX_SECONDS)
        self.integer(entry, pointer, "MaxDelaySeconds", LITERAL, minimum=1, maximum=MAX_RETRY_DELAY)
        if "BackoffRate" in entry:
            rate = entry["BackoffRate"]
            if not is_number(rate) or rate < 1.0:
                self.add(
                    pointer_join(pointer, "BackoffRate"),
                    f"'BackoffRate' must be a number >= 1.0, got {rate!r}",
                )
        if "JitterStrategy" in entry and entry["JitterStrategy"] not in ("FULL", "NONE"):
            self.add(
                pointer_join(pointer, "JitterStrategy"),
                f"'JitterStrategy' must be 'FULL' or 'NONE', got {entry['JitterStrategy']!r}",
            )

    def _catcher(
        self, entry: Mapping[str, Any], pointer: str, language: str, transitions: Transitions
    ) -> None:
        if "Next" not in entry:
            self.add(pointer, "a catcher needs 'Next' (the state to run when it catches an error)")
        else:
            self._target(entry["Next"], pointer_join(pointer, "Next"), "Next", transitions)
        if language == JSONATA:
            if "ResultPath" in entry:
                self.add(
                    pointer_join(pointer, "ResultPath"),
                    "'ResultPath' is a JSONPath field and this state uses JSONata; use 'Output' or 'Assign'",
                )
            if "Output" in entry:
                self.jsonata_value(entry["Output"], pointer_join(pointer, "Output"))
        else:
            if "Output" in entry:
                self.add(
                    pointer_join(pointer, "Output"),
                    "'Output' is a JSONata field; set \"QueryLanguage\": \"JSONata\" or use 'ResultPath'",
                )
            if "ResultPath" in entry:
                self._path_field(
                    entry["ResultPath"],
                    pointer_join(pointer, "ResultPath"),
                    "ResultPath",
                    reference=True,
                    nullable=True,
                )
        if "Assign" in entry:
            self.assign(entry["Assign"], pointer_join(pointer, "Assign"), language)


def _rule_problems(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Report unknown keys of a choice rule at the rule's pointer, and skip "needs an operator" after them."""
    result: list[tuple[str, str]] = []
    unknown_at: set[str] = set()
    for pointer, message in found:
        if message.startswith(("unknown comparison operator '", "unknown field '")):
            parent = pointer.rsplit("/", 1)[0]
            unknown_at.add(parent)
            result.append((parent, message))
        else:
            result.append((pointer, message))
    return [
        (pointer, message)
        for pointer, message in result
        if not (pointer in unknown_at and message.startswith("a Choice rule needs a comparison operator"))
    ]
