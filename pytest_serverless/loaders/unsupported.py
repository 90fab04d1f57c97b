"""Routes whose backend the library does not emulate, and Lambda integrations that pick their function by a
stage variable (``arn:...:function:${stageVariables.fn}``).

A route to an unemulated backend (a private integration through a VPC link, an AWS service URI with a type
other than ``AWS``, a Step Functions integration to a machine outside the template...) still exists: a
request to it answers as AWS answers when the backend fails (500, ``Internal server error`` on REST,
``Internal Server Error`` on HTTP APIs), and the response's ``reason`` names the missing feature. The
template lists it once in ``app.unsupported``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pytest_serverless.gateway.integrations.base import IntegrationCall, IntegrationResult

__all__ = ["FeatureNotEmulated", "StageVariableLambda", "UnsupportedIntegration", "with_stage_variables"]

_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_.:-]+)\}")


class FeatureNotEmulated(RuntimeError):
    """What a request to a route with an unemulated backend fails with (``response.error``)."""


class UnsupportedIntegration:
    """The backend of a route that pytest_serverless does not emulate: every request fails with 500."""

    def __init__(self, feature: str, where: str) -> None:
        self.feature = feature
        self.error = FeatureNotEmulated(
            f"{where}: {feature} is not emulated by pytest_serverless (AWS would call the backend; here the "
            "route fails as a failed backend does)"
        )

    def invoke(self, call: IntegrationCall) -> IntegrationResult:
        return IntegrationResult(failure="INTEGRATION_FAILURE", error=self.error)


def with_stage_variables(template: str, variables: Any) -> str:
    """``template`` with each ``${stageVariables.name}`` replaced by that stage variable (or nothing)."""
    found = variables if isinstance(variables, dict) else {}
    return _STAGE_VARIABLE.sub(lambda match: str(found.get(match.group(1), "")), template)


class StageVariableLambda:
    """A Lambda proxy integration whose function ARN holds ``${stageVariables.name}``: each request invokes
    the template function the stage's variables name; a name that is no function of the template answers as
    AWS does when the function does not exist (500)."""

    def __init__(
        self,
        template: str,
        lookup: Callable[[str], str | None],
        build: Callable[[str], Any],
    ) -> None:
        self.template = template
        self._lookup = lookup  # ARN or name -> function logical id
        self._build = build  # logical id -> a LambdaProxyIntegration
        self._built: dict[str, Any] = {}

    def invoke(self, call: IntegrationCall) -> IntegrationResult:
        arn = with_stage_variables(self.template, dict(call.stage_variables))
        target = self._lookup(arn)
        if target is None:
            error = FeatureNotEmulated(
                f"the integration's function {self.template!r} resolves to {arn!r} with stage "
                f"{call.stage!r}'s variables, which is no function of the template"
            )
            return IntegrationResult(failure="INTEGRATION_FAILURE", error=error)
        integration = self._built.get(target)
        if integration is None:
            integration = self._built[target] = self._build(target)
        result: IntegrationResult = integration.invoke(call)
        return result
