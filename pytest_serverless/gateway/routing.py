"""Route keys and matching: path parameters, greedy ``{proxy+}``, ``ANY``, ``$default``, most specific first.

A ``RouteTable``'s route keys are compiled into a tree of path segments, once per process for one list of
keys (the tables of every app of one template share it, and what matching on it found). Matching walks it
one segment at a time, trying a static segment before a ``{param}`` before a ``{proxy+}`` and backing up
when a branch leads nowhere, so the first route found is the most specific one (AWS's order) and the cost
grows with the path's length, not with the number of routes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, NamedTuple, TypeVar
from urllib.parse import unquote

from pytest_serverless._cache import BoundedCache, memoize
from pytest_serverless.errors import UsageError

__all__ = ["METHODS", "ParsedRouteKey", "RouteMatch", "RouteTable", "parse_route_key"]

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"})
_PARAM = re.compile(r"^\{([A-Za-z0-9._$-]+)(\+?)\}$")
_MULTI_SLASH = re.compile(r"^/{2,}")

R = TypeVar("R")
_UNSEEN: Any = object()


@dataclass(frozen=True)
class ParsedRouteKey:
    """A route key (``GET /orders/{id}``, ``$default``), parsed once."""

    method: str  # "GET", ..., "ANY", or "$default"
    path: str  # "/orders/{id}" ("" for $default)
    params: tuple[str, ...]
    greedy: bool
    static: bool

    @functools.cached_property
    def route_key(self) -> str:  # made once: every request reads it
        return "$default" if self.method == "$default" else f"{self.method} {self.path}"


def parse_route_key(route_key: str, *, api_kind: Literal["REST", "HTTP"]) -> ParsedRouteKey:
    """Parse ``"GET /orders/{id}"``; raise ``UsageError`` naming the route and what is wrong."""
    if not isinstance(route_key, str):
        raise UsageError(
            f"route key must be a string like 'GET /orders/{{id}}', not {type(route_key).__name__}"
        )
    text = route_key.strip()
    if text == "$default":
        if api_kind == "REST":
            raise UsageError(
                "route '$default': only HTTP APIs have a $default route; use 'ANY /{proxy+}' on REST"
            )
        return ParsedRouteKey("$default", "", (), False, False)
    method, _, path = text.partition(" ")
    method = method.upper()
    path = path.strip()
    if method not in METHODS:
        raise UsageError(
            f"route {route_key!r}: unknown method {method!r}; use one of {', '.join(sorted(METHODS))} "
            "followed by a path, e.g. 'GET /orders/{id}'"
        )
    if not path.startswith("/"):
        raise UsageError(f"route {route_key!r}: the path must start with '/', e.g. '{method} /orders'")
    if path != "/" and path.endswith("/"):
        path = path.rstrip("/")
    params: list[str] = []
    greedy = False
    segments = path.split("/")[1:] if path != "/" else []
    for index, segment in enumerate(segments):
        if segment == "":
            raise UsageError(f"route {route_key!r}: empty path segment ('//')")
        if "{" in segment or "}" in segment:
            found = _PARAM.match(segment)
            if found is None:
                raise UsageError(
                    f"route {route_key!r}: path segment {segment!r} must be a whole '{{name}}' or '{{name+}}'"
                )
            name, plus = found.groups()
            if name in params:
                raise UsageError(f"route {route_key!r}: path parameter {name!r} appears twice")
            if plus:
                if index != len(segments) - 1:
                    raise UsageError(
                        f"route {route_key!r}: the greedy parameter {{{name}+}} must be the last segment"
                    )
                greedy = True
            params.append(name)
    return ParsedRouteKey(method, path, tuple(params), greedy, not params)


class RouteMatch(NamedTuple, Generic[R]):
    route: R | None  # None: the path matched a resource but not the method (REST: 403)
    path_parameters: dict[str, str]
    resource_path: str


class _Compiled:
    """One resource path and the position of its route for each method (in the table's routes)."""

    __slots__ = ("method_routes", "names", "path")

    def __init__(self, path: str, params: Sequence[str]) -> None:
        self.path = path
        self.names = tuple(params)
        self.method_routes: dict[str, int] = {}


class _Node:
    """A point in the segment tree: the resource ending here, and where each kind of next segment leads."""

    __slots__ = ("greedy", "param", "resource", "static")

    def __init__(self) -> None:
        self.static: dict[str, _Node] = {}
        self.param: _Node | None = None  # a {name} segment
        self.greedy: _Compiled | None = None  # a {name+} segment: always the resource's last
        self.resource: _Compiled | None = None

    def add(self, compiled: _Compiled) -> None:
        node = self
        for segment in _segments(compiled.path):
            found = _PARAM.match(segment) if "{" in segment else None
            if found is None:
                node = node.static.setdefault(segment, _Node())
            elif found.group(2):
                node.greedy = compiled
                return
            else:
                if node.param is None:
                    node.param = _Node()
                node = node.param
        node.resource = compiled


def _segments(path: str) -> list[str]:
    return path[1:].split("/") if path != "/" else []


def _walk(
    node: _Node, segments: list[str], index: int, values: list[str], method: str | None
) -> tuple[_Compiled, list[str]] | None:
    """The most specific resource under ``node`` for ``segments[index:]`` (with a route for ``method``, when
    given, or ``ANY``), and the path parameter values on the way: static before ``{param}`` before
    ``{proxy+}`` at each segment, backing up from dead ends, so the first found is the most specific."""
    if index == len(segments):
        found = node.resource
        if found is not None and (method is None or _serves(found, method)):
            return found, values
        return None
    segment = segments[index]
    child = node.static.get(segment)
    if child is not None:
        match = _walk(child, segments, index + 1, values, method)
        if match is not None:
            return match
    if node.param is not None and segment:
        match = _walk(node.param, segments, index + 1, [*values, segment], method)
        if match is not None:
            return match
    greedy = node.greedy
    if greedy is not None and (method is None or _serves(greedy, method)):
        rest = "/".join(segments[index:])
        if rest:
            return greedy, [*values, rest]
    return None


def _serves(compiled: _Compiled, method: str) -> bool:
    routes = compiled.method_routes
    return method in routes or "ANY" in routes


# (position of the route, path parameters, resource path): what matching a method and path finds
_Found = tuple[int | None, dict[str, str], str]


class _Shape:
    """The compiled tree of one list of route keys and what matching on it found, shared by every table of
    those keys (a pure function of them): each app's deployments of one template's API match on one."""

    __slots__ = ("api_kind", "default", "found", "paths", "root")

    def __init__(self, keys: tuple[ParsedRouteKey, ...], api_kind: Literal["REST", "HTTP"]) -> None:
        self.api_kind = api_kind
        self.default: int | None = None
        by_path: dict[str, _Compiled] = {}
        for position, key in enumerate(keys):
            if key.method == "$default":
                self.default = position
                continue
            compiled = by_path.get(key.path)
            if compiled is None:
                compiled = by_path[key.path] = _Compiled(key.path, key.params)
            compiled.method_routes[key.method] = position
        self.paths = sorted(by_path)
        self.root = _Node()
        for compiled in by_path.values():
            self.root.add(compiled)
        # (method, path) -> what ``match`` found, or None
        self.found: BoundedCache[tuple[str, str], _Found | None] = BoundedCache(2048)

    def match(self, method: str, path: str) -> _Found | None:
        if path.startswith("//"):
            path = _MULTI_SLASH.sub("/", path)
        lookup = path.rstrip("/") or "/" if len(path) > 1 else path
        segments = _segments(lookup)
        if self.api_kind == "HTTP":
            found = _walk(self.root, segments, 0, [], method)
            if found is None:
                return None if self.default is None else (self.default, {}, "$default")
            compiled, values = found
            decoded = [unquote(value) for value in values]
        else:
            found = _walk(self.root, segments, 0, [], None)
            if found is None:
                return None
            compiled, decoded = found
        routes = compiled.method_routes
        position = routes.get(method)
        if position is None:
            position = routes.get("ANY")  # HTTP: present (the walk asked for it); REST: None is AWS's 403
        parameters = dict(zip(compiled.names, decoded, strict=False))  # as many values as names
        return position, parameters, compiled.path


@memoize(256)
def _shape(keys: tuple[ParsedRouteKey, ...], api_kind: Literal["REST", "HTTP"]) -> _Shape:
    return _Shape(keys, api_kind)


class RouteTable(Generic[R]):
    """Compiled routes of one deployment. ``routes``: ``(ParsedRouteKey, route)`` pairs.

    The segment tree and the lookups on it depend on the route keys alone: tables of the same keys (each
    app's deployment of one template's API) share them, and hold their own routes.
    """

    __slots__ = ("_found", "_routes", "_shape", "api_kind", "default")

    def __init__(
        self, routes: Iterable[tuple[ParsedRouteKey, R]], *, api_kind: Literal["REST", "HTTP"]
    ) -> None:
        pairs = list(routes)
        self.api_kind = api_kind
        self._routes: tuple[R, ...] = tuple(route for _, route in pairs)
        self._shape = shape = _shape(tuple(key for key, _ in pairs), api_kind)
        self._found = shape.found
        self.default: R | None = None if shape.default is None else self._routes[shape.default]

    def lookup(self, method: str, path: str) -> tuple[R | None, dict[str, str], str] | None:
        """``match`` as a ``(route, path_parameters, resource_path)`` tuple, remembered per method and path.

        The table never changes, so a path seen before costs a dict lookup; the path parameters are a new
        dict on every call (the caller may keep it).
        """
        key = (method, path)
        found = self._found.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self._found.put(key, self._shape.match(method, path))
        if found is None:
            return None
        position = found[0]
        return None if position is None else self._routes[position], found[1].copy(), found[2]

    def match(self, method: str, path: str) -> RouteMatch[R] | None:
        """The most specific route for ``method`` and ``path`` (path without the stage), or ``None``.

        REST: the most specific resource, then its method (``route`` is ``None`` when the resource has neither
        the method nor ``ANY``: AWS answers 403). HTTP API: the most specific route that serves the method,
        else ``$default``; path parameter values are percent-decoded.
        """
        found = self._shape.match(method, path)
        if found is None:
            return None
        position, parameters, resource_path = found
        return RouteMatch(None if position is None else self._routes[position], parameters, resource_path)

    def resource_paths(self) -> list[str]:
        return list(self._shape.paths)
