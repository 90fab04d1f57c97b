"""The API Gateway emulator (REST and HTTP APIs)."""

from __future__ import annotations

__all__: list[str] = []
