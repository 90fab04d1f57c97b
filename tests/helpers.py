"""Small builders the tests share: handlers, definitions, mocks, authorizer calls, tokens, template files.

Import them as ``from tests.helpers import ...`` (``tests`` is a package; pytest puts the project root on
``sys.path``). A builder lives here once two test files need it; one file's own helpers stay in that file.
"""

from __future__ import annotations

import base64
import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytest_serverless.clock import VirtualClock
from pytest_serverless.gateway.authorizers import AuthorizationCall
from pytest_serverless.gateway.request import GatewayRequest, Headers

# ----------------------------------------------------------------------------- Lambda handlers


def ok(event: Any, context: Any) -> dict[str, Any]:
    """A proxy handler answering 200 ``ok``."""
    return {"statusCode": 200, "body": "ok"}


def boom(event: Any, context: Any) -> dict[str, Any]:
    """A handler that fails (``RuntimeError('boom')``)."""
    raise RuntimeError("boom")


def counting_handler() -> tuple[Callable[[Any, Any], dict[str, Any]], list[Any]]:
    """A proxy handler that records each event and answers 200 with the number of calls so far."""
    calls: list[Any] = []

    def handler(event: Any, context: Any) -> dict[str, Any]:
        calls.append(event)
        return {"statusCode": 200, "body": str(len(calls))}

    return handler, calls


# ----------------------------------------------------------------------------- ASL definitions and mocks

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:charge"


def task_machine(resource: str = FUNCTION, **state: Any) -> dict[str, Any]:
    """A definition of one Task ``T`` on ``resource`` (extra fields of the state as keywords)."""
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True, **state}}}


def throws(error: str, cause: str = "c", times: int = 1) -> list[dict[str, Any]]:
    """A mock answer list: ``times`` failures with ``error`` and ``cause``."""
    return [{"Throw": {"Error": error, "Cause": cause}}] * times


def event_types(execution: Any) -> list[str]:
    """The history's event types, in order."""
    return [event["type"] for event in execution.history]


def outcome(action: Callable[[], Any]) -> Any:
    """The value of ``action()`` or the exception it raised (for properties over many inputs)."""
    try:
        return action()
    except Exception as error:
        return error


# ----------------------------------------------------------------------------- authorizers and tokens

ARN_PREFIX = "arn:aws:execute-api:us-east-1:123456789012:abc123"
ISSUER_URL = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test"


def b64url(data: bytes) -> str:
    """Unpadded base64url, as JWT segments are written."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def authorization_call(
    clock: VirtualClock,
    headers: dict[str, str] | None = None,
    *,
    kind: str = "REST",
    method: str = "GET",
    path: str = "/orders/1",
    resource: str = "/orders/{id}",
    path_parameters: dict[str, str] | None = None,
    query: Any = (),
    stage_variables: dict[str, str] | None = None,
    route_key: str | None = None,
    request_id: str = "req-1",
    scopes: Any = (),
) -> AuthorizationCall:
    """The call an authorizer gets for ``method path`` on stage ``prod`` of API ``abc123`` (``orders``)."""
    request = GatewayRequest(
        method,
        path,
        headers=Headers(headers or {}),
        query=list(query),
        raw_path=f"/prod{path}",
        raw_query_string="&".join(f"{k}={v}" for k, v in query),
    )
    return AuthorizationCall(
        request=request,
        api_kind=kind,
        api_id="abc123",
        api_name="orders",
        stage="prod",
        stage_variables=stage_variables or {},
        route_key=route_key or f"{method} {resource}",
        resource_path=resource,
        path_parameters={"id": "1"} if path_parameters is None else path_parameters,
        method_arn=f"{ARN_PREFIX}/prod/{method}{path}",
        request_id=request_id,
        clock=clock,
        scopes=tuple(scopes),
    )


# ----------------------------------------------------------------------------- files


def write_template(directory: Path, text: str, name: str = "template.yaml") -> Path:
    """Write ``text`` (dedented) as ``directory/name`` and return the path."""
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def fnmatch_literal(line: str) -> str:
    """An fnmatch pattern for ``line``: brackets and ``?`` taken literally, ``*`` still a wildcard."""
    return "".join(f"[{char}]" if char in "[]?" else char for char in line)


# ----------------------------------------------------------------- AWS recordings kept outside the repository


def recordings(variable: str, *parts: str) -> Path:
    """The folder named by environment variable ``variable`` (joined with ``parts``); a missing path when the
    variable is unset, so tests over AWS recordings kept outside the repository skip."""
    root = os.environ.get(variable)
    if not root:
        return Path("/nonexistent") / variable
    return Path(root).joinpath(*parts)
