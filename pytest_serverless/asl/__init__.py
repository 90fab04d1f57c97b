"""The Amazon States Language engine. Knows nothing of pytest or the gateway."""

from __future__ import annotations

__all__: list[str] = []
