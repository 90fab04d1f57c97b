"""IAM policy evaluation for Lambda authorizer output, against an ``execute-api`` method ARN.

API Gateway evaluates the policy a Lambda authorizer returns (and caches) against the ARN of the method being
called: an explicit ``Deny`` wins, then any ``Allow``, otherwise the request is implicitly denied. ``Action``
and ``Resource`` patterns use IAM wildcards: ``*`` matches any run of characters (``/`` included) and ``?``
exactly one. Actions compare case-insensitively, resources case-sensitively.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pytest_serverless._glob import compile_glob

__all__ = ["PolicyError", "PolicyVerdict", "evaluate_policy", "policy_statements", "wildcard_match"]

PolicyVerdict = Literal["ALLOW", "DENY", "IMPLICIT_DENY"]
_ACTION = "execute-api:Invoke"


class PolicyError(ValueError):
    """The policy document is malformed (API Gateway answers AUTHORIZER_CONFIGURATION_ERROR)."""


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcard matching: ``*`` any characters (``/`` too), ``?`` one character; no backtracking."""
    return compile_glob(pattern, any_char="?", ignore_case=ignore_case).match(value)


def _strings(statement: Mapping[str, Any], key: str, index: int) -> list[str] | None:
    if key not in statement:
        return None
    value = statement[key]
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) for item in items):
        raise PolicyError(f"policyDocument.Statement[{index}].{key} must be a string or a list of strings")
    return list(items)


def _statement_applies(
    statement: Mapping[str, Any], index: int, method_arn: str, action: str = _ACTION
) -> bool:
    actions = _strings(statement, "Action", index)
    not_actions = _strings(statement, "NotAction", index)
    resources = _strings(statement, "Resource", index)
    not_resources = _strings(statement, "NotResource", index)
    if actions is None and not_actions is None:
        raise PolicyError(f"policyDocument.Statement[{index}] has neither Action nor NotAction")
    if resources is None and not_resources is None:
        raise PolicyError(f"policyDocument.Statement[{index}] has neither Resource nor NotResource")
    if actions is not None:
        action_ok = any(wildcard_match(pattern, action, ignore_case=True) for pattern in actions)
    else:
        action_ok = not any(wildcard_match(p, action, ignore_case=True) for p in not_actions or [])
    if resources is not None:
        resource_ok = any(wildcard_match(pattern, method_arn) for pattern in resources)
    else:
        resource_ok = not any(wildcard_match(pattern, method_arn) for pattern in not_resources or [])
    return action_ok and resource_ok


def policy_statements(document: Any, not_an_object: str, prefix: str = "") -> list[Any]:
    """A policy document's ``Statement`` as a list (one object: a list of one).

    Raises ``PolicyError``: ``not_an_object`` for a document that is no object; ``prefix`` starts the
    message for a ``Statement`` that is neither an object nor a list.
    """
    if not isinstance(document, Mapping):
        raise PolicyError(not_an_object)
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        return [statements]
    if not isinstance(statements, list):
        raise PolicyError(f"{prefix}Statement must be an object or a list of objects")
    return statements


def evaluate_policy(policy_document: Any, method_arn: str, action: str = _ACTION) -> PolicyVerdict:
    """``ALLOW``, ``DENY`` (an explicit Deny matched) or ``IMPLICIT_DENY`` (no Allow matched) for ``action``
    (``execute-api:Invoke``, or ``execute-api:InvalidateCache`` for a ``Cache-Control: max-age=0``).

    Raises ``PolicyError`` for a document API Gateway could not read.
    """
    statements = policy_statements(policy_document, "policyDocument must be a JSON object", "policyDocument.")
    allowed = denied = False
    for index, statement in enumerate(statements):
        if not isinstance(statement, Mapping):
            raise PolicyError(f"policyDocument.Statement[{index}] must be an object")
        effect = statement.get("Effect")
        if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
            raise PolicyError(
                f'policyDocument.Statement[{index}].Effect must be "Allow" or "Deny", got {effect!r}'
            )
        if not _statement_applies(statement, index, method_arn, action):
            continue
        if effect.lower() == "deny":
            denied = True  # no early return: a malformed later statement is still refused
        else:
            allowed = True
    return "DENY" if denied else "ALLOW" if allowed else "IMPLICIT_DENY"
