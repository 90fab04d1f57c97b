"""Step Functions Local MockConfigFile support: ``load_mock_config(path_or_dict) -> MockConfig``."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_serverless.errors import UsageError

from .tasks import normalize_mock

__all__ = ["MockConfig", "load_mock_config"]


class MockConfig:
    """A loaded MockConfigFile. ``config.mocks(state_machine_name, test_case)`` -> a ``mocks`` mapping."""

    def __init__(self, data: Mapping[str, Any], *, source: str | None = None) -> None:
        self.source = source
        where = f" in {source}" if source else ""
        machines = data.get("StateMachines", {})
        responses = data.get("MockedResponses", {})
        if not isinstance(machines, Mapping) or not isinstance(responses, Mapping):
            raise UsageError(f"mock config{where}: 'StateMachines' and 'MockedResponses' must be objects")
        self.responses: dict[str, Any] = {}
        for name, response in responses.items():
            normalize_mock(response, f"MockedResponses.{name}")  # validates shape and ranges
            self.responses[str(name)] = response
        self.test_cases: dict[str, dict[str, dict[str, str]]] = {}
        for machine, body in machines.items():
            cases = body.get("TestCases", {}) if isinstance(body, Mapping) else None
            if not isinstance(cases, Mapping):
                raise UsageError(f"mock config{where}: StateMachines.{machine}.TestCases must be an object")
            self.test_cases[str(machine)] = {}
            for case, mapping in cases.items():
                if not isinstance(mapping, Mapping):
                    raise UsageError(
                        f"mock config{where}: StateMachines.{machine}.TestCases.{case} must map state names "
                        "to mocked response names"
                    )
                for state, response_name in mapping.items():
                    if not isinstance(response_name, str) or response_name not in self.responses:
                        raise UsageError(
                            f"mock config{where}: StateMachines.{machine}.TestCases.{case}.{state} names "
                            f"{response_name!r}, which is not in MockedResponses "
                            f"(known: {', '.join(sorted(self.responses)) or 'none'})"
                        )
                self.test_cases[str(machine)][str(case)] = {str(k): str(v) for k, v in mapping.items()}

    def mocks(self, state_machine_name: str, test_case: str) -> dict[str, Any]:
        """The ``mocks`` mapping for ``execute``: state name -> mocked responses."""
        cases = self.test_cases.get(state_machine_name)
        if cases is None:
            known = ", ".join(sorted(self.test_cases)) or "none"
            raise UsageError(f"mock config has no state machine {state_machine_name!r} (known: {known})")
        mapping = cases.get(test_case)
        if mapping is None:
            known = ", ".join(sorted(cases)) or "none"
            raise UsageError(
                f"mock config has no test case {test_case!r} for state machine {state_machine_name!r} "
                f"(known: {known})"
            )
        return {state: self.responses[name] for state, name in mapping.items()}

    def __repr__(self) -> str:
        return f"MockConfig(state_machines={sorted(self.test_cases)!r})"


def load_mock_config(path_or_dict: str | os.PathLike[str] | Mapping[str, Any]) -> MockConfig:
    """Read a Step Functions Local MockConfigFile (a path to JSON, or the already-parsed dict)."""
    if isinstance(path_or_dict, Mapping):
        return MockConfig(path_or_dict)
    if not isinstance(path_or_dict, (str, os.PathLike)):
        raise UsageError(f"load_mock_config() takes a path or a dict, not {type(path_or_dict).__name__}")
    path = Path(path_or_dict)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read mock config {str(path)!r}: {error.strerror or error}") from None
    try:
        data = json.loads(text)
    except ValueError as error:
        raise UsageError(f"mock config {str(path)!r} is not valid JSON: {error}") from None
    if not isinstance(data, Mapping):
        raise UsageError(f"mock config {str(path)!r} must be a JSON object")
    return MockConfig(data, source=str(path))
