"""The API Gateway emulator (REST and HTTP APIs): ``Gateway`` and the objects it hands out."""

from __future__ import annotations

from .client import Client
from .model import Api, Gateway, Route, Stage
from .request import GatewayRequest, Headers, Response
from .usage_plans import UsagePlan

__all__ = ["Api", "Client", "Gateway", "GatewayRequest", "Headers", "Response", "Route", "Stage", "UsagePlan"]
