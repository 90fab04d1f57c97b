"""``$connect`` authorization: REQUEST Lambda authorizers (AWS's WebSocket event, never cached) and IAM.

A Lambda authorizer's identity sources are read from the handshake (``route.request.header.X``,
``route.request.querystring.X``, ``stageVariables.X``); a missing one answers 401 without calling the
function.
The function's answer is checked and its policy evaluated as for REST APIs (``lambda_authorizer``), against
the ``$connect`` route's ARN: ``arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/$connect``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_serverless._ids import ACCOUNT_ID, REGION
from pytest_serverless._user_code import UserCodeFailed, call_user
from pytest_serverless.errors import InternalError, is_ours
from pytest_serverless.gateway.authorizers.base import AuthDecision, AuthorizationCall
from pytest_serverless.gateway.authorizers.lambda_authorizer import LambdaAuthorizer, _ConfigError
from pytest_serverless.gateway.request import GatewayRequest, Headers

from .proxy_events import connect_event

if TYPE_CHECKING:
    from .connection import Connection
    from .stage import WebSocketStage

__all__ = ["authorize_connect", "connect_arn"]


def connect_arn(api_id: str, stage: str) -> str:
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api_id}/{stage}/$connect"


def _call(stage: WebSocketStage, connection: Connection, request_id: str) -> AuthorizationCall:
    request = GatewayRequest(
        "GET",
        "/",
        Headers(list(connection.headers)),
        list(connection.query),
        raw_path=f"/{stage.name}",
        raw_query_string="&".join(f"{k}={v}" for k, v in connection.query),
        source_ip=connection.source_ip,
        domain_name=connection.domain_name,
    )
    api = stage.api
    return AuthorizationCall(
        request=request,
        api_kind="REST",  # the REST rules apply: policy documents, scalar context values, 401/403/500
        api_id=api.id,
        api_name=api.name,
        stage=stage.name,
        stage_variables=stage.variables,
        route_key="$connect",
        resource_path="/",
        path_parameters={},
        method_arn=connect_arn(api.id, stage.name),
        request_id=request_id,
        clock=api.gateway.clock,
    )


def authorize_connect(
    stage: WebSocketStage, connection: Connection, authorizer: Any, request_id: str
) -> AuthDecision:
    """The authorizer's decision for a connection being opened (``response_type`` None: allowed)."""
    call = _call(stage, connection, request_id)
    if isinstance(authorizer, LambdaAuthorizer) or type(authorizer).__name__ == "LambdaAuthorizer":
        return _lambda(authorizer, stage, connection, call)  # (by name too: a reloaded module's class)
    try:
        decision = call_user(authorizer.authorize, call)
    except UserCodeFailed as failed:  # a hand-written authorizer failed: 500 (ours failing is a bug)
        exc = failed.error
        if is_ours(authorizer):
            raise InternalError(f"running the $connect authorizer of {stage!r}", exc) from exc
        return AuthDecision(
            response_type="AUTHORIZER_CONFIGURATION_ERROR",
            reason=f"the authorizer raised {type(exc).__name__}: {exc}",
        )
    if not isinstance(decision, AuthDecision):
        return AuthDecision(
            response_type="AUTHORIZER_CONFIGURATION_ERROR", reason=f"the authorizer returned {decision!r}"
        )
    return decision


def _lambda(
    authorizer: LambdaAuthorizer, stage: WebSocketStage, connection: Connection, call: AuthorizationCall
) -> AuthDecision:
    missing = authorizer._identity(call)
    if isinstance(missing, AuthDecision):
        return missing
    clock = call.clock
    event = connect_event(connection, call.request_id, clock.time(), stage.variables)
    event = {
        "type": "REQUEST",
        "methodArn": call.method_arn,
        "headers": event["headers"],
        "multiValueHeaders": event["multiValueHeaders"],
        "queryStringParameters": event.get("queryStringParameters"),
        "multiValueQueryStringParameters": event.get("multiValueQueryStringParameters"),
        "stageVariables": dict(stage.variables) or None,
        "requestContext": event["requestContext"],
    }
    authorizer.invocations += 1
    malformed = (_ConfigError, ValueError, TypeError)
    ran = authorizer._answer(
        event, call, authorizer.timeout, clock.time(), raise_misuse=True, malformed=malformed
    )
    if isinstance(ran, AuthDecision):
        return ran
    answer, latency = ran
    return authorizer._evaluate(answer, call, cached=False, latency=latency)
