"""The fixtures: ``serverless_clock``, ``sfn``, ``gateway``, ``serverless_app``, ``load_serverless_app``.
All function-scoped.

Each test gets its own clock, its own gateway (so its own throttle buckets, caches and usage counters) and
state machines that apply its ``mock_task`` markers and record their executions for ``expect_path``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import TemplateError, UsageError

from .hooks import flag_plugin_error, record_for, template_path
from .markers import TemplateChoice, check_template_arguments, parse_serverless_template

if TYPE_CHECKING:
    from pytest_serverless import Gateway, ServerlessApp, StateMachine

__all__ = ["gateway", "load_serverless_app", "serverless_app", "serverless_clock", "sfn"]


@pytest.fixture
def serverless_clock() -> VirtualClock:
    """A fresh VirtualClock (2024-01-01T00:00:00Z) for the test, used by ``sfn``, ``gateway`` and
    ``serverless_app``.

    Override it in a ``conftest.py`` to start the test's virtual time elsewhere.
    """
    return VirtualClock()


@pytest.fixture
def sfn(request: pytest.FixtureRequest, serverless_clock: VirtualClock) -> Callable[..., StateMachine]:
    """A factory: ``sfn(definition, **kwargs) -> StateMachine`` (kwargs as ``StateMachine`` takes them).

    The machines run on the test's clock, apply its ``mock_task`` markers (the ``mocks=`` given to
    ``execute`` win over them), get the Task handlers registered through
    ``pytest_serverless_register_integrations`` (the ``tasks=`` given here win over them), and every
    execution they run is checked against ``expect_path`` and reported to
    ``pytest_serverless_execution_finished``.
    """
    record = record_for(request.node)
    record.clock = serverless_clock
    factory = _MachineFactory(record, serverless_clock)
    from pytest_serverless.asl._aws import stepfunctions_answerer

    _aws_scope(request, record).add("stepfunctions", stepfunctions_answerer(factory.service))
    return factory


def _aws_scope(request: pytest.FixtureRequest, record: Any) -> Any:
    """The test's botocore bridge scope (API.md section 7), entered by the first fixture that asks and left
    when the test ends: nothing stays registered after it."""
    if record.aws_scope is None:
        from pytest_serverless.aws import Scope

        scope = Scope()
        scope.__enter__()
        record.aws_scope = scope
        request.addfinalizer(scope.__exit__)
    return record.aws_scope


class _MachineFactory:
    """``sfn``: ``sfn(definition, **kwargs) -> StateMachine``; ``sfn.service`` is the test's StepFunctions
    service (on the test's clock), which the machines made here belong to."""

    def __init__(self, record: Any, clock: VirtualClock) -> None:
        from pytest_serverless.asl.machine import StepFunctions

        self._record = record
        self.service = StepFunctions(clock=clock)
        record.service = self.service

    def __call__(self, definition: Any, **kwargs: Any) -> StateMachine:
        __tracebackhide__ = True
        return self._record.make_state_machine(definition, kwargs)  # type: ignore[no-any-return]


@pytest.fixture
def gateway(request: pytest.FixtureRequest, serverless_clock: VirtualClock) -> Gateway:
    """A fresh ``Gateway`` on the test's clock; every response it gives is checked by ``expect_status`` and
    reported to ``pytest_serverless_gateway_response``."""
    from pytest_serverless import Gateway
    from pytest_serverless.gateway.websocket._aws import connections_answerer

    record = record_for(request.node)
    record.clock = serverless_clock
    found = record.adopt_gateway(Gateway(clock=serverless_clock))
    _aws_scope(request, record).add("apigatewaymanagementapi", connections_answerer(lambda: found))
    return found  # type: ignore[no-any-return]


@pytest.fixture
def serverless_app(request: pytest.FixtureRequest, serverless_clock: VirtualClock) -> ServerlessApp:
    """The template named by the test's ``serverless_template`` marker (the innermost one), else by the
    ``serverless_template`` ini option (or ``--serverless-template``), loaded with ``load_template`` on the
    test's clock, with the test's mocks and integrations."""
    choice = _marker_choice(request.node)
    path = _chosen_path(request, choice)
    app = _load(request, serverless_clock, path, choice)
    if not {"sfn", "load_serverless_app"} & set(request.fixturenames):
        # every machine of the test is known now: a mock_task naming none of their states fails the setup
        problems = record_for(request.node).unknown_mocks()
        if problems:
            raise flag_plugin_error(UsageError("\n".join(problems)))
    return app


@pytest.fixture
def load_serverless_app(
    request: pytest.FixtureRequest, serverless_clock: VirtualClock
) -> Callable[..., ServerlessApp]:
    """``load_serverless_app(path, *, parameters=None, handlers=None, environment=None) -> ServerlessApp``:
    more apps in one test, each bound to the test's clock, markers, coverage and contracts. A relative
    ``path`` is relative to the test file's folder."""

    def load(
        path: Any = None,
        *,
        parameters: Any = None,
        handlers: Any = None,
        environment: Any = None,
    ) -> ServerlessApp:
        __tracebackhide__ = True
        where = f"load_serverless_app({path!r})"
        try:
            choice = check_template_arguments(
                where, path, parameters, handlers, environment, path_required=True
            )
            assert choice.path is not None
            found = Path(request.node.path).parent / choice.path
            if not found.is_file():
                raise UsageError(
                    f"{where}: {str(found)!r} does not exist (a relative path is relative to the test "
                    "file's folder)"
                )
            return _load(request, serverless_clock, found, choice)
        except (UsageError, TemplateError) as error:
            raise flag_plugin_error(error) from None

    return load


def _marker_choice(item: Any) -> TemplateChoice | None:
    for node, mark in item.iter_markers_with_node("serverless_template"):
        try:
            return parse_serverless_template(mark, node.nodeid)
        except UsageError as error:
            raise flag_plugin_error(error) from None
    return None


def _chosen_path(request: pytest.FixtureRequest, choice: TemplateChoice | None) -> Path:
    if choice is not None and choice.path is not None:
        found = Path(request.node.path).parent / choice.path
        if not found.is_file():
            raise flag_plugin_error(
                UsageError(
                    f"{choice.declared}: {str(found)!r} does not exist (a relative path is relative to the "
                    "test file's folder)"
                )
            )
        return found
    path = template_path(request.config)
    if path is None:
        raise flag_plugin_error(
            UsageError(
                "the serverless_app fixture needs a template: set serverless_template = "
                "path/to/template.yaml in the [pytest] section of your ini file (or "
                "[tool.pytest.ini_options] in pyproject.toml), pass "
                "--serverless-template=path/to/template.yaml, or mark the test "
                "@pytest.mark.serverless_template('path/to/template.yaml')"
            )
        )
    if not os.path.isfile(path):
        source = _template_source(request.config)
        raise flag_plugin_error(
            UsageError(f"serverless_template {str(path)!r} does not exist (set by {source})")
        )
    return path


def _load(
    request: pytest.FixtureRequest, clock: VirtualClock, path: Path, choice: TemplateChoice | None
) -> ServerlessApp:
    from pytest_serverless import load_template

    record = record_for(request.node)
    record.clock = clock
    kwargs: dict[str, Any] = {"clock": clock}
    registered = record.registry.tasks
    if registered:
        kwargs["tasks"] = registered
    if choice is not None:
        kwargs.update(parameters=choice.parameters, handlers=choice.handlers, environment=choice.environment)
    try:
        app = load_template(path, warn=False, **kwargs)
        _warn_once(request, app)
    except (TemplateError, UsageError) as error:
        if choice is not None and isinstance(error, UsageError):
            raise flag_plugin_error(UsageError(f"{choice.declared}: {error}")) from None
        raise flag_plugin_error(error) from None
    # The test's mock_task markers are applied per execution by the adopted machines (not as the app's
    # default mocks), so that the closest marker wins and unused or unknown mocks are reported.
    _adopt_app(record, app)
    from pytest_serverless.loaders._aws import app_answerers

    scope = _aws_scope(request, record)
    for service, answerer in app_answerers(app).items():
        scope.add(service, answerer)
    return app


def _template_source(config: pytest.Config) -> str:
    return (
        "--serverless-template"
        if config.getoption("serverless_template")
        else "the serverless_template ini option"
    )


_WARNED = pytest.StashKey[set[str]]()
SILENCE = "filterwarnings = ignore::pytest_serverless.UnsupportedResourceWarning"


def _warn_once(request: pytest.FixtureRequest, app: Any) -> None:
    """An unsupported-resource warning once per template and session, short, naming the resources and the
    ini line that silences it; under ``filterwarnings = error`` the test fails with that one line (no plugin
    source)."""
    from pytest_serverless.loaders import UnsupportedResourceWarning

    unsupported = list(getattr(app, "unsupported", ()))
    if not unsupported:
        return
    warned = request.config.stash.setdefault(_WARNED, set())
    given = "given:" + str(app.source)  # as given: the next tests skip resolving the path
    if given in warned:
        return
    warned.add(given)
    source = _relative(Path(str(app.source)), request.config.rootpath)
    if source in warned:
        return
    warned.add(source)
    short = UnsupportedResourceWarning(
        f"{source}: not emulated, ignored: {'; '.join(map(str, unsupported))} "
        f"(silence with the ini line: {SILENCE})"
    )
    try:
        request.node.warn(short)
    except UnsupportedResourceWarning as error:  # filterwarnings = error
        raise flag_plugin_error(error) from None


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _adopt_app(record: Any, app: Any) -> None:
    """Route the app's state machines and gateway through the test's record."""
    for machine in _app_machines(app):
        record.adopt_machine(machine)
    # a template app builds its APIs on first use: adopt its gateway without building them
    app_gateway = getattr(app, "_gateway", None) or getattr(app, "gateway", None)
    if app_gateway is not None:
        record.adopt_gateway(app_gateway)


def _app_machines(app: Any) -> list[Any]:
    machines = getattr(app, "state_machines", None)
    if isinstance(machines, dict):
        return list(machines.values())
    if isinstance(machines, (list, tuple)):
        return list(machines)
    return []
