"""WebSocket APIs (API.md section 8): ``gateway.websocket_api(...)``, its stages, connections and the
``@connections`` API (``connections.py``), on the gateway's virtual clock."""

from __future__ import annotations

from .client import WebSocketClient
from .connection import Connection
from .model import WebSocketApi, WebSocketRoute
from .stage import WebSocketStage

__all__ = ["Connection", "WebSocketApi", "WebSocketClient", "WebSocketRoute", "WebSocketStage"]
