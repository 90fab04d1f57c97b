"""The ``html`` coverage report: an index page and one page per state machine with its graph as inline SVG.

Like coverage.py's html report for code: the index lists every machine with its totals and links to its
page; a machine's page draws the states (covered green, missed red) and transitions (taken: solid green
with the hit count; missed: dashed red), with a legend, then lists what was missed. No JavaScript, no
network: every page is self-contained. ``html_pages`` returns ``{file name: text}``; ``write_html`` writes
them into a directory.
"""

from __future__ import annotations

import os
import re
from html import escape
from pathlib import Path

from .coverage import CoverageData, MachineCoverage, MachineSummary
from .graph import START, MachineGraph
from .layout import Box, Route, ScopeLayout, layout_machine
from .render import format_percent

__all__ = ["html_pages", "machine_page", "machine_svg", "page_name", "write_html"]

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       margin: 24px 32px; color: #1d2733; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #5a6675; font-size: 13px; margin-bottom: 14px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 4px 12px; border-bottom: 1px solid #e3e7ec; text-align: right; }
th:first-child, td:first-child, td.left, th.left { text-align: left; }
th { background: #f4f6f8; }
a { color: #1f5fbf; text-decoration: none; } a:hover { text-decoration: underline; }
.bar { display: inline-block; width: 90px; height: 9px; background: #f3c7c3; border-radius: 2px;
       vertical-align: middle; }
.bar span { display: block; height: 9px; background: #4caf6a; border-radius: 2px; }
.legend { display: flex; flex-wrap: wrap; gap: 18px; align-items: center; font-size: 13px;
          margin: 6px 0 12px; }
.legend svg { vertical-align: middle; margin-right: 5px; }
.graph { border: 1px solid #e3e7ec; border-radius: 6px; overflow: auto; background: #fcfdfe;
         max-width: 100%; }
.missed { color: #b3261e; } .taken { color: #2e7d32; } code { font-size: 12px; }
"""

_SVG_STYLE = """
.state rect { stroke-width: 1.6; rx: 6px; }
.state.covered rect.frame { fill: #e3f4e6; stroke: #2e7d32; }
.state.missed rect.frame { fill: #fdebea; stroke: #c62828; stroke-width: 2.2; }
.state.container.covered rect.frame { fill: #f4fbf5; } .state.container.missed rect.frame { fill: #fff7f6; }
.state text.name { font: 600 13px sans-serif; fill: #1d2733; }
.state text.type { font: 10.5px sans-serif; fill: #5a6675; }
.state text.hits { font: 10.5px sans-serif; fill: #2e7d32; }
.scope rect { fill: none; stroke: #b7c0ca; stroke-dasharray: 3 3; }
.scope text { font: 10.5px sans-serif; fill: #5a6675; }
.transition path { fill: none; }
.transition.taken path { stroke: #2e7d32; stroke-width: 2.2; }
.transition.missed path { stroke: #c62828; stroke-width: 1.7; stroke-dasharray: 6 4; }
.transition.start path { stroke: #8a96a3; stroke-width: 1.4; }
.transition text { font: 10.5px sans-serif; paint-order: stroke; stroke: #fcfdfe; stroke-width: 3px; }
.transition.taken text { fill: #1e5e22; } .transition.missed text { fill: #b3261e; }
.edge-label text { font: 10.5px sans-serif; paint-order: stroke; stroke: #fcfdfe; stroke-width: 3px; }
.edge-label.taken text { fill: #1e5e22; } .edge-label.missed text { fill: #b3261e; }
.mark.start { fill: #42505e; } .mark.end { fill: #42505e; stroke: #fcfdfe; stroke-width: 3; }
.mark.end-ring { fill: none; stroke: #42505e; stroke-width: 1.6; }
"""

_MARKERS = "".join(
    f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
    f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>'
    for name, color in (("taken", "#2e7d32"), ("missed", "#c62828"), ("start", "#8a96a3"))
)


def page_name(machine: MachineCoverage) -> str:
    """The file name of a machine's page: ``<name>_<digest>.html`` (unsafe characters replaced)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"{machine.name}_{machine.digest}") + ".html"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


# section: the graph


class _Drawing:
    def __init__(self, machine: MachineCoverage, graph: MachineGraph) -> None:
        self.machine = machine
        self.graph = graph
        self.parts: list[str] = []
        self.labels: list[str] = []  # edge labels, drawn last: no later edge crosses over their text

    def scope(self, layout: ScopeLayout, ox: float, oy: float) -> None:
        for route in layout.routes:
            self.route(route, ox, oy)
        for box in layout.boxes.values():
            self.box(box, ox, oy)
        for transition, number in layout.loops:
            self.loop(layout.boxes[transition.source], transition.key, transition.label, number, ox, oy)

    def box(self, box: Box, ox: float, oy: float) -> None:
        x, y = ox + box.x, oy + box.y
        if box.kind == "start":
            self.parts.append(f'<circle class="mark start" cx="{_num(x + 8)}" cy="{_num(y + 8)}" r="7"/>')
            return
        if box.kind == "end":
            self.parts.append(
                f'<circle class="mark end-ring" cx="{_num(x + 8)}" cy="{_num(y + 8)}" r="8"/>'
                f'<circle class="mark end" cx="{_num(x + 8)}" cy="{_num(y + 8)}" r="6"/>'
            )
            return
        if box.kind == "dummy":
            return
        node = self.graph.states[box.id]
        hits = self.machine.states.get(box.id, 0)
        status = "covered" if hits else "missed"
        kind = " container" if box.kind == "container" else ""
        tooltip = f"{box.id} ({node.type}): " + (
            f"entered {hits} time{'s' if hits != 1 else ''}" if hits else "never entered"
        )
        self.parts.append(
            f'<g class="state{kind} {status}" data-state="{escape(box.id)}"><title>{escape(tooltip)}</title>'
            f'<rect class="frame" x="{_num(x)}" y="{_num(y)}" width="{_num(box.width)}" '
            f'height="{_num(box.height)}" rx="6"/>'
        )
        if box.kind == "container":
            self.parts.append(
                f'<text class="name" x="{_num(x + 10)}" y="{_num(y + 18)}">{escape(box.id)}</text>'
                f'<text class="type" x="{_num(x + 10)}" y="{_num(y + 30)}">{escape(node.type)}'
                f"{f' · entered {hits}×' if hits else ' · never entered'}</text></g>"
            )
            for child in box.children:
                cx, cy = x + child.x, y + child.y
                label = child.scope.rpartition("/")[2]
                self.parts.append(
                    f'<g class="scope"><rect x="{_num(cx)}" y="{_num(cy)}" width="{_num(child.width)}" '
                    f'height="{_num(child.height)}" rx="4"/><text x="{_num(cx + 6)}" y="{_num(cy + 12)}">'
                    f"{escape(label)}</text></g>"
                )
                self.scope(child, cx, cy)
            return
        middle = x + box.width / 2
        count = (
            f'<text class="hits" x="{_num(x + box.width - 6)}" y="{_num(y + 13)}" '
            f'text-anchor="end">{hits}×</text>'
            if hits
            else ""
        )
        self.parts.append(
            f'<text class="name" x="{_num(middle)}" y="{_num(y + 21)}" '
            f'text-anchor="middle">{escape(box.id)}</text>'
            f'<text class="type" x="{_num(middle)}" y="{_num(y + 36)}" '
            f'text-anchor="middle">{escape(node.type)}</text>'
            f"{count}</g>"
        )

    def _status(self, key: str, counted: bool) -> tuple[str, int]:
        hits = self.machine.transitions.get(key, 0)
        if not counted:
            return "start", hits
        return ("taken" if hits else "missed"), hits

    def _open(self, key: str, label: str, counted: bool) -> tuple[str, str]:
        status, hits = self._status(key, counted)
        if status == "start":
            tooltip = "start"
        else:
            tooltip = f"{key}: " + (f"taken {hits} time{'s' if hits != 1 else ''}" if hits else "never taken")
        text = "" if label in ("Next", "Start", "End") else label
        if hits and status == "taken" and text:
            text += f" ×{hits}"
        head = (
            f'<g class="transition {status}" data-transition="{escape(key)}"><title>{escape(tooltip)}</title>'
        )
        return head, text

    def route(self, route: Route, ox: float, oy: float) -> None:
        transition = route.transition
        counted = transition.counted and transition.source != START
        head, text = self._open(transition.key, transition.label, counted)
        points = [(ox + x, oy + y) for x, y in route.points]
        d = f"M{_num(points[0][0])},{_num(points[0][1])}"
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            middle = (y1 + y2) / 2
            d += f" C{_num(x1)},{_num(middle)} {_num(x2)},{_num(middle)} {_num(x2)},{_num(y2)}"
        status = self._status(transition.key, counted)[0]
        self.parts.append(f'{head}<path d="{d}" marker-end="url(#arrow-{status})"/></g>')
        if text:
            lx, ly = _label_point(route, points)
            self.labels.append(
                f'<g class="edge-label {status}"><text x="{_num(lx + 5)}" y="{_num(ly + 4)}">'
                f"{escape(text)}</text></g>"
            )

    def loop(self, box: Box, key: str, label: str, number: int, ox: float, oy: float) -> None:
        head, text = self._open(key, label, True)
        x, y = ox + box.x + box.width, oy + box.y
        reach = 26.0 + 14.0 * (number - 1)
        top, bottom = y + box.height * 0.25, y + box.height * 0.75
        d = (
            f"M{_num(x)},{_num(top)} C{_num(x + reach)},{_num(top - 16)} "
            f"{_num(x + reach)},{_num(bottom + 16)} "
            f"{_num(x + 1)},{_num(bottom)}"
        )
        status = self._status(key, True)[0]
        self.parts.append(
            f'{head}<path d="{d}" marker-end="url(#arrow-{status})"/>'
            f'<text x="{_num(x + 0.75 * (26.0 + 14.0 * (box.loops - 1)) + 6)}" '
            f'y="{_num(y + box.height / 2 + 4 + 12 * (number - 1) - 6 * (box.loops - 1))}">'
            f"{escape(text)}</text></g>"
        )


def _label_point(route: Route, points: list[tuple[float, float]]) -> tuple[float, float]:
    """Where an edge's label goes: on its first bend, further along when several edges leave the same box
    (they have spread apart there), staggered between edges joining the same two boxes."""
    bends = [i for i in range(len(points) - 1) if abs(points[i + 1][0] - points[i][0]) > 1]
    segment = (
        bends[0] if bends else max(range(len(points) - 1), key=lambda i: abs(points[i + 1][1] - points[i][1]))
    )
    (x1, y1), (x2, y2) = points[segment], points[segment + 1]
    t = 0.72 if route.fan is not None and route.fan[1] > 1 else 0.5
    if route.bundle is not None and route.bundle[1] > 1:
        t -= 0.2 * route.bundle[0]
    shift = 3 * t * t - 2 * t * t * t  # x along the drawn cubic (vertical tangents) at parameter t
    return x1 + (x2 - x1) * shift, y1 + (y2 - y1) * t


def machine_svg(machine: MachineCoverage) -> str:
    """The machine's graph as an ``<svg>`` element."""
    graph = machine.graph()
    layout = layout_machine(graph)
    drawing = _Drawing(machine, graph)
    drawing.scope(layout, 0.0, 0.0)
    width, height = layout.width, layout.height
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="machine-graph" '
        f'width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" role="img" '
        f'aria-label="state graph of {escape(machine.name)}">'
        f"<style>{_SVG_STYLE}</style><defs>{_MARKERS}</defs>{''.join(drawing.parts)}"
        f"{''.join(drawing.labels)}</svg>"
    )


# section: pages


def _legend() -> str:
    def sample(css: str, body: str) -> str:
        return (
            f'<svg width="44" height="18"><style>{_SVG_STYLE}</style><defs>{_MARKERS}</defs>'
            f'<g class="{css}">{body}</g></svg>'
        )

    edge = '<path d="M2,9 L40,9" marker-end="url(#arrow-{0})"/>'
    box = '<rect class="frame" x="2" y="2" width="40" height="14" rx="4"/>'
    items = [
        (sample("state covered", box), "state entered"),
        (sample("state missed", box), "state never entered"),
        (sample("transition taken", edge.format("taken")), "transition taken (× times)"),
        (sample("transition missed", edge.format("missed")), "transition never taken"),
        (
            '<svg width="44" height="18"><circle cx="10" cy="9" r="6" fill="#42505e"/>'
            '<circle cx="32" cy="9" r="7" fill="none" stroke="#42505e" stroke-width="1.6"/>'
            '<circle cx="32" cy="9" r="4.5" fill="#42505e"/></svg>',
            "start / end",
        ),
    ]
    return (
        '<div class="legend">'
        + "".join(f"<span>{icon}{escape(text)}</span>" for icon, text in items)
        + "</div>"
    )


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def _bar(percent: float) -> str:
    return f'<span class="bar"><span style="width:{_num(percent)}%"></span></span>'


def _summary_cells(summary: MachineSummary) -> str:
    return (
        f"<td>{summary.states}</td><td>{summary.states - summary.states_covered}</td>"
        f"<td>{summary.transitions}</td><td>{summary.transitions - summary.transitions_covered}</td>"
        f"<td>{format_percent(summary.percent)} {_bar(summary.percent)}</td>"
    )


_HEAD = "<th>States</th><th>Miss</th><th>Transitions</th><th>Miss</th><th>Cover</th>"


def machine_page(machine: MachineCoverage) -> str:
    summary = machine.summary()
    graph = machine.graph()
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(machine.statuses.items()))
    # missed states, then missed transitions, then taken transitions, each in definition order
    rows = [
        f'<tr class="missed"><td><code>state {escape(name)}</code></td><td>0</td></tr>'
        for name in graph.states
        if not machine.states.get(name, 0)
    ]
    taken: list[str] = []
    for transition in graph.counted:
        hits = machine.transitions.get(transition.key, 0)
        css = "taken" if hits else "missed"
        row = f'<tr class="{css}"><td><code>{escape(transition.key)}</code></td><td>{hits}</td></tr>'
        (taken if hits else rows).append(row)
    rows += taken
    body = (
        f'<p><a href="index.html">&larr; all state machines</a></p><h1>{escape(machine.name)}</h1>'
        f'<div class="meta">definition {machine.digest} · {machine.executions} execution'
        f"{'s' if machine.executions != 1 else ''}{f' ({statuses})' if statuses else ''} · "
        f"{summary.states_covered}/{summary.states} states, "
        f"{summary.transitions_covered}/{summary.transitions} "
        f"transitions · <b>{format_percent(summary.percent)}</b> covered</div>"
        f'{_legend()}<div class="graph">{machine_svg(machine)}</div>'
        f'<h2>States and transitions</h2><table><tr><th class="left">Missed first</th><th>Hits</th></tr>'
        f"{''.join(rows)}</table>"
    )
    return _page(f"{machine.name}: state machine coverage", body)


def _index(data: CoverageData) -> str:
    rows = []
    total = MachineSummary()
    for key in sorted(data.machines):
        machine = data.machines[key]
        summary = machine.summary()
        total.add(summary)
        rows.append(
            f'<tr><td><a href="{escape(page_name(machine))}">{escape(machine.name)}</a> '
            f"<code>{machine.digest}</code></td><td>{machine.executions}</td>{_summary_cells(summary)}</tr>"
        )
    body = [
        "<h1>State machine coverage</h1>",
        f'<div class="meta">{len(data.machines)} state machine{"s" if len(data.machines) != 1 else ""} · '
        f"total <b>{format_percent(total.percent)}</b></div>",
        f'<table><tr><th class="left">State machine</th><th>Runs</th>{_HEAD}</tr>{"".join(rows)}'
        f'<tr><th class="left">Total</th><th></th>{_summary_cells(total).replace("td>", "th>")}</tr></table>',
    ]
    if data.apis:
        route_rows = []
        for name in sorted(data.apis):
            api = data.apis[name]
            for route_key in sorted(api.routes):
                counts = api.routes[route_key]
                called = sum(counts.values())
                cells = "".join(
                    f"<td>{counts.get(column, 0)}</td>" for column in ("2XX", "3XX", "4XX", "5XX")
                )
                route_rows.append(
                    f'<tr class="{"taken" if called else "missed"}"><td>{escape(name)}</td>'
                    f'<td class="left"><code>{escape(route_key)}</code></td>{cells}</tr>'
                )
        body.append(
            '<h2>Gateway routes</h2><table><tr><th class="left">API</th><th class="left">Route</th>'
            f"<th>2XX</th><th>3XX</th><th>4XX</th><th>5XX</th></tr>{''.join(route_rows)}</table>"
        )
    return _page("State machine coverage", "\n".join(body))


def html_pages(data: CoverageData) -> dict[str, str]:
    """``{"index.html": ..., "<machine page>": ...}``."""
    pages = {"index.html": _index(data)}
    for machine in data.machines.values():
        pages[page_name(machine)] = machine_page(machine)
    return pages


def write_html(data: CoverageData, directory: str | os.PathLike[str]) -> Path:
    """Write the pages into ``directory`` (created if needed); returns the index page's path."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    for name, text in html_pages(data).items():
        (target / name).write_text(text, encoding="utf-8")
    return target / "index.html"
