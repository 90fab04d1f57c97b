"""Mock results checked against botocore's service models (API.md section 7), as TestState checks them.

``result_problem(resource, result, mode)``: why a mocked result does not fit the output shape of the
operation a Task ``resource`` calls, or None. ``mode``: ``"STRICT"`` (required members present, present
members typed), ``"PRESENT"`` (present members typed) or ``"NONE"``. Member names are in the casing Step
Functions returns: PascalCase for optimised integrations (``arn:aws:states:::states:startExecution`` gives
``ExecutionArn``), the SDK's own for ``aws-sdk:*``. Members the model does not know are allowed; a
``lambda:invoke`` ``Payload`` may be any JSON value. Resources with no model (plain Lambda ARNs, activities,
``.waitForTaskToken`` and ``.sync`` patterns, ``http:invoke``, ``apigateway:invoke``...) are not checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.session
from botocore.exceptions import UnknownServiceError
from botocore.model import OperationNotFoundError, Shape

from pytest_serverless._cache import memoize

__all__ = ["MODES", "result_problem"]

MODES = ("STRICT", "PRESENT", "NONE")

# Step Functions service names (optimised and aws-sdk) that botocore spells differently
_SERVICES = {
    "states": "stepfunctions",
    "sfn": "stepfunctions",
    "eventbridge": "events",
    "cloudwatchlogs": "logs",
    "bedrock": "bedrock-runtime",
    "sagemaker": "sagemaker",
}
# optimised integrations whose action is not the SDK's operation, or that have no model at all
_NO_MODEL = frozenset({"http", "apigateway", "eks"})


@memoize(2)
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@memoize(256)
def _output(resource: str) -> tuple[str, Shape | None, bool] | None:
    """(the operation's name for messages, its output shape, whether members are PascalCased), or None."""
    if not resource.startswith("arn:aws:states:::"):
        return None
    rest = resource[len("arn:aws:states:::") :]
    sdk = rest.startswith("aws-sdk:")
    if sdk:
        rest = rest[len("aws-sdk:") :]
    service, _, action = rest.partition(":")
    if not action or "." in action or service in _NO_MODEL:  # .sync / .waitForTaskToken: another shape
        return None
    if service == "bedrock" and action == "invokeModel":
        service = "bedrock-runtime"
    name = _SERVICES.get(service, service)
    try:
        model = _session().get_service_model(name)
        operation = model.operation_model(action[:1].upper() + action[1:])
    except (UnknownServiceError, OperationNotFoundError):
        return None
    return f"{name} {operation.name}", operation.output_shape, not sdk


def result_problem(resource: str, result: Any, mode: str) -> str | None:
    """Why ``result`` does not fit ``resource``'s output shape, or None (see the module docstring)."""
    if mode == "NONE":
        return None
    found = _output(resource)
    if found is None:
        return None
    operation, shape, pascal = found
    if shape is None:
        return None
    lambda_invoke = operation == "lambda Invoke"
    problem = _check(shape, result, "", mode == "STRICT", pascal, lambda_invoke)
    if problem is None:
        return None
    return f"does not fit {operation}'s output in the service model: {problem}"


def _member_name(name: str, pascal: bool) -> str:
    return name[:1].upper() + name[1:] if pascal else name


_TYPES = {
    "string": ("a string", (str,)),
    "integer": ("an integer", (int,)),
    "long": ("an integer", (int,)),
    "float": ("a number", (int, float)),
    "double": ("a number", (int, float)),
    "boolean": ("a boolean", (bool,)),
    "timestamp": ("a timestamp (text or epoch seconds)", (str, int, float)),
    "blob": ("a base64 string", (str,)),
}


def _check(shape: Shape, value: Any, path: str, strict: bool, pascal: bool, payload_any: bool) -> str | None:
    kind = shape.type_name
    if kind == "structure":
        return _check_structure(shape, value, path, strict, pascal, payload_any)
    if kind in ("list", "map"):
        return _check_items(shape, value, path, strict, pascal)
    return _check_scalar(shape, value, path)


def _check_structure(
    shape: Shape, value: Any, path: str, strict: bool, pascal: bool, payload_any: bool
) -> str | None:
    if not isinstance(value, dict):
        return f"{path or 'the result'} must be an object ({shape.name}), got {value!r}"
    members = shape.members
    if strict:
        for required in shape.required_members:
            key = _member_name(required, pascal)
            if key not in value:
                at = f"{path}.{key}" if path else key
                return f"required member {at!r} is missing ({_describe(members[required])})"
    for name, member in members.items():
        key = _member_name(name, pascal)
        if key not in value:
            continue
        at = f"{path}.{key}" if path else key
        if payload_any and not path and name == "Payload":
            continue  # lambda:invoke's Payload is the function's JSON result
        problem = _check(member, value[key], at, strict, pascal, False)
        if problem is not None:
            return problem
    return None


def _check_items(shape: Shape, value: Any, path: str, strict: bool, pascal: bool) -> str | None:
    """A list's members or a map's values, each against the member (list) or value (map) shape."""
    where = path or "the result"
    items: Iterator[tuple[str, Any]]
    if shape.type_name == "list":
        if not isinstance(value, list):
            return f"member {where!r} must be a list ({shape.name}), got {value!r}"
        member = shape.member
        items = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        if not isinstance(value, dict):
            return f"member {where!r} must be an object ({shape.name}), got {value!r}"
        member = shape.value
        items = ((f"{path}.{key}", item) for key, item in value.items())
    for at, item in items:
        problem = _check(member, item, at, strict, pascal, False)
        if problem is not None:
            return problem
    return None


def _check_scalar(shape: Shape, value: Any, path: str) -> str | None:
    kind = shape.type_name
    expected = _TYPES.get(kind)
    if expected is None or value is None:
        return None
    text, types = expected
    ok = isinstance(value, types) and (kind == "boolean" or not isinstance(value, bool))
    if not ok:
        return f"member {path or 'the result'!r} must be {text} ({shape.name}), got {value!r}"
    return None


def _describe(shape: Shape) -> str:
    kind = shape.type_name
    if kind in _TYPES:
        return f"{_TYPES[kind][0]}, {shape.name}"
    return f"{kind} {shape.name}"
