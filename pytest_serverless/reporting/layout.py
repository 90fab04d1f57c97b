"""A layered layout of a state machine graph, for the html report's SVG (no outside layout library).

Each scope (the machine, a Parallel branch, a Map's item processor) is laid out on its own, top to bottom:
layers by longest path from the scope's start (back edges reversed), dummy points for edges that skip
layers, crossings reduced by barycenter sweeps, then x positions pulled towards neighbours. A Parallel or
Map state is a box holding the layouts of its branches side by side, so nested states sit inside their
parent. Retry loops are drawn on a state's right side and take room there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .graph import END, START, MachineGraph, Transition

__all__ = ["Box", "Route", "ScopeLayout", "layout_machine"]

_ROW_GAP = 56.0
_COLUMN_GAP = 34.0
_PAD = 18.0
_HEADER = 34.0
_STATE_HEIGHT = 46.0
_MARK = 16.0
_LOOP_ROOM = 92.0


@dataclass
class Box:
    """A node of a scope: a state (``kind`` ``"state"`` or ``"container"``), the scope's ``"start"`` or
    ``"end"`` mark, or a ``"dummy"`` point an edge passes through. x, y: the top-left corner, in the scope."""

    id: str
    kind: str
    width: float
    height: float
    x: float = 0.0
    y: float = 0.0
    loops: int = 0
    row_top: float = 0.0
    row_bottom: float = 0.0
    children: list[ScopeLayout] = field(default_factory=list)

    @property
    def center(self) -> float:
        return self.x + self.width / 2


@dataclass
class Route:
    """An edge as drawn: ``points`` from the source's bottom (top for a back edge) to the target."""

    transition: Transition
    points: list[tuple[float, float]]
    back: bool = False
    bundle: tuple[int, int] | None = None  # (position, size) among the edges joining the same two boxes
    fan: tuple[int, int] | None = None  # (position, size) among the edges leaving the same box


@dataclass
class ScopeLayout:
    scope: str
    width: float = 0.0
    height: float = 0.0
    x: float = 0.0
    y: float = 0.0
    boxes: dict[str, Box] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    loops: list[tuple[Transition, int]] = field(default_factory=list)


def _text_width(text: str) -> float:
    """A state box's width: its name (13px bold, centred) with room on each side for the hit count badge
    drawn in the top right corner ("12×"), so that the two never overlap."""
    return max(96.0, 7.8 * len(text) + 56.0)


def layout_machine(graph: MachineGraph) -> ScopeLayout:
    """The layout of the whole machine (the top scope, with nested scopes inside container boxes)."""
    start = [t for t in graph.transitions if t.source == START]
    return _layout_scope(graph, "", start)


def _layout_scope(graph: MachineGraph, scope: str, entries: list[Transition]) -> ScopeLayout:
    layout = ScopeLayout(scope)
    names = [name for name, node in graph.states.items() if node.scope == scope]
    edges: list[Transition] = []
    for entry in entries:  # drawn from this scope's start mark
        edges.append(entry)
    has_end = False
    for transition in graph.transitions:
        if transition.source in names and transition.kind not in ("branch", "start"):
            if transition.kind == "retry":
                layout.loops.append((transition, 0))
                continue
            edges.append(transition)
            has_end = has_end or transition.target == END
    layout.boxes[START] = Box(START, "start", _MARK, _MARK)
    for name in names:
        node = graph.states[name]
        if node.type in ("Parallel", "Map"):
            layout.boxes[name] = _container(graph, name)
        else:
            layout.boxes[name] = Box(name, "state", _text_width(name), _STATE_HEIGHT)
    if has_end:
        layout.boxes[END] = Box(END, "end", _MARK, _MARK)
    for position, (transition, _) in enumerate(layout.loops):
        box = layout.boxes[transition.source]
        box.loops += 1
        layout.loops[position] = (transition, box.loops)

    def node_of(end: str, transition: Transition, source: bool) -> str:
        if source and transition.kind in ("branch", "start"):
            return START
        return end

    pairs = [
        (node_of(t.source, t, True), t.target, t)
        for t in edges
        if node_of(t.source, t, True) in layout.boxes and t.target in layout.boxes
    ]
    layers = _layers(list(layout.boxes), [(a, b) for a, b, _ in pairs])
    if END in layout.boxes:
        layers[END] = max(layers.values()) + 1
    order = _order(layout, layers, pairs)
    _place(layout, order, pairs)
    _route(layout, pairs, layers)
    return layout


def _container(graph: MachineGraph, name: str) -> Box:
    children: list[ScopeLayout] = []
    for transition in graph.transitions:
        if transition.source == name and transition.kind == "branch":
            node = graph.states.get(transition.target)
            if node is not None:
                children.append(_layout_scope(graph, node.scope, [transition]))
    width = _PAD
    height = 0.0
    for child in children:
        child.x = width
        child.y = _HEADER
        width += child.width + _PAD
        height = max(height, child.height)
    return Box(
        name, "container", max(width, _text_width(name) + 40), _HEADER + height + _PAD, children=children
    )


def _layers(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layers from the start, edges closing a cycle (found by DFS) reversed."""
    successors: dict[str, list[str]] = {node: [] for node in nodes}
    for source, target in edges:
        if source != target:
            successors[source].append(target)
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    for root in nodes:
        if root in state:
            continue
        stack = [(root, iter(successors[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(successors[child])))
    dag: dict[str, list[str]] = {node: [] for node in nodes}
    indegree = dict.fromkeys(nodes, 0)
    for source, target in edges:
        if source == target:
            continue
        if (source, target) in back:
            source, target = target, source
        dag[source].append(target)
        indegree[target] += 1
    layer = dict.fromkeys(nodes, 0)
    ready = [node for node in nodes if indegree[node] == 0]
    while ready:
        node = ready.pop(0)
        for child in dag[node]:
            layer[child] = max(layer[child], layer[node] + 1)
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return layer


def _order(
    layout: ScopeLayout, layers: dict[str, int], pairs: list[tuple[str, str, Transition]]
) -> list[list[str]]:
    """Rows of box ids (dummies added for long edges), ordered by barycenter sweeps."""
    count = max(layers.values()) + 1
    rows: list[list[str]] = [[] for _ in range(count)]
    for node in layout.boxes:
        rows[layers[node]].append(node)
    links: list[tuple[str, str]] = []
    for index, (source, target, _transition) in enumerate(pairs):
        low, high = sorted((layers[source], layers[target]))
        if source == target or high - low <= 1:
            links.append((source, target))
            continue
        previous, last = (source, target) if layers[source] < layers[target] else (target, source)
        for level in range(low + 1, high):
            dummy = f"\0{index}:{level}"
            layout.boxes[dummy] = Box(dummy, "dummy", 12.0, 8.0)
            rows[level].append(dummy)
            layers[dummy] = level
            links.append((previous, dummy))
            previous = dummy
        links.append((previous, last))
    neighbours: dict[str, list[str]] = {node: [] for node in layout.boxes}
    for a, b in links:
        neighbours[a].append(b)
        neighbours[b].append(a)
    for sweep in range(6):
        span = range(1, count) if sweep % 2 == 0 else range(count - 2, -1, -1)
        for level in span:
            other = level - 1 if sweep % 2 == 0 else level + 1
            positions = {node: position for position, node in enumerate(rows[other])}
            current = {node: position for position, node in enumerate(rows[level])}

            def barycenter(
                node: str, positions: dict[str, int] = positions, current: dict[str, int] = current
            ) -> float:
                near = [positions[n] for n in neighbours[node] if n in positions]
                return sum(near) / len(near) if near else float(current[node])

            rows[level].sort(key=barycenter)
    return rows


def _place(layout: ScopeLayout, rows: list[list[str]], pairs: list[tuple[str, str, Transition]]) -> None:
    boxes = layout.boxes
    _stack_rows(boxes, rows)
    _center_rows(boxes, rows)
    _pull_towards_neighbours(boxes, rows, _neighbours(boxes, pairs))
    left = min(box.x for box in boxes.values())
    for box in boxes.values():
        box.x += _PAD - left
    layout.width = max(box.x + _extent(box) for box in boxes.values()) + _PAD
    layout.height = max(box.y + box.height for box in boxes.values()) + _PAD


def _extent(box: Box) -> float:
    """The width a box takes in its row, its self-loops included."""
    return box.width + (_LOOP_ROOM + 14.0 * (box.loops - 1) if box.loops else 0.0)


def _neighbours(boxes: dict[str, Box], pairs: list[tuple[str, str, Transition]]) -> dict[str, list[str]]:
    """Each box's linked boxes; a dummy box (a row a long edge crosses) links the edge's two ends."""
    neighbours: dict[str, list[str]] = {node: [] for node in boxes}
    for node in boxes:
        if node.startswith("\0"):
            index = int(node[1:].split(":")[0])
            source, target, _ = pairs[index]
            neighbours[node].extend((source, target))
    for source, target, _ in pairs:
        neighbours[source].append(target)
        neighbours[target].append(source)
    return neighbours


def _stack_rows(boxes: dict[str, Box], rows: list[list[str]]) -> None:
    """Rows top to bottom, boxes left to right in their order; dummies centred in their row's height."""
    y = _PAD
    for row in rows:
        height = max((boxes[node].height for node in row), default=0.0)
        x = 0.0
        for node in row:
            box = boxes[node]
            box.x = x
            box.y = y if box.kind != "dummy" else y + (height - box.height) / 2
            box.row_top, box.row_bottom = y, y + height
            x += _extent(box) + _COLUMN_GAP
        y += height + _ROW_GAP


def _center_rows(boxes: dict[str, Box], rows: list[list[str]]) -> None:
    """Shift each row so that it is centred under the widest one."""
    widest = max((sum(_extent(boxes[n]) + _COLUMN_GAP for n in row) for row in rows), default=0.0)
    for row in rows:
        used = sum(_extent(boxes[n]) + _COLUMN_GAP for n in row)
        for node in row:
            boxes[node].x += (widest - used) / 2


def _pull_towards_neighbours(
    boxes: dict[str, Box], rows: list[list[str]], neighbours: dict[str, list[str]]
) -> None:
    """Pull each box towards its neighbours in other rows, keeping the order and the gaps."""
    for _ in range(4):
        for row in rows:
            desired = []
            for node in row:
                near = [
                    boxes[n].center for n in neighbours[node] if n in boxes and boxes[n].y != boxes[node].y
                ]
                desired.append(sum(near) / len(near) - boxes[node].width / 2 if near else boxes[node].x)
            right = -1e9
            for node, want in zip(row, desired, strict=True):
                boxes[node].x = max(want, right)
                right = boxes[node].x + _extent(boxes[node]) + _COLUMN_GAP


def _route(layout: ScopeLayout, pairs: list[tuple[str, str, Transition]], layers: dict[str, int]) -> None:
    boxes = layout.boxes
    bundles: dict[tuple[str, str], list[int]] = {}
    fans: dict[str, list[int]] = {}
    for index, (source, _target, _) in enumerate(pairs):
        fans.setdefault(source, []).append(index)
    for index, (source, target, _) in enumerate(pairs):
        bundles.setdefault((min(source, target), max(source, target)), []).append(index)
    for index, (source, target, transition) in enumerate(pairs):
        bundle = bundles[(min(source, target), max(source, target))]
        offset = (bundle.index(index) - (len(bundle) - 1) / 2) * 16.0
        back = layers[target] <= layers[source]
        a, b = boxes[source], boxes[target]
        dummies = sorted(
            (box for key, box in boxes.items() if key.startswith(f"\0{index}:")),
            key=lambda box: box.y,
            reverse=back,
        )
        side = 0.28 * min(a.width, b.width) if back else 0.0
        ax, bx = a.center + offset + side, b.center + offset + side
        points = [(ax, a.y)] if back else [(ax, a.y + a.height)]
        if not back and a.y + a.height < a.row_bottom - 1:
            points.append((ax, a.row_bottom))  # straight down to the bottom of the row first
        for box in dummies:  # through the rows it skips, vertically
            ends = (box.row_bottom, box.row_top) if back else (box.row_top, box.row_bottom)
            points.extend((box.center + offset, end) for end in ends)
        if back and b.y + b.height < b.row_bottom - 1:
            points.append((bx, b.row_bottom))
        points.append((bx, b.y + b.height) if back else (bx, b.y))
        fan = fans[source]
        layout.routes.append(
            Route(transition, points, back, (bundle.index(index), len(bundle)), (fan.index(index), len(fan)))
        )
