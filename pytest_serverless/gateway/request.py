"""The HTTP messages of the gateway: the request as the pipeline sees it, and the response it gives back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["GatewayRequest", "Headers", "Response", "parse_query", "split_target"]


class Headers(Mapping[str, str]):
    """Case-insensitive, multi-valued HTTP headers that keep the client's spelling and order.

    ``headers["x-a"]`` gives the last value (as API Gateway's single-value view does);
    ``headers.get_all("x-a")`` gives every value.
    """

    __slots__ = ("_index", "_items", "_key")

    def __init__(self, items: Iterable[tuple[str, str]] | Mapping[str, str] | None = None) -> None:
        if items is None:
            pairs: list[tuple[str, str]] = []
        elif isinstance(items, Mapping):
            pairs = [(str(k), str(v)) for k, v in items.items()]
        else:
            pairs = [(str(k), str(v)) for k, v in items]
        self._items = pairs
        self._index: dict[str, str] | None = None
        self._key: tuple[tuple[str, str], ...] | None = None

    @classmethod
    def trusted(cls, pairs: list[tuple[str, str]]) -> Headers:
        """Headers over ``pairs`` as they are (already ``str`` pairs, owned by the new object): no copying."""
        headers = cls.__new__(cls)
        headers._items = pairs
        headers._index = None
        headers._key = None
        return headers

    def _lookup(self) -> dict[str, str]:
        """lower-cased name -> last value, built on first use (headers are read far more than written)."""
        index = self._index
        if index is None:
            index = self._index = {key.lower(): value for key, value in self._items}
        return index

    def __getitem__(self, name: str) -> str:
        try:
            return self._lookup()[name.lower()]
        except KeyError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for key, _ in self._items:
            if key.lower() not in seen:
                seen.add(key.lower())
                yield key

    def __len__(self) -> int:
        return len(self._lookup())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._lookup()

    def get(self, name: str, default: Any = None) -> Any:  # faster than Mapping.get's KeyError round trip
        """The value of header ``name`` (any case; the last one when repeated), else ``default``."""
        return self._lookup().get(name.lower(), default)

    def get_all(self, name: str) -> list[str]:
        """Every value of header ``name`` (any case), in order."""
        lowered = name.lower()
        return [value for key, value in self._items if key.lower() == lowered]

    def items_all(self) -> list[tuple[str, str]]:
        """Every (name, value) pair in the order received."""
        return list(self._items)

    def pairs(self) -> list[tuple[str, str]]:
        """``items_all()`` without the copy, for readers in the pipeline (do not change the list)."""
        return self._items

    def frozen(self) -> tuple[tuple[str, str], ...]:
        """The pairs as a tuple, made once until the headers change: a key for what is derived from them."""
        key = self._key
        if key is None:
            key = self._key = tuple(self._items)
        return key

    def add(self, name: str, value: str) -> None:
        """Add a header line (a repeated name keeps its earlier values)."""
        self._items.append((name, value))
        self._index = None
        self._key = None

    def set(self, name: str, value: str) -> None:
        """Replace every value of header ``name`` (any case) with ``value``."""
        lowered = name.lower()
        self._items = [(k, v) for k, v in self._items if k.lower() != lowered]
        self._items.append((name, value))
        self._index = None
        self._key = None

    def remove(self, name: str) -> None:
        """Remove every value of header ``name`` (any case)."""
        lowered = name.lower()
        self._items = [(k, v) for k, v in self._items if k.lower() != lowered]
        self._index = None
        self._key = None

    def copy(self) -> Headers:
        """A copy with the same lines."""
        return Headers(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


@dataclass(slots=True)
class GatewayRequest:
    """One request as a stage receives it (``path`` excludes the stage; ``raw_path`` is what was sent)."""

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
        """Every value of query parameter ``name``, in order."""
        return [value for key, value in self.query if key == name]


class Response:
    """The gateway's answer: ``status_code``, case-insensitive ``headers``, ``content``, ``text``, ``json()``

    ``answered_by`` names the pipeline step that produced the answer (``"route"``, ``"api_key"``,
    ``"authorizer"``, ``"validation"``, ``"throttle"``, ``"quota"``, ``"cache"``, ``"integration"``,
    ``"timeout"``, ``"cors"``); ``reason`` says why in words (never sent to the client), and ``error`` is the
    exception a handler or backend raised, if any (AWS hides both behind its answer; they are kept here for
    the test's failure report).
    """

    __slots__ = (
        "answered_by",
        "content",
        "error",
        "headers",
        "reason",
        "request",
        "request_id",
        "route_key",
        "status_code",
    )

    def __init__(
        self,
        status_code: int,
        headers: Headers,
        content: bytes,
        answered_by: str = "integration",
        request_id: str = "",
        route_key: str | None = None,
        request: GatewayRequest | None = None,
        error: BaseException | None = None,
        reason: str | None = None,
    ) -> None:
        self.reason = reason
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.answered_by = answered_by
        self.request_id = request_id
        self.route_key = route_key
        self.request = request
        self.error = error

    @property
    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        return self.content.decode("utf-8", "replace")

    @property
    def ok(self) -> bool:
        """Whether the status is below 400, as in ``requests``."""
        return self.status_code < 400

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.content)

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}] answered_by={self.answered_by!r}>"


def split_target(target: str) -> tuple[str, str]:
    """``"/a/b?x=1#frag"`` -> ``("/a/b", "x=1")``; the fragment is never sent, as with a real client."""
    target = target.partition("#")[0]
    path, _, query = target.partition("?")
    return path, query


def parse_query(raw_query: str) -> list[tuple[str, str]]:
    """Decode a query string as API Gateway does: ``+`` is a space, ``%2B`` a ``+``; blank values kept."""
    if not raw_query:
        return []
    return parse_qsl(raw_query, keep_blank_values=True)
