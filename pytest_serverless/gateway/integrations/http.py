"""HTTP and HTTP_PROXY integrations, forwarded with ``requests`` (tests answer with their own ``responses``).

An endpoint that cannot be reached gets AWS's 500 (REST, recorded) / 500 (HTTP API); one slower than the
route's timeout gets 504 (REST) / 503 (HTTP API).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_serverless._user_code import UserCodeFailed, call_user
from pytest_serverless.errors import ServerlessError, UsageError
from pytest_serverless.gateway.proxy_events import forwarded_headers

from . import vtl
from .base import IntegrationCall, IntegrationResult

__all__ = ["HttpIntegration"]

_PLACEHOLDER = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}|\{([A-Za-z0-9._$-]+)\+?\}")
# Backend answer headers API Gateway renames on HTTP_PROXY (recorded against AWS).
_REMAPPED = frozenset({"connection", "content-length", "date", "x-amzn-requestid", "server"})
_NOT_FORWARDED = frozenset({"host", "content-length"})
_SKIPPED_ANSWER = frozenset({"transfer-encoding", "content-encoding"})


class HttpIntegration:
    """``http="https://backend/{proxy}"`` (HTTP_PROXY); ``http_proxy=False``: REST HTTP with templates."""

    def __init__(
        self,
        url: str,
        *,
        proxy: bool = True,
        method: str | None = None,
        request_templates: Mapping[str, str] | None = None,
        integration_responses: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "${stageVariables.")):
            raise UsageError(f"http= takes an http:// or https:// URL template, got {url!r}")
        self.url = url
        self.proxy = proxy
        self.method = method.upper() if method else None
        self.request_templates = dict(request_templates or {})
        self.responses = vtl.IntegrationResponses(integration_responses)
        self._session: Any = None

    def _target(self, call: IntegrationCall) -> str | None:
        missing = False

        def substitute(found: re.Match[str]) -> str:
            nonlocal missing
            if found.group(1) is not None:
                value = call.stage_variables.get(found.group(1))
            else:
                value = call.path_parameters.get(found.group(2))
            if value is None:
                missing = True
                return ""
            return value

        url = _PLACEHOLDER.sub(substitute, self.url)
        if missing or not url.startswith(("http://", "https://")) or len(url.split("/")[2]) == 0:
            return None
        return url

    def invoke(self, call: IntegrationCall) -> IntegrationResult:
        import requests  # imported on first use: only HTTP integrations need it

        url = self._target(call)
        if url is None:
            return IntegrationResult(failure="INTEGRATION_FAILURE")
        request = call.request
        headers = [(k, v) for k, v in forwarded_headers(call) if k.lower() not in _NOT_FORWARDED]
        headers.append(("x-amzn-apigateway-api-id", call.api_id))
        context: dict[str, Any] = {}
        body: bytes = request.body
        if self.proxy:
            if request.raw_query_string:
                url = f"{url}{'&' if '?' in url else '?'}{request.raw_query_string}"
        else:
            headers = [(k, v) for k, v in headers if k.lower() != "user-agent"]
            headers.append(("User-Agent", f"AmazonAPIGateway_{call.api_id}"))
            try:
                text, context = vtl.render_request(self.request_templates, call)
            except vtl.TemplateFailure as exc:
                return IntegrationResult(failure="API_CONFIGURATION_ERROR", error=exc)
            body = text.encode("utf-8")
        if self._session is None:
            self._session = requests.Session()
        try:
            answer = call_user(  # the test's HTTP backend (a responses callback...) answers
                functools.partial(
                    self._session.request,
                    self.method or request.method,
                    url,
                    headers=dict(headers),
                    data=body or None,
                    timeout=call.timeout,
                    allow_redirects=False,
                ),
                lets_through=(ServerlessError, requests.RequestException),  # ours stay loud
            )
        except requests.Timeout as exc:
            return IntegrationResult(failure="INTEGRATION_TIMEOUT", error=exc)
        except requests.RequestException as exc:
            return IntegrationResult(failure="INTEGRATION_FAILURE", error=exc)
        except UserCodeFailed as failed:  # the test's HTTP backend raised: AWS answers 500
            return IntegrationResult(failure="INTEGRATION_FAILURE", error=failed.error)
        if not self.proxy:
            return self.responses.respond(
                call, answer.content.decode("utf-8", "replace"), str(answer.status_code), context
            )
        pairs: list[tuple[str, str]] = []
        for name, value in answer.headers.items():
            lowered = name.lower()
            if lowered in _SKIPPED_ANSWER:
                continue
            pairs.append((f"x-amzn-Remapped-{name}" if lowered in _REMAPPED else name, value))
        return IntegrationResult(answer.status_code, pairs, answer.content)
