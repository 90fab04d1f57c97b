"""Wildcard patterns matched without backtracking: IAM policy Action/Resource and ASL ``StringMatches``.

A pattern is split at its ``*`` into fixed-length segments. The first segment must match at the start of the
value, the last at its end, and each middle segment is searched leftmost after the previous one: the greedy
leftmost choice is always right for ``*`` (any later match of a segment leaves less room to the ones after
it). Each segment is searched once, so a pattern of ``k`` characters costs at most ``O(len(value) * k)``
character comparisons whatever the runs of ``*`` (a backtracking regular expression is polynomial in the
number of stars, and a client chooses both the value and, for authorizer policies, often the pattern).

Imports nothing from the package but ``_cache``: ``gateway`` and ``asl`` both use it.
"""

from __future__ import annotations

import re

from pytest_serverless._cache import BoundedCache

__all__ = ["Glob", "compile_glob"]


class Glob:
    """A compiled wildcard pattern; ``match(value)`` tests the whole value."""

    __slots__ = ("_first", "_last", "_middle", "_min_length", "_single", "pattern")

    def __init__(self, pattern: str, segments: list[tuple[str, int]], flags: int) -> None:
        self.pattern = pattern
        compiled = [(re.compile(source, flags), length) for source, length in segments]
        self._single = compiled[0] if len(compiled) == 1 else None
        self._first = compiled[0]
        self._last = compiled[-1]
        self._middle = tuple(compiled[1:-1])
        self._min_length = sum(length for _, length in segments)

    def match(self, value: str) -> bool:
        if self._single is not None:
            regex, length = self._single
            return len(value) == length and regex.fullmatch(value) is not None
        size = len(value)
        if size < self._min_length:
            return False
        first, first_length = self._first
        last, last_length = self._last
        end = size - last_length
        if first.match(value, 0, first_length) is None or last.match(value, end) is None:
            return False
        start = first_length
        for regex, length in self._middle:
            found = regex.search(value, start, end)
            if found is None:
                return False
            start = found.start() + length
        return True

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r})"


_GLOBS: BoundedCache[tuple[str, str | None, bool, bool], Glob] = BoundedCache(1024)


def compile_glob(
    pattern: str, *, any_char: str | None = None, escapes: bool = False, ignore_case: bool = False
) -> Glob:
    """``*`` is any run of characters (newlines too).

    ``any_char`` (IAM: ``"?"``) is a wildcard for exactly one character; ``escapes`` (ASL) makes ``\\*`` a
    literal star and ``\\\\`` a literal backslash; ``ignore_case`` compares letters case-insensitively.
    """
    key = (
        pattern,
        any_char,
        escapes,
        ignore_case,
    )  # inline, not ``memoize``: IAM policies call it per request
    glob = _GLOBS.get(key)
    if glob is None:
        glob = _GLOBS.put(key, _compile(pattern, any_char, escapes, ignore_case))
    return glob


def _compile(pattern: str, any_char: str | None, escapes: bool, ignore_case: bool) -> Glob:
    segments: list[tuple[str, int]] = []
    parts: list[str] = []
    length = 0
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if escapes and char == "\\" and index + 1 < len(pattern) and pattern[index + 1] in "*\\":
            parts.append(re.escape(pattern[index + 1]))
            length += 1
            index += 2
            continue
        if char == "*":
            segments.append(("".join(parts), length))
            parts, length = [], 0
        elif char == any_char:
            parts.append(".")
            length += 1
        else:
            parts.append(re.escape(char))
            length += 1
        index += 1
    segments.append(("".join(parts), length))
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return Glob(pattern, segments, flags)
