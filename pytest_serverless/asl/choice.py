"""Choice rules of JSONPath states: compile once, then ``rule.matches(resolve)``.

AWS's type rules: a comparison whose variable has the wrong JSON type is false (never an error); booleans
are not numbers; ``1`` equals ``1.0``; timestamps are RFC 3339 with an uppercase ``T`` and a ``Z`` or numeric
offset. A ``Variable`` (or ``...Path`` operand) that does not exist fails the execution with States.Runtime,
except under ``IsPresent``, which is false.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_serverless._glob import compile_glob
from pytest_serverless.asl._timestamps import parse_timestamp, timestamp_nanos
from pytest_serverless.asl.states_errors import StatesError, StatesErrorName
from pytest_serverless.asl.validation.problems import Problems

__all__ = [
    "BOOLEAN_OPERATORS",
    "COMPARISON_OPERATORS",
    "OPERATORS",
    "ChoiceRule",
    "Comparison",
    "Conjunction",
    "Disjunction",
    "Negation",
    "choice_rule_problems",
    "compile_choice_rule",
    "parse_timestamp",
    "timestamp_nanos",
]

Resolve = Callable[[str], Any]

# ---------------------------------------------------------------- value kinds and tests


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _utf16(text: str) -> bytes:
    # Java compares strings by UTF-16 code units; big-endian bytes keep that order.
    return text.encode("utf-16-be", "surrogatepass")


def _string_key(value: Any) -> bytes | None:
    return _utf16(value) if isinstance(value, str) else None


def _number_key(value: Any) -> int | float | None:
    return value if _is_number(value) else None


def _timestamp_key(value: Any) -> int | None:
    return timestamp_nanos(value) if isinstance(value, str) else None


def _boolean_key(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


_ORDERS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": lambda a, b: a == b,
    "LessThan": lambda a, b: a < b,
    "GreaterThan": lambda a, b: a > b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThanEquals": lambda a, b: a >= b,
}
_KEYS: dict[str, Callable[[Any], Any]] = {
    "String": _string_key,
    "Numeric": _number_key,
    "Timestamp": _timestamp_key,
}
_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda v: v is None,
    "IsNumeric": _is_number,
    "IsString": lambda v: isinstance(v, str),
    "IsBoolean": lambda v: isinstance(v, bool),
    "IsTimestamp": lambda v: _timestamp_key(v) is not None,
}

#: Comparison operators with a literal operand, mapped to the key function and order they use.
_LITERAL_COMPARISONS: dict[str, tuple[Callable[[Any], Any], Callable[[Any, Any], bool]]] = {
    f"{kind}{order}": (key, compare) for kind, key in _KEYS.items() for order, compare in _ORDERS.items()
}
_LITERAL_COMPARISONS["BooleanEquals"] = (_boolean_key, _ORDERS["Equals"])
_PATH_COMPARISONS = {f"{name}Path": spec for name, spec in _LITERAL_COMPARISONS.items()}

COMPARISON_OPERATORS: frozenset[str] = frozenset(
    {*_LITERAL_COMPARISONS, *_PATH_COMPARISONS, "StringMatches", "IsPresent", *_TYPE_TESTS}
)
BOOLEAN_OPERATORS: frozenset[str] = frozenset({"And", "Or", "Not"})
#: Every operator a Choice rule may use (comparisons, ``Is...`` tests, And/Or/Not).
OPERATORS: frozenset[str] = COMPARISON_OPERATORS | BOOLEAN_OPERATORS

_RULE_FIELDS = frozenset({"Variable", "Next", "Comment", "Assign", "Output"})
_OPERATOR_LIKE = re.compile(r"(String|Numeric|Boolean|Timestamp|Is)[A-Z]")


def _invalid_path(path: str) -> StatesError:
    return StatesError(
        StatesErrorName.RUNTIME,
        f"Invalid path '{path}': The choice state's condition path references an invalid value.",
    )


def _resolve(resolve: Resolve, path: str) -> Any:
    try:
        return resolve(path)
    except LookupError:
        raise _invalid_path(path) from None


# ---------------------------------------------------------------- compiled rules


class ChoiceRule:
    """A compiled Choice rule (comparison or And/Or/Not); ``matches`` evaluates it against a resolver."""

    __slots__ = ()

    def matches(self, resolve: Resolve) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class Comparison(ChoiceRule):
    """``Variable`` + one operator; ``operand`` is a literal, or a path for ``...Path`` operators."""

    variable: str
    operator: str
    operand: Any
    test: Callable[[Any, Any], bool]
    operand_is_path: bool = False

    def matches(self, resolve: Resolve) -> bool:
        if self.operator == "IsPresent":
            try:
                resolve(self.variable)
            except LookupError:
                return self.operand is False
            return self.operand is True
        value = _resolve(resolve, self.variable)
        operand = _resolve(resolve, self.operand) if self.operand_is_path else self.operand
        return self.test(value, operand)


@dataclass(frozen=True, eq=False)
class Conjunction(ChoiceRule):
    """``And``: every rule matches (evaluated in order, stopping at the first false)."""

    rules: tuple[ChoiceRule, ...]

    def matches(self, resolve: Resolve) -> bool:
        return all(rule.matches(resolve) for rule in self.rules)


@dataclass(frozen=True, eq=False)
class Disjunction(ChoiceRule):
    """``Or``: some rule matches (evaluated in order, stopping at the first true)."""

    rules: tuple[ChoiceRule, ...]

    def matches(self, resolve: Resolve) -> bool:
        return any(rule.matches(resolve) for rule in self.rules)


@dataclass(frozen=True, eq=False)
class Negation(ChoiceRule):
    """``Not``: the rule does not match."""

    rule: ChoiceRule

    def matches(self, resolve: Resolve) -> bool:
        return not self.rule.matches(resolve)


def _comparison_test(operator: str, operand: Any) -> Callable[[Any, Any], bool]:
    if operator == "StringMatches":
        # ``*`` is any run of characters; ``\\*`` and ``\\\\`` are a star and a backslash (linear time)
        pattern = compile_glob(operand, escapes=True) if isinstance(operand, str) else None
        return lambda value, _: pattern is not None and isinstance(value, str) and pattern.match(value)
    if operator == "IsPresent":  # handled by Comparison.matches: needs the lookup itself
        return lambda value, expected: expected is True
    if operator in _TYPE_TESTS:
        type_test = _TYPE_TESTS[operator]
        return lambda value, expected: type_test(value) is bool(expected)
    if operator in _PATH_COMPARISONS:
        key, compare = _PATH_COMPARISONS[operator]

        def path_matches(value: Any, other: Any) -> bool:
            left, right = key(value), key(other)
            return left is not None and right is not None and compare(left, right)

        return path_matches
    key, compare = _LITERAL_COMPARISONS[operator]
    right = key(operand)  # a literal operand is converted once, at compile time

    def literal_matches(value: Any, _operand: Any) -> bool:
        left = key(value)
        return left is not None and right is not None and compare(left, right)

    return literal_matches


def compile_choice_rule(rule: Mapping[str, Any]) -> ChoiceRule:
    """Compile a (validated) Choice rule; ``Next``, ``Assign``, ``Comment`` and ``Output`` are ignored.

    Raises ``ValueError`` naming the problem for a rule that ``choice_rule_problems`` would reject.
    """
    problems = choice_rule_problems(rule, "", top_level=False, check_next=False)
    if "Condition" in rule and not any(key in OPERATORS for key in rule):
        raise ValueError("a JSONata 'Condition' rule is evaluated by the interpreter, not compiled here")
    if problems:
        raise ValueError("; ".join(f"{pointer or '/'}: {message}" for pointer, message in problems))
    return _compile(rule)


def _compile(rule: Mapping[str, Any]) -> ChoiceRule:
    if "And" in rule:
        return Conjunction(tuple(_compile(item) for item in rule["And"]))
    if "Or" in rule:
        return Disjunction(tuple(_compile(item) for item in rule["Or"]))
    if "Not" in rule:
        return Negation(_compile(rule["Not"]))
    operator = next(key for key in rule if key in COMPARISON_OPERATORS)
    operand = rule[operator]
    return Comparison(
        variable=rule["Variable"],
        operator=operator,
        operand=operand,
        test=_comparison_test(operator, operand),
        operand_is_path=operator in _PATH_COMPARISONS,
    )


# ---------------------------------------------------------------- static validation


def _operand_problem(operator: str, operand: Any) -> str | None:
    """Why ``operand`` is not valid for ``operator`` (None when it is)."""
    if operator in _PATH_COMPARISONS:
        return None if _is_path(operand) else "must be a path starting with '$'"
    if operator in _TYPE_TESTS or operator in ("IsPresent", "BooleanEquals"):
        return None if isinstance(operand, bool) else "must be true or false"
    if operator.startswith("Numeric"):
        return None if _is_number(operand) else "must be a number"
    if operator.startswith("Timestamp"):
        if not isinstance(operand, str):
            return "must be a timestamp string like '2016-08-18T17:33:00Z'"
        if timestamp_nanos(operand) is None:
            return f"{operand!r} is not a valid timestamp (RFC 3339, e.g. '2016-08-18T17:33:00Z')"
        return None
    return None if isinstance(operand, str) else "must be a string"


def _is_path(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("$") and value.strip() == value


def _kind_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if _is_number(value):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def choice_rule_problems(
    rule: Any, pointer: str, *, top_level: bool, check_next: bool = True
) -> list[tuple[str, str]]:
    """Static problems of one Choice rule as ``(JSON pointer, message)`` pairs, nested rules included.

    ``top_level`` rules need ``Next``; nested rules (inside And/Or/Not) must not have it.
    """
    problems = Problems()
    _check_rule(rule, pointer, top_level, check_next, problems)
    return problems.as_list()


def _check_rule(rule: Any, pointer: str, top_level: bool, check_next: bool, problems: Problems) -> None:
    """Add the problems of one Choice rule (and of the rules nested in it) to ``problems``."""
    if not isinstance(rule, Mapping):
        problems.add(pointer, f"a Choice rule must be an object, got {_kind_name(rule)}")
        return
    misspelled = _check_unknown_keys(rule, pointer, problems)
    if check_next:
        _check_next(rule, pointer, top_level, problems)
    operators = [key for key in rule if key in OPERATORS]
    if "Condition" in rule and not operators:
        return
    if not operators:
        if not misspelled:
            problems.add(pointer, "a Choice rule needs a comparison operator or And/Or/Not")
        return
    if len(operators) > 1:
        listed = ", ".join(f"'{name}'" for name in operators)
        problems.add(pointer, f"a Choice rule takes exactly one operator, got {listed}")
        return
    _check_operator(rule, pointer, operators[0], check_next, problems)


def _check_unknown_keys(rule: Mapping[str, Any], pointer: str, problems: Problems) -> bool:
    """Report the keys that are neither operators nor rule fields; True when one looks like a misspelled
    operator (then a missing operator is not reported again)."""
    misspelled = False
    for key in rule:
        if key in OPERATORS or key in _RULE_FIELDS or key == "Condition":  # Condition: a JSONata rule
            continue
        close = difflib.get_close_matches(key, sorted(OPERATORS), n=1, cutoff=0.75)
        if close:
            message = f"unknown comparison operator '{key}' (did you mean '{close[0]}'?)"
        elif _OPERATOR_LIKE.match(key):
            message = f"unknown comparison operator '{key}'"
        else:
            problems.add(f"{pointer}/{key}", f"unknown field '{key}' in a Choice rule")
            continue
        misspelled = True
        problems.add(f"{pointer}/{key}", message)
    return misspelled


def _check_next(rule: Mapping[str, Any], pointer: str, top_level: bool, problems: Problems) -> None:
    """``Next`` and ``Assign`` belong to top-level rules only, and ``Next`` names a state."""
    if top_level and "Next" not in rule:
        problems.add(pointer, "a top-level Choice rule needs 'Next'")
    elif not top_level and "Next" in rule:
        problems.add(f"{pointer}/Next", "'Next' is only allowed on a top-level Choice rule")
    if "Next" in rule and not isinstance(rule["Next"], str):
        problems.add(f"{pointer}/Next", f"'Next' must be a state name, got {_kind_name(rule['Next'])}")
    if not top_level and "Assign" in rule:
        problems.add(f"{pointer}/Assign", "'Assign' is only allowed on a top-level Choice rule")


def _check_operator(
    rule: Mapping[str, Any], pointer: str, operator: str, check_next: bool, problems: Problems
) -> None:
    """The rule's one operator: And/Or/Not take nested rules, comparisons a ``Variable`` and an operand."""
    operand = rule[operator]
    if operator in BOOLEAN_OPERATORS:
        if "Variable" in rule:
            problems.add(f"{pointer}/Variable", f"'Variable' is not allowed with '{operator}'")
        _check_nested_rules(operator, operand, f"{pointer}/{operator}", check_next, problems)
        return
    if "Variable" not in rule:
        problems.add(pointer, f"'{operator}' needs a 'Variable'")
    elif not _is_path(rule["Variable"]):
        problems.add(f"{pointer}/Variable", "'Variable' must be a path starting with '$'")
    reason = _operand_problem(operator, operand)
    if reason is not None:
        problems.add(f"{pointer}/{operator}", f"'{operator}' {reason}, got {_kind_name(operand)}")


def _check_nested_rules(
    operator: str, operand: Any, pointer: str, check_next: bool, problems: Problems
) -> None:
    if operator == "Not":
        _check_rule(operand, pointer, False, check_next, problems)
        return
    if not isinstance(operand, list) or not operand:
        got = "an empty array" if operand == [] else _kind_name(operand)
        problems.add(pointer, f"'{operator}' must be a non-empty array of Choice rules, got {got}")
        return
    for index, item in enumerate(operand):
        _check_rule(item, f"{pointer}/{index}", False, check_next, problems)
