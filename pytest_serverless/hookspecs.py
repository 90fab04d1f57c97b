"""Hooks that pytest_serverless adds to pytest (through ``pytest_addhooks``), and the integration registry.

Implement them in a ``conftest.py`` or in an installed plugin (an "integration pack"), as with any pytest
hook. The hooks are called through the test's node, so a ``conftest.py`` only affects the tests below it.

* ``pytest_serverless_register_integrations(registry)``: add Task handlers (by resource ARN, ARN pattern
  with ``*`` or state name) and gateway integrations for every test that uses the fixtures.
* ``pytest_serverless_execution_finished(execution)``: observe every execution run through the ``sfn``
  and ``serverless_app`` fixtures.
* ``pytest_serverless_gateway_response(request, response)``: observe every response of the ``gateway``
  and ``serverless_app`` fixtures.

This module imports nothing from pytest_serverless (nor pytest): integration packs may import
``IntegrationRegistry`` for annotations without loading the plugin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

__all__ = [
    "IntegrationRegistry",
    "pytest_serverless_execution_finished",
    "pytest_serverless_gateway_response",
    "pytest_serverless_register_integrations",
]

hookspec = pluggy.HookspecMarker("pytest")


class IntegrationRegistry:
    """What ``pytest_serverless_register_integrations`` fills in; one fresh registry per test.

    ``task_integration(pattern, handler)``: ``pattern`` is what ``StateMachine(tasks=...)`` accepts as a key
    (a resource ARN, an ARN pattern with ``*``, or a state name); ``handler(event, context) -> result`` is
    called as Lambda would call it. Every state machine the ``sfn`` fixture makes gets these handlers;
    the ``tasks=`` given to ``sfn(...)`` win over them.

    ``gateway_integration(name, factory)``: a named integration kind handed to the test's gateway
    (``Gateway.register_integration(name, factory)``).

    Hook implementations are called closest first (the test's own ``conftest.py``, then those above it, then
    installed plugins), and the first registration of a pattern or name is kept: the closest one wins, so a
    ``conftest.py`` can override an installed integration pack or a ``conftest.py`` above it.
    """

    __slots__ = ("_gateway_integrations", "_tasks")

    def __init__(self) -> None:
        self._tasks: dict[str, Callable[..., Any]] = {}
        self._gateway_integrations: dict[str, Callable[..., Any]] = {}

    def task_integration(self, pattern: str, handler: Callable[..., Any]) -> None:
        """Handle Task states whose resource (or name) matches ``pattern`` with ``handler(event, ctx)``."""
        if not isinstance(pattern, str) or not pattern:
            raise TypeError(
                f"task_integration(pattern, handler): pattern must be a resource ARN, an ARN pattern with * "
                f"or a state name (a non-empty str), not {pattern!r}"
            )
        if not callable(handler):
            raise TypeError(
                f"task_integration({pattern!r}, handler): handler must be callable as handler(event, "
                "context), "
                f"not {type(handler).__name__}"
            )
        self._tasks.setdefault(pattern, handler)

    def gateway_integration(self, name: str, factory: Callable[..., Any]) -> None:
        """Make the integration kind ``name`` (built by ``factory``) available to the test's gateway."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"gateway_integration(name, factory): name must be a non-empty str, not {name!r}")
        if not callable(factory):
            raise TypeError(
                f"gateway_integration({name!r}, factory): factory must be callable, not "
                f"{type(factory).__name__}"
            )
        self._gateway_integrations.setdefault(name, factory)

    @property
    def tasks(self) -> dict[str, Callable[..., Any]]:
        """The Task handlers registered so far, as a ``tasks=`` mapping (a copy)."""
        return dict(self._tasks)

    @property
    def gateway_integrations(self) -> dict[str, Callable[..., Any]]:
        """The gateway integration factories registered so far, by name (a copy)."""
        return dict(self._gateway_integrations)

    def __repr__(self) -> str:
        gateway = sorted(self._gateway_integrations)
        return f"IntegrationRegistry(tasks={sorted(self._tasks)}, gateway_integrations={gateway})"


@hookspec
def pytest_serverless_register_integrations(registry: IntegrationRegistry) -> None:
    """Add Task handlers and gateway integrations for a test.

    Called once per test, the first time the test asks for ``sfn``, ``gateway`` or ``serverless_app``,
    with a fresh :class:`IntegrationRegistry`. Every implementation visible from the test is called, the
    closest first (the test directory's ``conftest.py``, then those above it, then installed plugins); the
    first registration of a pattern or name is kept, so the closest one wins. Return value is ignored.

    .. code-block:: python

        def pytest_serverless_register_integrations(registry):
            registry.task_integration("arn:aws:lambda:*:*:function:payments-*", fake_payments)
            registry.gateway_integration("kinesis", KinesisIntegration)
    """


@hookspec
def pytest_serverless_execution_finished(execution: Any, state_machine: Any, item: Any) -> None:
    """Observe an execution that ran through the ``sfn`` or ``serverless_app`` fixture.

    Called after ``StateMachine.execute`` returns, whatever the execution's status (``SUCCEEDED``,
    ``FAILED``, ``TIMED_OUT`` or ``ABORTED``); not called when ``execute`` raised (an unmocked Task, say).
    ``execution`` is the ``Execution`` result; the optional ``state_machine`` argument is the machine that
    ran it and ``item`` the test. Implementations may take any subset of these arguments. Must not
    change the execution. Return value is ignored.
    """


@hookspec
def pytest_serverless_gateway_response(request: Any, response: Any, item: Any) -> None:
    """Observe a response of the ``gateway`` or ``serverless_app`` fixture.

    Called for every response a stage client (or ``stage.serve``) gets, errors included (401, 429, 502...).
    ``request`` is the ``GatewayRequest`` as the stage received it and ``response`` the response object the
    client returns (``status_code``, ``headers``, ``text``, ``json()``, ``answered_by``); the optional
    ``item`` argument is the test. Must not change either. Return value is ignored.
    """
