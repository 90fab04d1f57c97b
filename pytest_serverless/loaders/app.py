"""``load_template`` and ``ServerlessApp``: a template's functions, state machines, APIs and rules, live.

The reader turns the file into a ``TemplateModel``; this module builds the running pieces from it: Python
handlers, ``StateMachine`` objects (with every template function registered as a Task handler under its ARN),
gateway APIs with their authorizers, routes, stages and usage plans, and EventBridge rules and schedules on
the virtual clock.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from pytest_serverless._ids import IdFactory
from pytest_serverless._user_code import UserCodeFailed
from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import (
    InvalidDefinition,
    ServerlessError,
    TemplateError,
    UnsupportedResourceWarning,
    UsageError,
)
from pytest_serverless.lambdas import invoke_handler
from pytest_serverless.loaders.blueprint import Blueprint, Timer
from pytest_serverless.loaders.build_api import IAM_CREDENTIALS, Prepared, prepare_api
from pytest_serverless.loaders.cache import TemplateCache
from pytest_serverless.loaders.cloudformation import Template
from pytest_serverless.loaders.eventbridge import event_envelope, matches, target_input
from pytest_serverless.loaders.handlers import (
    lazy_handler,
    unresolved_handler,
    with_environment,
    with_limits,
)
from pytest_serverless.loaders.model import RuleSpec, StateMachineSpec, TemplateModel
from pytest_serverless.loaders.reader import read_template

if TYPE_CHECKING:
    from pytest_serverless.asl.machine import Execution, StateMachine
    from pytest_serverless.gateway.authorizers.cognito_jwt import TokenIssuer

__all__ = ["RuleInvocation", "ServerlessApp", "UnsupportedResourceWarning", "load_template"]

Handler = Callable[[Any, Any], Any]


class RuleInvocation(NamedTuple):
    """A Lambda function invoked as the target of an event rule or schedule."""

    rule: str
    function: str
    input: Any
    result: Any
    error: BaseException | None


def _machine_class() -> type[StateMachine]:
    from pytest_serverless.asl.machine import StateMachine

    # one subclass per StateMachine class: the engine's modules are imported again after pytester's
    # in-process runs drop them, and the subclass must be of the engine now imported
    return _template_machine_class(StateMachine)


@functools.cache
def _template_machine_class(base: type[StateMachine]) -> type[StateMachine]:
    class TemplateStateMachine(base):  # type: ignore[valid-type,misc]
        """A StateMachine from a template: the app's default mocks apply to every execution."""

        default_mocks: Mapping[str, Any] = {}

        def start(
            self,
            input: Any = None,  # noqa: A002 - API.md's keyword
            *,
            mocks: Mapping[str, Any] | None = None,
            name: str | None = None,
            _sync: bool = False,
        ) -> Execution:
            merged = {**self.default_mocks, **(mocks or {})}
            execution: Execution = super().start(input, mocks=merged or None, name=name, _sync=_sync)
            return execution

    return TemplateStateMachine


class ServerlessApp:
    """A loaded template (built by ``load_template``; exported for annotations).

    ``app.state_machine(id_or_name)``, ``app.api(logical_id)``, ``app.token_issuer(authorizer_name)``,
    ``app.put_events([...])``, ``app.function(logical_id)``; ``app.clock``, ``app.gateway``,
    ``app.executions`` (every execution of the app's state machines, in order), ``app.invocations`` (Lambda
    targets of rules and schedules), ``app.api_keys`` (ApiKey logical id -> value), ``app.iam_credentials``,
    ``app.iam_policies``, ``app.unsupported`` (what was ignored).
    """

    def __init__(
        self,
        *,
        source: Path,
        blueprint: Blueprint,
        clock: VirtualClock,
        handlers: Mapping[str, Handler],
        mocks: Mapping[str, Any],
        tasks: Mapping[str, Handler],
        on_execution_finished: Callable[[Execution], None] | None,
        environment: Mapping[str, str] | None = None,
    ) -> None:
        from pytest_serverless.gateway import Gateway

        self.source = source
        # what every app of this template shares, read-only (blueprint.py); ``model`` and ``template`` are
        # this app's own copies, made on first access
        self._blueprint = blueprint
        self._model = model = blueprint.model
        self._copies: tuple[Template, TemplateModel] | None = None
        self._environment: dict[str, str] = dict(environment or {})
        self.clock = clock
        self.unsupported: list[str] = list(model.unsupported)
        self.api_keys: dict[str, str] = dict(model.api_keys)
        self.executions: list[Execution] = []
        self.invocations: list[RuleInvocation] = []  # Lambda targets of rules and schedules
        self._on_execution_finished = on_execution_finished
        self._ids = IdFactory(f"events:{source}")
        self.functions: dict[str, Handler] = self._handlers(handlers)
        self.state_machines: dict[str, StateMachine] = {}
        from pytest_serverless.asl.machine import StepFunctions

        #: the Step Functions service of the app's state machines (API.md section 6)
        self.stepfunctions = StepFunctions(clock=clock)
        self._build_state_machines(mocks, tasks)
        self._gateway = Gateway(clock=clock)
        self.iam_credentials: dict[str, str] = dict(IAM_CREDENTIALS)  # what AWS_IAM routes accept
        #: access key -> IAM policy document for AWS_IAM callers (``execute-api:InvalidateCache``); read
        #: at request time, so a test may grant after loading
        self.iam_policies: dict[str, Any] = {}
        self.issuers: dict[str, TokenIssuer] = {}
        self._apis: dict[str, Any] | None = None
        self._authorizer_issuers: dict[str, TokenIssuer] = {}
        self._authorizer_kinds: dict[str, str] = {}
        if blueprint.prepared_apis is None:
            # the first app of this read template builds its APIs now, so that a broken API fails the load;
            # the next ones build theirs when the test first reaches for them (a workflow test never does)
            self._build_apis()
        self.rules: list[RuleSpec] = list(blueprint.rules)
        self._schedules: list[Timer] = list(blueprint.timers(clock.time(), str(source)))
        # each schedule is a timer on the clock's scheduler: it fires at its own instant during an advance
        from pytest_serverless.asl.runtime import scheduler_for

        self._scheduler = scheduler_for(clock)
        self._timers: list[list[Any] | None] = [None] * len(self._schedules)
        for index, (_, _, first) in enumerate(self._schedules):
            self._arm(index, first)

    def _build_apis(self) -> dict[str, Any]:
        if self._apis is None:
            from .aws_answers import register

            # AWS service integrations to the app's own state machines and rules, answered in process
            register(self)
            self._apis = {}
            # the first app of the template builds its APIs with every check and keeps how (``Prepared``:
            # parsed routes, checked settings...) in the blueprint; the next ones build theirs from that
            prepared = self._blueprint.prepared_apis
            # (made by other gateway classes only when pytester's in-process runs dropped the gateway's
            # modules since: built afresh then)
            if prepared is not None and self._blueprint.prepared_for is type(self._gateway):
                for logical_id, api in prepared.items():
                    self._apis[logical_id] = api.build(self)
                return self._apis
            kept: dict[str, Prepared] = {}
            for logical_id, spec in self._model.apis.items():
                self._apis[logical_id], kept[logical_id] = prepare_api(self, spec)
            if self._model.websocket_apis:
                from pytest_serverless.loaders.websocket import prepare_websocket_api

                for logical_id, ws_spec in self._model.websocket_apis.items():
                    self._apis[logical_id], kept[logical_id] = prepare_websocket_api(self, ws_spec)
            self._blueprint.prepared_apis = kept
            self._blueprint.prepared_for = type(self._gateway)
        return self._apis

    @property
    def apis(self) -> dict[str, Any]:
        """The template's APIs by logical id (built on first use)."""
        return self._build_apis()

    @property
    def gateway(self) -> Any:
        """The app's ``Gateway``, with the template's APIs on it."""
        self._build_apis()
        return self._gateway

    @property
    def model(self) -> TemplateModel:
        """What the template declares (this app's own copy: changing it changes nothing else)."""
        return self._own()[1]

    @property
    def template(self) -> Template:
        """The template as read, intrinsics resolved (this app's own copy)."""
        return self._own()[0]

    def _own(self) -> tuple[Template, TemplateModel]:
        if self._copies is None:
            self._copies = self._blueprint.copy()
        return self._copies

    # -- building ------------------------------------------------------------------------------------------

    def _handlers(self, given: Mapping[str, Handler]) -> dict[str, Handler]:
        by_name = {spec.name: logical_id for logical_id, spec in self._model.functions.items()}
        for key, fn in given.items():
            if key not in self._model.functions and key not in by_name:
                raise UsageError(
                    f"load_template(handlers=...): {key!r} is not a function of {self.source} "
                    f"(functions: {sorted(self._model.functions) or 'none'})"
                )
            if not callable(fn):
                raise UsageError(f"load_template(handlers=...): the handler for {key!r} is not callable")
        found: dict[str, Handler] = {}
        for logical_id, spec in self._model.functions.items():
            explicit = given.get(logical_id) or given.get(spec.name)
            if explicit is not None:
                found[logical_id] = with_limits(with_environment(explicit, spec, self._environment), spec)
                continue
            if self._blueprint.runnable(spec, str(self.source)):
                # imported on its first call: a module that cannot be imported fails only its own calls
                resolved = lazy_handler(spec, self._environment)
            else:
                self.unsupported.append(
                    f"{logical_id}: no local Python code to run (runtime {spec.runtime or 'unknown'}); "
                    f"pass handlers={{{logical_id!r}: fn}}"
                )
                resolved = unresolved_handler(spec)
            found[logical_id] = with_limits(resolved, spec)
        return found

    def handler_for(self, target: str | None) -> Handler:
        """The handler of a function logical id; an unresolved stand-in for an ARN outside the template."""
        if target is not None and target in self.functions:
            return self.functions[target]
        from pytest_serverless.loaders.model import FunctionSpec

        name = (target or "unknown").rsplit(":", 1)[-1]
        return unresolved_handler(FunctionSpec(logical_id=name, name=name, arn=target or "", pointer=""))

    def function_name(self, target: str | None) -> str | None:
        """The physical name of a function logical id (what Lambda calls it), else the ARN's last part."""
        if target is None:
            return None
        spec = self._model.functions.get(target)
        return spec.name if spec is not None else target.rsplit(":", 1)[-1]

    def _build_state_machines(self, mocks: Mapping[str, Any], tasks: Mapping[str, Handler]) -> None:
        machine_class = _machine_class()
        function_tasks: dict[str, Handler] = {}
        for logical_id, function in self._model.functions.items():
            function_tasks[function.arn] = self.functions[logical_id]
            function_tasks.setdefault(function.name, self.functions[logical_id])
        from pytest_serverless.asl.tasks import CheckedTasks

        every_task = CheckedTasks.of({**function_tasks, **tasks})  # checked once for all the machines
        for logical_id, spec in self._model.state_machines.items():
            machine = self._state_machine(machine_class, spec, every_task)
            machine.default_mocks = dict(mocks)  # type: ignore[attr-defined]
            # reports and contracts name it by its logical id: physical names may come from the folder
            machine.logical_id = logical_id  # type: ignore[attr-defined]
            self.state_machines[logical_id] = machine
        machines = list(self.state_machines.values())
        for machine in machines:
            machine.register(machines)

    def _state_machine(
        self, machine_class: type[StateMachine], spec: StateMachineSpec, tasks: Mapping[str, Handler]
    ) -> StateMachine:
        field = "DefinitionUri" if spec.definition_file else "Definition"
        pointer = f"{spec.pointer}/{field}"
        try:
            return machine_class(
                self._blueprint.machine(spec),
                name=spec.name[:80],
                type=spec.type,
                tasks=tasks,
                clock=self.clock,
                on_execution_finished=self._finished,
                service=self.stepfunctions,
            )
        except InvalidDefinition as exc:
            where = f" ({spec.definition_file})" if spec.definition_file else ""
            problems = "\n  ".join(f"{p or '/'}: {message}" for p, message in exc.problems)
            raise TemplateError(
                f"state machine {spec.logical_id} has an invalid definition{where}:\n  {problems}",
                source=str(self.source),
                pointer=pointer,
            ) from None
        except UsageError as exc:
            raise TemplateError(
                f"state machine {spec.logical_id}: {exc}", source=str(self.source), pointer=pointer
            ) from None

    def _finished(self, execution: Execution) -> None:
        self.executions.append(execution)
        if self._on_execution_finished is not None:
            self._on_execution_finished(execution)

    # -- public API ------------------------------------------------------------------------------------------

    def state_machine(self, logical_id_or_name: str) -> StateMachine:
        """The template's state machine by logical id, name or ARN."""
        machine = self.state_machines.get(logical_id_or_name)
        if machine is not None:
            return machine
        for candidate in self.state_machines.values():
            if logical_id_or_name in (candidate.name, candidate.arn):
                return candidate
        raise UsageError(
            f"{logical_id_or_name!r} is not a state machine of {self.source} "
            f"(state machines: {sorted(self.state_machines) or 'none'})"
        )

    def api(self, logical_id: str) -> Any:
        """The template's API (REST, HTTP or WebSocket) by logical id or name."""
        api = self.apis.get(logical_id)
        if api is not None:
            return api
        for spec_id, spec in [*self._model.apis.items(), *self._model.websocket_apis.items()]:
            if spec.name == logical_id:
                return self.apis[spec_id]
        raise UsageError(
            f"{logical_id!r} is not an API of {self.source} (APIs: {sorted(self.apis) or 'none'})"
        )

    def function(self, logical_id: str) -> Handler:
        """The template's Lambda function handler by logical id, callable as ``handler(event, context)``."""
        if logical_id not in self.functions:
            raise UsageError(
                f"{logical_id!r} is not a function of {self.source} "
                f"(functions: {sorted(self.functions) or 'none'})"
            )
        return self.functions[logical_id]

    def token_issuer(self, authorizer_name: str) -> TokenIssuer:
        """The token issuer signing JWTs for the template's JWT/Cognito authorizer ``authorizer_name``."""
        self._build_apis()
        issuer = self._authorizer_issuers.get(authorizer_name)
        if issuer is not None:
            return issuer
        kind = self._authorizer_kinds.get(authorizer_name)
        if kind is not None:
            raise UsageError(
                f"authorizer {authorizer_name!r} is a {kind} authorizer: it does not check JWTs, so it has "
                "no token issuer"
            )
        raise UsageError(
            f"{authorizer_name!r} is not an authorizer of {self.source} "
            f"(JWT / Cognito authorizers: {sorted(self._authorizer_issuers) or 'none'})"
        )

    def put_events(self, entries: Sequence[Mapping[str, Any]]) -> list[Execution]:
        """Deliver events to every enabled rule whose pattern matches; returns the executions started."""
        if isinstance(entries, Mapping) or not isinstance(entries, Sequence):
            raise UsageError(
                "put_events takes a list of entries: [{'Source': ..., 'DetailType': ..., 'Detail': {...}}]"
            )
        started: list[Execution] = []
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("Source"), str):
                raise UsageError(
                    f"put_events entry {index} needs 'Source', 'DetailType' and 'Detail', got {entry!r}"
                )
            try:
                started.extend(self._put_event(entry)[1])
            except ValueError as exc:
                raise UsageError(f"put_events entry {index}: 'Detail' is not valid JSON ({exc})") from None
        return started

    def _put_event(self, entry: Mapping[str, Any]) -> tuple[str, list[Execution]]:
        """One entry to every matching rule: (the event's id, the executions started)."""
        event_id = self._ids.next("event")
        event = event_envelope(entry, event_id=event_id, now=self.clock.now())
        started: list[Execution] = []
        bus = str(entry.get("EventBusName") or "default").rsplit("/", 1)[-1]
        for rule in self.rules:
            if rule.pattern is None or rule.event_bus != bus or not matches(rule.pattern, event):
                continue
            started.extend(self._deliver(rule, event))
        return event_id, started

    def aws(self) -> Any:
        """``with app.aws():`` boto3/botocore calls answered by this app (API.md section 7): ``stepfunctions``
        by its service, ``events`` PutEvents by its rules, ``lambda`` Invoke by its functions,
        ``apigatewaymanagementapi`` by its WebSocket stages; every other call raises ``UnemulatedCall``. A
        context manager yielding the scope (``.unemulated``: the calls that nothing answered)."""
        from pytest_serverless.aws import Scope

        from ._aws import app_answerers

        return Scope(app_answerers(self))

    def _deliver(self, rule: RuleSpec, event: dict[str, Any]) -> list[Execution]:
        started: list[Execution] = []
        for target in rule.targets:
            payload = target_input(
                event,
                rule_name=rule.name,
                rule_arn=rule.arn,
                constant=target.input,
                input_path=target.input_path,
                transformer=target.input_transformer,
            )
            if target.state_machine is not None and target.state_machine in self.state_machines:
                # StartExecution: the execution runs on the clock; the rule does not wait for it
                started.append(self.state_machines[target.state_machine].start(payload))
            elif target.function is not None:
                # EventBridge invokes a Lambda target asynchronously: its failure is recorded, not raised
                try:
                    result, _ = invoke_handler(
                        self.handler_for(target.function),
                        payload,
                        function_name=self.function_name(target.function) or target.function,
                        request_id=self._ids.next("invoke"),
                        clock=self.clock,
                        lets_through=(),  # our bugs (InternalError) are not its failure
                    )
                except UserCodeFailed as failed:  # the function's own failure
                    self.invocations.append(
                        RuleInvocation(rule.name, target.function, payload, None, failed.error)
                    )
                else:
                    self.invocations.append(RuleInvocation(rule.name, target.function, payload, result, None))
        return started

    def _arm(self, index: int, when: float) -> None:
        self._timers[index] = self._scheduler.at(when, lambda: self._fire(index, when))

    def _fire(self, index: int, when: float) -> None:
        rule, schedule, _ = self._schedules[index]
        following = schedule.next_after(when)
        self._schedules[index] = (rule, schedule, following if following is not None else float("inf"))
        self._timers[index] = None
        if following is not None:
            self._arm(index, following)
        event = {
            "version": "0",
            "id": self._ids.next("event"),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": _iso(when),
            "region": "us-east-1",
            "resources": [rule.arn],
            "detail": {},
        }
        self._deliver(rule, event)

    def close(self) -> None:
        """Stop the schedules (their timers leave the clock's scheduler)."""
        for index, entry in enumerate(self._timers):
            self._scheduler.cancel(entry)
            self._timers[index] = None

    def __repr__(self) -> str:
        return (
            f"ServerlessApp({str(self.source)!r}, state_machines={sorted(self.state_machines)}, "
            f"apis={sorted(self._model.apis)}, functions={sorted(self.functions)})"
        )


def _iso(epoch: float) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_template(
    path: str | Path,
    handlers: Mapping[str, Handler] | None = None,
    parameters: Mapping[str, Any] | None = None,
    *,
    clock: VirtualClock | None = None,
    mocks: Mapping[str, Any] | None = None,
    tasks: Mapping[str, Handler] | None = None,
    on_execution_finished: Callable[[Execution], None] | None = None,
    environment: Mapping[str, str] | None = None,
    warn: bool = True,
) -> ServerlessApp:
    """Load a SAM / CloudFormation / CDK template (YAML or JSON) into a live ``ServerlessApp``.

    ``handlers``: ``{function logical id or name: fn}`` (else each function's ``CodeUri`` + ``Handler`` is
    imported); ``parameters``: template parameter overrides; ``mocks``: default Task mocks for every
    execution; ``tasks``: extra Task handlers for every state machine; ``on_execution_finished``: called
    after each execution of the app's state machines; ``environment``: ``{VAR: value}`` for every function,
    over the template's own variables, set while a function's module is imported and while it runs.

    A template is read once per process (``TEMPLATES``), definitions are validated and parsed once
    (``asl/_compiled.py``) and handler modules compiled once (``handlers.CODE``); each call builds a fresh app
    from them: its own clock, gateway, state machines, handler modules (imported on first call) and copies.
    """
    if not isinstance(path, (str, Path)):
        raise UsageError(f"load_template(path) takes a file path, got {type(path).__name__}")
    for label, value in (
        ("handlers", handlers),
        ("parameters", parameters),
        ("mocks", mocks),
        ("tasks", tasks),
        ("environment", environment),
    ):
        if value is not None and not isinstance(value, Mapping):
            raise UsageError(f"load_template({label}=...) takes a mapping, got {type(value).__name__}")
    if clock is not None and not isinstance(clock, VirtualClock):
        raise UsageError(f"load_template(clock=...) takes a VirtualClock, got {type(clock).__name__}")
    if environment is not None:
        for variable, setting in environment.items():
            if not isinstance(variable, str) or not isinstance(setting, str):
                raise UsageError(
                    "load_template(environment=...) maps variable names to strings, got "
                    f"{variable!r}: {setting!r}"
                )
    source = Path(path)
    blueprint = _blueprint(source, parameters)
    with _unexpected_errors_as_template_error("cannot build the app", source):
        app = ServerlessApp(
            source=source,
            blueprint=blueprint,
            clock=clock or VirtualClock(),
            handlers=handlers or {},
            mocks=mocks or {},
            tasks=tasks or {},
            on_execution_finished=on_execution_finished,
            environment=environment,
        )
    if app.unsupported and warn:  # warn=False: the caller reports app.unsupported itself (the plugin)
        warnings.warn(
            UnsupportedResourceWarning(
                f"{source}: {len(app.unsupported)} part(s) of the template are not emulated and were "
                "ignored: " + "; ".join(app.unsupported)
            ),
            stacklevel=2,
        )
    return app


# Read templates and their blueprints, shared by every load_template call of the process.
TEMPLATES = TemplateCache()


def _blueprint(source: Path, parameters: Mapping[str, Any] | None) -> Blueprint:
    with _unexpected_errors_as_template_error("cannot read the template", source):
        return TEMPLATES.blueprint(source, parameters, read_template)


@contextmanager
def _unexpected_errors_as_template_error(doing: str, source: Path) -> Iterator[None]:
    """Let ``ServerlessError`` through; report a lookup/type/value slip on a malformed template as a
    ``TemplateError`` saying what was being done (``doing``), instead of a traceback."""
    try:
        yield
    except ServerlessError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise TemplateError(f"{doing}: {type(exc).__name__}: {exc}", source=str(source)) from None
