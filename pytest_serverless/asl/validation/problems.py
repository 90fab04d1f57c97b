"""``Problems``: the one collector every check of a definition appends to.

A problem is a JSON pointer (RFC 6901, ``""`` for the whole definition) and a message that quotes the JSON
keys users search for. Validation (this package), the parser (``parse.py``), placeholder substitution
(``definition.py``) and the Choice rule checks (``choice.py``) all ``add`` to one, and ``InvalidDefinition``
takes it as it is (an iterable of ``(pointer, message)`` pairs).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

__all__ = ["Problems"]


class Problems:
    """``(json_pointer, message)`` pairs in the order the checks found them."""

    __slots__ = ("_found",)

    def __init__(self) -> None:
        self._found: list[tuple[str, str]] = []

    def add(self, pointer: str, message: str) -> None:
        """Record one problem at ``pointer``."""
        self._found.append((pointer, message))

    def extend(self, found: Iterable[tuple[str, str]]) -> None:
        """Record the problems another check found, in their order."""
        self._found.extend(found)

    def as_list(self) -> list[tuple[str, str]]:
        """The problems as a new list of ``(pointer, message)`` pairs."""
        return list(self._found)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._found)

    def __len__(self) -> int:
        return len(self._found)

    def __bool__(self) -> bool:
        return bool(self._found)

    def __repr__(self) -> str:
        return f"Problems({self._found!r})"
