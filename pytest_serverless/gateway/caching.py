"""The REST stage cache: TTL on the virtual clock, keys from method, resource and cache key parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pytest_serverless.errors import UsageError

from .request import GatewayRequest, Headers

__all__ = [
    "INVALIDATE_CACHE",
    "UNAUTHORIZED_WARNING",
    "CacheEntry",
    "StageCache",
    "cache_key",
    "check_cache_control",
    "check_cache_ttl",
    "normalize_cache_key_parameter",
]

MAX_TTL = 3600
INVALIDATE_CACHE = "execute-api:InvalidateCache"
#: ``UnauthorizedCacheControlHeaderStrategy`` values; AWS's default when caching is enabled comes first
STRATEGIES = ("SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER", "FAIL_WITH_403")
#: the header SUCCEED_WITH_RESPONSE_HEADER adds (the exact text is not in AWS's documentation)
UNAUTHORIZED_WARNING = (
    "Warning",
    '199 "Cache-control headers were ignored because the caller was unauthorized."',
)
_SOURCES = ("path", "querystring", "multivaluequerystring", "header", "multivalueheader")


def check_cache_ttl(ttl: object, where: str) -> int:
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or ttl < 0 or ttl > MAX_TTL:
        raise UsageError(
            f"{where}: cache_ttl must be a number of seconds from 0 (off) to {MAX_TTL}, got {ttl!r}"
        )
    return int(ttl)


def check_cache_control(require: object, strategy: object, where: str) -> tuple[bool, str]:
    """``RequireAuthorizationForCacheControl`` and ``UnauthorizedCacheControlHeaderStrategy``, checked."""
    if not isinstance(require, bool):
        raise UsageError(
            f"{where}: require_authorization_for_cache_control must be True or False, got {require!r}"
        )
    if strategy not in STRATEGIES:
        raise UsageError(
            f"{where}: unauthorized_cache_control_header_strategy must be one of {', '.join(STRATEGIES)}, "
            f"got {strategy!r}"
        )
    return require, str(strategy)


def normalize_cache_key_parameter(name: str, path_params: Sequence[str], where: str) -> tuple[str, str]:
    """``"method.request.querystring.q"``, ``"querystring.q"``, ``"header.X"``, a bare name -> (source, name).

    A bare name is a path parameter when the route has one of that name, else a query string parameter.
    """
    if not isinstance(name, str) or not name:
        raise UsageError(f"{where}: cache_key_parameters entries must be non-empty strings, got {name!r}")
    text = name[len("method.request.") :] if name.startswith("method.request.") else name
    source, dot, rest = text.partition(".")
    if dot and source in _SOURCES:
        if not rest:
            raise UsageError(f"{where}: cache key parameter {name!r} has no parameter name")
        return source, rest.lower() if "header" in source else rest
    if name.startswith("method.request."):
        raise UsageError(
            f"{where}: cache key parameter {name!r}: the source must be one of {', '.join(_SOURCES)}"
        )
    return ("path", text) if text in path_params else ("querystring", text)


def cache_key(
    request: GatewayRequest,
    resource: str,
    path_params: Mapping[str, str],
    parameters: Sequence[tuple[str, str]],
) -> tuple[object, ...]:
    parts: list[object] = [request.method, resource]
    for source, name in parameters:
        if source == "path":
            parts.append(path_params.get(name))
        elif source == "querystring":
            values = request.query_values(name)
            parts.append(values[-1] if values else None)
        elif source == "multivaluequerystring":
            parts.append(tuple(request.query_values(name)))
        elif source == "header":
            parts.append(request.headers.get(name))
        else:
            parts.append(tuple(request.headers.get_all(name)))
    return tuple(parts)


@dataclass(frozen=True)
class CacheEntry:
    """A cached integration response and when it expires (virtual clock)."""

    status: int
    headers: Headers
    body: bytes
    expires: float


class StageCache:
    """Entries live ``ttl`` virtual seconds; ``flush()`` empties the cache (as "Flush stage cache" does)."""

    __slots__ = ("_entries", "ttl")

    def __init__(self, ttl: int) -> None:
        self.ttl = ttl
        self._entries: dict[tuple[object, ...], CacheEntry] = {}

    def get(self, key: tuple[object, ...], now: float) -> CacheEntry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= now:
            del self._entries[key]
            return None
        return entry

    def put(
        self,
        key: tuple[object, ...],
        status: int,
        headers: Headers,
        body: bytes,
        now: float,
        ttl: int | None = None,
    ) -> None:
        """Store an answer for ``ttl`` seconds (a method's ``CacheTtlInSeconds``), else the stage's TTL."""
        expires = now + (self.ttl if ttl is None else ttl)
        self._entries[key] = CacheEntry(status, headers.copy(), body, expires)

    def flush(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
