"""Reading what API Gateway integration and authorizer ARNs point at.

``arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/<function ARN>/invocations`` is a Lambda
function, ``arn:aws:apigateway:us-east-1:states:action/StartSyncExecution`` a Step Functions call (the state
machine ARN is in the request template), a user pool ARN names a Cognito issuer.

A backend the library does not emulate (an AWS service integration other than Lambda and Step Functions, an
HTTP API integration subtype such as ``SQS-SendMessage``, a private integration through a VPC link) gives an
``Integration`` of kind ``"unsupported"`` naming the feature: the template loads, and only that route fails,
as AWS fails a route whose backend does not answer (500).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_serverless._ids import REGION
from pytest_serverless.errors import TemplateError

from .model import Integration, TemplateModel

__all__ = [
    "CFN_METHOD_FIELDS",
    "CFN_V2_FIELDS",
    "OPENAPI_FIELDS",
    "IntegrationFields",
    "cognito_issuer",
    "function_arn",
    "integration",
    "integration_of",
    "lambda_target",
]

_FUNCTION_IN_URI = re.compile(r"functions/(.+?)/(?:response-streaming-)?invocations")
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
    if match is None and user_pool_arn.startswith("imported:"):
        # Fn::ImportValue of another stack's pool: a pool of our own stands in (app.token_issuer mints for it)
        stand_in = (
            "".join(ch for ch in user_pool_arn.removeprefix("imported:") if ch.isalnum())[:20] or "pool"
        )
        return f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_{stand_in}"
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
            raw_status = candidate.get("statusCode") or candidate.get("StatusCode") or 200
            status = int(raw_status) if str(raw_status).isdigit() else 200
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


def _unsupported(feature: str, timeout: float | None) -> Integration:
    return Integration("unsupported", feature=feature, timeout=timeout)


def _aws_service(uri: str) -> str | None:
    """``arn:aws:apigateway:us-east-1:sqs:path/123/queue`` -> ``sqs:path/123/queue`` (None: not one)."""
    match = re.match(r"arn:aws[\w-]*:apigateway:[^:]*:([^:]+):(.*)$", uri)
    if match is None or match.group(1) in ("lambda", "states"):
        return None
    return f"{match.group(1)}:{match.group(2)}"


@dataclass(frozen=True)
class _Declared:
    """One integration as a template declares it: its fields, checked for shape where every kind needs them,
    and where it is (for the errors)."""

    model: TemplateModel
    kind: str  # upper case; "" when not given
    uri: str | None
    timeout: float | None  # seconds
    request_parameters: Mapping[str, Any]
    request_templates: Any
    responses: Any
    payload_version: Any
    api_kind: str
    http_method: Any
    source: str
    pointer: str

    def error(self, message: str) -> TemplateError:
        return TemplateError(message, source=self.source, pointer=self.pointer)

    def parameters_as_text(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.request_parameters.items()}

    def templates(self) -> dict[str, str] | None:
        """The request templates by content type (None: none), once checked to be a mapping."""
        if self.request_templates is not None and not isinstance(self.request_templates, Mapping):
            message = (
                f"request templates must map a content type to a template, got {self.request_templates!r}"
            )
            raise self.error(message[:160])
        return {str(k): str(v) for k, v in (self.request_templates or {}).items()} or None


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
    connection_type: Any = None,
    http_method: Any = None,
) -> Integration:
    """An ``Integration`` from ``x-amazon-apigateway-integration`` fields or an ``Integration`` property."""
    declared = _Declared(
        model=model,
        kind=(kind or "").upper(),
        uri=uri,
        timeout=_timeout_seconds(timeout_ms, source=source, pointer=pointer),
        request_parameters=_checked_request_parameters(
            subtype, request_parameters, source=source, pointer=pointer
        ),
        request_templates=request_templates,
        responses=responses,
        payload_version=payload_version,
        api_kind=api_kind,
        http_method=http_method,
        source=source,
        pointer=pointer,
    )
    if subtype:
        return _subtype_integration(declared, subtype)
    if str(connection_type or "").upper() == "VPC_LINK":
        return _unsupported(
            f"private integration through a VPC link ({declared.kind or 'HTTP_PROXY'} {uri})",
            declared.timeout,
        )
    if declared.kind == "MOCK":
        return Integration("mock", mock=_mock_response(responses), timeout=declared.timeout)
    templates = declared.templates()
    if declared.kind in ("HTTP_PROXY", "HTTP"):
        return _http_integration(declared, templates)
    if not uri:
        raise declared.error(f"a {declared.kind or 'AWS_PROXY'} integration needs a uri")
    return _arn_integration(declared, uri, templates)


def _timeout_seconds(timeout_ms: Any, *, source: str, pointer: str) -> float | None:
    try:
        return float(timeout_ms) / 1000 if timeout_ms not in (None, "") else None
    except (TypeError, ValueError):
        raise TemplateError(
            f"the integration timeout must be a number of milliseconds, got {timeout_ms!r}",
            source=source,
            pointer=pointer,
        ) from None


def _checked_request_parameters(
    subtype: Any, request_parameters: Any, *, source: str, pointer: str
) -> Mapping[str, Any]:
    """The request parameters ({}: none), once the subtype is known to be a string and they a mapping."""
    if subtype is not None and not isinstance(subtype, str):
        raise TemplateError(
            f"IntegrationSubtype must be a string, got {subtype!r}", source=source, pointer=pointer
        )
    if request_parameters is not None and not isinstance(request_parameters, Mapping):
        raise TemplateError(
            f"request parameters must be a mapping, got {request_parameters!r}"[:160],
            source=source,
            pointer=pointer,
        )
    return request_parameters or {}


def _subtype_integration(declared: _Declared, subtype: str) -> Integration:
    """An HTTP API's AWS service integration by ``IntegrationSubtype``: Step Functions starts run the
    template's state machine; SQS-SendMessage, EventBridge-PutEvents, StepFunctions-StopExecution,
    AppConfig-... are answered by the AWS service answerers."""
    if subtype in ("StepFunctions-StartExecution", "StepFunctions-StartSyncExecution"):
        machine = _find_state_machine(declared.model, declared.request_parameters.get("StateMachineArn", ""))
        if machine is None:
            raise declared.error(
                f"integration subtype {subtype} needs RequestParameters.StateMachineArn naming a state "
                "machine"
            )
        return Integration(
            "sfn",
            state_machine=machine,
            sync=subtype.endswith("StartSyncExecution"),
            timeout=declared.timeout,
        )
    from pytest_serverless.gateway.integrations.aws_service import SUBTYPES

    if subtype not in SUBTYPES:
        raise declared.error(
            f"IntegrationSubtype {subtype!r} is not one AWS knows (subtypes: {', '.join(SUBTYPES)})"
        )
    return Integration(
        "aws", url=subtype, timeout=declared.timeout, request_parameters=declared.parameters_as_text()
    )


def _http_integration(declared: _Declared, templates: dict[str, str] | None) -> Integration:
    """An ``HTTP_PROXY`` or ``HTTP`` (non-proxy) integration to a public URL (others: not emulated)."""
    uri = declared.uri
    if not uri:
        raise declared.error("an HTTP integration needs a uri")
    if not uri.startswith(("http://", "https://", "${stageVariables.")):
        what = "a load balancer or Cloud Map service" if uri.startswith("arn:") else repr(uri)
        return _unsupported(f"HTTP integration to {what} (private integration)", declared.timeout)
    if declared.kind == "HTTP":
        return Integration(
            "http",
            url=uri,
            timeout=declared.timeout,
            proxy=False,
            request_templates=templates,
            responses=_integration_responses(declared.responses),
        )
    return Integration("http", url=uri, timeout=declared.timeout)


def _arn_integration(declared: _Declared, uri: str, templates: dict[str, str] | None) -> Integration:
    """An ``AWS`` or ``AWS_PROXY`` integration: an AWS service, a Step Functions start, a Lambda function."""
    service = _aws_service(uri)
    if declared.kind == "AWS" and (service is not None or _is_states_call_other_than_a_start(uri)):
        return _aws_service_integration(declared, uri, templates)
    if service is not None:
        return _unsupported(
            f"{declared.kind or 'AWS_PROXY'} integration {service} (AWS service integrations are type AWS)",
            declared.timeout,
        )
    if ":states:action/" in uri:
        return _step_functions_integration(declared, uri, templates)
    if ":lambda:" in uri or uri.startswith("arn:aws:lambda:") or declared.kind in ("AWS_PROXY", ""):
        return _lambda_integration(declared, uri, templates)
    return _unsupported(f"{declared.kind} integration {uri}", declared.timeout)


def _is_states_call_other_than_a_start(uri: str) -> bool:
    return (
        ":states:" in uri
        and uri.startswith("arn:")
        and not uri.endswith(("/StartExecution", "/StartSyncExecution"))
    )


def _aws_service_integration(declared: _Declared, uri: str, templates: dict[str, str] | None) -> Integration:
    """A REST ``AWS`` (non-proxy) integration to a service action, answered by the AWS service answerers."""
    http_method = declared.http_method
    return Integration(
        "aws",
        url=uri,
        timeout=declared.timeout,
        proxy=False,
        request_templates=templates,
        responses=_integration_responses(declared.responses) or [],
        request_parameters=declared.parameters_as_text() or None,
        http_method=str(http_method).upper() if http_method else None,
    )


def _step_functions_integration(
    declared: _Declared, uri: str, templates: dict[str, str] | None
) -> Integration:
    """A Step Functions ``StartExecution`` / ``StartSyncExecution`` of the state machine its request template
    names; another action, or a machine outside the template, is not emulated."""
    kind = declared.kind or "AWS_PROXY"
    action = uri.rsplit("/", 1)[-1]
    if action not in ("StartExecution", "StartSyncExecution"):
        return _unsupported(f"Step Functions action {action} as an {kind} integration", declared.timeout)
    machine = _find_state_machine(
        declared.model, declared.request_templates or {}, declared.request_parameters
    )
    if machine is None:
        return _unsupported(
            f"Step Functions {action} integration whose request template names no state machine of the "
            "template",
            declared.timeout,
        )
    return Integration(
        "sfn",
        state_machine=machine,
        sync=action == "StartSyncExecution",
        timeout=declared.timeout,
        request_templates=templates,
        responses=_integration_responses(declared.responses),
    )


def _lambda_integration(declared: _Declared, uri: str, templates: dict[str, str] | None) -> Integration:
    """A Lambda function: a REST ``AWS`` (non-proxy) integration with mapping templates, or a proxy one (an
    HTTP API's with its ``PayloadFormatVersion``)."""
    function = lambda_target(declared.model, uri)
    if declared.kind == "AWS":
        return Integration(
            "lambda",
            function=function,
            timeout=declared.timeout,
            proxy=False,
            request_templates=templates,
            responses=_integration_responses(declared.responses),
        )
    version = declared.payload_version
    payload_format = str(version) if declared.api_kind == "HTTP" and version else None
    return Integration("lambda", function=function, timeout=declared.timeout, payload_format=payload_format)


@dataclass(frozen=True)
class IntegrationFields:
    """The names a template dialect gives an integration's fields (None: the dialect has no such field)."""

    kind: str
    uri: str
    request_parameters: str
    timeout_ms: str
    connection_type: str
    subtype: str | None = None
    request_templates: str | None = None
    responses: str | None = None
    payload_version: str | None = None
    http_method: str | None = None


#: ``x-amazon-apigateway-integration`` of an OpenAPI operation
OPENAPI_FIELDS = IntegrationFields(
    kind="type",
    uri="uri",
    request_parameters="requestParameters",
    timeout_ms="timeoutInMillis",
    connection_type="connectionType",
    subtype="integrationSubtype",
    request_templates="requestTemplates",
    responses="responses",
    payload_version="payloadFormatVersion",
    http_method="httpMethod",
)
#: the ``Integration`` property of an ``AWS::ApiGateway::Method``
CFN_METHOD_FIELDS = IntegrationFields(
    kind="Type",
    uri="Uri",
    request_parameters="RequestParameters",
    timeout_ms="TimeoutInMillis",
    connection_type="ConnectionType",
    request_templates="RequestTemplates",
    responses="IntegrationResponses",
    http_method="IntegrationHttpMethod",
)
#: the properties of an ``AWS::ApiGatewayV2::Integration``
CFN_V2_FIELDS = IntegrationFields(
    kind="IntegrationType",
    uri="IntegrationUri",
    request_parameters="RequestParameters",
    timeout_ms="TimeoutInMillis",
    connection_type="ConnectionType",
    subtype="IntegrationSubtype",
    payload_version="PayloadFormatVersion",
)


def integration_of(
    model: TemplateModel,
    raw: Mapping[str, Any],
    fields: IntegrationFields,
    *,
    source: str,
    pointer: str,
    api_kind: str = "REST",
) -> Integration:
    """``integration`` of the fields a template declares in ``raw``, named as ``fields`` says."""

    def declared(name: str | None) -> Any:
        return raw.get(name) if name is not None else None

    uri = raw.get(fields.uri)
    return integration(
        model,
        kind=str(raw.get(fields.kind, "")),
        uri=uri if isinstance(uri, str) else None,
        source=source,
        pointer=pointer,
        subtype=declared(fields.subtype),
        request_parameters=raw.get(fields.request_parameters),
        request_templates=declared(fields.request_templates),
        responses=declared(fields.responses),
        timeout_ms=raw.get(fields.timeout_ms),
        payload_version=declared(fields.payload_version),
        api_kind=api_kind,
        connection_type=raw.get(fields.connection_type),
        http_method=declared(fields.http_method),
    )
