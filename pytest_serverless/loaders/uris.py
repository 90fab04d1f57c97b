"""Reading what API Gateway integration and authorizer ARNs point at.

``arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/<function ARN>/invocations`` is a Lambda
function, ``arn:aws:apigateway:us-east-1:states:action/StartSyncExecution`` a Step Functions call (the state
machine ARN is in the request template), a user pool ARN names a Cognito issuer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pytest_serverless._ids import REGION
from pytest_serverless.errors import TemplateError

from .model import Integration, TemplateModel

__all__ = ["cognito_issuer", "function_arn", "integration", "lambda_target"]

_FUNCTION_IN_URI = re.compile(r"functions/(.+?)/invocations")
_STATE_MACHINE_ARN = re.compile(r"arn:aws:states:[^:\"]*:\d*:stateMachine:[A-Za-z0-9_\-]+")
_USER_POOL = re.compile(r"arn:aws:cognito-idp:([a-z0-9-]+):\d*:userpool/([A-Za-z0-9_\-]+)")


def function_arn(uri: str) -> str:
    """The Lambda function ARN inside an ``apigateway:lambda:path`` URI (or the URI itself)."""
    match = _FUNCTION_IN_URI.search(uri)
    return match.group(1) if match else uri


def lambda_target(model: TemplateModel, uri: str) -> str:
    """The logical id of the function a URI points at, or the function ARN when it is not in the template."""
    arn = function_arn(uri)
    return model.function_for_arn(arn) or arn


def cognito_issuer(user_pool_arn: str, *, source: str, pointer: str) -> str:
    match = _USER_POOL.search(user_pool_arn)
    if match is None:
        raise TemplateError(
            f"not a Cognito user pool ARN: {user_pool_arn!r} "
            "(expected arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>)",
            source=source,
            pointer=pointer,
        )
    region, pool_id = match.groups()
    return f"https://cognito-idp.{region or REGION}.amazonaws.com/{pool_id}"


def _find_state_machine(model: TemplateModel, *texts: Any) -> str | None:
    for text in texts:
        blob = text if isinstance(text, str) else json.dumps(text)
        match = _STATE_MACHINE_ARN.search(blob)
        if match is not None:
            return model.state_machine_for_arn(match.group(0)) or match.group(0)
    return None


def _mock_response(responses: Any) -> dict[str, Any]:
    status, body = 200, ""
    candidates: list[Any] = []
    if isinstance(responses, Mapping):
        candidates = [responses.get("default"), *responses.values()]
    elif isinstance(responses, list):
        candidates = list(responses)
    for candidate in candidates:
        if isinstance(candidate, Mapping):
            status = int(candidate.get("statusCode") or candidate.get("StatusCode") or 200)
            templates = candidate.get("responseTemplates") or candidate.get("ResponseTemplates") or {}
            if isinstance(templates, Mapping) and templates:
                body = str(templates.get("application/json", next(iter(templates.values()))))
            break
    return {"statusCode": status, "body": body}


def _integration_responses(responses: Any) -> list[dict[str, Any]] | None:
    """OpenAPI ``responses`` (keyed by selection pattern) or CFN ``IntegrationResponses`` in one shape."""
    entries: list[dict[str, Any]] = []
    if isinstance(responses, Mapping):
        for pattern, entry in responses.items():
            if isinstance(entry, Mapping):
                normalized = {key[0].lower() + key[1:]: value for key, value in entry.items()}
                if pattern != "default":
                    normalized["selectionPattern"] = pattern
                entries.append(normalized)
    elif isinstance(responses, list):
        for entry in responses:
            if isinstance(entry, Mapping):
                entries.append({key[0].lower() + key[1:]: value for key, value in entry.items()})
    return entries or None


def integration(
    model: TemplateModel,
    *,
    kind: str,
    uri: str | None,
    source: str,
    pointer: str,
    subtype: str | None = None,
    request_parameters: Mapping[str, Any] | None = None,
    request_templates: Mapping[str, Any] | None = None,
    responses: Any = None,
    timeout_ms: Any = None,
    payload_version: Any = None,
    api_kind: str = "REST",
) -> Integration:
    """An ``Integration`` from ``x-amazon-apigateway-integration`` fields or an ``Integration`` property."""
    kind = (kind or "").upper()
    timeout = float(timeout_ms) / 1000 if timeout_ms not in (None, "") else None
    if subtype and subtype.startswith("StepFunctions-"):
        params = request_parameters or {}
        machine = _find_state_machine(model, params.get("StateMachineArn", ""))
        if machine is None or subtype not in (
            "StepFunctions-StartExecution",
            "StepFunctions-StartSyncExecution",
        ):
            raise TemplateError(
                f"integration subtype {subtype} needs RequestParameters.StateMachineArn naming a state "
                "machine",
                source=source,
                pointer=pointer,
            )
        return Integration(
            "sfn", state_machine=machine, sync=subtype.endswith("StartSyncExecution"), timeout=timeout
        )
    if kind == "MOCK":
        return Integration("mock", mock=_mock_response(responses), timeout=timeout)
    templates = {str(k): str(v) for k, v in (request_templates or {}).items()} or None
    if kind in ("HTTP_PROXY", "HTTP"):
        if not uri:
            raise TemplateError("an HTTP integration needs a uri", source=source, pointer=pointer)
        if kind == "HTTP":
            return Integration(
                "http",
                url=uri,
                timeout=timeout,
                proxy=False,
                request_templates=templates,
                responses=_integration_responses(responses),
            )
        return Integration("http", url=uri, timeout=timeout)
    if not uri:
        raise TemplateError(
            f"a {kind or 'AWS_PROXY'} integration needs a uri", source=source, pointer=pointer
        )
    if ":states:action/" in uri:
        action = uri.rsplit("/", 1)[-1]
        if action not in ("StartExecution", "StartSyncExecution"):
            raise TemplateError(
                f"Step Functions action {action!r} is not supported (use StartExecution or "
                "StartSyncExecution)",
                source=source,
                pointer=pointer,
            )
        machine = _find_state_machine(model, request_templates or {}, request_parameters or {})
        if machine is None:
            raise TemplateError(
                "a Step Functions integration needs a request template naming the stateMachineArn",
                source=source,
                pointer=pointer,
            )
        return Integration(
            "sfn",
            state_machine=machine,
            sync=action == "StartSyncExecution",
            timeout=timeout,
            request_templates=templates,
            responses=_integration_responses(responses),
        )
    if ":lambda:" in uri or uri.startswith("arn:aws:lambda:") or kind in ("AWS_PROXY", ""):
        if kind == "AWS":
            return Integration(
                "lambda",
                function=lambda_target(model, uri),
                timeout=timeout,
                proxy=False,
                request_templates=templates,
                responses=_integration_responses(responses),
            )
        payload_format = str(payload_version) if api_kind == "HTTP" and payload_version else None
        return Integration(
            "lambda", function=lambda_target(model, uri), timeout=timeout, payload_format=payload_format
        )
    raise TemplateError(f"integration {kind} {uri!r} is not supported", source=source, pointer=pointer)
