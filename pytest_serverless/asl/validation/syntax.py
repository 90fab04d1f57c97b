"""Static checks of the strings inside a definition: JSONPath syntax, reference paths, payload templates.

No third-party imports: jsonpath-ng is slow to parse and is fenced into ``asl/paths.py``; this module only
decides whether AWS would accept the text, with a small hand-written scanner. Intrinsic function and JSONata
syntax are checked by their own modules (``intrinsics.py``, ``jsonata.py``), imported lazily so that
validation works while those modules are absent or broken.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import Any

from pytest_serverless.errors import InternalError

__all__ = [
    "template_value_problem",
    "type_name",
    "intrinsic_problem",
    "is_jsonata",
    "jsonata_problem",
    "path_problem",
    "pointer_join",
    "variable_name_problem",
]

_FORBIDDEN_IN_NAME = frozenset(".[]()*?@,:'\"")
MAX_VARIABLE_NAME = 80


def pointer_join(pointer: str, key: str | int) -> str:
    """Append one reference token to a JSON pointer (RFC 6901 escaping)."""
    token = str(key)
    if "~" in token or "/" in token:
        token = token.replace("~", "~0").replace("/", "~1")
    return f"{pointer}/{token}"


def is_jsonata(value: object) -> bool:
    """Whether a value is a JSONata expression string, ``{% ... %}``."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}") and len(value) >= 4


def _characters(text: str, start: int) -> Iterator[tuple[int, bool]]:
    """The positions of ``text`` from ``start``, each with whether it is quoted: inside ``'...'`` or
    ``"..."`` (the quote marks included; a backslash there escapes the next character)."""
    quote = ""
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if quote:
            yield i, True
            if ch == "\\" and i + 1 < n:
                yield i + 1, True
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            yield i, True
        else:
            yield i, False
        i += 1


def _match_bracket(text: str, start: int) -> int:
    """Index of the ``]`` closing the ``[`` at ``start`` (quotes and parentheses respected), or -1."""
    depth = 0
    for i, quoted in _characters(text, start + 1):
        if quoted:
            continue
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "]":
            if depth == 0:
                return i
            depth -= 1
    return -1


def _is_int(text: str) -> bool:
    text = text.strip()
    if text.startswith("-"):
        text = text[1:]
    return text.isdigit()


def _split_top_commas(text: str) -> list[str]:
    """``text`` split at the commas outside quotes and parentheses."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for i, quoted in _characters(text, 0):
        ch = text[i]
        if not quoted:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif ch == "," and depth == 0:
                parts.append("".join(current))
                current = []
                continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def _is_quoted(text: str) -> bool:
    text = text.strip()
    return len(text) >= 2 and text[0] == text[-1] and text[0] in "'\""


# what a reference path (ResultPath, a Choice Variable, ...) refuses that a plain path allows
_NOT_IN_REFERENCE = {
    "filter": "filters '[?(...)]' are not allowed in a reference path",
    "script": "script expressions '[(...)]' are not allowed in a reference path",
    "wildcard": "wildcards '[*]' are not allowed in a reference path",
    "union": "unions '[a,b]' are not allowed in a reference path",
    "slice": "slices '[start:end]' are not allowed in a reference path",
}


def _bracket_problem(content: str, reference: bool) -> str | None:
    """Check the text between ``[`` and ``]``; None when AWS accepts it."""
    kind, problem = _bracket_kind(content)
    if problem is not None or not reference:
        return problem
    return _NOT_IN_REFERENCE.get(kind)


def _bracket_kind(content: str) -> tuple[str, str | None]:
    """What the text between ``[`` and ``]`` is (a key, filter, script, wildcard, union or slice) and its
    syntax problem, if any."""
    body = content.strip()
    if not body:
        return "", "empty brackets '[]'"
    if body.startswith("?"):
        if not (body[1:].strip().startswith("(") and body.endswith(")")):
            return "filter", f"invalid filter '[{content}]': write it as '[?(@.field == value)]'"
        return "filter", None
    if body.startswith("("):
        return "script", None if body.endswith(")") else f"invalid expression '[{content}]'"
    if body == "*":
        return "wildcard", None
    parts = _split_top_commas(body)
    if len(parts) > 1:
        valid = all(_is_quoted(part) or _is_int(part) for part in parts)
        return "union", None if valid else f"invalid union '[{content}]'"
    if _is_quoted(body) or _is_int(body):
        return "key", None
    if ":" in body:
        bounds = body.split(":")
        valid = len(bounds) <= 3 and all(not b.strip() or _is_int(b) for b in bounds)
        return "slice", None if valid else f"invalid slice '[{content}]'"
    return "", f"invalid bracket expression '[{content}]'"


def _root_length(path: str) -> int:
    """Length of the root of a path: ``$$``, ``$``, or a variable ``$name``; 0 when there is none."""
    if not path.startswith("$"):
        return 0
    if path.startswith("$$"):
        return 2
    i = 1
    while i < len(path) and (path[i].isalnum() or path[i] == "_"):
        i += 1
    return i


def path_problem(path: str, *, reference: bool = False, variables: bool = True) -> str | None:
    """Why ``path`` is not a valid (reference) path for AWS, or None when it is.

    Accepts ``$`` (state input), ``$$`` (context object) and, when ``variables``, ``$name`` (a variable),
    each followed by ``.field``, ``['field']``, ``[0]`` and, unless ``reference``, wildcards, deep scans,
    slices, unions, filters and functions such as ``.length()``.
    """
    root = _root_length(path)
    if root == 0:
        return "must start with '$'"
    if root > 1 and path[1] != "$" and not variables:
        return "it names a variable ('$name'); set variables with 'Assign' instead"
    i = root
    n = len(path)
    while i < n:
        ch = path[i]
        if ch == ".":
            i, problem = _dot_step(path, i + 1, reference)
        elif ch == "[":
            i, problem = _bracket_step(path, i, reference)
        else:
            problem = f"unexpected character {ch!r} at position {i}"
        if problem:
            return problem
    return None


def _dot_step(path: str, i: int, reference: bool) -> tuple[int, str | None]:
    """Read a ``.name``, ``..name``, ``.*`` or ``.name()`` step whose text starts at ``i`` (after the dot):
    the position after it and the problem, if any."""
    n = len(path)
    if i < n and path[i] == ".":
        if reference:
            return i, "deep scans '..' are not allowed in a reference path"
        i += 1
    if i >= n:
        return i, "ends with '.'"
    if path[i] == "*":
        if reference:
            return i, "wildcards '.*' are not allowed in a reference path"
        return i + 1, None
    if path[i] == "[":
        return i, None
    start = i
    while i < n and path[i] not in _FORBIDDEN_IN_NAME:
        i += 1
    name = path[start:i]
    if not name:
        return i, f"empty field name at position {start}"
    if i + 1 < n and path[i] == "(" and path[i + 1] == ")":
        if reference:
            return i, f"functions such as '{name}()' are not allowed in a reference path"
        return i + 2, None
    if i < n and path[i] not in ".[":
        return i, f"unexpected character {path[i]!r} at position {i}"
    return i, None


def _bracket_step(path: str, i: int, reference: bool) -> tuple[int, str | None]:
    """Read a ``[...]`` step starting at ``i``: the position after it and the problem, if any."""
    end = _match_bracket(path, i)
    if end < 0:
        return i, f"unclosed '[' at position {i}"
    return end + 1, _bracket_problem(path[i + 1 : end], reference)


def variable_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be assigned as a workflow variable, or None."""
    if not name:
        return "empty variable name"
    if name == "states":
        return "'states' is reserved (it names $states in JSONata)"
    if len(name) > MAX_VARIABLE_NAME:
        return f"variable names are at most {MAX_VARIABLE_NAME} characters"
    if not name.isidentifier():
        return "variable names must start with a letter or '_' and contain only letters, digits and '_'"
    return None


# lazily bound syntax checkers from sibling modules ------------------------------------------------


@cache
def _optional_function(module: str, name: str) -> Callable[..., Any] | None:
    try:
        found = getattr(importlib.import_module(module), name, None)
    except Exception as error:  # our checker cannot load: never a silently accepted definition
        raise InternalError(f"loading the syntax checker {module}.{name}", error) from error
    return found if callable(found) else None


def intrinsic_problem(text: str) -> str | None:
    """Syntax error message of an intrinsic function call such as ``States.Format('{}', $.a)``, or None."""
    compile_intrinsic = _optional_function("pytest_serverless.asl.intrinsics", "compile_intrinsic")
    if compile_intrinsic is not None:
        return _compile_problem(compile_intrinsic, text, "intrinsic function")
    if not text.rstrip().endswith(")") or "(" not in text:
        return f"invalid intrinsic function {text!r}: a call looks like 'States.Name(arguments)'"
    return None


def jsonata_problem(expression: str) -> str | None:
    """Syntax error message of a ``{% ... %}`` JSONata expression, or None (also when no checker exists)."""
    compile_template = _optional_function("pytest_serverless.asl.jsonata", "compile_template")
    if compile_template is None:
        return None
    return _compile_problem(compile_template, expression, "JSONata expression")


def _compile_problem(compile_text: Callable[[str], object], text: str, what: str) -> str | None:
    """The ValueError message of compiling ``text`` (a syntax error of the user's), or None when it
    compiles; any other exception is a bug of the checker, raised as InternalError."""
    try:
        compile_text(text)
    except ValueError as error:
        return str(error) or f"invalid {what} {text!r}"
    except Exception as error:  # a checker bug is not the user's problem
        raise InternalError(f"checking the {what} {text!r}", error) from error
    return None


def template_value_problem(key: str, value: object) -> str | None:
    """Why the value of a ``key.$`` field of a payload template is not a path, variable or intrinsic."""
    if not isinstance(value, str):
        return (
            f"'{key}' ends in '.$', so its value must be a path or intrinsic function string, "
            f"got {type_name(value)}"
        )
    if value.startswith("$"):
        problem = path_problem(value)
        return f"'{key}': invalid path {value!r}: {problem}" if problem else None
    from pytest_serverless.asl._intrinsic_parse import INTRINSIC_PREFIX  # with the first non-path value

    if value.startswith(INTRINSIC_PREFIX):
        problem = intrinsic_problem(value)
        return f"'{key}': {problem}" if problem else None
    return (
        f"'{key}' ends in '.$', so its value must be a path ('$.field'), a context path ('$$.field'), "
        f"a variable ('$name') or an intrinsic function ('States.Format(...)'), got {value!r}; "
        f"drop the '.$' for a literal value"
    )


def type_name(value: object) -> str:
    """JSON type name of a Python value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    return type(value).__name__
