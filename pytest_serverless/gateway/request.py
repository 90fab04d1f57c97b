"""The request as the gateway pipeline sees it: method, path, multi-valued headers and query, body."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

__all__ = ["GatewayRequest", "Headers"]


class Headers(Mapping[str, str]):
    """Case-insensitive, multi-valued HTTP headers that keep the client's spelling and order.

    ``headers["x-a"]`` gives the last value (as API Gateway's single-value view does);
    ``headers.get_all("x-a")`` gives every value.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str]] | Mapping[str, str] | None = None) -> None:
        if items is None:
            pairs: list[tuple[str, str]] = []
        elif isinstance(items, Mapping):
            pairs = [(str(k), str(v)) for k, v in items.items()]
        else:
            pairs = [(str(k), str(v)) for k, v in items]
        self._items = pairs

    def __getitem__(self, name: str) -> str:
        lowered = name.lower()
        for key, value in reversed(self._items):
            if key.lower() == lowered:
                return value
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for key, _ in self._items:
            if key.lower() not in seen:
                seen.add(key.lower())
                yield key

    def __len__(self) -> int:
        return len({key.lower() for key, _ in self._items})

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(key.lower() == name.lower() for key, _ in self._items)

    def get_all(self, name: str) -> list[str]:
        lowered = name.lower()
        return [value for key, value in self._items if key.lower() == lowered]

    def items_all(self) -> list[tuple[str, str]]:
        """Every (name, value) pair in the order received."""
        return list(self._items)

    def add(self, name: str, value: str) -> None:
        self._items.append((name, value))

    def set(self, name: str, value: str) -> None:
        lowered = name.lower()
        self._items = [(k, v) for k, v in self._items if k.lower() != lowered]
        self._items.append((name, value))

    def remove(self, name: str) -> None:
        lowered = name.lower()
        self._items = [(k, v) for k, v in self._items if k.lower() != lowered]

    def copy(self) -> Headers:
        return Headers(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


@dataclass
class GatewayRequest:
    """One request as received by a stage (``path`` excludes the stage; ``raw_path`` is what the client sent)."""

    method: str
    path: str
    headers: Headers = field(default_factory=Headers)
    query: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    raw_path: str = ""
    raw_query_string: str = ""
    source_ip: str = "198.51.100.1"
    protocol: str = "HTTP/1.1"
    domain_name: str = ""

    def query_values(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]
