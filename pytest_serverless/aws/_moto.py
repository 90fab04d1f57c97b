"""Calls answered by moto (when its ``mock_aws`` is active) for the gateway's AWS service integrations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_serverless.errors import AwsError

__all__ = ["moto_call"]


def moto_call(service: str, action: str, region: str, params: Mapping[str, Any]) -> tuple[Any] | None:
    """``(answer,)`` of the call made through boto3 when moto's ``mock_aws`` is active, else ``None``; the
    service's error as ``AwsError`` (code, message, status). ``params`` may be form fields (strings): they
    get the types the operation's input shape names."""
    try:
        from moto.core.models import MockAWS
    except ImportError:
        return None
    if getattr(MockAWS, "_nested_count", 0) <= 0:
        return None
    import boto3  # type: ignore[import-untyped]
    from botocore import xform_name
    from botocore.exceptions import ClientError, ParamValidationError

    name = {"states": "stepfunctions"}.get(service, service)
    client = boto3.client(name, region_name=region)
    operation = xform_name(action)
    if not hasattr(client, operation):
        raise AwsError("InvalidAction", f"The action {action} is not valid for this endpoint.")
    params = _typed(client, action, params)
    try:
        return (getattr(client, operation)(**params),)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
        raise AwsError(str(error.get("Code", "")), str(error.get("Message", "")), int(status)) from None
    except ParamValidationError as exc:
        raise AwsError("ValidationError", str(exc).replace("\n", " ")) from None


def _typed(client: Any, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Form fields (strings) with the types the operation's input shape names (integers, booleans)."""
    from botocore.model import OperationNotFoundError

    try:
        members = client.meta.service_model.operation_model(action).input_shape.members
    except (OperationNotFoundError, AttributeError):  # an unknown operation: fields as they are
        return dict(params)
    typed: dict[str, Any] = {}
    for key, value in params.items():
        shape = members.get(
            key
        )  # flattened lists (MessageAttribute.1.Name) pass as they are: botocore refuses
        kind = getattr(shape, "type_name", "string")
        if isinstance(value, str) and kind in ("integer", "long"):
            typed[key] = int(value) if value.lstrip("-").isdigit() else value
        elif isinstance(value, str) and kind == "boolean":
            typed[key] = value.lower() == "true"
        else:
            typed[key] = value
    return typed
