"""JSONata in ASL: ``{% ... %}`` templates, compiled once, evaluated with ``$states`` and variables.

The only module importing the JSONata implementation (jsonata-python). A JSON value (any depth) is
compiled by :func:`compile_template` into a :class:`JsonataTemplate`; each expression is parsed once.
Evaluation binds ``$states`` and the workflow variables, adds AWS's functions (``$partition``,
``$range``, ``$hash``, ``$random``, ``$uuid``, ``$parse``; ``$eval`` is unavailable; see
``_jsonata_functions``) and returns plain JSON values (integral numbers as ``int``). Simple expressions
(``$states.input.x``, ``$v.a + 1``, ``$x = 'y'``) take a fast path (``_jsonata_fast``) with the library
as the fallback. Failures raise ``StatesError("States.QueryEvaluationError", cause)`` where ``cause`` is
AWS's text without the state prefix: the interpreter prepends
``"An error occurred while executing the state 'X' (entered at the event id #N). "``.
"""

from __future__ import annotations

import json
import math
import random
import re
import sys
from collections.abc import Mapping
from typing import Any

# jsonata-python raises the process-wide recursion limit to 10,000 on import. Give the user's limit back:
# a change of it in the middle of a test upsets tools such as hypothesis, and an expression too deep for it
# ends as States.QueryEvaluationError (RecursionError is caught below).
_RECURSION_LIMIT = sys.getrecursionlimit()

import jsonata.jsonata as _library_module  # noqa: E402
from jsonata import Jsonata  # noqa: E402
from jsonata.jexception import JException  # noqa: E402
from jsonata.utils import Utils  # noqa: E402

sys.setrecursionlimit(_RECURSION_LIMIT)

from pytest_serverless.asl import _jsonata_functions as aws_functions  # noqa: E402
from pytest_serverless.asl._json import dumps, json_type  # noqa: E402
from pytest_serverless.asl._jsonata_fast import FALLBACK, compile_fast  # noqa: E402
from pytest_serverless.asl._regex_deadline import bounded_regex_engine  # noqa: E402
from pytest_serverless.asl.states_errors import StatesError, StatesErrorName  # noqa: E402
from pytest_serverless.errors import InternalError  # noqa: E402

__all__ = [
    "JsonataSyntaxError",
    "JsonataTemplate",
    "compile_template",
    "is_jsonata_expression",
]

# The library prints debug lines ("Proc not found 5") to stdout before raising some errors.
setattr(_library_module, "print", lambda *args, **kwargs: None)  # noqa: B010

_QUERY_ERROR = StatesErrorName.QUERY_EVALUATION_ERROR.value
_NULL = Utils.NULL_VALUE
_MAX_STEPS = 1_000_000  # library evaluation steps per expression (some seconds of work)
_TIMEOUT_MILLIS = 5000  # reported in the D1012 message, as AWS's evaluation timeout
_JS_EXPONENT_THRESHOLD = 1e21  # JavaScript prints integral numbers below this without an exponent


class JsonataSyntaxError(ValueError):
    """A ``{% %}`` expression AWS refuses when the state machine is created.

    ``code`` is AWS's: ``INVALID_JSONATA_EXPRESSION`` (it does not parse) or
    ``UNSUPPORTED_JSONATA_EXPRESSION`` (a reference to the top-level context, ``$$``). ``detail`` is
    the text after the code; ``pointer`` is the JSON pointer of the string inside the compiled value
    ("" for the value itself), for the validator to append to the field's own pointer.
    """

    def __init__(self, code: str, detail: str, expression: str, pointer: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.expression = expression
        self.pointer = pointer


def is_jsonata_expression(value: object) -> bool:
    """AWS's rule: a string that starts with ``{%`` and ends with ``%}`` (no surrounding whitespace)."""
    return isinstance(value, str) and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


# --------------------------------------------------------------------------- compiled nodes


class _Node:
    __slots__ = ()

    def render(self, env: _Environment) -> Any:
        raise NotImplementedError


class _Constant(_Node):
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = _copy_json(value)  # the definition's own objects stay the caller's

    def render(self, env: _Environment) -> Any:
        value = self.value
        if isinstance(value, (dict, list)):
            return _copy_json(value)
        return value


class _Expression(_Node):
    __slots__ = ("ast", "engine", "fast", "field", "text")

    def __init__(self, text: str, field: str, engine: Jsonata) -> None:
        self.text = text
        self.field = field
        self.engine = engine
        self.ast = engine.ast
        self.fast = compile_fast(engine.ast)

    def render(self, env: _Environment) -> Any:
        fast = self.fast
        raw = FALLBACK if fast is None else fast(env.bindings)
        if raw is FALLBACK:
            raw = self._evaluate_with_library(env)
        if raw is None:
            raise self.error("returned nothing (undefined).")
        if raw is _NULL:
            return None
        if type(raw) is str or type(raw) is int or type(raw) is bool:
            return raw
        try:
            return _to_json(raw)
        except _Unsupported:
            raise self.error("returned an unsupported result type.") from None

    def _evaluate_with_library(self, env: _Environment) -> Any:
        frame = env.frame
        if frame is None:
            frame = env.frame = Jsonata.Frame(aws_functions.AWS_FRAME)
            frame.bindings = env.bindings
        previous = aws_functions.enter(env.rng, env.states, env.now_millis)
        frame.bindings["__evaluate_entry"] = _step_budget()
        try:
            return self.engine.eval(self.ast, None, frame)
        except JException as error:
            raise self.error(f"threw an error during evaluation. {_jexception_text(error)}") from None
        except RecursionError:
            raise self.error(
                "threw an error during evaluation. D1011: Stack overflow. Check for non-terminating "
                "recursive function.  Consider rewriting as tail-recursive"
            ) from None
        except (ZeroDivisionError, OverflowError):
            raise self.error("threw an error during evaluation. D1001: Number out of range: null") from None
        except (TypeError, ValueError, AttributeError, LookupError) as error:  # a library defect on it
            raise self.error(f"threw an error during evaluation. {error}") from None  # is the expression's
        except Exception as error:  # our functions or bindings failed: not the user's expression
            raise InternalError(f"evaluating the JSONata expression {self.text!r}", error) from error
        finally:
            aws_functions.leave(previous)

    def error(self, detail: str) -> StatesError:
        return StatesError(
            _QUERY_ERROR,
            f"The JSONata expression '{self.text}' specified for the field '{self.field}' {detail}",
        )


def _step_budget() -> Any:
    """The library's per-node entry callback: ends a runaway expression (an endless tail recursion loops
    rather than overflowing) after a fixed number of steps, deterministically, in place of AWS's timeout."""
    remaining = [_MAX_STEPS]

    def step(expr: Any, input: Any, environment: Any) -> None:
        remaining[0] -= 1
        if remaining[0] < 0:
            raise JException("D1012", -1, _TIMEOUT_MILLIS)

    return step


class _Object(_Node):
    __slots__ = ("items",)

    def __init__(self, items: tuple[tuple[str, _Node], ...]) -> None:
        self.items = items

    def render(self, env: _Environment) -> Any:
        return {key: node.render(env) for key, node in self.items}


class _Array(_Node):
    __slots__ = ("nodes",)

    def __init__(self, nodes: tuple[_Node, ...]) -> None:
        self.nodes = nodes

    def render(self, env: _Environment) -> Any:
        return [node.render(env) for node in self.nodes]


# --------------------------------------------------------------------------- template


class JsonataTemplate:
    """A compiled JSON value whose ``{% %}`` strings (at any depth) are JSONata expressions."""

    __slots__ = ("_root", "field", "is_constant", "text")

    def __init__(self, root: _Node, field: str) -> None:
        self._root = root
        self.field = field
        self.is_constant = isinstance(root, _Constant)
        #: The expression text when the whole template is one ``{% %}`` expression, else None.
        self.text: str | None = root.text if isinstance(root, _Expression) else None

    def evaluate(
        self,
        states: Mapping[str, Any],
        variables: Mapping[str, Any],
        rng: random.Random,
        *,
        now_millis: int | None = None,
    ) -> Any:
        """The template's value with ``$states`` = ``states`` and ``$name`` for each variable.

        ``now_millis`` drives ``$now()``/``$millis()`` (the virtual clock); without it they use
        ``$states.context.State.EnteredTime``. Raises ``StatesError(States.QueryEvaluationError)``.
        """
        root = self._root
        if type(root) is _Constant:
            return root.render(_NO_ENVIRONMENT)
        bindings: dict[str, Any] = {"__evaluate_entry": None, "__evaluate_exit": None}
        for name, value in variables.items():
            bindings[name] = _NULL if value is None else value
        bindings["states"] = states if isinstance(states, dict) else dict(states)
        return root.render(_Environment(bindings, rng, states, now_millis))

    def type_error(self, expected: str, value: Any) -> StatesError:
        """AWS's error for a result of the wrong JSON type (e.g. ``Items`` not an array)."""
        text = self.text if self.text is not None else ""
        return StatesError(
            _QUERY_ERROR,
            f"The JSONata expression '{text}' specified for the field '{self.field}' returned an unexpected "
            f"result type. Expected '{expected}', but was '{json_type(value)}' for value: {dumps(value)}",
        )

    def __repr__(self) -> str:
        return f"JsonataTemplate(field={self.field!r}, constant={self.is_constant})"


class _Environment:
    """One evaluation: the bindings (``states``, variables), rng and clock; the library frame on demand."""

    __slots__ = ("bindings", "frame", "now_millis", "rng", "states")

    def __init__(
        self, bindings: dict[str, Any], rng: random.Random, states: Mapping[str, Any], now_millis: int | None
    ) -> None:
        self.bindings = bindings
        self.rng = rng
        self.states = states
        self.now_millis = now_millis
        self.frame: Any = None


_NO_ENVIRONMENT = _Environment({}, random.Random(0), {}, None)


def compile_template(value: Any, field: str = "") -> JsonataTemplate:
    """Compile a JSON value; ``field`` names it in error causes (``"Output"``, ``"Assign"``, ...).

    Inside the value, object keys add ``/key`` and array items ``[i]`` to the field, as AWS writes them
    (``Output/a/b[0]``). Raises :class:`JsonataSyntaxError` for an expression AWS refuses at creation.
    """
    return JsonataTemplate(_compile(value, field, ""), field)


def _compile(value: Any, field: str, pointer: str) -> _Node:
    if isinstance(value, str):
        if is_jsonata_expression(value):
            return _compile_expression(value, field, pointer)
        return _Constant(value)
    if isinstance(value, dict):
        items = tuple(
            (key, _compile(item, _join(field, key), f"{pointer}/{_escape(key)}"))
            for key, item in value.items()
        )
        if all(isinstance(node, _Constant) for _, node in items):
            return _Constant(value)
        return _Object(items)
    if isinstance(value, list):
        nodes = tuple(
            _compile(item, f"{field}[{index}]", f"{pointer}/{index}") for index, item in enumerate(value)
        )
        if all(isinstance(node, _Constant) for node in nodes):
            return _Constant(value)
        return _Array(nodes)
    return _Constant(value)


def _compile_expression(value: str, field: str, pointer: str) -> _Expression:
    text = value[2:-2].strip()
    try:
        engine = Jsonata(text, bounded_regex_engine)  # regexes matched under a deadline
    except JException as error:
        raise _invalid(text, pointer, _jexception_text(error)) from None
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError) as error:
        raise _invalid(text, pointer, str(error)) from None
    if engine.errors:
        raise _invalid(text, pointer, str(engine.errors[0]))
    reference = _top_level_reference(engine.ast, top=True)
    if reference is not None:
        detail = (
            f"Reference to '{reference}' is not supported."
            if reference.startswith("$")
            else f"Reference to '{reference}' at the top level is not supported."
        )
        raise JsonataSyntaxError("UNSUPPORTED_JSONATA_EXPRESSION", detail, text, pointer)
    return _Expression(text, field, engine)


def _invalid(text: str, pointer: str, problem: str) -> JsonataSyntaxError:
    return JsonataSyntaxError(
        "INVALID_JSONATA_EXPRESSION", f"The JSONata expression '{text}' is invalid: {problem}", text, pointer
    )


# Where a sub-expression is evaluated against the same context as its parent (the top level, which
# has no context item in ASL). Predicates, later path steps, groups, sorts and transforms are not.
_SAME_CONTEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "binary": ("lhs", "rhs"),
    "apply": ("lhs", "rhs"),
    "bind": ("rhs",),
    "condition": ("condition", "then", "_else"),
    "block": ("expressions",),
    "function": ("arguments",),
    "partial": ("arguments",),
    "lambda": ("body",),
}


def _top_level_reference(symbol: Any, top: bool) -> str | None:
    """The first name (or ``$$``) read from the top-level context, which AWS refuses; None if none."""
    if isinstance(symbol, list):
        for item in symbol:
            found = _top_level_reference(item, top)
            if found is not None:
                return found
        return None
    kind = getattr(symbol, "type", None)
    if kind is None or not top:
        return None
    if kind == "name":
        return str(symbol.value)
    if kind == "variable":
        return "$$" if symbol.value == "$" else None
    if kind == "path":
        steps = symbol.steps or []
        return _top_level_reference(steps[0], True) if steps else None
    if kind == "unary":
        if symbol.value == "{":
            return _top_level_reference([item for pair in symbol.lhs_object or [] for item in pair], True)
        if symbol.value == "[":
            return _top_level_reference(symbol.expressions or [], True)
        return _top_level_reference(symbol.expression, True)
    for name in _SAME_CONTEXT_FIELDS.get(kind, ()):
        found = _top_level_reference(getattr(symbol, name, None), True)
        if found is not None:
            return found
    return None


def _join(field: str, key: str) -> str:
    return f"{field}/{key}" if field else key


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _jexception_text(error: JException) -> str:
    """``CODE: message`` with JSONata's (JavaScript) wording: values JSON-quoted, "function" not "Object"."""
    code = error.error
    if isinstance(error, aws_functions.AwsFunctionError):
        return error.text()
    template = JException.error_codes.get(code)
    if template is None or "{{{" in template:
        return f"{code}: {error}"
    values = [error.current, error.expected, error.extra]
    if code == "D1002":  # the library passes the operator first
        values = [error.expected]
    placeholders = re.findall(r"\{\{\w+\}\}", template)
    message = re.sub(r"\{\{\w+\}\}", "{}", template.replace("Object", "function"))
    try:
        return f"{code}: " + message.format(*(_js_stringify(value) for value in values[: len(placeholders)]))
    except (IndexError, ValueError):
        return f"{code}: {error}"


def _js_stringify(value: Any) -> str:
    if value is _NULL or (isinstance(value, float) and not math.isfinite(value)):
        return "null"
    try:
        return json.dumps(_to_json(value), separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError, _Unsupported):
        return str(value)


# --------------------------------------------------------------------------- value conversion


class _Unsupported(Exception):
    """A result that JSON cannot hold (a function)."""


def _to_json(value: Any) -> Any:
    """The library's value as plain JSON: sequences -> list, its null -> None, integral floats -> int."""
    if value is _NULL or value is None:
        return None
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _JS_EXPONENT_THRESHOLD:
            return int(value)
        if math.isnan(value):
            return "NaN"  # AWS writes non-finite numbers as the names JavaScript gives them
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    raise _Unsupported()


def _copy_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_json(item) for item in value]
    return value
