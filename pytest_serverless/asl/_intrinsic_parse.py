"""Parser for intrinsic function calls: ``States.Format('x {}', $.a)`` -> a small syntax tree.

Grammar (AWS's dialect of the States Language)::

    call     := "States." NAME "(" [ argument ("," argument)* ] ")"
    argument := call | string | number | "true" | "false" | "null" | path
    string   := "'" ( char | "\\'" | "\\{" | "\\}" | "\\\\" )* "'"
    path     := "$" ...  (up to the next "," or ")" outside brackets and quotes)

Paths are kept as text: the interpreter's ``resolve`` evaluates them (no JSONPath library here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "INTRINSIC_PREFIX",
    "MAX_NESTING",
    "Call",
    "IntrinsicSyntaxError",
    "Literal",
    "Node",
    "PathArg",
    "parse_intrinsic",
]

#: What an intrinsic function call starts with (the names themselves live in ``intrinsics.FUNCTIONS``).
INTRINSIC_PREFIX = "States."

#: AWS: "You can nest up to 10 intrinsic functions within a field".
MAX_NESTING = 10

_NAME = re.compile(r"States\.([A-Za-z][A-Za-z0-9]*)")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPABLE = "'{}\\"


class IntrinsicSyntaxError(ValueError):
    """An intrinsic function call that cannot be parsed; ``position`` is the 0-based offset in ``text``."""

    def __init__(self, text: str, position: int, problem: str) -> None:
        self.text = text
        self.position = position
        self.problem = problem
        super().__init__(f"invalid intrinsic function {text!r}: {problem} at position {position}")


@dataclass(frozen=True)
class Literal:
    """A literal argument. ``template`` keeps a string literal's escape-aware form for States.Format."""

    value: object
    template: tuple[str | None, ...] | None = None  # text pieces, None marks an unescaped "{}"


@dataclass(frozen=True)
class PathArg:
    """A path argument: ``$``, ``$.a.b[0]``, ``$$.Execution.Id``, ``$var.x``."""

    path: str


@dataclass(frozen=True)
class Call:
    """A call of ``States.<name>`` with its arguments; ``position`` is where the call starts."""

    name: str
    args: tuple[Node, ...]
    position: int


Node = Literal | PathArg | Call


def parse_intrinsic(text: str) -> Call:
    """Parse a whole intrinsic call; anything after the closing parenthesis is an error."""
    parser = _Parser(text)
    call = parser.call(depth=1)
    parser.skip_space()
    if parser.pos != len(text):
        raise parser.error(f"unexpected {text[parser.pos :]!r} after the closing ')'")
    return call


class _Parser:
    __slots__ = ("pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, problem: str, position: int | None = None) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(self.text, self.pos if position is None else position, problem)

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def call(self, depth: int) -> Call:
        start = self.pos
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise self.error("expected a function name like 'States.Format'")
        if depth > MAX_NESTING:
            raise self.error(f"more than {MAX_NESTING} nested intrinsic functions")
        self.pos = match.end()
        self.skip_space()
        if self.peek() != "(":
            raise self.error(f"expected '(' after 'States.{match.group(1)}'")
        self.pos += 1
        args: list[Node] = []
        self.skip_space()
        if self.peek() == ")":
            self.pos += 1
            return Call(match.group(1), (), start)
        while True:
            self.skip_space()
            args.append(self.argument(depth, len(args) + 1))
            self.skip_space()
            char = self.peek()
            if char == ",":
                self.pos += 1
                continue
            if char == ")":
                self.pos += 1
                return Call(match.group(1), tuple(args), start)
            if not char:
                raise self.error(f"missing ')' to close 'States.{match.group(1)}('")
            raise self.error(f"expected ',' or ')' after argument {len(args)}, found {char!r}")

    def argument(self, depth: int, index: int) -> Node:
        char = self.peek()
        if not char or char in ",)":
            raise self.error(f"missing argument {index}")
        if char == "'":
            return self.string()
        if char == "$":
            return self.path()
        if char == "-" or char.isdigit():
            return self.number()
        if self.text.startswith(INTRINSIC_PREFIX, self.pos):
            return self.call(depth + 1)
        word = _WORD.match(self.text, self.pos)
        if word is not None:
            constants: dict[str, object] = {"true": True, "false": False, "null": None}
            if word.group() in constants:
                self.pos = word.end()
                return Literal(constants[word.group()])
            raise self.error(f"unknown argument {word.group()!r} (strings need single quotes)")
        raise self.error(f"unexpected {char!r} in argument {index}")

    def number(self) -> Literal:
        match = _NUMBER.match(self.text, self.pos)
        if match is None:
            raise self.error("invalid number")
        self.pos = match.end()
        if self.peek() and (self.peek().isalnum() or self.peek() in "._"):
            raise self.error(f"invalid number {self.text[match.start() : self.pos + 1]!r}", match.start())
        token = match.group()
        value: int | float = float(token) if any(c in token for c in ".eE") else int(token)
        return Literal(value)

    def string(self) -> Literal:
        start = self.pos
        self.pos += 1
        value: list[str] = []
        pieces: list[str | None] = []
        current: list[str] = []
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\":
                following = text[self.pos + 1 : self.pos + 2]
                if following and following in _ESCAPABLE:
                    value.append(following)
                    current.append(following)
                    self.pos += 2
                    continue
                # A lone backslash before another character stays as it is.
                value.append(char)
                current.append(char)
                self.pos += 1
                continue
            if char == "'":
                self.pos += 1
                pieces.append("".join(current))
                return Literal("".join(value), tuple(pieces))
            if char == "{" and text[self.pos + 1 : self.pos + 2] == "}":
                value.append("{}")
                pieces.append("".join(current))
                pieces.append(None)
                current = []
                self.pos += 2
                continue
            value.append(char)
            current.append(char)
            self.pos += 1
        raise self.error('unterminated string literal (missing closing "\'")', start)

    def path(self) -> PathArg:
        start = self.pos
        closers: list[str] = []
        quote = ""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if quote:
                if char == "\\":
                    self.pos += 2
                    continue
                if char == quote:
                    quote = ""
            elif char in "'\"" and closers:
                quote = char
            elif char in "[(":
                closers.append("]" if char == "[" else ")")
            elif char in "])":
                if not closers:
                    break
                if closers.pop() != char:
                    raise self.error("unterminated bracket or quote in path", start)
            elif char == "," and not closers:
                break
            self.pos += 1
        if quote or closers:
            raise self.error("unterminated bracket or quote in path", start)
        path = text[start : self.pos].rstrip()
        if not _is_plausible_path(path):
            raise self.error(f"invalid path {path!r}", start)
        return PathArg(path)


_PATH_HEAD = re.compile(r"\$(?:\$|[A-Za-z_][A-Za-z0-9_]*)?")


def _is_plausible_path(path: str) -> bool:
    """A path starts with ``$``, ``$$`` or ``$name`` and continues with ``.`` or ``[`` (no spaces)."""
    head = _PATH_HEAD.match(path)
    rest = path[head.end() :] if head is not None else path
    if not rest:
        return True
    if rest[0] not in ".[":
        return False
    return not (rest.endswith(".") or (" " in rest and "[" not in rest))
