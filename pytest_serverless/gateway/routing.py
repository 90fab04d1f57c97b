"""Route keys and matching: path parameters, greedy ``{proxy+}``, ``ANY``, ``$default``, most specific first.

A ``RouteTable`` is compiled once per deployment: static paths go in a dict, the others become regular
expressions sorted by specificity (static segment < ``{param}`` < ``{proxy+}``), so matching a request is a
dict lookup or a short scan.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, NamedTuple, TypeVar
from urllib.parse import unquote

from pytest_serverless.errors import UsageError

__all__ = ["METHODS", "ParsedRouteKey", "RouteMatch", "RouteTable", "parse_route_key"]

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"})
_PARAM = re.compile(r"^\{([A-Za-z0-9._$-]+)(\+?)\}$")
_MULTI_SLASH = re.compile(r"^/{2,}")

R = TypeVar("R")
_UNSEEN: Any = object()


@dataclass(frozen=True)
class ParsedRouteKey:
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


class _Compiled(Generic[R]):
    __slots__ = ("method_routes", "names", "path", "regex", "specificity")

    def __init__(self, path: str, params: Sequence[str], greedy: bool) -> None:
        self.path = path
        self.names = tuple(params)
        parts: list[str] = []
        rank: list[int] = []
        for segment in path.split("/")[1:] if path != "/" else []:
            found = _PARAM.match(segment)
            if found is None:
                parts.append(re.escape(segment))
                rank.append(0)
            elif found.group(2):
                parts.append("(.+)")
                rank.append(2)
            else:
                parts.append("([^/]+)")
                rank.append(1)
        self.regex = re.compile("^/" + "/".join(parts) + "$")
        self.specificity = tuple(rank)
        self.method_routes: dict[str, R] = {}


class RouteTable(Generic[R]):
    """Compiled routes of one deployment. ``routes``: ``(ParsedRouteKey, route)`` pairs."""

    def __init__(
        self, routes: Iterable[tuple[ParsedRouteKey, R]], *, api_kind: Literal["REST", "HTTP"]
    ) -> None:
        self.api_kind = api_kind
        self.default: R | None = None
        by_path: dict[str, _Compiled[R]] = {}
        for key, route in routes:
            if key.method == "$default":
                self.default = route
                continue
            compiled = by_path.get(key.path)
            if compiled is None:
                compiled = by_path[key.path] = _Compiled(key.path, key.params, key.greedy)
            compiled.method_routes[key.method] = route
        self._static: dict[str, _Compiled[R]] = {p: c for p, c in by_path.items() if not c.names}
        self._dynamic: list[_Compiled[R]] = sorted(
            (c for c in by_path.values() if c.names), key=lambda c: c.specificity
        )
        # (method, path) -> (route, path parameters, resource path), or None: what ``match`` found
        self._found: dict[tuple[str, str], tuple[R | None, dict[str, str], str] | None] = {}

    def lookup(self, method: str, path: str) -> tuple[R | None, dict[str, str], str] | None:
        """``match`` as a ``(route, path_parameters, resource_path)`` tuple, remembered per method and path.

        The table never changes, so a path seen before costs a dict lookup; the path parameters are a new
        dict on every call (the caller may keep it).
        """
        key = (method, path)
        found = self._found.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self.match(method, path)  # a RouteMatch is the (route, parameters, resource path) tuple
            if len(self._found) >= 2048:
                self._found.clear()
            self._found[key] = found
        if found is None:
            return None
        return found[0], found[1].copy(), found[2]

    def match(self, method: str, path: str) -> RouteMatch[R] | None:
        """The most specific route for ``method`` and ``path`` (path without the stage), or ``None``."""
        if path.startswith("//"):
            path = _MULTI_SLASH.sub("/", path)
        lookup = path.rstrip("/") or "/" if len(path) > 1 else path
        if self.api_kind == "HTTP":
            return self._match_http(method, path, lookup)
        compiled = self._static.get(lookup)
        params: dict[str, str] = {}
        if compiled is None:
            for candidate in self._dynamic:
                found = candidate.regex.match(lookup)
                if found is not None:
                    compiled = candidate
                    params = dict(zip(candidate.names, found.groups(), strict=False))
                    break
            else:
                return None
        routes = compiled.method_routes
        route = routes.get(method)
        if route is None:
            route = routes.get("ANY")
        return RouteMatch(route, params, compiled.path)

    def _match_http(self, method: str, path: str, lookup: str) -> RouteMatch[R] | None:
        compiled = self._static.get(lookup)
        if compiled is not None:
            route = compiled.method_routes.get(method) or compiled.method_routes.get("ANY")
            if route is not None:
                return RouteMatch(route, {}, compiled.path)
        for candidate in self._dynamic:
            route = candidate.method_routes.get(method) or candidate.method_routes.get("ANY")
            if route is None:
                continue
            found = candidate.regex.match(lookup)
            if found is not None:
                values = (unquote(value) for value in found.groups())
                return RouteMatch(route, dict(zip(candidate.names, values, strict=False)), candidate.path)
        if self.default is not None:
            return RouteMatch(self.default, {}, "$default")
        return None

    def resource_paths(self) -> list[str]:
        return sorted({*self._static, *(c.path for c in self._dynamic)})
