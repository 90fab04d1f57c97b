"""The functions AWS Step Functions adds to JSONata, the ones it changes, and fixes to the library.

Added: ``$partition``, ``$range``, ``$hash``, ``$random([seed])``, ``$uuid()``, ``$parse``. Removed:
``$eval``. Replaced: ``$now``/``$millis`` (the virtual clock, never the wall clock), ``$random`` and
``$shuffle`` (the evaluation's ``random.Random``, so a seeded run is reproducible), ``$count`` (AWS counts
a null as one value), ``$number`` (D3030 where the library raised a Python error). All live in
:data:`AWS_FRAME`, the parent frame of every evaluation; per-evaluation values (rng, clock) sit in a small
context set by :func:`enter` and restored by :func:`leave`.

Library fixes, installed once at import (jsonata-python is a port of jsonata-java; these restore
JSONata's JavaScript behaviour that AWS shows): ``$string`` and ``&`` write numbers as JavaScript does
after ``toPrecision(15)`` (``1e20`` -> ``100000000000000000000``, ``0.1 + 0.2`` -> ``0.3``, also nested);
``%`` keeps fractions and division by zero gives Infinity/NaN instead of ZeroDivisionError;
``$toMillis`` reports D3110 instead of a Python ValueError.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from jsonata import Jsonata
from jsonata.functions import Functions
from jsonata.jexception import JException
from jsonata.utils import Utils

__all__ = ["AWS_FRAME", "AwsFunctionError", "enter", "js_number_text", "js_string", "leave"]

_HASH_ALGORITHMS: dict[str, str] = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}
_MAX_RANGE_ITEMS = 360_145  # AWS refuses one element more ("Expression evaluation memory limit exceeded")
_NUMBER_PATTERN = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")


class AwsFunctionError(JException):  # type: ignore[misc]
    """An argument error raised by one of AWS's functions (reported as ``code: message``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, -1)
        self.aws_message = message

    def __str__(self) -> str:
        return self.aws_message

    def text(self) -> str:
        """``CODE: message``, or the bare message for AWS's own errors that carry no JSONata code."""
        return f"{self.error}: {self.aws_message}" if self.error else self.aws_message


class _Context:
    __slots__ = ("now_millis", "rng", "states")

    def __init__(self, rng: random.Random, states: Mapping[str, Any], now_millis: int | None) -> None:
        self.rng = rng
        self.states = states
        self.now_millis = now_millis


_local = threading.local()


def enter(rng: random.Random, states: Mapping[str, Any], now_millis: int | None) -> _Context | None:
    """Make this evaluation's rng and clock current; returns the previous context for :func:`leave`."""
    previous: _Context | None = getattr(_local, "context", None)
    _local.context = _Context(rng, states, now_millis)
    return previous


def leave(previous: _Context | None) -> None:
    _local.context = previous


def _context() -> _Context:
    context: _Context | None = getattr(_local, "context", None)
    if context is None:  # pragma: no cover - every evaluation enters a context
        raise AwsFunctionError("D3137", "no evaluation context")
    return context


# --------------------------------------------------------------------------- helpers


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _signature_error(name: str, index: int) -> AwsFunctionError:
    return AwsFunctionError(
        "T0410", f'Argument {index} of function "{name}" does not match function signature'
    )


def _is_array(value: Any) -> bool:
    return isinstance(value, list)


def _arg(args: Sequence[Any] | None, index: int) -> Any:
    if args is None or index >= len(args):
        return None
    value = args[index]
    return None if value is Utils.NULL_VALUE else value


def _argument_count(name: str, args: Sequence[Any] | None, low: int, high: int) -> None:
    count = len(args) if args is not None else 0
    if not low <= count <= high:
        raise _signature_error(name, min(count, high) + 1)


# --------------------------------------------------------------------------- the functions


def _partition(args: Sequence[Any] | None) -> Any:
    """``$partition(array, size)``: chunks of ``size`` (truncated towards zero); undefined for an empty
    array or a size below 1, as on AWS."""
    _argument_count("partition", args, 2, 2)
    array, size = _arg(args, 0), _arg(args, 1)
    if not _is_array(array):
        raise _signature_error("partition", 1)
    if not _is_number(size):
        raise _signature_error("partition", 2)
    chunk = int(size)
    items = list(array)
    if not items or chunk < 1:
        return None
    return [items[start : start + chunk] for start in range(0, len(items), chunk)]


def _range(args: Sequence[Any] | None) -> Any:
    """``$range(start, end, step)``: arguments truncated towards zero, ``end`` included when a step lands
    on it; undefined without a step or with a step of the wrong sign; a single value comes back bare."""
    _argument_count("range", args, 2, 3)
    start, end, step = _arg(args, 0), _arg(args, 1), _arg(args, 2)
    for index, value in enumerate((start, end), start=1):
        if not _is_number(value):
            raise _signature_error("range", index)
    if step is None:
        return None
    if not _is_number(step):
        raise _signature_error("range", 3)
    first, last, stride = int(start), int(end), int(step)
    if stride == 0 or (last - first) * stride < 0:
        return None
    count = (last - first) // stride + 1
    if count > _MAX_RANGE_ITEMS:
        raise AwsFunctionError("", "Expression evaluation memory limit exceeded")
    # A JSONata sequence: a single value comes back unwrapped ($range(1, 9, 9) is 1, as on AWS).
    return Utils.create_sequence_from_iter(range(first, last + (1 if stride > 0 else -1), stride))


def _hash(args: Sequence[Any] | None) -> Any:
    """``$hash(value, algorithm)``: the hex digest; undefined without an algorithm."""
    _argument_count("hash", args, 1, 2)
    value, algorithm = _arg(args, 0), _arg(args, 1)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _signature_error("hash", 1)
    if algorithm is None:
        return None
    if not isinstance(algorithm, str):
        raise _signature_error("hash", 2)
    name = _HASH_ALGORITHMS.get(algorithm)
    if name is None:
        supported = ", ".join(_HASH_ALGORITHMS)
        raise AwsFunctionError(
            "", f"The hash algorithm {_show(algorithm)} is not supported; use one of {supported}"
        )
    return hashlib.new(name, value.encode("utf-8")).hexdigest()


def _count(args: Sequence[Any] | None) -> Any:
    """``$count``: AWS counts a JSON null as one value (the library answers 0)."""
    value = args[0] if args else None
    if value is None:
        return 0
    if isinstance(value, list):
        return len(value)
    return 1


def _random(args: Sequence[Any] | None) -> Any:
    _argument_count("random", args, 0, 1)
    seed = _arg(args, 0)
    if args and seed is None:
        return None
    if seed is None:
        return _context().rng.random()
    if not _is_number(seed):
        raise _signature_error("random", 1)
    return random.Random(int(seed)).random()  # the same seed, the same number (not AWS's number)


def _shuffle(args: Sequence[Any] | None) -> Any:
    """``$shuffle``: drawn from the evaluation's rng (the library uses the global one)."""
    value = args[0] if args else None
    if value is None:
        return None
    items = list(value) if isinstance(value, list) else [value]
    _context().rng.shuffle(items)
    return items


def _uuid(args: Sequence[Any] | None) -> Any:
    _argument_count("uuid", args, 0, 0)
    return str(uuid.UUID(int=_context().rng.getrandbits(128), version=4))


def _parse(args: Sequence[Any] | None) -> Any:
    _argument_count("parse", args, 1, 1)
    text = _arg(args, 0)
    if text is None:
        return None
    if not isinstance(text, str):
        raise _signature_error("parse", 1)
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except ValueError as error:
        raise AwsFunctionError("D3154", f"Unable to parse JSON string {_show(text)}: {error}") from None
    return Utils.NULL_VALUE if value is None else value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"unexpected constant {name}")


def _number(args: Sequence[Any] | None) -> Any:
    value = _arg(args, 0)
    if args is None or len(args) == 0 or value is None:
        return None
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        number: float | None = None
        if _NUMBER_PATTERN.match(text):
            number = float(text)
        elif re.fullmatch(r"0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+", text):
            number = float(int(text, 0))
        if number is not None and math.isfinite(number):
            return Utils.convert_number(number)
    raise AwsFunctionError("D3030", f"Unable to cast value to a number: {_show(value)}")


def _now_millis() -> int:
    context = _context()
    if context.now_millis is not None:
        return context.now_millis
    for group, key in (("State", "EnteredTime"), ("Execution", "StartTime")):
        stamp = _nested(context.states, "context", group, key)
        if isinstance(stamp, str):
            try:
                return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)
            except ValueError:
                continue
    return 0


def _nested(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _now(args: Sequence[Any] | None) -> Any:
    return Functions.datetime_from_millis(_now_millis(), _arg(args, 0), _arg(args, 1))


def _millis(args: Sequence[Any] | None) -> Any:
    return _now_millis()


def _show(value: Any) -> str:
    try:
        return json.dumps(None if value is Utils.NULL_VALUE else value, separators=(",", ":"))
    except (TypeError, ValueError):
        return str(value)


# --------------------------------------------------------------------------- $string, JavaScript style


def js_number_text(value: float) -> str:
    """JavaScript's ``Number.prototype.toString`` for a finite number (``1e+21``, ``1e-7``, ``0.3``)."""
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    match = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:e([+-]\d+))?", repr(abs(float(value))))
    if match is None:  # pragma: no cover - repr of a finite float always matches
        return repr(value)
    whole, fraction, exponent = match.group(1), match.group(2) or "", int(match.group(3) or 0)
    combined = whole + fraction
    stripped = combined.lstrip("0")
    point = len(whole) + exponent - (len(combined) - len(stripped))
    digits = stripped.rstrip("0")
    count = len(digits)
    if count <= point <= 21:
        return sign + digits + "0" * (point - count)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    power = point - 1
    mantissa = digits if count == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"


def _precise(value: float) -> str:
    """JSONata's ``Number(n.toPrecision(15))`` then JavaScript's text for it."""
    if not math.isfinite(value):
        return "null"
    if isinstance(value, int) and abs(value) < 10**15:
        return str(value)
    return js_number_text(float(f"{value:.15g}"))


def _stringify(value: Any, indent: str, depth: int) -> str:
    if value is None or value is Utils.NULL_VALUE:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _precise(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (Jsonata.JFunction, Jsonata.JLambda)) or Functions.is_lambda(value):
        return '""'
    inner = "\n" + indent * (depth + 1) if indent else ""
    outer = "\n" + indent * depth if indent else ""
    if isinstance(value, dict):
        separator = ": " if indent else ":"
        items = [
            f"{json.dumps(str(key), ensure_ascii=False)}{separator}{_stringify(item, indent, depth + 1)}"
            for key, item in value.items()
            if item is not None
        ]
        return "{" + inner + ("," + inner).join(items) + outer + "}" if items else "{}"
    if isinstance(value, list):
        items = [_stringify(item, indent, depth + 1) for item in value]
        return "[" + inner + ("," + inner).join(items) + outer + "]" if items else "[]"
    return json.dumps(str(value), ensure_ascii=False)


def js_string(arg: Any, prettify: Any = None) -> str | None:
    """JSONata's ``$string`` (and the ``&`` operator): JSON text with numbers to 15 significant digits."""
    if isinstance(arg, Utils.JList) and arg.outer_wrapper:
        arg = arg[0]
    if arg is None:
        return None
    if isinstance(arg, str):
        return arg
    if isinstance(arg, (Jsonata.JFunction, Jsonata.JLambda)) or Functions.is_lambda(arg):
        return ""
    if isinstance(arg, float) and not math.isfinite(arg):
        raise AwsFunctionError("D3001", "Attempting to invoke string function on Infinity or NaN")
    return _stringify(arg, "  " if prettify is True else "", 0)


def _numeric_expression(self: Any, lhs: Any, rhs: Any, op: str | None) -> Any:
    """JSONata's arithmetic as JavaScript does it: ``%`` keeps fractions (the library truncates to an
    integer), ``x / 0`` is Infinity and ``0 / 0`` NaN (the library raises ZeroDivisionError); AWS writes
    a non-finite result as ``"Infinity"``/``"NaN"``. A non-finite operand is D1001, as in JSONata."""
    if lhs is not None and not Utils.is_numeric(lhs):
        raise JException("T2001", -1, op, lhs)
    if rhs is not None and not Utils.is_numeric(rhs):
        raise JException("T2002", -1, op, rhs)
    if lhs is None or rhs is None:
        return None
    left, right = float(lhs), float(rhs)
    if op == "+":
        result = left + right
    elif op == "-":
        result = left - right
    elif op == "*":
        result = left * right
    elif op == "/":
        result = left / right if right != 0 else _divide_by_zero(left)
    elif op == "%":
        result = math.fmod(left, right) if right != 0 else math.nan
    else:  # pragma: no cover - the parser only produces the five operators
        raise JException("D1001", -1, op)
    if not math.isfinite(result):
        return result
    return Utils.convert_number(result)


def _divide_by_zero(left: float) -> float:
    if left == 0 or math.isnan(left):
        return math.nan
    return math.inf if left > 0 else -math.inf


def _install_library_fixes() -> None:
    Functions.string = staticmethod(js_string)
    native = Jsonata.static_frame.lookup("string")
    if isinstance(native, Jsonata.JNativeFunction):
        native.method = js_string
    Jsonata.evaluate_numeric_expression = _numeric_expression
    to_millis = Jsonata.static_frame.lookup("toMillis")
    if isinstance(to_millis, Jsonata.JNativeFunction) and to_millis.method is not None:
        to_millis.method = _checked_to_millis(to_millis.method)


def _checked_to_millis(original: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``$toMillis`` with JSONata's D3110 where the library lets Python's ValueError out."""

    def to_millis(timestamp: Any, picture: Any) -> Any:
        try:
            return original(timestamp, picture)
        except ValueError:
            raise AwsFunctionError(
                "D3110",
                "The argument of the toMillis function must be an ISO 8601 formatted timestamp. "
                f"Given {_show(timestamp)}",
            ) from None

    return to_millis


# --------------------------------------------------------------------------- registration


class _Callable(Jsonata.JFunctionCallable):  # type: ignore[misc]
    def __init__(self, implementation: Callable[[Sequence[Any] | None], Any]) -> None:
        self.implementation = implementation

    def call(self, input: Any, args: Sequence[Any] | None) -> Any:
        return self.implementation(args)


def _function(implementation: Callable[[Sequence[Any] | None], Any]) -> Any:
    return Jsonata.JFunction(_Callable(implementation), None)


def _build_frame() -> Any:
    frame = Jsonata.Frame(Jsonata.static_frame)
    for name, implementation in {
        "partition": _partition,
        "range": _range,
        "hash": _hash,
        "random": _random,
        "uuid": _uuid,
        "parse": _parse,
        "number": _number,
        "count": _count,
        "shuffle": _shuffle,
        "now": _now,
        "millis": _millis,
    }.items():
        frame.bind(name, _function(implementation))
    frame.bindings["eval"] = None  # AWS disables $eval: calling it is "Attempted to invoke a non-function"
    return frame


_install_library_fixes()
AWS_FRAME: Any = _build_frame()
