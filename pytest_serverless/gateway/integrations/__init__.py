"""Integrations of the fake API Gateway: Lambda (proxy and VTL), HTTP / HTTP_PROXY, MOCK, Step Functions.

A custom integration kind (``gateway.register_integration(name, factory)``) is any object with
``invoke(IntegrationCall) -> IntegrationResult``.
"""

from __future__ import annotations

from .base import Integration, IntegrationCall, IntegrationFactory, IntegrationResult

__all__ = ["Integration", "IntegrationCall", "IntegrationFactory", "IntegrationResult"]
