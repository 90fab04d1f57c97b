"""A fast path for the JSONata expressions ASL workflows use most, with the library as the fallback.

jsonata-python walks its AST at some 5 µs per node. Most ASL expressions are tiny: ``$states.input.x``,
``$var.field``, ``$states.input.n + 1``, ``$states.input.kind = 'a'``, literals. :func:`compile_fast`
turns such an AST into a Python closure; anything else gets ``None`` (use the library). A closure
returns :data:`FALLBACK` whenever the data leaves the cases it handles exactly (an array in the middle
of a path, a non-number operand, a missing variable, division by zero), and the caller then evaluates
the same expression with the library, so results and errors are always the library's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from jsonata.utils import Utils

__all__ = ["FALLBACK", "FastEvaluator", "compile_fast"]

FALLBACK: Any = object()
_NULL = Utils.NULL_VALUE
_MISSING = object()

#: ``evaluator(bindings)`` -> JSON value, the library's null, None (undefined) or FALLBACK.
FastEvaluator = Callable[[Mapping[str, Any]], Any]

_STRUCTURAL = frozenset(
    {"_outer_instance", "id", "value", "bp", "type", "lbp", "position", "steps", "lhs", "rhs"}
)
_ARITHMETIC = frozenset({"+", "-", "*", "/", "%"})
_COMPARISON = frozenset({"=", "!=", "<", "<=", ">", ">="})
_MAX_EXACT = 2**53


def compile_fast(ast: Any) -> FastEvaluator | None:
    """A closure computing ``ast`` exactly as the library would, or None when the shape is not covered."""
    if not _plain(ast):
        return None
    kind = ast.type
    if kind in ("string", "number", "value"):
        return _literal(ast.value)
    if kind == "variable":
        return _variable_path(ast.value, ())
    if kind == "path":
        return _path(ast.steps)
    if kind == "binary":
        return _binary(ast)
    return None


def _plain(symbol: Any) -> bool:
    """No predicate, grouping, focus, stages, keep-array flag or other decoration on this symbol."""
    return not any(value for name, value in vars(symbol).items() if name not in _STRUCTURAL)


def _literal(value: Any) -> FastEvaluator:
    constant = _NULL if value is None else value

    def evaluate(bindings: Mapping[str, Any]) -> Any:
        return constant

    return evaluate


def _path(steps: Any) -> FastEvaluator | None:
    if not steps or len(steps) < 2:
        return None
    head = steps[0]
    if head.type != "variable" or not head.value or not _plain(head):
        return None
    names: list[str] = []
    for step in steps[1:]:
        if step.type != "name" or not isinstance(step.value, str) or not _plain(step):
            return None
        names.append(step.value)
    return _variable_path(head.value, tuple(names))


def _variable_path(variable: str, names: tuple[str, ...]) -> FastEvaluator | None:
    if not variable:
        return None  # `$` is the context value

    def evaluate(bindings: Mapping[str, Any]) -> Any:
        value = bindings.get(variable, _MISSING)
        if value is _MISSING:
            return FALLBACK  # a function, or undefined: let the library decide
        for name in names:
            if not isinstance(value, dict):
                return FALLBACK  # arrays map over their items, scalars give undefined: the library's job
            value = value.get(name, _MISSING)
            if value is _MISSING:
                return None
            if value is None:
                value = _NULL
        return value

    return evaluate


def _binary(ast: Any) -> FastEvaluator | None:
    operator = ast.value
    if operator not in _ARITHMETIC and operator not in _COMPARISON:
        return None
    if ast.lhs is None or ast.rhs is None:
        return None
    left = compile_fast(ast.lhs)
    right = compile_fast(ast.rhs)
    if left is None or right is None:
        return None
    if operator in _ARITHMETIC:
        return _arithmetic(operator, left, right)
    return _comparison(operator, left, right)


def _number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -_MAX_EXACT < value < _MAX_EXACT
    return isinstance(value, float) and math.isfinite(value)


def _arithmetic(operator: str, left: FastEvaluator, right: FastEvaluator) -> FastEvaluator:
    def evaluate(bindings: Mapping[str, Any]) -> Any:
        lhs = left(bindings)
        rhs = right(bindings)
        if not _number(lhs) or not _number(rhs):
            return FALLBACK
        if operator == "+":
            result = lhs + rhs
        elif operator == "-":
            result = lhs - rhs
        elif operator == "*":
            result = lhs * rhs
        elif operator == "/":
            if rhs == 0:
                return FALLBACK
            result = lhs / rhs
        else:
            if rhs == 0:
                return FALLBACK
            result = math.fmod(lhs, rhs)  # JavaScript's %: the sign follows the dividend
        if isinstance(result, float):
            if not math.isfinite(result):
                return FALLBACK
            if result.is_integer():
                return int(result)
        elif not -_MAX_EXACT < result < _MAX_EXACT:
            return FALLBACK
        return result

    return evaluate


def _comparison(operator: str, left: FastEvaluator, right: FastEvaluator) -> FastEvaluator:
    def evaluate(bindings: Mapping[str, Any]) -> Any:
        lhs = left(bindings)
        rhs = right(bindings)
        same_kind = (
            (_number(lhs) and _number(rhs))
            or (isinstance(lhs, str) and isinstance(rhs, str))
            or (operator in ("=", "!=") and isinstance(lhs, bool) and isinstance(rhs, bool))
        )
        if not same_kind:
            return FALLBACK
        if operator == "=":
            return lhs == rhs
        if operator == "!=":
            return lhs != rhs
        if operator == "<":
            return lhs < rhs
        if operator == "<=":
            return lhs <= rhs
        if operator == ">":
            return lhs > rhs
        return lhs >= rhs

    return evaluate
