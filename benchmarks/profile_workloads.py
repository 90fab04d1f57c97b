"""Where the time goes: pyinstrument's flat self-time profile of the benchmark workloads.

    python benchmarks/profile_workloads.py [--workload NAME|sfn|gateway|all] [--seconds 2] [--top 15]
    python benchmarks/profile_workloads.py --tree --workload map     # the call tree instead

Step Functions workloads (chain, jsonata, map, parallel) run repeatedly on one ``StateMachine`` (parsed
once, outside the profile); gateway workloads (rest, http, jwt, lambda-auth) send the requests of
``bench_gateway.py`` to a deployed stage. Each runs for the given wall time under pyinstrument (1 ms
sampling); the flat view lists functions by the share of samples spent in their own code, the tree view by
call path.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import bench_gateway
from bench_sfn import chain_definition, jsonata_chain_definition, map_definition, parallel_definition
from pyinstrument import Profiler
from pyinstrument.renderers import ConsoleRenderer

from pytest_serverless import StateMachine

SFN_WORKLOADS: dict[str, tuple[dict[str, Any], Any]] = {
    "chain": (chain_definition(), {"n": 1}),
    "jsonata": (jsonata_chain_definition(), {"n": 1}),
    "map": (map_definition(), {"items": list(range(1000))}),
    "parallel": (parallel_definition(), {"x": 1}),
}
GATEWAY_WORKLOADS = {  # name -> the row of bench_gateway.py
    "rest": "REST API, no auth",
    "http": "HTTP API, no auth",
    "jwt": "HTTP API, JWT authorizer",
    "lambda-auth": "REST API, Lambda authorizer (cached)",
}


def workload(name: str) -> tuple[Callable[[], Any], str]:
    """(one unit of work, what a unit is called), set up outside the profile."""
    if name in SFN_WORKLOADS:
        definition, payload = SFN_WORKLOADS[name]
        machine = StateMachine(definition)
        machine.execute(payload)
        return (lambda: machine.execute(payload)), "executions"
    rows = dict(bench_gateway.build_rows())
    request = rows[GATEWAY_WORKLOADS[name]]
    request()
    return request, "requests"


def profile(name: str, seconds: float, tree: bool, top: int) -> str:
    unit, units = workload(name)
    profiler = Profiler(interval=0.001)
    runs = 0
    profiler.start()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        unit()
        runs += 1
    profiler.stop()
    heading = f"== {name}: {runs} {units} in {seconds:.1f} s (profiled)"
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
    parser.add_argument(
        "--workload", choices=[*SFN_WORKLOADS, *GATEWAY_WORKLOADS, "sfn", "gateway", "all"], default="all"
    )
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--tree", action="store_true", help="call tree instead of the flat self-time list")
    args = parser.parse_args(argv)
    groups = {"sfn": list(SFN_WORKLOADS), "gateway": list(GATEWAY_WORKLOADS)}
    groups["all"] = groups["sfn"] + groups["gateway"]
    names = groups.get(args.workload, [args.workload])
    for name in names:
        print(profile(name, args.seconds, args.tree, args.top))
        print()


if __name__ == "__main__":
    main()
