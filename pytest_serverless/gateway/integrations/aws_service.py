"""REST AWS service integrations: ``arn:aws:apigateway:{region}:{service}:action/{Action}`` and
``...:{service}:path/{path}`` (SQS, SNS, DynamoDB, Kinesis, EventBridge, S3, Step Functions).

A request goes through the route's request template (VTL) and ``requestParameters``; the result is the
service request AWS would send: an action and its parameters (a form body for the query-protocol services
SQS and SNS, a JSON document for DynamoDB, Kinesis, EventBridge and Step Functions, the bucket and key of
the path for S3). It is answered, in this order, by a handler registered for the service and action
(``gateway.aws_service("sqs", "SendMessage", handler)``; a loaded template registers EventBridge
``PutEvents`` and the Step Functions actions of its own state machines), or by moto when ``mock_aws`` is
active. The service's answer (or its error: status, ``__type``/``Error.Code``, message) then goes through the
integration responses: the first ``selectionPattern`` matching the service's status code, else the default
response; with neither, AWS answers 500 (API_CONFIGURATION_ERROR), and so does this.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from pytest_serverless._ids import REGION
from pytest_serverless._user_code import UserCodeFailed, call_user
from pytest_serverless.errors import AwsError, ServerlessError, UsageError

from . import vtl
from .base import IntegrationCall, IntegrationResult

__all__ = [
    "SUBTYPES",
    "AwsIntegration",
    "AwsServiceRequest",
    "NoServiceAnswer",
    "SubtypeIntegration",
    "parse_service_uri",
]

_URI = re.compile(r"^arn:aws[\w-]*:apigateway:([^:]*):([^:]+):(action|path)/(.*)$")
QUERY_SERVICES = frozenset({"sqs", "sns"})
_JSON_CONTENT = {"dynamodb": "1.0", "states": "1.0", "kinesis": "1.1", "events": "1.1"}
_S3_ACTIONS = {"GET": "GetObject", "PUT": "PutObject", "DELETE": "DeleteObject", "HEAD": "HeadObject"}


class NoServiceAnswer(RuntimeError):
    """No handler and no active moto answers the service call (``response.error`` of the 500 answer)."""


_ANSWERS = (NoServiceAnswer, ServerlessError)  # what the service's answerer raises on purpose


@dataclass
class AwsServiceRequest:
    """The service call an AWS integration makes: what a registered handler receives."""

    service: str  # "sqs", "dynamodb", "events", "states", "s3"...
    action: str  # "SendMessage", "PutItem", "GetObject"...
    params: dict[str, Any]  # the action's parameters (form fields or the JSON document)
    region: str = REGION
    http_method: str = "POST"
    path: str = ""  # the path of a path/... URI, stage-variable and path parameters filled in
    body: str = ""  # the rendered request body
    headers: dict[str, str] = field(default_factory=dict)


AwsServiceHandler = Callable[[AwsServiceRequest], Any]


def parse_service_uri(uri: str) -> tuple[str, str, str, str]:
    """``(region, service, "action"|"path", rest)``; ValueError for a URI that is not one."""
    match = _URI.match(uri)
    if match is None:
        raise ValueError(
            f"{uri!r} is not an AWS service integration URI (arn:aws:apigateway:REGION:SERVICE:action/ACTION "
            "or arn:aws:apigateway:REGION:SERVICE:path/PATH)"
        )
    region, service, kind, rest = match.groups()
    return region or REGION, service, kind, rest


def _parameter_value(expression: str, call: IntegrationCall, body: str) -> str | None:
    request = call.request
    if len(expression) >= 2 and expression[0] == expression[-1] == "'":
        return expression[1:-1]
    if expression.startswith("method.request.header."):
        value = request.headers.get(expression[len("method.request.header.") :])
        return None if value is None else str(value)
    if expression.startswith("method.request.querystring."):
        values = request.query_values(expression[len("method.request.querystring.") :])
        return values[-1] if values else None
    if expression.startswith("method.request.path."):
        return call.path_parameters.get(expression[len("method.request.path.") :])
    if expression == "method.request.body":
        return body
    if expression.startswith("stageVariables."):
        return call.stage_variables.get(expression[len("stageVariables.") :])
    if expression == "context.requestId":
        return call.request_id
    return None


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return round(value.timestamp(), 3)
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    if hasattr(value, "read"):
        return value.read().decode("utf-8", "replace")
    return str(value)


class AwsIntegration:
    """``api.route("POST /orders", aws="arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders",
    request_templates={...}, integration_responses=[...], request_parameters={...})``."""

    def __init__(
        self,
        uri: str,
        *,
        handlers: Mapping[tuple[str, str], AwsServiceHandler],
        http_method: str = "POST",
        request_templates: Mapping[str, str] | None = None,
        integration_responses: Sequence[Mapping[str, Any]] | None = None,
        request_parameters: Mapping[str, str] | None = None,
        where: str = "route",
    ) -> None:
        try:
            self.region, self.service, self.kind, self.target = parse_service_uri(uri)
        except ValueError as exc:
            raise UsageError(f"{where}: {exc}") from None
        if self.service in ("lambda",):
            raise UsageError(f"{where}: a Lambda URI is a Lambda integration; pass a handler instead")
        self.uri = uri
        self.handlers = handlers  # the gateway's registry (shared, so later registrations count)
        self.http_method = str(http_method or "POST").upper()
        self.request_templates = {
            str(media): vtl.compile_template(str(text), f"{where} request template {media!r}")
            for media, text in (request_templates or {}).items()
        }
        self.passthrough = integration_responses is None
        self.responses = vtl.IntegrationResponses(integration_responses or [])
        self.parameters: list[tuple[str, str, str]] = []
        for key, value in (request_parameters or {}).items():
            parts = str(key).split(".", 3)
            if (
                len(parts) != 4
                or parts[:2] != ["integration", "request"]
                or parts[2]
                not in (
                    "header",
                    "querystring",
                    "path",
                )
            ):
                raise UsageError(
                    f"{where}: request parameter {key!r} must be integration.request.header.NAME, "
                    "integration.request.querystring.NAME or integration.request.path.NAME"
                )
            self.parameters.append((parts[2], parts[3], str(value)))

    # -- the service request --------------------------------------------------------------------------
    def _request(self, call: IntegrationCall, body: str) -> AwsServiceRequest:
        headers: dict[str, str] = {}
        query: dict[str, str] = {}
        path_values: dict[str, str] = {}
        original = call.request.body.decode("utf-8", "replace")
        for where, name, expression in self.parameters:
            value = _parameter_value(expression, call, original)
            if value is None:
                continue
            {"header": headers, "querystring": query, "path": path_values}[where][name] = value
        path = self.target
        for name, value in path_values.items():
            path = path.replace("{" + name + "}", value)
        service = self.service
        params: dict[str, Any]
        action = self.target if self.kind == "action" else ""
        if service in QUERY_SERVICES:
            params = dict(query)
            params.update(parse_qsl(body, keep_blank_values=True))
            if self.kind == "path":
                action = str(params.pop("Action", ""))
                if path.strip("/") and service == "sqs":
                    params.setdefault(
                        "QueueUrl", f"https://sqs.{self.region}.amazonaws.com/{path.strip('/')}"
                    )
            else:
                params.pop("Action", None)
            params.pop("Version", None)
        elif service == "s3":
            bucket, _, key = path.partition("/")
            params = {"Bucket": bucket}
            if key:
                params["Key"] = key
            action = _S3_ACTIONS.get(self.http_method, "") if key else "ListObjectsV2"
            if action == "PutObject":
                params["Body"] = body.encode("utf-8")
            if action == "" and self.kind == "action":
                action = self.target
        else:
            if self.kind == "path":
                action = path.rstrip("/").rsplit("/", 1)[-1]
            try:
                document: Any = json.loads(body) if body.strip() else {}
            except ValueError:
                document = None
            if not isinstance(document, dict):
                raise AwsError(
                    "SerializationException", "Start of structure or map found where not expected."
                )
            params = document
        return AwsServiceRequest(service, action, params, self.region, self.http_method, path, body, headers)

    def invoke(self, call: IntegrationCall) -> IntegrationResult:
        try:
            rendered, context = vtl.render_request(self.request_templates, call)
        except vtl.TemplateFailure as exc:
            return IntegrationResult(failure="API_CONFIGURATION_ERROR", error=exc)
        try:
            request = self._request(call, rendered)
            if not request.action:
                raise AwsError("MissingAction", "No action was supplied with this request.")
            answer = self._answer(request)
        except AwsError as exc:
            status, body = self._error(exc, call)
        except NoServiceAnswer as exc:
            return IntegrationResult(failure="INTEGRATION_FAILURE", error=exc)
        except UserCodeFailed as failed:  # the test's handler (or moto) raised: not ours
            return IntegrationResult(failure="INTEGRATION_FAILURE", error=failed.error)
        else:
            status, body = 200, self._document(request, answer, call)
        if self.passthrough:
            media = (
                f"application/x-amz-json-{_JSON_CONTENT[self.service]}"
                if self.service in _JSON_CONTENT
                else None
            )
            return IntegrationResult(status, [("Content-Type", media or "application/json")], body)
        text = body.decode("utf-8", "replace")
        code = str(status)
        if not any(
            regex is None or regex.fullmatch(code)
            for regex, _status, _templates, _headers in self.responses.entries
        ):
            error = NoServiceAnswer(
                f"no integration response matches the service's status {code} and there is no default one "
                "(AWS: 'No match for output mapping and no default output mapping configured')"
            )
            return IntegrationResult(failure="API_CONFIGURATION_ERROR", error=error)
        return self.responses.respond(call, text, code, context)

    # -- the service's answer -------------------------------------------------------------------------
    def _answer(self, request: AwsServiceRequest) -> Any:
        handler = self.handlers.get((request.service, request.action)) or self.handlers.get(
            (request.service, "*")
        )
        # the test's handler or moto: UserCodeFailed when it raised; AwsError (a ServerlessError) is an answer
        if handler is not None:
            return call_user(handler, request, lets_through=_ANSWERS)
        return call_user(unanswered, request, f"({self.uri})", lets_through=_ANSWERS)

    def _document(self, request: AwsServiceRequest, answer: Any, call: IntegrationCall) -> bytes:
        if self.service == "s3":
            if request.action == "GetObject" and isinstance(answer, Mapping) and "Body" in answer:
                content = answer["Body"]
                content = content.read() if hasattr(content, "read") else content
                return content if isinstance(content, bytes) else str(content).encode()
            if request.action in ("PutObject", "DeleteObject", "HeadObject"):
                return b""
        result = dict(answer) if isinstance(answer, Mapping) else ({} if answer is None else answer)
        if isinstance(result, dict):
            result.pop("ResponseMetadata", None)
        if self.service in QUERY_SERVICES:
            document: Any = {
                f"{request.action}Response": {
                    f"{request.action}Result": result,
                    "ResponseMetadata": {"RequestId": call.request_id},
                }
            }
        else:
            document = result
        return json.dumps(document, default=_json_default).encode()

    def _error(self, exc: AwsError, call: IntegrationCall) -> tuple[int, bytes]:
        status = exc.status if isinstance(exc.status, int) and 400 <= exc.status <= 599 else 400
        if self.service in QUERY_SERVICES:
            document: Any = {
                "Error": {
                    "Code": exc.code,
                    "Message": exc.message,
                    "Type": "Sender" if status < 500 else "Receiver",
                },
                "RequestId": call.request_id,
            }
            return status, json.dumps(document).encode()
        if self.service == "s3":
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<Error><Code>{exc.code}</Code><Message>{exc.message}</Message>"
                f"<RequestId>{call.request_id}</RequestId></Error>"
            )
            return status, xml.encode()
        return status, json.dumps({"__type": exc.code, "message": exc.message}).encode()


# -- moto (only when a test runs under mock_aws) -------------------------------------------------------------


def unanswered(request: AwsServiceRequest, reason: str) -> Any:
    """What answers a call no handler answers: moto when ``mock_aws`` is active, else ``NoServiceAnswer``
    (``reason`` says why nothing of ours answered)."""
    answered = moto_answer(request)
    if answered is not None:
        return answered[0]
    raise NoServiceAnswer(
        f"nothing answers {request.service} {request.action} {reason}: register a handler with "
        f"gateway.aws_service({request.service!r}, {request.action!r}, handler), or run the test "
        "under moto's mock_aws"
    )


def moto_answer(request: AwsServiceRequest) -> tuple[Any] | None:
    """The service call made through boto3 when moto's ``mock_aws`` is active, else ``None`` (the botocore
    side lives in ``pytest_serverless.aws``, the only package that imports botocore)."""
    from pytest_serverless.aws import moto_call

    return moto_call(request.service, request.action, request.region, request.params)


# -- HTTP API first-class integrations (IntegrationSubtype) -------------------------------------------------

# subtype -> (service, action, required parameters, optional parameters), per AWS's "Integration subtype
# reference" for HTTP APIs
SUBTYPES: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "EventBridge-PutEvents": (
        "events",
        "PutEvents",
        ("Detail", "DetailType", "Source"),
        ("Time", "EventBusName", "Resources", "Region", "TraceHeader"),
    ),
    "SQS-SendMessage": (
        "sqs",
        "SendMessage",
        ("QueueUrl", "MessageBody"),
        (
            "DelaySeconds",
            "MessageAttributes",
            "MessageDeduplicationId",
            "MessageGroupId",
            "MessageSystemAttributes",
            "Region",
        ),
    ),
    "SQS-ReceiveMessage": (
        "sqs",
        "ReceiveMessage",
        ("QueueUrl",),
        (
            "AttributeNames",
            "MaxNumberOfMessages",
            "MessageAttributeNames",
            "ReceiveRequestAttemptId",
            "VisibilityTimeout",
            "WaitTimeSeconds",
            "Region",
        ),
    ),
    "SQS-DeleteMessage": ("sqs", "DeleteMessage", ("ReceiptHandle", "QueueUrl"), ("Region",)),
    "SQS-PurgeQueue": ("sqs", "PurgeQueue", ("QueueUrl",), ("Region",)),
    "AppConfig-GetConfiguration": (
        "appconfig",
        "GetConfiguration",
        ("Application", "Environment", "Configuration", "ClientId"),
        ("ClientConfigurationVersion", "Region"),
    ),
    "Kinesis-PutRecord": (
        "kinesis",
        "PutRecord",
        ("StreamName", "Data", "PartitionKey"),
        ("SequenceNumberForOrdering", "ExplicitHashKey", "Region"),
    ),
    "StepFunctions-StartExecution": (
        "states",
        "StartExecution",
        ("StateMachineArn",),
        ("Name", "Input", "Region"),
    ),
    "StepFunctions-StartSyncExecution": (
        "states",
        "StartSyncExecution",
        ("StateMachineArn",),
        ("Name", "Input", "Region", "TraceHeader"),
    ),
    "StepFunctions-StopExecution": (
        "states",
        "StopExecution",
        ("ExecutionArn",),
        ("Cause", "Error", "Region"),
    ),
}
_INTERPOLATED = re.compile(r"\$\{([^}]+)\}")
_NUMBERS = frozenset({"DelaySeconds", "MaxNumberOfMessages", "VisibilityTimeout", "WaitTimeSeconds"})


def _mapped(expression: str, call: IntegrationCall, document: Any) -> Any:
    """An HTTP API mapping expression (``$request.body.id``, ``$request.header.x``, ``$context.requestId``,
    ``$stageVariables.x``), a text with ``${...}`` inside, or a constant."""
    if expression.startswith("$") and not expression.startswith("${"):
        return _source(expression[1:], call, document)
    if "${" in expression:
        return _INTERPOLATED.sub(lambda m: _text_of(_source(m.group(1), call, document)), expression)
    return expression


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _source(name: str, call: IntegrationCall, document: Any) -> Any:
    request = call.request
    if name == "request.body":
        return request.body.decode("utf-8", "replace")
    if name.startswith("request.body."):
        found: Any = document
        for part in name[len("request.body.") :].split("."):
            found = found.get(part) if isinstance(found, dict) else None
        return found
    if name.startswith("request.header."):
        return request.headers.get(name[len("request.header.") :])
    if name.startswith("request.querystring."):
        values = request.query_values(name[len("request.querystring.") :])
        return ",".join(values) if values else None
    if name.startswith("request.path."):
        return call.path_parameters.get(name[len("request.path.") :])
    if name.startswith("stageVariables."):
        return call.stage_variables.get(name[len("stageVariables.") :])
    if name == "context.requestId":
        return call.request_id
    if name == "context.routeKey":
        return call.route_key
    if name == "context.stage":
        return call.stage
    if name == "context.apiId":
        return call.api_id
    if name.startswith("context.authorizer.") and call.auth is not None:
        key = name[len("context.authorizer.") :]
        claims = call.auth.claims or {}
        return call.auth.context.get(key, claims.get(key.removeprefix("claims.")))
    return None


class SubtypeIntegration(AwsIntegration):
    """``http_api.route("POST /send", aws="SQS-SendMessage", request_parameters={"QueueUrl": ...,
    "MessageBody": "$request.body"})``: an HTTP API first-class AWS service integration."""

    def __init__(
        self,
        subtype: str,
        *,
        handlers: Mapping[tuple[str, str], AwsServiceHandler],
        request_parameters: Mapping[str, Any] | None,
        where: str = "route",
    ) -> None:
        if subtype not in SUBTYPES:
            raise UsageError(
                f"{where}: {subtype!r} is not an HTTP API integration subtype "
                f"(subtypes: {', '.join(SUBTYPES)})"
            )
        service, action, required, optional = SUBTYPES[subtype]
        given = dict(request_parameters or {})
        missing = [name for name in required if name not in given]
        unknown = sorted(set(given) - set(required) - set(optional))
        if missing or unknown:
            problems = []
            if missing:
                problems.append(f"missing required parameter(s) {', '.join(missing)}")
            if unknown:
                problems.append(
                    f"unknown parameter(s) {', '.join(unknown)} (known: {', '.join(required + optional)})"
                )
            raise UsageError(f"{where}: integration subtype {subtype}: {'; '.join(problems)}")
        self.subtype = subtype
        self.uri = subtype
        self.service, self.kind, self.target = service, "action", action
        self.region = str(given.get("Region") or REGION)
        self.handlers = handlers
        self.http_method = "POST"
        self.request_templates = {}
        self.passthrough = True
        self.responses = vtl.IntegrationResponses([])
        self.parameters = []
        self.mapping = {str(key): str(value) for key, value in given.items() if key != "Region"}

    def _request(self, call: IntegrationCall, body: str) -> AwsServiceRequest:
        try:
            document = json.loads(call.request.body) if call.request.body.strip() else None
        except ValueError:
            document = None
        values = {key: _mapped(expression, call, document) for key, expression in self.mapping.items()}
        params: dict[str, Any]
        service, action = self.service, self.target
        if service == "events":
            entry = {key: value for key, value in values.items() if value is not None}
            if isinstance(entry.get("Resources"), str):
                entry["Resources"] = [entry["Resources"]]
            params = {"Entries": [entry]}
        elif service == "states":
            params = {key[0].lower() + key[1:]: value for key, value in values.items() if value is not None}
        else:
            params = {}
            for key, value in values.items():
                if value is None:
                    continue
                if key in _NUMBERS and isinstance(value, str) and value.lstrip("-").isdigit():
                    value = int(value)
                params[key] = value
        return AwsServiceRequest(service, action, params, self.region, "POST", "", body, {})

    def invoke(self, call: IntegrationCall) -> IntegrationResult:
        result = super().invoke(call)
        if result.failure is None:
            result.headers = [("Content-Type", "application/json")]
        return result
