"""Integration objects (``LambdaProxy``, ``HttpProxy``, ``AwsService``...) and ``api.route(...)``'s shorthand
keywords -> the integration the pipeline invokes (and its kind, for logs and reports).

An integration object says what the backend is and holds the options of that kind only, as ``responses``
keeps ``Response`` and ``CallbackResponse``; ``api.route(key, integration=LambdaProxy(handler,
payload_format="2.0"))``. The shorthand keywords (``handler``, ``state_machine=``/``sync=``, ``http=``,
``mock=``) make the plain object of their kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pytest_serverless.errors import UsageError

from .base import Integration

if TYPE_CHECKING:
    from pytest_serverless.gateway.model import Api
    from pytest_serverless.gateway.websocket.integrations import RouteIntegration

__all__ = [
    "AwsService",
    "HttpCustom",
    "HttpProxy",
    "IntegrationObject",
    "LambdaCustom",
    "LambdaProxy",
    "MockResponse",
    "StepFunctionsExecution",
    "build_integration",
]

Handler = Callable[[Any, Any], Any]
Templates = Mapping[str, str] | None
IntegrationResponses = Sequence[Mapping[str, Any]] | None


class IntegrationObject:
    """The base of the integration objects ``api.route(key, integration=...)`` takes."""

    kind: ClassVar[str] = ""  # the route's ``integration_kind`` (access logs, coverage, reports)
    mapped: ClassVar[bool] = False  # whether the kind takes mapping templates (REST APIs only)

    def _build(self, api: Api, where: str) -> Integration:
        raise NotImplementedError

    def _websocket_route(self, where: str) -> RouteIntegration:
        raise UsageError(
            f"{where}: {type(self).__name__} is not a WebSocket integration; use a handler, mock=, http=, "
            "LambdaProxy, MockResponse or HttpProxy"
        )


def _check_mapping(api: Api, where: str, templates: Templates, responses: IntegrationResponses) -> None:
    """Mapping templates (``request_templates``, ``integration_responses``) are a REST API feature."""
    if api.kind == "HTTP" and (templates or responses):
        raise UsageError(f"{where}: mapping templates are a REST API feature; HTTP APIs do not have them")


def _check_handler(handler: Any, where: str) -> None:
    if not callable(handler):
        raise UsageError(f"{where}: the handler must be a function handler(event, context), got {handler!r}")


@dataclass(frozen=True, slots=True)
class LambdaProxy(IntegrationObject):
    """A Lambda proxy integration (AWS_PROXY): ``handler(event, context)`` gets the 1.0 (REST) or 2.0 (HTTP)
    event. ``function_name`` is the function's name in its context and logs; ``payload_format`` ("1.0" or
    "2.0", HTTP APIs) overrides the API's format. ``api.route(key, handler)`` is ``LambdaProxy(handler)``."""

    handler: Handler
    _: KW_ONLY
    function_name: str | None = None
    payload_format: str | None = None

    kind: ClassVar[str] = "lambda_proxy"

    def _build(self, api: Api, where: str) -> Integration:
        from .lambda_proxy import LambdaProxyIntegration

        _check_handler(self.handler, where)
        payload_format = self.payload_format
        if payload_format is not None:
            if api.kind == "REST" and payload_format != "1.0":
                raise UsageError(f"{where}: REST APIs send payload format 1.0 only, got {payload_format!r}")
            if payload_format not in ("1.0", "2.0"):
                raise UsageError(f"{where}: payload_format must be '1.0' or '2.0', got {payload_format!r}")
        return LambdaProxyIntegration(
            self.handler, function_name=self.function_name, payload_format=payload_format
        )

    def _websocket_route(self, where: str) -> RouteIntegration:
        from pytest_serverless.gateway.websocket.integrations import LambdaRoute

        if self.payload_format is not None:
            raise UsageError(f"{where}: WebSocket APIs have one payload format; drop payload_format=")
        _check_handler(self.handler, where)
        return LambdaRoute(self.handler, self.function_name)


@dataclass(frozen=True, slots=True)
class LambdaCustom(IntegrationObject):
    """A Lambda custom (non-proxy, type AWS) integration of a REST API: ``request_templates`` (content type
    -> VTL) make the function's event, ``integration_responses`` (``[{"statusCode": 405, "selectionPattern":
    ".*four hundred.*", "responseTemplates": {...}, "responseParameters": {...}}]``) map its answer."""

    handler: Handler
    _: KW_ONLY
    request_templates: Templates = None
    integration_responses: IntegrationResponses = None
    function_name: str | None = None

    kind: ClassVar[str] = "lambda"

    def _build(self, api: Api, where: str) -> Integration:
        from .lambda_proxy import LambdaIntegration

        _check_handler(self.handler, where)
        if api.kind == "HTTP":
            raise UsageError(f"{where}: LambdaCustom (non-proxy Lambda) is a REST API feature")
        return LambdaIntegration(
            self.handler,
            request_templates=self.request_templates,
            integration_responses=self.integration_responses,
            function_name=self.function_name,
        )


@dataclass(frozen=True, slots=True)
class StepFunctionsExecution(IntegrationObject):
    """A Step Functions integration: the request body (parsed JSON) is the execution input; ``sync=True``
    answers with StartSyncExecution's response, ``sync=False`` with StartExecution's. On REST APIs
    ``request_templates`` and ``integration_responses`` map the request and the answer.
    ``api.route(key, state_machine=sm, sync=True)`` is ``StepFunctionsExecution(sm, sync=True)``."""

    state_machine: Any
    _: KW_ONLY
    sync: bool = True
    request_templates: Templates = None
    integration_responses: IntegrationResponses = None

    kind: ClassVar[str] = "stepfunctions"

    def _build(self, api: Api, where: str) -> Integration:
        from .stepfunctions import StepFunctionsIntegration

        _check_mapping(api, where, self.request_templates, self.integration_responses)
        try:
            return StepFunctionsIntegration(
                self.state_machine,
                sync=self.sync,
                request_templates=self.request_templates,
                integration_responses=self.integration_responses,
            )
        except TypeError as exc:
            raise UsageError(f"{where}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class HttpProxy(IntegrationObject):
    """An HTTP proxy integration (HTTP_PROXY): the request is forwarded to ``url`` (``{proxy}`` and path
    parameters filled in) with ``requests``; ``method`` overrides the request's method.
    ``api.route(key, http=url)`` is ``HttpProxy(url)``."""

    url: str
    _: KW_ONLY
    method: str | None = None

    kind: ClassVar[str] = "http_proxy"

    def _build(self, api: Api, where: str) -> Integration:
        from .http import HttpIntegration

        return HttpIntegration(self.url, proxy=True, method=self.method)

    def _websocket_route(self, where: str) -> RouteIntegration:
        from pytest_serverless.gateway.websocket.integrations import HttpRoute

        if self.method is not None:
            raise UsageError(f"{where}: a WebSocket HTTP integration always POSTs; drop method=")
        return HttpRoute(self.url, where)


@dataclass(frozen=True, slots=True)
class HttpCustom(IntegrationObject):
    """An HTTP custom integration (type HTTP) of a REST API: ``request_templates`` make the backend's
    request, ``integration_responses`` map its answer; ``method`` overrides the request's method."""

    url: str
    _: KW_ONLY
    method: str | None = None
    request_templates: Templates = None
    integration_responses: IntegrationResponses = None

    kind: ClassVar[str] = "http"

    def _build(self, api: Api, where: str) -> Integration:
        from .http import HttpIntegration

        if api.kind == "HTTP":
            raise UsageError(f"{where}: HttpCustom (HTTP with mapping templates) is a REST API feature")
        return HttpIntegration(
            self.url,
            proxy=False,
            method=self.method,
            request_templates=self.request_templates,
            integration_responses=self.integration_responses,
        )


@dataclass(frozen=True, slots=True)
class MockResponse(IntegrationObject):
    """A MOCK integration answering ``response`` (``{"statusCode": 200, "body": "ok", "headers": {...}}``);
    on REST APIs ``request_templates`` and ``integration_responses`` work as AWS's MOCK does.
    ``api.route(key, mock=response)`` is ``MockResponse(response)``."""

    response: Mapping[str, Any]
    _: KW_ONLY
    request_templates: Templates = None
    integration_responses: IntegrationResponses = None

    kind: ClassVar[str] = "mock"

    def _build(self, api: Api, where: str) -> Integration:
        from .mock import MockIntegration

        _check_mapping(api, where, self.request_templates, self.integration_responses)
        return MockIntegration(
            self.response,
            where=where,
            request_templates=self.request_templates,
            integration_responses=self.integration_responses,
        )

    def _websocket_route(self, where: str) -> RouteIntegration:
        from pytest_serverless.gateway.websocket.integrations import MockRoute

        if self.request_templates or self.integration_responses:
            raise UsageError(f"{where}: WebSocket MOCK integrations take no mapping templates")
        return MockRoute(self.response, where)


@dataclass(frozen=True, slots=True)
class AwsService(IntegrationObject):
    """An AWS service integration.

    REST APIs: ``target`` is an ``arn:aws:apigateway:REGION:SERVICE:action/...`` or ``path/...`` URI;
    ``request_templates`` and ``request_parameters`` (``integration.request.header.X``...) build the service
    request, ``method`` is its method (default POST), ``integration_responses`` map the service's answer
    (without them the service's status and body pass through). HTTP APIs: ``target`` is the subtype
    (``"SQS-SendMessage"``) and ``request_parameters`` its parameters. Handlers registered with
    ``gateway.aws_service(service, action, handler)`` answer it, else moto's ``mock_aws`` when active.
    """

    target: str
    _: KW_ONLY
    method: str | None = None
    request_templates: Templates = None
    request_parameters: Mapping[str, str] | None = None
    integration_responses: IntegrationResponses = None

    kind: ClassVar[str] = "aws"

    def _build(self, api: Api, where: str) -> Integration:
        from .aws_service import AwsIntegration, SubtypeIntegration

        handlers = api.gateway.aws_handlers
        if api.kind == "HTTP":
            if self.request_templates or self.integration_responses:
                raise UsageError(f"{where}: HTTP APIs have no mapping templates; use request_parameters=")
            return SubtypeIntegration(
                str(self.target), handlers=handlers, request_parameters=self.request_parameters, where=where
            )
        if not isinstance(self.target, str):
            raise UsageError(
                f"{where}: AwsService takes an arn:aws:apigateway:REGION:SERVICE:action/... URI, "
                f"got {self.target!r}"
            )
        return AwsIntegration(
            self.target,
            handlers=handlers,
            http_method=self.method or "POST",
            request_templates=self.request_templates,
            integration_responses=self.integration_responses,
            request_parameters=self.request_parameters,
            where=where,
        )


def build_integration(
    api: Api,
    where: str,
    *,
    handler: Handler | None,
    state_machine: Any,
    sync: bool,
    http: str | None,
    mock: Mapping[str, Any] | None,
    integration: str | Integration | IntegrationObject | None,
    integration_options: Mapping[str, Any] | None,
) -> tuple[Integration, str]:
    """The integration of a route and its kind: from the one shorthand keyword or ``integration=`` given."""
    given = {"handler": handler, "state_machine": state_machine, "http": http, "mock": mock}
    chosen = _one_integration(where, {**given, "integration": integration}, sync)
    if isinstance(chosen, IntegrationObject):
        return chosen._build(api, where), chosen.kind
    if isinstance(chosen, str):
        return _registered(api, where, chosen, integration_options), chosen
    if not callable(getattr(chosen, "invoke", None)):
        raise UsageError(f"{where}: integration= takes a registered name or an object with invoke(call)")
    return chosen, type(chosen).__name__


def _one_integration(where: str, given: Mapping[str, Any], sync: bool) -> Any:
    """The integration the keywords ``given`` name: an ``IntegrationObject`` for a shorthand, else
    ``integration=``'s value; ``UsageError`` unless exactly one was given."""
    chosen = [name for name, value in given.items() if value is not None]
    if len(chosen) != 1:
        listed = ", ".join(chosen) if chosen else "none"
        raise UsageError(
            f"{where}: give exactly one integration: a handler, state_machine=, http=, mock= or integration= "
            f"(got {listed})"
        )
    name = chosen[0]
    value = given[name]
    if name == "state_machine":
        return StepFunctionsExecution(value, sync=sync)
    shorthand = _SHORTHANDS.get(name)
    return value if shorthand is None else shorthand(value)


_SHORTHANDS: dict[str, Callable[[Any], IntegrationObject]] = {
    "handler": LambdaProxy,
    "http": HttpProxy,
    "mock": MockResponse,
}


def _registered(api: Api, where: str, name: str, options: Mapping[str, Any] | None) -> Integration:
    """The integration ``gateway.register_integration(name, factory)`` makes from ``options``."""
    factory = api.gateway.integrations.get(name)
    if factory is None:
        known = ", ".join(sorted(api.gateway.integrations)) or "none"
        raise UsageError(
            f"{where}: no integration kind named {name!r} (registered: {known}); "
            "register it with gateway.register_integration(name, factory)"
        )
    built = factory(**dict(options or {}))
    if not callable(getattr(built, "invoke", None)):
        raise UsageError(
            f"{where}: integration factory {name!r} returned {built!r}, which has no invoke(call)"
        )
    return built
