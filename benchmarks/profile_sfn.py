"""Where an execution's time goes: pyinstrument's flat self-time profile of the benchmark workloads.

    python benchmarks/profile_sfn.py [--workload chain|jsonata|map|parallel|all] [--seconds 2] [--top 15]
    python benchmarks/profile_sfn.py --tree --workload map     # the call tree instead

Each workload runs repeatedly on one ``StateMachine`` (parsed once, outside the profile) for the given
wall time under pyinstrument (1 ms sampling); the flat view lists functions by the share of samples
spent in their own code, the tree view by call path.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench_sfn import chain_definition, jsonata_chain_definition, map_definition, parallel_definition
from pyinstrument import Profiler
from pyinstrument.renderers import ConsoleRenderer

from pytest_serverless import StateMachine

WORKLOADS: dict[str, tuple[dict[str, Any], Any]] = {
    "chain": (chain_definition(), {"n": 1}),
    "jsonata": (jsonata_chain_definition(), {"n": 1}),
    "map": (map_definition(), {"items": list(range(1000))}),
    "parallel": (parallel_definition(), {"x": 1}),
}


def profile(name: str, seconds: float, tree: bool, top: int) -> str:
    definition, payload = WORKLOADS[name]
    machine = StateMachine(definition)
    machine.execute(payload)
    profiler = Profiler(interval=0.001)
    runs = 0
    profiler.start()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        machine.execute(payload)
        runs += 1
    profiler.stop()
    heading = f"== {name}: {runs} executions in {seconds:.1f} s (profiled)"
    if tree:
        return heading + "\n" + profiler.output(ConsoleRenderer(time="percent_of_total", short_mode=True))
    return heading + "\n" + "\n".join(flat_lines(profiler, top))


def flat_lines(profiler: Profiler, top: int) -> list[str]:
    """Functions by their own time (not their callees'), as a share of the whole profile."""
    session = profiler.last_session
    root = session.root_frame() if session is not None else None
    if root is None:
        return ["(no samples)"]
    own: dict[str, float] = {}
    stack = [root]
    while stack:
        frame = stack.pop()
        stack.extend(frame.children)
        child_time = sum(child.time for child in frame.children if not child.is_synthetic_leaf)
        if frame.is_synthetic or frame.time <= child_time:
            continue
        where = f"{frame.function}  {frame.file_path_short or ''}:{frame.line_no}"
        own[where] = own.get(where, 0.0) + frame.time - child_time
    total = root.time or 1.0
    ranked = sorted(own.items(), key=lambda item: -item[1])[:top]
    return [f"{seconds / total:6.1%}  {where}" for where, seconds in ranked]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workload", choices=[*WORKLOADS, "all"], default="all")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--tree", action="store_true", help="call tree instead of the flat self-time list")
    args = parser.parse_args(argv)
    names = list(WORKLOADS) if args.workload == "all" else [args.workload]
    for name in names:
        print(profile(name, args.seconds, args.tree, args.top))
        print()


if __name__ == "__main__":
    main()
