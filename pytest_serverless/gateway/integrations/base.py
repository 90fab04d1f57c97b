"""What every integration receives (``IntegrationCall``) and returns (``IntegrationResult``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from pytest_serverless.clock import VirtualClock
from pytest_serverless.gateway.authorizers.base import AuthDecision
from pytest_serverless.gateway.request import GatewayRequest

__all__ = ["Integration", "IntegrationCall", "IntegrationFactory", "IntegrationResult"]


@dataclass(slots=True)
class IntegrationCall:
    """One request on its way to the backend, with everything the pipeline learned about it.

    The pipeline makes one per request, passing the fields by position (keywords cost a microsecond here):
    keep their order when adding one.
    """

    request: GatewayRequest
    api_kind: Literal["REST", "HTTP"]
    api_id: str
    api_name: str
    stage: str
    stage_variables: Mapping[str, str]
    deployment_id: str
    route_key: str  # "GET /orders/{id}" or "$default"
    resource_path: str  # "/orders/{id}"
    path_parameters: Mapping[str, str]
    request_id: str
    extended_request_id: str
    request_time: float  # epoch seconds (virtual)
    timeout: float
    clock: VirtualClock
    domain_name: str
    binary_media_types: tuple[str, ...] = ()
    auth: AuthDecision | None = None
    api_key: str | None = None
    api_key_id: str | None = None
    invocation_id: str = ""  # the id a Lambda function sees as context.aws_request_id
    trace_id: str = ""  # X-Amzn-Trace-Id, set when first needed (``events.trace_id``)


@dataclass(slots=True)
class IntegrationResult:
    """The backend's answer, or ``failure`` (a gateway response type such as ``LAMBDA_PROXY_FAILURE``)."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    failure: str | None = None
    error: BaseException | None = None
    trace_header: bool = False  # AWS_PROXY answers carry X-Amzn-Trace-Id; MOCK answers do not
    latency: float | None = None  # virtual seconds the request waited, when not the clock's own measure


class Integration(Protocol):
    """A backend kind: Lambda proxy, HTTP, MOCK, Step Functions, or one registered by a plugin."""

    def invoke(self, call: IntegrationCall) -> IntegrationResult: ...


IntegrationFactory = Callable[..., Integration]
