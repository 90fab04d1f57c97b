"""Intrinsic functions (``States.Format``, ``States.Array``, ...): a function table with declared signatures.

``compile_intrinsic`` parses a call once (syntax, unknown functions and arity are definition errors);
``CompiledIntrinsic.evaluate`` runs it against the interpreter's path resolver. Bad argument values at run
time raise ``StatesError("States.IntrinsicFailure", cause)``, which Retry and Catch see.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import hashlib
import json
import math
import random
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pytest_serverless.asl._intrinsic_parse import (
    Call,
    IntrinsicSyntaxError,
    Literal,
    Node,
    PathArg,
    parse_intrinsic,
)
from pytest_serverless.asl._json import dumps, json_type
from pytest_serverless.asl.states_errors import StatesError, StatesErrorName

__all__ = [
    "FUNCTIONS",
    "CompiledIntrinsic",
    "IntrinsicSyntaxError",
    "Signature",
    "compile_intrinsic",
    "is_intrinsic_call",
    "java_json",
    "java_string",
]

Resolve = Callable[[str], Any]

_CALL_START = re.compile(r"States\.[A-Za-z][A-Za-z0-9]*\s*\(")
_MAX_STRING = 10_000  # Base64Encode/Base64Decode/Hash input limit (characters)
_MAX_RANGE = 1_000
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def is_intrinsic_call(text: str) -> bool:
    """Whether ``text`` is written as an intrinsic call (``States.Name(...``); it may still be malformed."""
    return _CALL_START.match(text) is not None


def _failure(cause: str) -> StatesError:
    return StatesError(StatesErrorName.INTRINSIC_FAILURE, cause)


# ---------------------------------------------------------------- argument kinds


def _as_integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


_KIND_CHECKS: dict[str, Callable[[Any], bool]] = {
    "any": lambda v: True,
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: _as_integer(v) is not None,
    "boolean": lambda v: isinstance(v, bool),
}
_KIND_WORDS = {
    "string": "a string",
    "array": "an array",
    "object": "a JSON object",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean",
}


@dataclass(frozen=True)
class Signature:
    """Arity and argument kinds of one function; arguments past ``params`` take the last kind."""

    params: tuple[str, ...]
    implementation: Callable[[str, list[Any], random.Random], Any]
    min_args: int
    max_args: int | None  # None: any number

    def arity_text(self) -> str:
        if self.max_args is None:
            return f"at least {self.min_args} arguments"
        if self.max_args != self.min_args:
            return f"{self.min_args} or {self.max_args} arguments"
        return f"{self.min_args} argument{'' if self.min_args == 1 else 's'}"

    def check(self, name: str, args: list[Any]) -> None:
        for index, value in enumerate(args):
            kind = self.params[min(index, len(self.params) - 1)]
            if not _KIND_CHECKS[kind](value):
                raise _failure(
                    f"Invalid arguments in {name}: argument {index + 1} must be {_KIND_WORDS[kind]}, "
                    f"got {json_type(value)} {_compact(value)}"
                )


def _compact(value: Any) -> str:
    text = dumps(value)
    return text if len(text) <= 200 else text[:197] + "..."


# ---------------------------------------------------------------- Java-style rendering (States.Format)


def _java_double(value: float) -> str:
    """``Double.toString``: ``1.5``, ``100.0``, ``1.0E10``, ``1.2345E-5``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    if 1e-3 <= abs(value) < 1e7:
        text = f"{Decimal(repr(value)):f}"
        return text if "." in text else text + ".0"
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    power = len(digit_tuple) - 1 + exponent
    return f"{'-' if sign else ''}{digits[0]}.{digits[1:] or '0'}E{power}"


def java_string(value: Any) -> str:
    """A value as AWS's Java engine prints it in States.Format: ``{a=1, b=[x, y]}``, ``null``, ``1.5``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + ", ".join(java_string(item) for item in value) + "]"
    return "{" + ", ".join(f"{key}={java_string(item)}" for key, item in value.items()) + "}"


# ---------------------------------------------------------------- implementations


def _format(name: str, args: list[Any], rng: random.Random) -> str:
    raise AssertionError("States.Format is evaluated with its template")  # pragma: no cover


def _format_with(template: Sequence[str | None], values: list[Any]) -> str:
    placeholders = sum(1 for piece in template if piece is None)
    if placeholders != len(values):
        raise _failure(
            f"Invalid arguments in States.Format: the format string has {placeholders} "
            f"placeholder{'s' if placeholders != 1 else ''} '{{}}' but {len(values)} "
            f"argument{'s were' if len(values) != 1 else ' was'} given"
        )
    rendered = iter(values)
    return "".join(java_string(next(rendered)) if piece is None else piece for piece in template)


def _runtime_template(text: str) -> list[str | None]:
    pieces: list[str | None] = []
    for index, piece in enumerate(text.split("{}")):
        if index:
            pieces.append(None)
        pieces.append(piece)
    return pieces


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _string_to_json(name: str, args: list[Any], rng: random.Random) -> Any:
    text: str = args[0]
    if not text.strip():
        return None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise _failure(f"Invalid arguments in {name}: the string {_compact(text)} is not valid JSON") from exc


def java_json(value: Any) -> str:
    """Compact JSON as AWS's Java engine writes it: doubles print as ``1.0E20``, not ``1e+20``."""
    if isinstance(value, float) and math.isfinite(value):
        return _java_double(value)
    if isinstance(value, list):
        return "[" + ",".join(java_json(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{java_json(str(key))}:{java_json(item)}" for key, item in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def _json_to_string(name: str, args: list[Any], rng: random.Random) -> str:
    return java_json(args[0])


def _array(name: str, args: list[Any], rng: random.Random) -> list[Any]:
    return list(args)


def _array_partition(name: str, args: list[Any], rng: random.Random) -> list[list[Any]]:
    items: list[Any] = args[0]
    size = _as_integer(args[1])
    if size is None or size <= 0:
        raise _failure(
            f"Invalid arguments in {name}: the chunk size must be a positive integer, got {_compact(args[1])}"
        )
    return [items[start : start + size] for start in range(0, len(items), size)]


def json_equal(left: Any, right: Any) -> bool:
    """JSON equality: booleans are not numbers, ``1`` equals ``1.0``, objects compare by keys."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(json_equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[key], right[key]) for key in left)
    return type(left) is type(right) and left == right


def _array_contains(name: str, args: list[Any], rng: random.Random) -> bool:
    return any(json_equal(item, args[1]) for item in args[0])


def _array_range(name: str, args: list[Any], rng: random.Random) -> list[int]:
    start, end, step = (_as_integer(value) for value in args)
    if start is None or end is None or step is None:  # pragma: no cover - the signature checked it
        raise _failure(f"Invalid arguments in {name}: all arguments must be integers")
    if step == 0:
        raise _failure(f"Invalid arguments in {name}: the step must not be 0")
    count = max(0, (end - start) // step + 1)
    if count > _MAX_RANGE:
        raise _failure(
            f"Invalid arguments in {name}: the range would have {count} elements, more than the limit of "
            f"{_MAX_RANGE}"
        )
    return list(range(start, end + (1 if step > 0 else -1), step))


def _array_get_item(name: str, args: list[Any], rng: random.Random) -> Any:
    items: list[Any] = args[0]
    index = _as_integer(args[1])
    if index is None or not 0 <= index < len(items):
        raise _failure(
            f"Invalid arguments in {name}: index {_compact(args[1])} is out of bounds "
            f"for an array of length {len(items)}"
        )
    return items[index]


def _array_length(name: str, args: list[Any], rng: random.Random) -> int:
    return len(args[0])


def _array_unique(name: str, args: list[Any], rng: random.Random) -> list[Any]:
    unique: list[Any] = []
    for item in args[0]:
        if not any(json_equal(item, seen) for seen in unique):
            unique.append(item)
    return unique


def _check_length(name: str, text: str) -> None:
    if len(text) > _MAX_STRING:
        raise _failure(
            f"Invalid arguments in {name}: the input string has {len(text)} characters, more than the limit "
            f"of {_MAX_STRING}"
        )


def _base64_encode(name: str, args: list[Any], rng: random.Random) -> str:
    _check_length(name, args[0])
    return base64.b64encode(args[0].encode("utf-8")).decode("ascii")


def _base64_decode(name: str, args: list[Any], rng: random.Random) -> str:
    _check_length(name, args[0])
    try:
        return base64.b64decode(args[0].encode("ascii"), validate=True).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise _failure(f"Invalid arguments in {name}: {_compact(args[0])} is not valid Base64") from exc


_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _hash(name: str, args: list[Any], rng: random.Random) -> str:
    data, algorithm = args
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    _check_length(name, text)
    if algorithm not in _HASHES:
        raise _failure(
            f"Invalid arguments in {name}: unsupported hash algorithm {_compact(algorithm)}; "
            f"use one of {', '.join(_HASHES)}"
        )
    return hashlib.new(_HASHES[algorithm], text.encode("utf-8")).hexdigest()


def _json_merge(name: str, args: list[Any], rng: random.Random) -> dict[str, Any]:
    left, right, deep = args
    if deep:
        raise _failure(
            f"Invalid arguments in {name}: deep merge is not supported; the third argument must be false"
        )
    return {**left, **right}


def _math_random(name: str, args: list[Any], rng: random.Random) -> int:
    start, end = _as_integer(args[0]), _as_integer(args[1])
    if start is None or end is None:  # pragma: no cover - the signature checked it
        raise _failure(f"Invalid arguments in {name}: start and end must be integers")
    if start >= end:
        raise _failure(f"Invalid arguments in {name}: the start {start} must be less than the end {end}")
    source = random.Random(_as_integer(args[2])) if len(args) > 2 else rng
    return source.randrange(start, end)


def _java_round(value: float) -> int:
    """``Math.round``: halves go up (``-1.5`` -> ``-1``, ``2.5`` -> ``3``)."""
    return math.floor(value + 0.5) if isinstance(value, float) else int(value)


def _math_add(name: str, args: list[Any], rng: random.Random) -> int:
    total = _java_round(args[0]) + _java_round(args[1])
    for value in (*args, total):
        if not _INT_MIN <= value <= _INT_MAX:
            raise _failure(f"Invalid arguments in {name}: {value} is outside the 32-bit integer range")
    return total


def _string_split(name: str, args: list[Any], rng: random.Random) -> list[str]:
    text, delimiters = args
    if not delimiters:
        return [text] if text else []
    pattern = "[" + re.escape(delimiters) + "]"
    return [piece for piece in re.split(pattern, text) if piece]


def _uuid(name: str, args: list[Any], rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


FUNCTIONS: dict[str, Signature] = {
    "States.Format": Signature(("string", "any"), _format, 1, None),
    "States.StringToJson": Signature(("string",), _string_to_json, 1, 1),
    "States.JsonToString": Signature(("any",), _json_to_string, 1, 1),
    "States.Array": Signature(("any",), _array, 0, None),
    "States.ArrayPartition": Signature(("array", "integer"), _array_partition, 2, 2),
    "States.ArrayContains": Signature(("array", "any"), _array_contains, 2, 2),
    "States.ArrayRange": Signature(("integer", "integer", "integer"), _array_range, 3, 3),
    "States.ArrayGetItem": Signature(("array", "integer"), _array_get_item, 2, 2),
    "States.ArrayLength": Signature(("array",), _array_length, 1, 1),
    "States.ArrayUnique": Signature(("array",), _array_unique, 1, 1),
    "States.Base64Encode": Signature(("string",), _base64_encode, 1, 1),
    "States.Base64Decode": Signature(("string",), _base64_decode, 1, 1),
    "States.Hash": Signature(("any", "string"), _hash, 2, 2),
    "States.JsonMerge": Signature(("object", "object", "boolean"), _json_merge, 3, 3),
    "States.MathRandom": Signature(("integer", "integer", "integer"), _math_random, 2, 3),
    "States.MathAdd": Signature(("number", "number"), _math_add, 2, 2),
    "States.StringSplit": Signature(("string", "string"), _string_split, 2, 2),
    "States.UUID": Signature((), _uuid, 0, 0),
}


# ---------------------------------------------------------------- compiled calls


@dataclass(frozen=True)
class CompiledIntrinsic:
    """A parsed, arity-checked intrinsic call. ``paths`` lists every path argument (nested calls included)."""

    text: str
    call: Call

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(_collect_paths(self.call))

    def evaluate(self, resolve: Resolve, rng: random.Random) -> Any:
        """Run the call; paths go through ``resolve``; bad argument values raise States.IntrinsicFailure."""
        return _evaluate(self.call, resolve, rng)


def _collect_paths(node: Node) -> list[str]:
    if isinstance(node, PathArg):
        return [node.path]
    if isinstance(node, Call):
        return [path for arg in node.args for path in _collect_paths(arg)]
    return []


def _evaluate(node: Node, resolve: Resolve, rng: random.Random) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, PathArg):
        return resolve(node.path)
    name = f"States.{node.name}"
    signature = FUNCTIONS[name]
    args = [_evaluate(arg, resolve, rng) for arg in node.args]
    signature.check(name, args)
    if name == "States.Format":
        first = node.args[0]
        if isinstance(first, Literal) and first.template is not None:
            template: Sequence[str | None] = first.template
        else:
            template = _runtime_template(args[0])
        return _format_with(template, args[1:])
    return signature.implementation(name, args, rng)


def compile_intrinsic(text: str) -> CompiledIntrinsic:
    """Parse ``text`` once; raises ``IntrinsicSyntaxError`` for bad syntax, unknown functions, wrong arity."""
    call = parse_intrinsic(text)
    _check_static(text, call)
    return CompiledIntrinsic(text, call)


def _check_static(text: str, call: Call) -> None:
    name = f"States.{call.name}"
    signature = FUNCTIONS.get(name)
    if signature is None:
        close = difflib.get_close_matches(call.name, [known[7:] for known in FUNCTIONS], n=1)
        hint = f" (did you mean 'States.{close[0]}'?)" if close else ""
        raise IntrinsicSyntaxError(text, call.position, f"unknown intrinsic function '{name}'{hint}")
    count = len(call.args)
    maximum = signature.max_args
    if count < signature.min_args or (maximum is not None and count > maximum):
        raise IntrinsicSyntaxError(
            text,
            call.position,
            f"'{name}' takes {signature.arity_text()}, got {count}",
        )
    for arg in call.args:
        if isinstance(arg, Call):
            _check_static(text, arg)
