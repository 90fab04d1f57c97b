"""JSONPath for ASL: paths, reference paths, ResultPath writes, payload templates.

The only module importing jsonpath-ng. Simple (definite) paths such as ``$.a.b[0]`` are evaluated by a
small hand-written walker, which is what almost every definition uses and is fast; paths with wildcards,
filters, slices or recursive descent go through jsonpath-ng's extended parser. Everything is compiled once
per definition.

Errors: a missing path raises :class:`PathNotFound` carrying AWS's (Jayway JsonPath's) wording, which the
interpreter turns into ``States.Runtime`` with the state prefix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pytest_serverless._cache import BoundedCache

from ._json import dumps

__all__ = [
    "CompiledPath",
    "PathNotFound",
    "PayloadTemplate",
    "compile_path",
    "compile_payload",
    "compile_reference_path",
    "copy_json",
    "dumps",
    "write_result_path",
]

Resolver = Callable[[str], Any]


_SCALARS = (str, int, float, bool, type(None))


def copy_json(value: Any, depth: int = 0) -> Any:
    """A fresh copy of a JSON value (dicts and lists copied, scalars shared).

    Raises TypeError for a value JSON cannot hold and ValueError for nesting deeper than 1,000 levels.
    """
    if isinstance(value, _SCALARS):
        return value
    if depth > 1000:
        raise ValueError("the value is nested more than 1,000 levels deep")
    # Members of the plain scalar types are taken as they are without a call (the common case: this
    # copies every execution's input and output); anything else goes through the checks above.
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if type(key) is not str and not isinstance(key, str):
                raise TypeError(f"object keys must be strings, got {type(key).__name__} {key!r}")
            kind = type(item)
            if kind is str or kind is int or kind is float or kind is bool or item is None:
                out[key] = item
            else:
                out[key] = copy_json(item, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [
            item
            if (kind := type(item)) is str or kind is int or kind is float or kind is bool or item is None
            else copy_json(item, depth + 1)
            for item in value
        ]
    raise TypeError(f"{type(value).__name__} is not a JSON value")


class PathNotFound(LookupError):
    """A path that selects nothing. ``message`` is AWS's wording (without the state prefix)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class PathSyntaxError(ValueError):
    """A path that cannot be parsed."""


_TOKEN = re.compile(
    r"""\.(?P<name>[^.\[\]\s]+)          # .name
      | \[\s*(?P<index>-?\d+)\s*\]        # [0]
      | \[\s*'(?P<q1>(?:[^'\\]|\\.)*)'\s*\]   # ['name']
      | \[\s*"(?P<q2>(?:[^"\\]|\\.)*)"\s*\]   # ["name"]
    """,
    re.VERBOSE,
)
_COMPLEX = re.compile(r"\*|\[\s*\?|\.\.|\[[^\]]*[:,][^\]]*\]|\(")


def _bracket(steps: tuple[str | int, ...]) -> str:
    parts = ["$"]
    for step in steps:
        parts.append(f"[{step}]" if isinstance(step, int) else f"['{step}']")
    return "".join(parts)


class CompiledPath:
    """A compiled JSONPath. ``root`` is ``"$"`` (data), ``"$$"`` (context) or ``"$name"`` (a variable)."""

    __slots__ = ("definite", "root", "steps", "text", "variable", "_ng")

    def __init__(self, text: str) -> None:
        self.text = text
        self.variable: str | None = None
        self._ng: Any = None
        if text.startswith("$$"):
            self.root = "$$"
            rest = text[2:]
        elif text.startswith("$") and len(text) > 1 and (text[1].isalpha() or text[1] == "_"):
            match = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)", text)
            assert match is not None
            self.root = "$var"
            self.variable = match.group(1)
            rest = text[match.end() :]
        elif text.startswith("$"):
            self.root = "$"
            rest = text[1:]
        else:
            raise PathSyntaxError(f"The value '{text}' is not a valid path: it must start with '$'")
        if ".[" in rest:
            rest = _dot_bracket(rest)
        steps: list[str | int] = []
        position = 0
        simple = not _COMPLEX.search(rest)
        if simple:
            while position < len(rest):
                match = _TOKEN.match(rest, position)
                if match is None:
                    simple = False
                    break
                if match.group("name") is not None:
                    steps.append(match.group("name"))
                elif match.group("index") is not None:
                    steps.append(int(match.group("index")))
                else:
                    steps.append(match.group("q1") if match.group("q1") is not None else match.group("q2"))
                position = match.end()
        self.steps = tuple(steps)
        self.definite = simple
        if not simple:
            self._ng = _compile_stages(rest)

    def get(self, data: Any) -> Any:
        """The value the path selects in ``data`` (a list of matches for an indefinite path)."""
        if self.definite:
            value = data
            for position, step in enumerate(self.steps):
                if isinstance(step, int):
                    if isinstance(value, list) and -len(value) <= step < len(value):
                        value = value[step]
                        continue
                elif isinstance(value, dict) and step in value:
                    value = value[step]
                    continue
                if position == len(self.steps) - 1:
                    raise PathNotFound(f"No results for path: {_bracket(self.steps)}")
                raise PathNotFound(f"Missing property in path {_bracket(self.steps[: position + 1])}")
            return value
        values = [data]
        for kind, stage in self._ng:
            if kind == "ng":
                try:
                    values = [match.value for value in values for match in stage.find(value)]
                except _ng_errors() as error:  # jsonpath-ng's assorted errors on odd data
                    raise PathNotFound(f"No results for path: {self.text}") from error
            else:
                kept: list[Any] = []
                for value in values:
                    candidates = (
                        value if isinstance(value, list) else [value] if isinstance(value, dict) else []
                    )
                    kept.extend(item for item in candidates if stage(item, data))
                values = kept
        return values

    def __repr__(self) -> str:
        return f"CompiledPath({self.text!r})"


def _dot_bracket(rest: str) -> str:
    """``.[0]`` / ``.['a']`` / ``.[?(...)]`` -> ``[0]`` / ``['a']`` / ``[?(...)]``: Jayway reads a dot
    followed by a bracket as the bracket alone (``$.a.[0]`` is ``$.a[0]``, one value); ``..[`` stays."""
    out: list[str] = []
    quote = ""
    depth = 0
    for position, char in enumerate(rest):
        if quote:
            if char == quote and rest[position - 1] != "\\":
                quote = ""
        elif char in "'\"" and depth:
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth = max(depth - 1, 0)
        elif (
            char == "."
            and not depth
            and rest.startswith("[", position + 1)
            and not (position and rest[position - 1] == ".")
            and not rest.startswith("..", position)
        ):
            continue
        out.append(char)
    return "".join(out)


def _compile_stages(rest: str) -> list[tuple[str, Any]]:
    """An indefinite path as stages: jsonpath-ng expressions and filter predicates (``_path_filter``)."""
    from ._path_filter import FilterSyntaxError, compile_filter, split_filters  # indefinite paths are rare

    try:
        parts = split_filters(rest)
    except FilterSyntaxError as error:
        raise PathSyntaxError(str(error)) from error
    stages: list[tuple[str, Any]] = []
    for index, part in enumerate(parts):
        if index % 2:
            try:
                stages.append(("filter", compile_filter(part)))
            except FilterSyntaxError as error:
                raise PathSyntaxError(f"The value '${rest}' is not a valid JSONPath: {error}") from error
        elif part:
            stages.append(("ng", _compile_ng("$" + part)))
    return stages


def _ng_errors() -> tuple[type[Exception], ...]:
    """What jsonpath-ng raises on a path or data it cannot handle: its own errors and Python's from its code
    (anything else is a bug of ours). Evaluated only when an exception is being matched."""
    from jsonpath_ng.exceptions import JSONPathError

    return (
        JSONPathError,
        TypeError,
        ValueError,
        AttributeError,
        LookupError,
        ArithmeticError,
        RecursionError,
    )


def _compile_ng(text: str) -> Any:
    from jsonpath_ng.ext.parser import parse

    try:
        return parse(text)
    except _ng_errors() as error:  # the library refuses the user's text
        raise PathSyntaxError(f"The value '{text}' is not a valid JSONPath: {error}") from error


_CACHE: BoundedCache[str, CompiledPath] = BoundedCache(10_000)


def compile_path(text: str) -> CompiledPath:
    """Compile a Path (wildcards and filters allowed); cached by text."""
    compiled = _CACHE.get(text)
    if compiled is None:
        compiled = _CACHE.put(text, CompiledPath(text))
    return compiled


def compile_reference_path(text: str) -> CompiledPath:
    """Compile a Reference Path (a single node: no wildcards, filters or slices)."""
    compiled = compile_path(text)
    if not compiled.definite:
        raise PathSyntaxError(f"The value '{text}' is not a valid reference path")
    return compiled


def write_result_path(data: Any, path: CompiledPath, value: Any) -> Any:
    """Place ``value`` into a shallow-copied ``data`` at ``path`` (ResultPath), creating missing objects."""
    if not path.steps:
        return value
    if not isinstance(data, dict):
        raise PathNotFound(
            f'Unable to apply ResultPath "{path.text}" to input {dumps(data)}'  # caller rewrites
        )
    root: dict[str, Any] = dict(data)
    node: Any = root
    for position, step in enumerate(path.steps):
        last = position == len(path.steps) - 1
        if isinstance(step, int):
            if not isinstance(node, list) or not -len(node) <= step < len(node):
                raise PathNotFound(f'Unable to apply ResultPath "{path.text}"')
            if last:
                node[step] = value
            else:
                child = node[step]
                child = (
                    dict(child)
                    if isinstance(child, dict)
                    else list(child)
                    if isinstance(child, list)
                    else child
                )
                node[step] = child
                node = child
            continue
        if not isinstance(node, dict):
            raise PathNotFound(f'Unable to apply ResultPath "{path.text}"')
        if last:
            node[step] = value
        else:
            child = node.get(step)
            if child is None:
                child = {}
            elif isinstance(child, dict):
                child = dict(child)
            elif isinstance(child, list):
                child = list(child)
            else:
                raise PathNotFound(f'Unable to apply ResultPath "{path.text}"')
            node[step] = child
            node = child
    return root


# ---------------------------------------------------------------- payload templates


class _Field:
    __slots__ = ("key", "kind", "path", "text", "intrinsic")

    def __init__(self, key: str, text: str, kind: str, path: CompiledPath | None, intrinsic: Any) -> None:
        self.key = key
        self.text = text
        self.kind = kind
        self.path = path
        self.intrinsic = intrinsic


class PayloadTemplate:
    """A compiled Parameters / ItemSelector / ResultSelector / Assign (JSONPath) template."""

    __slots__ = ("_node", "constant")

    def __init__(self, node: Any, constant: bool) -> None:
        self._node = node
        self.constant = constant

    def evaluate(
        self, resolve: Callable[[CompiledPath, str, str], Any], call: Callable[[Any, str], Any]
    ) -> Any:
        """Build the payload. ``resolve(path, field_key, text)`` looks a path up (raising on failure);
        ``call(intrinsic, field_key)`` evaluates an intrinsic function call."""
        return _build(self._node, resolve, call)


def _build(
    node: Any, resolve: Callable[[CompiledPath, str, str], Any], call: Callable[[Any, str], Any]
) -> Any:
    if isinstance(node, _Field):
        if node.kind == "path":
            assert node.path is not None
            return resolve(node.path, node.key, node.text)
        return call(node.intrinsic, node.key)
    if isinstance(node, dict):
        return {key: _build(value, resolve, call) for key, value in node.items()}
    if isinstance(node, list):
        return [_build(value, resolve, call) for value in node]
    return node


def compile_payload(value: Any, compile_intrinsic: Callable[[str], Any]) -> PayloadTemplate:
    """Compile a payload template: keys ending in ``.$`` take a path, an intrinsic call or a variable."""
    node, constant = _compile_node(value, compile_intrinsic)
    return PayloadTemplate(value if constant else node, constant)


def _compile_node(value: Any, compile_intrinsic: Callable[[str], Any]) -> tuple[Any, bool]:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        constant = True
        for key, item in value.items():
            if isinstance(key, str) and key.endswith(".$") and isinstance(item, str):
                name = key[:-2]
                if item.startswith("$"):
                    out[name] = _Field(key, item, "path", compile_path(item), None)
                else:
                    out[name] = _Field(key, item, "intrinsic", None, compile_intrinsic(item))
                constant = False
            else:
                compiled, item_constant = _compile_node(item, compile_intrinsic)
                out[key] = compiled
                constant = constant and item_constant
        return out, constant
    if isinstance(value, list):
        items = [_compile_node(item, compile_intrinsic) for item in value]
        return [item for item, _ in items], all(c for _, c in items)
    return value, True
