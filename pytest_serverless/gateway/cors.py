"""CORS: preflight answers and the ``Access-Control-*`` headers added to actual answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_serverless.errors import UsageError

from .request import GatewayRequest

__all__ = ["CorsConfig", "cors_config"]

_KEYS = {
    "allow_origins": "allow_origins",
    "allowOrigins": "allow_origins",
    "allow_methods": "allow_methods",
    "allowMethods": "allow_methods",
    "allow_headers": "allow_headers",
    "allowHeaders": "allow_headers",
    "expose_headers": "expose_headers",
    "exposeHeaders": "expose_headers",
    "max_age": "max_age",
    "maxAge": "max_age",
    "allow_credentials": "allow_credentials",
    "allowCredentials": "allow_credentials",
}


@dataclass(frozen=True)
class CorsConfig:
    """An API's CORS settings (allowed origins, methods and headers; exposed headers; max age)."""

    allow_origins: tuple[str, ...] = ("*",)
    allow_methods: tuple[str, ...] = ("*",)
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False

    def origin_allowed(self, origin: str) -> str | None:
        if "*" in self.allow_origins:
            return origin if self.allow_credentials else "*"
        return origin if origin in self.allow_origins else None

    def preflight_headers(self, request: GatewayRequest) -> list[tuple[str, str]] | None:
        """Headers of the preflight answer, or ``None`` when the request is not a CORS preflight."""
        origin = request.headers.get("Origin")
        wanted = request.headers.get("Access-Control-Request-Method")
        if origin is None or wanted is None:
            return None
        allowed = self.origin_allowed(origin)
        if allowed is None:
            return []
        methods = self.allow_methods
        if "*" not in methods and wanted.upper() not in methods:
            return []
        pairs = [("Access-Control-Allow-Origin", allowed)]
        pairs.append(
            ("Access-Control-Allow-Methods", ",".join(methods) if "*" not in methods else wanted.upper())
        )
        requested = request.headers.get("Access-Control-Request-Headers")
        if self.allow_headers:
            pairs.append(("Access-Control-Allow-Headers", ",".join(self.allow_headers)))
        elif requested:
            pairs.append(("Access-Control-Allow-Headers", requested))
        if self.max_age is not None:
            pairs.append(("Access-Control-Max-Age", str(self.max_age)))
        if self.allow_credentials:
            pairs.append(("Access-Control-Allow-Credentials", "true"))
        return pairs

    def response_headers(self, request: GatewayRequest) -> list[tuple[str, str]]:
        origin = request.headers.get("Origin")
        if origin is None:
            return []
        allowed = self.origin_allowed(origin)
        if allowed is None:
            return []
        pairs = [("Access-Control-Allow-Origin", allowed)]
        if self.expose_headers:
            pairs.append(("Access-Control-Expose-Headers", ",".join(self.expose_headers)))
        if self.allow_credentials:
            pairs.append(("Access-Control-Allow-Credentials", "true"))
        return pairs


def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where}: cors {key} must be a list of strings, got {value!r}")
    return tuple(value)


def cors_config(value: Any, where: str) -> CorsConfig | None:
    """``cors=True`` (any origin), a dict (``allow_origins``/``allowOrigins``...) or a ``CorsConfig``."""
    if value is None or value is False:
        return None
    if value is True:
        return CorsConfig()
    if isinstance(value, CorsConfig):
        return value
    if not isinstance(value, Mapping):
        raise UsageError(f"{where}: cors= takes True, a dict or a CorsConfig, got {value!r}")
    fields: dict[str, Any] = {}
    for key, item in value.items():
        name = _KEYS.get(key)
        if name is None:
            raise UsageError(
                f"{where}: unknown cors key {key!r}; use one of {', '.join(sorted(set(_KEYS.values())))}"
            )
        if name in ("allow_origins", "allow_headers", "expose_headers"):
            fields[name] = _strings(item, where, key)
        elif name == "allow_methods":
            fields[name] = tuple(m.upper() for m in _strings(item, where, key))
        elif name == "max_age":
            if isinstance(item, bool) or not isinstance(item, int) or item < 0:
                raise UsageError(f"{where}: cors max_age must be a whole number of seconds, got {item!r}")
            fields[name] = item
        else:
            fields[name] = bool(item)
    return CorsConfig(**fields)
