"""The API Gateway emulator (REST and HTTP APIs): ``Gateway`` and the objects it hands out."""

from __future__ import annotations

from .client import Client, Verb
from .integrations.builders import (
    AwsService,
    HttpCustom,
    HttpProxy,
    IntegrationObject,
    LambdaCustom,
    LambdaProxy,
    MockResponse,
    StepFunctionsExecution,
)
from .model import Api, Gateway, Route, Stage
from .request import GatewayRequest, Headers, Response
from .usage_plans import UsagePlan

__all__ = [
    "Api",
    "AwsService",
    "Client",
    "Gateway",
    "GatewayRequest",
    "Headers",
    "HttpCustom",
    "HttpProxy",
    "IntegrationObject",
    "LambdaCustom",
    "LambdaProxy",
    "MockResponse",
    "Response",
    "Route",
    "Stage",
    "StepFunctionsExecution",
    "UsagePlan",
    "Verb",
]
