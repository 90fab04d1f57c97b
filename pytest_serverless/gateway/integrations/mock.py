"""MOCK integrations: ``mock={"statusCode": 200, "body": "ok", "headers": {...}}``, answered in place."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_serverless.errors import UsageError

from . import vtl
from .base import IntegrationCall, IntegrationResult

__all__ = ["MockIntegration"]

_KEYS = frozenset({"statusCode", "body", "headers"})


class MockIntegration:
    """Answers with a fixed status, body (a string, bytes, or JSON-able value) and headers.

    On REST APIs, ``request_templates`` (e.g. setting ``$context.responseOverride.status``) and
    ``integration_responses`` (response templates rendered with ``$input`` = the mock body, selected by the
    mock's status code) work as for other non-proxy integrations.
    """

    def __init__(
        self,
        spec: Mapping[str, Any],
        *,
        where: str = "mock",
        request_templates: Mapping[str, str] | None = None,
        integration_responses: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        if not isinstance(spec, Mapping):
            raise UsageError(
                f"{where}: mock= takes a dict like {{'statusCode': 200, 'body': 'ok'}}, got {spec!r}"
            )
        unknown = set(spec) - _KEYS
        if unknown:
            raise UsageError(f"{where}: unknown mock key(s) {sorted(unknown)}; use statusCode, body, headers")
        status = spec.get("statusCode", 200)
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise UsageError(f"{where}: mock statusCode must be an HTTP status number, got {status!r}")
        body = spec.get("body", "")
        if isinstance(body, bytes):
            content = body
        elif isinstance(body, str):
            content = body.encode("utf-8")
        else:
            content = json.dumps(body).encode("utf-8")
        headers = spec.get("headers") or {}
        if not isinstance(headers, Mapping):
            raise UsageError(f"{where}: mock headers must be a dict, got {headers!r}")
        pairs = [(str(k), str(v)) for k, v in headers.items()]
        if not any(name.lower() == "content-type" for name, _ in pairs):
            pairs.insert(0, ("Content-Type", "application/json"))
        self.status = status
        self.headers = pairs
        self.body = content
        self.request_templates = dict(request_templates or {})
        self.responses = vtl.IntegrationResponses(integration_responses) if integration_responses else None

    def invoke(self, call: IntegrationCall) -> IntegrationResult:
        if self.responses is None and not self.request_templates:
            return IntegrationResult(self.status, list(self.headers), self.body)
        try:
            _, context = vtl.render_request(self.request_templates, call)
        except vtl.TemplateFailure as exc:
            return IntegrationResult(failure="API_CONFIGURATION_ERROR", error=exc)
        responses = self.responses or vtl.IntegrationResponses([{"statusCode": self.status}])
        result = responses.respond(call, self.body.decode("utf-8", "replace"), str(self.status), context)
        result.headers.extend(pair for pair in self.headers if pair[0].lower() != "content-type")
        return result
