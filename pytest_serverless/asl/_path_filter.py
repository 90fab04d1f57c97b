"""Filter expressions of AWS's JSONPath dialect: ``[?(@.price < 10 && @.tag == 'x' || !@.gone)]``.

AWS evaluates paths with Jayway JsonPath, whose filters know ``&&``, ``||``, ``!``, parentheses, the
comparisons ``== != < <= > >=``, regular expressions ``=~ /re/i``, ``in``/``nin`` and bare existence tests
(``@.field``). jsonpath-ng's filter grammar lacks ``||`` and ``!``, so filters are compiled here into
predicates; ``paths.py`` runs the rest of the path through jsonpath-ng.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

__all__ = ["FilterSyntaxError", "compile_filter", "split_filters"]

Predicate = Callable[[Any, Any], bool]
_MISSING = object()


class FilterSyntaxError(ValueError):
    """A filter expression that does not parse."""


def split_filters(text: str) -> list[str]:
    """``$.a[?(@.x > 1)].b`` -> ``["$.a", "?(@.x > 1)", ".b"]`` (filters at odd positions)."""
    parts: list[str] = []
    position = 0
    start = 0
    while True:
        index = text.find("[?(", position)
        if index < 0:
            break
        depth = 0
        quote = ""
        cursor = index + 1
        while cursor < len(text):
            char = text[cursor]
            if quote:
                if char == "\\":
                    cursor += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
            elif char == "]" and depth == 0:
                break
            cursor += 1
        if cursor >= len(text):
            raise FilterSyntaxError(f"unterminated filter in '{text}'")
        parts.append(text[start:index])
        parts.append(text[index + 1 : cursor])
        position = start = cursor + 1
    parts.append(text[start:])
    return parts


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<op>&&|\|\||==|!=|<=|>=|=~|<|>|!|\(|\))
      | (?P<path>[@$](?:\.[A-Za-z_][\w-]*|\[\s*(?:'[^']*'|"[^"]*"|-?\d+)\s*\]|\.length\(\))*)
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<regex>/(?:[^/\\]|\\.)*/[a-z]*)
      | (?P<word>true|false|null|in|nin|size|empty)
      | (?P<list>\[[^\]]*\])
    )""",
    re.VERBOSE,
)
_BARE_ITEM = re.compile(r"([\[,]\s*)([A-Za-z_][\w.\-]*)(?=\s*[,\]])")
_BARE_WORD = re.compile(r"\s*([A-Za-z_][\w-]*)")
_STEP = re.compile(
    r"\.([A-Za-z_][\w-]*)|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]|\[\s*(-?\d+)\s*\]|\.(length)\(\)"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            word = _BARE_WORD.match(text, position)
            if word is not None:
                # Jayway reads an unquoted word as a number literal and fails to compile the path, so AWS
                # refuses the definition; say how to write the string instead.
                raise FilterSyntaxError(
                    f"cannot parse filter expression '{text}' at position {word.start(1)}: the unquoted "
                    f"word {word.group(1)!r} is not a value (quote a string: '{word.group(1)}')"
                )
            raise FilterSyntaxError(f"cannot parse filter expression '{text}' at position {position}")
        kind = match.lastgroup
        assert kind is not None
        out.append((kind, match.group(kind)))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return out


def _path_getter(text: str) -> Callable[[Any, Any], Any]:
    root = text[0]
    steps: list[str | int] = []
    for match in _STEP.finditer(text[1:]):
        name, single, double, index, length = match.groups()
        if index is not None:
            steps.append(int(index))
        elif length is not None:
            steps.append("length()")
        else:
            steps.append(name if name is not None else single if single is not None else double)

    def get(current: Any, document: Any) -> Any:
        value = current if root == "@" else document
        for step in steps:
            if step == "length()" and isinstance(value, (list, str)):
                value = len(value)
            elif _has(value, step):
                value = value[step]
            else:
                return _MISSING
        return value

    return get


def _has(value: Any, step: str | int) -> bool:
    if isinstance(step, int):
        return isinstance(value, list) and -len(value) <= step < len(value)
    return isinstance(value, dict) and step in value


def _literal(kind: str, text: str) -> Any:
    import json

    if kind == "string":
        body = text[1:-1]
        return body.replace("\\'", "'").replace('\\"', '"').replace("\\\\", "\\")
    if kind == "number":
        return json.loads(text)
    if kind == "list":
        # Jayway reads a list with json-smart's permissive parser: single quotes, and unquoted words are
        # strings ([PENDING, 'DONE'] is ["PENDING", "DONE"]); true, false, null and numbers keep their type
        def quote(match: re.Match[str]) -> str:
            start, word = match.groups()
            return match.group(0) if word in ("true", "false", "null") else f'{start}"{word}"'

        quoted = _BARE_ITEM.sub(quote, text.replace("'", '"'))
        try:
            return json.loads(quoted)
        except ValueError as error:
            raise FilterSyntaxError(f"cannot parse list {text}") from error
    return {"true": True, "false": False, "null": None}[text]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_ORDERINGS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is _MISSING or right is _MISSING:
        return op == "!=" and not (left is _MISSING and right is _MISSING)
    if op in ("==", "!="):
        if _is_number(left) and _is_number(right):
            equal = left == right
        else:
            equal = type(left) is type(right) and left == right
        return equal if op == "==" else not equal
    if op == "=~":
        if not isinstance(left, str) or not isinstance(right, re.Pattern):
            return False
        return right.fullmatch(left) is not None
    if op in ("in", "nin"):
        inside = isinstance(right, list) and any(_compare("==", left, item) for item in right)
        return inside if op == "in" else not inside
    if _is_number(left) and _is_number(right) or isinstance(left, str) and isinstance(right, str):
        return bool(_ORDERINGS.get(op, operator.ge)(left, right))
    return False


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], text: str) -> None:
        self.tokens = tokens
        self.index = 0
        self.text = text

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FilterSyntaxError(f"unexpected end of filter expression '{self.text}'")
        self.index += 1
        return token

    def parse_or(self) -> Predicate:
        left = self.parse_and()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.parse_and()
            left = (lambda a, b: lambda cur, doc: a(cur, doc) or b(cur, doc))(left, right)
        return left

    def parse_and(self) -> Predicate:
        left = self.parse_unary()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.parse_unary()
            left = (lambda a, b: lambda cur, doc: a(cur, doc) and b(cur, doc))(left, right)
        return left

    def parse_unary(self) -> Predicate:
        token = self.peek()
        if token == ("op", "!"):
            self.take()
            inner = self.parse_unary()
            return lambda cur, doc: not inner(cur, doc)
        if token == ("op", "("):
            self.take()
            inner = self.parse_or()
            if self.take() != ("op", ")"):
                raise FilterSyntaxError(f"missing ')' in filter expression '{self.text}'")
            return inner
        return self.parse_comparison()

    def operand(self) -> Callable[[Any, Any], Any]:
        kind, text = self.take()
        if kind == "path":
            return _path_getter(text)
        if kind == "regex":
            body, _, flags = text[1:].rpartition("/")
            pattern = re.compile(body, re.IGNORECASE if "i" in flags else 0)
            return lambda cur, doc: pattern
        if kind in ("string", "number", "list") or (kind == "word" and text in ("true", "false", "null")):
            value = _literal(kind, text)
            return lambda cur, doc: value
        raise FilterSyntaxError(f"unexpected {text!r} in filter expression '{self.text}'")

    def parse_comparison(self) -> Predicate:
        left = self.operand()
        token = self.peek()
        if token is not None and (
            (token[0] == "op" and token[1] in ("==", "!=", "<", "<=", ">", ">=", "=~"))
            or (token[0] == "word" and token[1] in ("in", "nin"))
        ):
            op = self.take()[1]
            right = self.operand()
            return lambda cur, doc: _compare(op, left(cur, doc), right(cur, doc))
        return lambda cur, doc: left(cur, doc) is not _MISSING


def compile_filter(segment: str) -> Predicate:
    """``?(expr)`` -> ``predicate(item, document) -> bool``."""
    body = segment.strip()
    if not (body.startswith("?(") and body.endswith(")")):
        raise FilterSyntaxError(f"not a filter: '[{segment}]'")
    text = body[2:-1]
    parser = _Parser(_tokens(text), text)
    predicate = parser.parse_or()
    if parser.peek() is not None:
        raise FilterSyntaxError(f"unexpected {parser.peek()[1]!r} in filter expression '{text}'")  # type: ignore[index]
    return predicate
