"""Answers on the wire: an output dict (or an ``AwsError``) becomes the HTTP response AWS would send for the
operation (JSON 1.0 or REST-JSON, built from the operation's output shape), and botocore's own parser turns
it into what the client returns, exactly as it would parse AWS's answer."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.endpoint import convert_to_response_dict
from botocore.model import OperationModel, Shape, StructureShape
from botocore.parsers import create_parser

from pytest_serverless._cache import memoize
from pytest_serverless.errors import AwsError

__all__ = ["answer_response", "error_response"]

_URL = "https://pytest-serverless.invalid/"


class _Raw(io.BytesIO):
    """The raw body botocore reads (``stream()`` as urllib3's response offers it)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def _value(shape: Shape, value: Any) -> Any:
    """A Python value as the JSON protocols carry it for ``shape``."""
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        return _structure(shape, value)
    if kind == "list":
        return [_value(shape.member, item) for item in value]
    if kind == "map":
        return {key: _value(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        return value.timestamp() if isinstance(value, datetime) else value
    if kind == "blob":
        raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        return base64.b64encode(raw).decode("ascii")
    return value


def _structure(shape: StructureShape, value: Mapping[str, Any]) -> dict[str, Any]:
    members = shape.members
    out: dict[str, Any] = {}
    for name, item in value.items():
        member = members.get(name)
        if member is None or item is None:
            continue
        out[member.serialization.get("name", name)] = _value(member, item)
    return out


def _response(
    operation: OperationModel, status: int, headers: dict[str, str], body: bytes
) -> tuple[AWSResponse, dict[str, Any]]:
    """The AWSResponse and what botocore parses from it."""
    headers.setdefault("x-amzn-RequestId", "c0ffee00-0000-4000-8000-000000000000")
    http = AWSResponse(_URL, status, headers, _Raw(body))
    if operation.has_streaming_output and status < 300:  # botocore's conversion: a StreamingBody
        response_dict = convert_to_response_dict(http, operation)
    else:  # what convert_to_response_dict builds for a non-streaming answer, without reading it back
        context = {"operation_name": operation.name}
        response_dict = {"headers": http.headers, "status_code": status, "body": body, "context": context}
    parsed: dict[str, Any] = _parser(operation.service_model.protocol).parse(
        response_dict, operation.output_shape
    )
    return http, parsed


@memoize(8)
def _parser(protocol: str) -> Any:
    return create_parser(protocol)


def answer_response(
    operation: OperationModel, output: Mapping[str, Any]
) -> tuple[AWSResponse, dict[str, Any]]:
    """The 200 response carrying ``output`` (Python values: datetimes, bytes) for ``operation``."""
    shape = operation.output_shape
    protocol = operation.service_model.protocol
    headers: dict[str, str] = {}
    status = 200
    if shape is None:
        return _response(operation, status, headers, b"{}" if protocol == "json" else b"")
    assert isinstance(shape, StructureShape)
    if protocol == "json":
        headers["Content-Type"] = "application/x-amz-json-1.0"
        return _response(operation, status, headers, json.dumps(_structure(shape, output)).encode())
    body_members: dict[str, Any] = {}
    body = b""
    payload = shape.serialization.get("payload")
    for name, item in output.items():
        member = shape.members.get(name)
        if member is None or item is None:
            continue
        location = member.serialization.get("location")
        if location == "statusCode":
            status = int(item)
        elif location == "header":
            headers[member.serialization["name"]] = str(item)
        elif name == payload:
            if member.type_name in ("blob", "string"):
                body = item.encode("utf-8") if isinstance(item, str) else bytes(item)
            else:
                body = json.dumps(_value(member, item)).encode()
        else:
            body_members[name] = item
    if payload is None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(_structure(shape, body_members)).encode()
    return _response(operation, status, headers, body)


def error_response(operation: OperationModel, error: AwsError) -> tuple[AWSResponse, dict[str, Any]]:
    """The error response AWS sends for ``error``: botocore parses it into ``Error.Code``/``Message``."""
    if operation.service_model.protocol == "json":
        body = {"__type": error.code, "message": error.message}
        headers = {"Content-Type": "application/x-amz-json-1.0"}
    else:
        body = {"message": error.message}
        headers = {"Content-Type": "application/json", "x-amzn-ErrorType": error.code}
    return _response(operation, error.status, headers, json.dumps(body).encode())
