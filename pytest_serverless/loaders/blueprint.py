"""A template's blueprint: what every app of one read template shares, worked out once per process.

``load_template`` reads a template once per process (``cache.TemplateCache``: keyed by the file's path, its
bytes' digest and the parameters; dropped when the template or a local file read into it changes, the state
machines' ``DefinitionUri`` files included). The ``Blueprint`` kept with that read holds what each app would
otherwise work out again, all of it read-only:

* the template and its model as read (shared; an app's public ``template`` and ``model`` are its own copies);
* each state machine's checked and parsed definition (``CompiledMachine``, substitutions applied);
* which functions have local Python code to import (``check_handler``, per function on first need: a
  function the test gives by ``handlers=`` is never looked at);
* the enabled rules and their parsed schedules, with each schedule's first firing time;
* how to build its APIs (``prepared_apis``), kept by the first app that built them without error (the first
  app builds them when it loads, so a broken API fails the load; the next ones build theirs from the prepared
  build when the test first reaches for them).

An app takes from its blueprint and builds its own live objects: clock, gateway, state machines, handlers
(and so handler module state), executions, timers. A blueprint never refers to an app or to anything of one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from pytest_serverless._cache import BoundedCache
from pytest_serverless.errors import TemplateError

from .cloudformation import Template
from .handlers import check_handler
from .model import FunctionSpec, RuleSpec, StateMachineSpec, TemplateModel
from .schedules import RateSchedule, Schedule, parse_schedule

if TYPE_CHECKING:
    from pytest_serverless.asl.machine import CompiledMachine

    from .build_api import Prepared

__all__ = ["Blueprint"]

Copy = Callable[[], tuple[Template, TemplateModel]]
# (rule, its schedule from the app's load, the first firing time)
Timer = tuple[RuleSpec, Schedule, float]


class Blueprint:
    """What the apps of one read template share (see the module docstring)."""

    def __init__(self, template: Template, model: TemplateModel, copy: Copy) -> None:
        self.template = template
        self.model = model
        self.copy = copy
        self.rules: tuple[RuleSpec, ...] = tuple(rule for rule in model.rules if rule.enabled)
        self._machines: dict[str, CompiledMachine] = {}
        self._runnable: dict[str, bool] = {}
        self._parsed: tuple[tuple[RuleSpec, Schedule], ...] | None = None
        self._timers: BoundedCache[float, tuple[Timer, ...]] = BoundedCache(8)
        #: each API's ``build_api.Prepared`` by logical id (what building it works out once: parsed routes,
        #: checked settings, integrations' parsed parts), kept by the first app that built them all without
        #: error; each app builds its own APIs from them. None until then.
        self.prepared_apis: dict[str, Prepared] | None = None
        #: the Gateway class they were prepared with (another one after pytester dropped the gateway's
        #: modules)
        self.prepared_for: type | None = None

    def machine(self, spec: StateMachineSpec) -> CompiledMachine:
        """The state machine's checked definition for its type; ``InvalidDefinition`` (or ``UsageError`` for
        its substitutions) when it has none: a broken definition is checked again by each load, never kept."""
        from pytest_serverless.asl.machine import CompiledMachine, compile_machine

        known = self._machines.get(spec.logical_id)
        # (of another class only when the engine's modules were imported again since: pytester's in-process
        # runs drop the modules a run imported; the old program's classes are not the engine's any more)
        if type(known) is not CompiledMachine:
            substitutions = {k: v if isinstance(v, str) else str(v) for k, v in spec.substitutions.items()}
            known = compile_machine(spec.definition, substitutions or None, spec.type)
            self._machines[spec.logical_id] = known
        return known

    def runnable(self, function: FunctionSpec, source: str) -> bool:
        """Whether the function has local Python code to import; ``TemplateError`` (naming ``source``, the
        path the load was given) for what the template gets wrong about it (its ``Handler``, a missing
        ``CodeUri`` folder), raised by each load that needs it."""
        known = self._runnable.get(function.logical_id)
        if known is None:
            known = self._runnable[function.logical_id] = check_handler(function, source=source)
        return known

    def timers(self, origin: float, source: str) -> tuple[Timer, ...]:
        """Each enabled schedule of an app loaded at ``origin`` (epoch seconds on its clock), with its first
        firing time after that (schedules that never fire are left out); ``TemplateError`` (naming
        ``source``) for an invalid expression."""
        known = self._timers.get(origin)
        if known is None:
            timers: list[Timer] = []
            for rule, parsed in self._schedules(source):
                schedule = (
                    dataclasses.replace(parsed, origin=origin) if isinstance(parsed, RateSchedule) else parsed
                )
                first = schedule.next_after(origin)
                if first is not None:
                    timers.append((rule, schedule, first))
            known = self._timers.put(origin, tuple(timers))
        return known

    def _schedules(self, source: str) -> tuple[tuple[RuleSpec, Schedule], ...]:
        if self._parsed is None:
            parsed: list[tuple[RuleSpec, Schedule]] = []
            for rule in self.rules:
                if rule.schedule is None:
                    continue
                try:
                    parsed.append((rule, parse_schedule(rule.schedule, origin=0.0)))
                except ValueError as exc:
                    sam = not rule.pointer.endswith("/Properties")
                    field = "Properties/Schedule" if sam else "ScheduleExpression"
                    raise TemplateError(str(exc), source=source, pointer=f"{rule.pointer}/{field}") from None
            self._parsed = tuple(parsed)
        return self._parsed
