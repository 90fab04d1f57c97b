"""Deterministic identifiers: request ids, execution names, task tokens. No uuid4, no wall clock."""

from __future__ import annotations

import hashlib
import itertools

__all__ = [
    "ACCOUNT_ID",
    "FAKE_CREDENTIALS",
    "REGION",
    "IdFactory",
    "deterministic_uuid",
    "execute_api_domain",
]

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
#: what code under test finds in its environment (a handler's Lambda environment, a botocore bridge scope)
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "ASIAPYTESTSERVERLESS",
    "AWS_SECRET_ACCESS_KEY": "pytest-serverless-fake-secret-access-key",
    "AWS_SESSION_TOKEN": "pytest-serverless-fake-session-token",
}


def execute_api_domain(api_id: str, region: str = REGION) -> str:
    """The host of an API Gateway API's default endpoint: ``{api_id}.execute-api.{region}.amazonaws.com``."""
    return f"{api_id}.execute-api.{region}.amazonaws.com"


def deterministic_uuid(*parts: object) -> str:
    """A UUID-shaped string derived from ``parts`` (stable across runs and processes)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-{digest[20:32]}"


class IdFactory:
    """Seeded counters per namespace: ``ids.next("request")`` -> stable UUID-shaped ids."""

    __slots__ = ("_counters", "_seed")

    def __init__(self, seed: str = "pytest-serverless") -> None:
        self._seed = seed
        self._counters: dict[str, itertools.count[int]] = {}

    def next(self, namespace: str) -> str:
        counter = self._counters.setdefault(namespace, itertools.count(1))
        return deterministic_uuid(self._seed, namespace, next(counter))
