"""State-machine and gateway coverage: what the tests ran, as mergeable, savable data.

``CoverageData`` holds, per state machine (its name plus a short hash of its definition, so two versions of
a machine are kept apart), the definition itself and hit counts of its states and transitions (see
``graph.MachineGraph`` for the transitions); and per gateway API the routes it has and how many responses
of each status class (``2XX``, ``3XX``, ``4XX``, ``5XX``) each route answered. Data from xdist workers and
from separate runs is combined with ``merge``; ``save``/``load`` write a stable JSON data file
(``.sfn-coverage.json`` by default), as coverage.py's data files.

Transitions taken are read from each execution's history (``GetExecutionHistory``-shaped events) by
``trace.trace_execution``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import DATA_FILE
from .graph import MachineGraph, definition_digest
from .trace import trace_execution

__all__ = [
    "DATA_FILE",
    "ApiCoverage",
    "CoverageData",
    "MachineCoverage",
    "MachineSummary",
    "status_class",
    "trace_execution",
]

_FORMAT = 1


def status_class(status: int) -> str:
    """``204`` -> ``"2XX"`` (1XX answers count as 2XX)."""
    return f"{max(2, min(5, status // 100))}XX"


# section: data


@dataclass
class MachineSummary:
    """Totals of one machine (or of all of them): what a report line shows."""

    states: int = 0
    states_covered: int = 0
    transitions: int = 0
    transitions_covered: int = 0
    missing_states: list[str] = field(default_factory=list)
    missing_transitions: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.states + self.transitions

    @property
    def covered(self) -> int:
        return self.states_covered + self.transitions_covered

    @property
    def percent(self) -> float:
        """Covered states and transitions over all of them, as coverage.py counts lines and branches."""
        return 100.0 * self.covered / self.total if self.total else 100.0

    def add(self, other: MachineSummary) -> None:
        self.states += other.states
        self.states_covered += other.states_covered
        self.transitions += other.transitions
        self.transitions_covered += other.transitions_covered


@dataclass
class MachineCoverage:
    """One state machine (one version of its definition) and what the tests ran of it."""

    name: str
    definition: dict[str, Any]
    executions: int = 0
    states: Counter[str] = field(default_factory=Counter)
    transitions: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    _graph: MachineGraph | None = field(default=None, repr=False, compare=False)
    _digest: str | None = field(default=None, repr=False, compare=False)

    @property
    def digest(self) -> str:
        if self._digest is None:
            self._digest = definition_digest(self.definition)
        return self._digest

    @property
    def key(self) -> str:
        return f"{self.name}@{self.digest}"

    def graph(self) -> MachineGraph:
        if self._graph is None:
            self._graph = MachineGraph(self.definition)
        return self._graph

    def summary(self) -> MachineSummary:
        graph = self.graph()
        counted = graph.counted
        missing_states = [name for name in graph.states if not self.states.get(name)]
        missing_transitions = [t.key for t in counted if not self.transitions.get(t.key)]
        return MachineSummary(
            states=len(graph.states),
            states_covered=len(graph.states) - len(missing_states),
            transitions=len(counted),
            transitions_covered=len(counted) - len(missing_transitions),
            missing_states=missing_states,
            missing_transitions=missing_transitions,
        )

    def merge(self, other: MachineCoverage) -> None:
        self.executions += other.executions
        self.states.update(other.states)
        self.transitions.update(other.transitions)
        self.statuses.update(other.statuses)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "digest": self.digest,
            "definition": self.definition,
            "executions": self.executions,
            "statuses": dict(sorted(self.statuses.items())),
            "states": dict(sorted(self.states.items())),
            "transitions": dict(sorted(self.transitions.items())),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MachineCoverage:
        return cls(
            name=str(data["name"]),
            definition=dict(data["definition"]),
            executions=int(data.get("executions", 0)),
            states=Counter({str(k): int(v) for k, v in (data.get("states") or {}).items()}),
            transitions=Counter({str(k): int(v) for k, v in (data.get("transitions") or {}).items()}),
            statuses=Counter({str(k): int(v) for k, v in (data.get("statuses") or {}).items()}),
        )


@dataclass
class ApiCoverage:
    """One gateway API: its routes (route key -> responses per status class). ``None`` collects the answers
    no route matched (404, missing authentication token)."""

    name: str
    kind: str = "REST"
    routes: dict[str, Counter[str]] = field(default_factory=dict)
    unmatched: Counter[str] = field(default_factory=Counter)

    def add_route(self, route_key: str) -> None:
        self.routes.setdefault(route_key, Counter())

    def add_response(self, route_key: str | None, status: int) -> None:
        if route_key is None:
            self.unmatched[status_class(status)] += 1
        else:
            self.routes.setdefault(route_key, Counter())[status_class(status)] += 1

    @property
    def called(self) -> list[str]:
        return sorted(key for key, counts in self.routes.items() if sum(counts.values()))

    def merge(self, other: ApiCoverage) -> None:
        for key, counts in other.routes.items():
            self.routes.setdefault(key, Counter()).update(counts)
        self.unmatched.update(other.unmatched)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "routes": {key: dict(sorted(counts.items())) for key, counts in sorted(self.routes.items())},
            "unmatched": dict(sorted(self.unmatched.items())),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ApiCoverage:
        return cls(
            name=str(data["name"]),
            kind=str(data.get("kind", "REST")),
            routes={
                str(k): Counter({str(c): int(n) for c, n in v.items()})
                for k, v in (data.get("routes") or {}).items()
            },
            unmatched=Counter({str(c): int(n) for c, n in (data.get("unmatched") or {}).items()}),
        )


class CoverageData:
    """Coverage of every state machine and gateway API the tests used; mergeable and savable."""

    def __init__(self) -> None:
        self.machines: dict[str, MachineCoverage] = {}
        self.apis: dict[str, ApiCoverage] = {}
        # (name, id of a definition dict) -> (that dict, kept alive so the id stays its own; machine key)
        self._seen: dict[tuple[str, int], tuple[Mapping[str, Any], str]] = {}

    def __bool__(self) -> bool:
        return bool(self.machines or self.apis)

    # recording

    def add_machine(self, name: str, definition: Mapping[str, Any]) -> MachineCoverage:
        """Register a machine (so a machine no test ran shows at 0%); returns its entry."""
        seen = self._seen.get((name, id(definition)))
        if seen is not None and seen[0] is definition and seen[1] in self.machines:
            return self.machines[seen[1]]
        machine = MachineCoverage(name=name, definition=json.loads(json.dumps(definition, default=str)))
        machine = self.machines.setdefault(machine.key, machine)
        self._seen[(name, id(definition))] = (definition, machine.key)
        return machine

    def add_execution(self, name: str, definition: Mapping[str, Any], execution: Any) -> MachineCoverage:
        """Record one execution of the machine ``name`` with ``definition``."""
        machine = self.add_machine(name, definition)
        states, transitions = trace_execution(machine.graph(), execution)
        machine.executions += 1
        machine.states.update(states)
        machine.transitions.update(transitions)
        machine.statuses[str(getattr(execution, "status", "UNKNOWN"))] += 1
        return machine

    def _api_key(self, name: str, kind: str) -> str:
        """The key of the API ``name`` of ``kind``: its name, or ``"name (KIND)"`` once APIs of two kinds
        share the name (a REST and an HTTP API called "orders" in different tests), whatever the order in
        which they were seen (xdist workers, combined runs)."""
        plain = self.apis.get(name)
        if plain is not None and plain.kind != kind:
            self.apis[f"{name} ({plain.kind})"] = self.apis.pop(name)
        qualified = f"{name} ({kind})"
        if qualified in self.apis or any(
            key.startswith(f"{name} (") and api.name == name for key, api in self.apis.items()
        ):
            return qualified
        return name

    def add_api(self, name: str, kind: str, route_keys: Iterable[str]) -> ApiCoverage:
        api = self.apis.setdefault(self._api_key(name, kind), ApiCoverage(name=name, kind=kind))
        for key in route_keys:
            api.add_route(key)
        return api

    def add_response(self, api_name: str, kind: str, route_key: str | None, status: int) -> None:
        self.add_api(api_name, kind, ()).add_response(route_key, status)

    # combining

    def merge(self, other: CoverageData) -> None:
        for key, machine in other.machines.items():
            mine = self.machines.get(key)
            if mine is None:
                self.machines[key] = MachineCoverage.from_json(machine.to_json())
            else:
                mine.merge(machine)
        for api in other.apis.values():
            key = self._api_key(api.name, api.kind)
            own = self.apis.get(key)
            if own is None:
                self.apis[key] = ApiCoverage.from_json(api.to_json())
            else:
                own.merge(api)

    def summary(self) -> MachineSummary:
        total = MachineSummary()
        for machine in self.machines.values():
            total.add(machine.summary())
        return total

    # the data file

    def to_json(self) -> dict[str, Any]:
        return {
            "format": _FORMAT,
            "machines": {key: self.machines[key].to_json() for key in sorted(self.machines)},
            "apis": {name: self.apis[name].to_json() for name in sorted(self.apis)},
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CoverageData:
        if not isinstance(data, Mapping) or data.get("format") != _FORMAT:
            raise ValueError(f"not a pytest_serverless coverage data file (format {_FORMAT} expected)")
        result = cls()
        for key, machine in (data.get("machines") or {}).items():
            result.machines[str(key)] = MachineCoverage.from_json(machine)
        for name, api in (data.get("apis") or {}).items():
            result.apis[str(name)] = ApiCoverage.from_json(api)
        return result

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the data file (atomically: a partial file is never left behind)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_text(self.dumps(), encoding="utf-8")
        temporary.replace(target)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CoverageData:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except ValueError as error:
            raise ValueError(f"{path}: not a JSON coverage data file: {error}") from None
        try:
            return cls.from_json(data)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"{path}: {error}") from None

    @classmethod
    def combine(cls, paths: Iterable[str | os.PathLike[str]]) -> CoverageData:
        """One data set from several data files (separate runs, CI shards)."""
        result = cls()
        for path in paths:
            result.merge(cls.load(path))
        return result
