"""``api.route(...)`` keywords -> an integration object (and its kind, for logs and reports)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_serverless.errors import UsageError

from .base import Integration

if TYPE_CHECKING:
    from pytest_serverless.gateway.model import Api

__all__ = ["build_integration"]


def build_integration(
    api: Api,
    where: str,
    *,
    handler: Callable[[Any, Any], Any] | None,
    state_machine: Any,
    sync: bool,
    http: str | None,
    http_proxy: bool,
    http_method: str | None,
    mock: Mapping[str, Any] | None,
    integration: str | Integration | None,
    integration_options: Mapping[str, Any] | None,
    proxy: bool,
    request_templates: Mapping[str, str] | None,
    integration_responses: Sequence[Mapping[str, Any]] | None,
    function_name: str | None,
    payload_format: str | None = None,
    aws: str | None = None,
    request_parameters: Mapping[str, str] | None = None,
) -> tuple[Integration, str]:
    given = {
        "handler": handler is not None,
        "state_machine": state_machine is not None,
        "http": http is not None,
        "mock": mock is not None,
        "integration": integration is not None,
        "aws": aws is not None,
    }
    chosen = [name for name, present in given.items() if present]
    if len(chosen) != 1:
        listed = ", ".join(chosen) if chosen else "none"
        raise UsageError(
            f"{where}: give exactly one integration: a handler, state_machine=, http=, mock=, aws= or "
            "integration= "
            f"(got {listed})"
        )
    if (request_templates or integration_responses) and api.kind == "HTTP":
        raise UsageError(f"{where}: mapping templates are a REST API feature; HTTP APIs do not have them")
    if request_parameters is not None and aws is None:
        raise UsageError(f"{where}: request_parameters= applies to AWS service integrations (aws=)")
    if aws is not None:
        from .aws_service import AwsIntegration, SubtypeIntegration

        if api.kind == "HTTP":
            if request_templates or integration_responses:
                raise UsageError(f"{where}: HTTP APIs have no mapping templates; use request_parameters=")
            subtype = SubtypeIntegration(
                str(aws),
                handlers=api.gateway.aws_handlers,
                request_parameters=request_parameters,
                where=where,
            )
            return subtype, "aws"
        if not isinstance(aws, str):
            raise UsageError(
                f"{where}: aws= takes an arn:aws:apigateway:REGION:SERVICE:action/... URI, got {aws!r}"
            )
        service_integration = AwsIntegration(
            aws,
            handlers=api.gateway.aws_handlers,
            http_method=http_method or "POST",
            request_templates=request_templates,
            integration_responses=integration_responses,
            request_parameters=request_parameters,
            where=where,
        )
        return service_integration, "aws"
    if handler is not None:
        if not callable(handler):
            raise UsageError(
                f"{where}: the handler must be a function handler(event, context), got {handler!r}"
            )
        from .lambda_proxy import LambdaIntegration, LambdaProxyIntegration

        if payload_format is not None:
            if api.kind == "REST" and payload_format != "1.0":
                raise UsageError(f"{where}: REST APIs send payload format 1.0 only, got {payload_format!r}")
            if payload_format not in ("1.0", "2.0"):
                raise UsageError(f"{where}: payload_format must be '1.0' or '2.0', got {payload_format!r}")
        if proxy:
            proxy_integration = LambdaProxyIntegration(
                handler, function_name=function_name, payload_format=payload_format
            )
            return proxy_integration, "lambda_proxy"
        if api.kind == "HTTP":
            raise UsageError(f"{where}: proxy=False (non-proxy Lambda) is a REST API feature")
        return (
            LambdaIntegration(
                handler,
                request_templates=request_templates,
                integration_responses=integration_responses,
                function_name=function_name,
            ),
            "lambda",
        )
    if state_machine is not None:
        from .stepfunctions import StepFunctionsIntegration

        try:
            machine_integration = StepFunctionsIntegration(
                state_machine,
                sync=sync,
                request_templates=request_templates,
                integration_responses=integration_responses,
            )
            return machine_integration, "stepfunctions"
        except TypeError as exc:
            raise UsageError(f"{where}: {exc}") from exc
    if http is not None:
        from .http import HttpIntegration

        if not http_proxy and api.kind == "HTTP":
            raise UsageError(f"{where}: http_proxy=False (HTTP with mapping templates) is a REST API feature")
        return (
            HttpIntegration(
                http,
                proxy=http_proxy,
                method=http_method,
                request_templates=request_templates,
                integration_responses=integration_responses,
            ),
            "http_proxy" if http_proxy else "http",
        )
    if mock is not None:
        from .mock import MockIntegration

        mocked = MockIntegration(
            mock,
            where=where,
            request_templates=request_templates,
            integration_responses=integration_responses,
        )
        return mocked, "mock"
    if isinstance(integration, str):
        factory = api.gateway.integrations.get(integration)
        if factory is None:
            known = ", ".join(sorted(api.gateway.integrations)) or "none"
            raise UsageError(
                f"{where}: no integration kind named {integration!r} (registered: {known}); "
                "register it with gateway.register_integration(name, factory)"
            )
        built = factory(**dict(integration_options or {}))
        if not callable(getattr(built, "invoke", None)):
            raise UsageError(
                f"{where}: integration factory {integration!r} returned {built!r}, which has no invoke(call)"
            )
        return built, integration
    if not callable(getattr(integration, "invoke", None)):
        raise UsageError(f"{where}: integration= takes a registered name or an object with invoke(call)")
    assert integration is not None
    return integration, type(integration).__name__
