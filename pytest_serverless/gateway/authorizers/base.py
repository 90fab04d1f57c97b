"""The contract between the gateway pipeline and authorizers.

The pipeline builds an ``AuthorizationCall`` for the matched route and asks the route's authorizer for an
``AuthDecision``. An authorizer never builds HTTP responses itself: it names the gateway response type
(``UNAUTHORIZED``, ``ACCESS_DENIED``...) and the pipeline renders it the way the API kind (REST or HTTP) does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pytest_serverless.clock import VirtualClock
from pytest_serverless.gateway.request import GatewayRequest

__all__ = ["AuthDecision", "AuthorizationCall", "Authorizer"]

ApiKind = Literal["REST", "HTTP"]


@dataclass(frozen=True)
class AuthorizationCall:
    """Everything an authorizer may look at for one request."""

    request: GatewayRequest
    api_kind: ApiKind
    api_id: str
    api_name: str
    stage: str
    stage_variables: Mapping[str, str]
    route_key: str  # "GET /orders/{id}" (HTTP API) or the same built from REST method + resource path
    resource_path: str  # "/orders/{id}"
    path_parameters: Mapping[str, str]
    method_arn: (
        str  # arn:aws:execute-api:us-east-1:123456789012:<apiId>/<stage>/<METHOD>/<path without leading />
    )
    request_id: str
    clock: VirtualClock
    scopes: tuple[str, ...] = ()  # authorization scopes the route requires (JWT / Cognito)
    account_id: str = "123456789012"
    region: str = "us-east-1"
    # the result cache of this authorizer on this API, owned by the API (so an authorizer object shared by
    # several gateways, e.g. at module scope, never answers one test from another's results). ``None``
    # (an AuthorizationCall built by hand): the authorizer's own cache.
    cache: dict[Any, Any] | None = None


@dataclass(frozen=True)
class AuthDecision:
    """An authorizer's verdict.

    ``response_type`` is ``None`` when the request may go on, else the API Gateway response type the
    pipeline must answer with: ``UNAUTHORIZED`` (401), ``ACCESS_DENIED`` (403; ``message`` tells explicit from
    implicit deny), ``AUTHORIZER_CONFIGURATION_ERROR`` (500), ``AUTHORIZER_FAILURE`` (500),
    ``MISSING_AUTHENTICATION_TOKEN`` (403), ``INVALID_SIGNATURE`` (403), ``EXPIRED_TOKEN`` (403),
    ``FORBIDDEN`` (HTTP API Lambda authorizer deny, 403).
    """

    response_type: str | None = None
    message: str | None = None  # overrides the default message of the response type
    headers: Mapping[str, str] = field(default_factory=dict)  # e.g. www-authenticate for HTTP API JWT
    principal_id: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)  # Lambda authorizer context
    claims: Mapping[str, Any] | None = None  # JWT / Cognito claims
    scopes: tuple[str, ...] | None = None  # JWT scopes granted
    usage_identifier_key: str | None = None  # API key chosen by a Lambda authorizer
    identity: Mapping[str, Any] = field(default_factory=dict)  # IAM: accessKey, caller, user, userArn...
    cached: bool = False
    latency: float = 0.0  # virtual seconds spent in the authorizer
    # overrides the response type's x-amzn-ErrorType (IAM: UnrecognizedClientException...)
    error_type: str | None = None
    # why the request was refused, for logs and failure messages (never sent to clients)
    reason: str | None = None

    @property
    def allowed(self) -> bool:
        return self.response_type is None


class Authorizer(Protocol):
    """What ``api.authorizer(name, authorizer)`` accepts."""

    def authorize(self, call: AuthorizationCall) -> AuthDecision: ...
