"""REST API resource policies (``api.policy(document)``, SAM ``Auth.ResourcePolicy``, ``Policy``,
``x-amazon-apigateway-policy``) and endpoint types.

A policy is evaluated against each request's method ARN (``arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/
METHOD/PATH``) as IAM does: an explicit ``Deny`` wins, then an ``Allow``, else the request is implicitly
denied. Conditions read the request's source IP (``aws:SourceIp``: ``IpAddress``/``NotIpAddress``), its VPC
endpoint (``aws:SourceVpce``, from the ``x-amzn-vpce-id`` header a test sends) and VPC (``aws:SourceVpc``,
from ``x-amzn-vpc-id``) with the ``String*`` operators. The caller is anonymous (no SigV4 here): a statement
whose ``Principal`` is ``*`` or ``{"AWS": "*"}`` applies; one naming specific principals does not.
A refused request gets AWS's 403: ``{"Message":"User: anonymous is not authorized to perform:
execute-api:Invoke on resource: <ARN>[ with an explicit deny]"}``.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from typing import Any

from pytest_serverless._ids import ACCOUNT_ID, REGION
from pytest_serverless.errors import UsageError

from .authorizers.policy import PolicyError, policy_statements, wildcard_match
from .request import GatewayRequest

__all__ = ["ENDPOINT_TYPES", "ResourcePolicy"]

ENDPOINT_TYPES = ("EDGE", "REGIONAL", "PRIVATE")
_ACTION = "execute-api:Invoke"
_STRING_OPERATORS = ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike")
_IP_OPERATORS = ("IpAddress", "NotIpAddress")
_DENIED = "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
_KEYS = {"aws:sourceip", "aws:sourcevpce", "aws:sourcevpc"}


def _listed(value: Any, where: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) for item in items):
        raise PolicyError(f"{where} must be a string or a list of strings")
    return list(items)


class _Statement:
    __slots__ = (
        "actions",
        "conditions",
        "deny",
        "negate_actions",
        "negate_resources",
        "principal",
        "resources",
    )

    def __init__(self, raw: Any, index: int, api_id: str) -> None:
        where = f"Statement[{index}]"
        if not isinstance(raw, Mapping):
            raise PolicyError(f"{where} must be an object")
        effect = raw.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyError(f'{where}.Effect must be "Allow" or "Deny", got {effect!r}')
        self.deny = effect == "Deny"
        principal = raw.get("Principal", "*")
        if isinstance(principal, Mapping):
            values = [v for value in principal.values() for v in _listed(value, f"{where}.Principal")]
            self.principal = "*" in values
        elif principal == "*":
            self.principal = True
        else:
            raise PolicyError(f'{where}.Principal must be "*" or an object like {{"AWS": [...]}}')
        self.negate_actions = "Action" not in raw
        actions = raw.get("Action", raw.get("NotAction"))
        if actions is None:
            raise PolicyError(f"{where} has neither Action nor NotAction")
        self.actions = _listed(actions, f"{where}.Action")
        self.negate_resources = "Resource" not in raw
        resources = raw.get("Resource", raw.get("NotResource"))
        if resources is None:
            raise PolicyError(f"{where} has neither Resource nor NotResource")
        self.resources = [_expand(r, api_id) for r in _listed(resources, f"{where}.Resource")]
        self.conditions: list[tuple[str, str, list[str]]] = []
        condition = raw.get("Condition") or {}
        if not isinstance(condition, Mapping):
            raise PolicyError(f"{where}.Condition must be an object")
        for operator, tests in condition.items():
            if operator not in _STRING_OPERATORS + _IP_OPERATORS:
                raise PolicyError(
                    f"{where}.Condition: operator {operator!r} is not supported here "
                    f"(supported: {', '.join(_STRING_OPERATORS + _IP_OPERATORS)})"
                )
            if not isinstance(tests, Mapping):
                raise PolicyError(f"{where}.Condition.{operator} must be an object")
            for key, values in tests.items():
                if str(key).lower() not in _KEYS:
                    raise PolicyError(
                        f"{where}.Condition.{operator}: key {key!r} is not supported here "
                        "(aws:SourceIp, aws:SourceVpce, aws:SourceVpc)"
                    )
                listed = _listed(values, f"{where}.Condition.{operator}.{key}")
                if operator in _IP_OPERATORS:
                    for value in listed:
                        try:
                            ipaddress.ip_network(value, strict=False)
                        except ValueError:
                            raise PolicyError(
                                f"{where}.Condition.{operator}: {value!r} is no IP range"
                            ) from None
                self.conditions.append((operator, str(key).lower(), listed))

    def applies(self, arn: str, facts: Mapping[str, str | None]) -> bool:
        if not self.principal:
            return False
        action = any(wildcard_match(p, _ACTION, ignore_case=True) for p in self.actions)
        resource = any(wildcard_match(p, arn) for p in self.resources)
        if action == self.negate_actions or resource == self.negate_resources:
            return False
        return all(_condition(op, facts.get(key), values) for op, key, values in self.conditions)


def _condition(operator: str, fact: str | None, values: list[str]) -> bool:
    if operator in _IP_OPERATORS:
        if fact is None:
            return False
        try:
            address = ipaddress.ip_address(fact)
        except ValueError:
            return False
        inside = any(address in ipaddress.ip_network(value, strict=False) for value in values)
        return inside if operator == "IpAddress" else not inside
    if fact is None:
        return operator in ("StringNotEquals", "StringNotLike")  # IAM: a missing key fails the positive ones
    if operator == "StringEquals":
        return fact in values
    if operator == "StringNotEquals":
        return fact not in values
    like = any(wildcard_match(value, fact) for value in values)
    return like if operator == "StringLike" else not like


def _expand(resource: str, api_id: str) -> str:
    """``execute-api:/*`` (the short form policies may use) -> this API's full ARN pattern."""
    if resource.startswith("execute-api:/"):
        return f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api_id}/{resource[len('execute-api:/') :]}"
    return resource


class ResourcePolicy:
    """A parsed resource policy; ``refusal(arn, request)`` is None or the 403 message."""

    def __init__(self, document: Any, api_id: str, where: str) -> None:
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except ValueError as exc:
                raise UsageError(f"{where}: the policy is not JSON ({exc})") from None
        try:
            statements = policy_statements(document, "the policy must be an object with a Statement")
            self.statements = [_Statement(raw, index, api_id) for index, raw in enumerate(statements)]
        except PolicyError as exc:  # AWS refuses it at PutRestApi: "Invalid policy document"
            raise UsageError(f"{where}: invalid policy document: {exc}") from None
        self.document = document

    def refusal(self, arn: str, request: GatewayRequest) -> str | None:
        headers = request.headers
        facts = {
            "aws:sourceip": request.source_ip,
            "aws:sourcevpce": headers.get("x-amzn-vpce-id"),
            "aws:sourcevpc": headers.get("x-amzn-vpc-id"),
        }
        allowed = False
        for statement in self.statements:
            if statement.applies(arn, facts):
                if statement.deny:
                    return f"{_DENIED}{arn} with an explicit deny"
                allowed = True
        if allowed:
            return None
        return f"{_DENIED}{arn}"
