"""Coverage reports as data: terminal lines (``term``) and a stable JSON document (``json``).

The html report is in ``html.py``. Nothing here prints or writes: callers (the pytest plugin, a script)
decide where the lines and documents go.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from .coverage import CoverageData, MachineCoverage, MachineSummary

__all__ = ["REPORT_FORMAT", "format_percent", "json_report", "json_text", "term_lines", "under_threshold"]

REPORT_FORMAT = 1
_STATUS_COLUMNS = ("2XX", "3XX", "4XX", "5XX")


def format_percent(value: float) -> str:
    """``92.857`` -> ``"92%"``; never shows 100% unless everything is covered, nor 0% unless nothing is
    (coverage.py's rounding)."""
    if 0 < value < 1:
        return "1%"
    if 99 < value < 100:
        return "99%"
    return f"{math.floor(value + 0.5) if value not in (0, 100) else int(value)}%"


def under_threshold(data: CoverageData, fail_under: float) -> str | None:
    """The failure line when the total is below ``fail_under`` percent, else None."""
    percent = data.summary().percent
    if percent + 1e-9 >= fail_under:
        return None
    return (
        f"FAIL Required state machine coverage of {fail_under:g}% not reached. Total coverage: {percent:.2f}%"
    )


# section: term


def _machines(data: CoverageData) -> list[tuple[MachineCoverage, MachineSummary]]:
    return [(data.machines[key], data.machines[key].summary()) for key in sorted(data.machines)]


def term_lines(data: CoverageData, *, show_missing: bool = True) -> list[str]:
    """The ``term`` report: a row per machine (states, transitions, misses, cover), its missing states and
    transitions under it, a total row; then the gateway's routes with responses per status class."""
    lines: list[str] = []
    machines = _machines(data)
    if machines:
        lines.extend(_machine_table(machines, show_missing))
    if data.apis:
        if lines:
            lines.append("")
        lines.extend(_route_table(data))
    if not lines:
        lines.append("No state machine ran and no gateway answered: nothing to report.")
    return lines


def _machine_table(machines: list[tuple[MachineCoverage, MachineSummary]], show_missing: bool) -> list[str]:
    names = [machine.key for machine, _ in machines]
    width = max(len("Name"), len("TOTAL"), *(len(name) for name in names))
    header = (
        f"{'Name':<{width}}  {'Runs':>5}  {'States':>6}  {'Miss':>4}  {'Transitions':>11}  {'Miss':>4}  "
        f"{'Cover':>5}"
    )
    rule = "-" * len(header)
    lines = [header, rule]
    total = MachineSummary()
    runs = 0
    for machine, summary in machines:
        total.add(summary)
        runs += machine.executions
        lines.append(_row(machine.key, machine.executions, summary, width))
        if show_missing:
            lines.extend(_missing(summary))
    lines.append(rule)
    lines.append(_row("TOTAL", runs, total, width))
    return lines


def _row(name: str, runs: int, summary: MachineSummary, width: int) -> str:
    return (
        f"{name:<{width}}  {runs:>5}  {summary.states:>6}  {summary.states - summary.states_covered:>4}  "
        f"{summary.transitions:>11}  {summary.transitions - summary.transitions_covered:>4}  "
        f"{format_percent(summary.percent):>5}"
    )


def _missing(summary: MachineSummary) -> Iterator[str]:
    if summary.missing_states:
        yield "    missing states: " + ", ".join(summary.missing_states)
    if summary.missing_transitions:
        yield "    missing transitions:"
        for key in summary.missing_transitions:
            yield f"      {key}"


def _route_table(data: CoverageData) -> list[str]:
    rows: list[tuple[str, str, list[str]]] = []
    for name in sorted(data.apis):
        api = data.apis[name]
        for key in sorted(api.routes):
            counts = api.routes[key]
            rows.append((name, key, [str(counts.get(column, 0)) for column in _STATUS_COLUMNS]))
        if api.unmatched:
            rows.append(
                (name, "(no route)", [str(api.unmatched.get(column, 0)) for column in _STATUS_COLUMNS])
            )
    api_width = max(len("API"), *(len(row[0]) for row in rows)) if rows else 3
    route_width = max(len("Route"), *(len(row[1]) for row in rows)) if rows else 5
    columns = "  ".join(f"{column:>4}" for column in _STATUS_COLUMNS)
    header = f"{'API':<{api_width}}  {'Route':<{route_width}}  {columns}  Called"
    lines = [header, "-" * len(header)]
    called = known = 0
    for api_name, key, cells_text in rows:
        hit = any(count != "0" for count in cells_text)
        if key != "(no route)":
            known += 1
            called += hit
        cells = "  ".join(f"{count:>4}" for count in cells_text)
        lines.append(f"{api_name:<{api_width}}  {key:<{route_width}}  {cells}  {'yes' if hit else 'NO'}")
    lines.append("-" * len(header))
    lines.append(f"routes called: {called} of {known}")
    return lines


# section: json


def json_report(data: CoverageData) -> dict[str, Any]:
    """A stable document for tools: totals, then per machine its summary and every state and transition with
    its hit count (0 when missed), per API every route with responses per status class. Keys are sorted."""
    machines: dict[str, Any] = {}
    total = MachineSummary()
    for machine, summary in _machines(data):
        total.add(summary)
        graph = machine.graph()
        machines[machine.key] = {
            "name": machine.name,
            "digest": machine.digest,
            "executions": machine.executions,
            "summary": _summary_json(summary),
            "states": {name: machine.states.get(name, 0) for name in sorted(graph.states)},
            "transitions": {
                t.key: machine.transitions.get(t.key, 0) for t in sorted(graph.counted, key=lambda t: t.key)
            },
            "missing_states": sorted(summary.missing_states),
            "missing_transitions": sorted(summary.missing_transitions),
        }
    apis: dict[str, Any] = {}
    for name in sorted(data.apis):
        api = data.apis[name]
        apis[name] = {
            "kind": api.kind,
            "routes": {
                key: {column: api.routes[key].get(column, 0) for column in _STATUS_COLUMNS}
                for key in sorted(api.routes)
            },
            "unmatched": {column: api.unmatched.get(column, 0) for column in _STATUS_COLUMNS},
            "missing_routes": sorted(key for key in api.routes if not sum(api.routes[key].values())),
        }
    return {"format": REPORT_FORMAT, "totals": _summary_json(total), "machines": machines, "apis": apis}


def _summary_json(summary: MachineSummary) -> dict[str, Any]:
    return {
        "states": summary.states,
        "states_covered": summary.states_covered,
        "transitions": summary.transitions,
        "transitions_covered": summary.transitions_covered,
        "percent_covered": round(summary.percent, 2),
    }


def json_text(data: CoverageData) -> str:
    return json.dumps(json_report(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
