"""Scale: time and peak memory as Map sizes and history lengths grow, and what recording history costs.

    python benchmarks/bench_scale.py [--quick]

Rows:
* a DISTRIBUTED Map (3-state processor) over 1,000 / 10,000 / 100,000 items read by an ItemReader (a mock
  answers the S3 read) and written by a ResultWriter: each item runs as a child execution with its own
  history, as in AWS, so the parent's history stays at a few events (inline, the items would pass the
  256 KiB payload limit long before 100,000);
* an INLINE Map (3-state processor) over 750 / 1,500 / 3,000 items: 3,000 items is 24,006 events, just
  under AWS's 25,000-event limit (an inline Map over 10,000 items fails at the limit, as on AWS: shown too);
* a Pass/Choice loop of 1,500 / 3,000 / 6,000 turns (4 events a turn: 6,000 turns is 24,004 events).

Time is the best of a few runs without tracing, in CPU time of this process (others sharing the
machine do not count); peak memory is a separate run under ``tracemalloc`` (the peak of memory allocated
during ``execute``, over what was allocated before it: the input is built first). Linear growth shows as
a flat "us/state" and a flat "B/state" column down each group.

History cost (CPU time, best of 7 alternating batches): the same workloads run with history recording
stubbed out (``Interpreter.event`` only numbers events), so the difference is what recording costs;
rendering the recorded events to ``GetExecutionHistory`` dicts happens only when ``execution.history``
is read, and is timed separately.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pytest_serverless import StateMachine
from pytest_serverless.asl import interpreter as _interpreter

# -- definitions ---------------------------------------------------------------------------------------------


def map_definition(mode: str) -> dict[str, Any]:
    """A Map with a 3-state processor. DISTRIBUTED reads its items with an ItemReader (S3, answered by a
    mock) and writes results with a ResultWriter, as AWS needs past 256 KiB of input or output."""
    config: dict[str, Any] = {"Mode": mode}
    source: dict[str, Any] = {"ItemsPath": "$.items"}
    if mode == "DISTRIBUTED":
        config["ExecutionType"] = "STANDARD"
        source = {
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "JSON"},
                "Parameters": {"Bucket": "bench", "Key": "items.json"},
            },
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "bench", "Prefix": "results"},
            },
        }
    return {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                **source,
                "ItemProcessor": {
                    "ProcessorConfig": config,
                    "StartAt": "A",
                    "States": {
                        "A": {"Type": "Pass", "Next": "B"},
                        "B": {"Type": "Pass", "Parameters": {"v.$": "$"}, "Next": "C"},
                        "C": {"Type": "Pass", "End": True},
                    },
                },
                "End": True,
            }
        },
    }


def loop_definition() -> dict[str, Any]:
    return {
        "StartAt": "Turn",
        "States": {
            "Turn": {
                "Type": "Pass",
                "Parameters": {"n.$": "States.MathAdd($.n, 1)", "limit.$": "$.limit"},
                "Next": "More?",
            },
            "More?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericLessThanPath": "$.limit", "Next": "Turn"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }


@dataclass(frozen=True)
class Case:
    group: str
    size: int
    definition: dict[str, Any]
    payload: Any
    expect: str = "SUCCEEDED"
    mocks: dict[str, Any] | None = None


def cases(quick: bool = False) -> list[Case]:
    distributed = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    inline = (750, 1_500, 3_000)
    turns = (1_500, 3_000, 6_000)
    out = [
        Case(
            "Distributed Map x 3 states",
            n,
            map_definition("DISTRIBUTED"),
            {},
            mocks={"Fan.ItemReader": [{"Return": list(range(n))}]},
        )
        for n in distributed
    ]
    out += [
        Case("Inline Map x 3 states", n, map_definition("INLINE"), {"items": list(range(n))}) for n in inline
    ]
    out.append(
        Case(
            "Inline Map x 3 states",
            10_000,
            map_definition("INLINE"),
            {"items": list(range(10_000))},
            "FAILED",
        )
    )
    out += [Case("Pass/Choice loop (turns)", n, loop_definition(), {"n": 0, "limit": n}) for n in turns]
    return out


# -- measuring -----------------------------------------------------------------------------------------------


@dataclass
class ScaleRow:
    case: Case
    seconds: float
    states: int
    events: int
    peak_bytes: int
    status: str

    @property
    def per_state_us(self) -> float:
        return self.seconds / self.states * 1e6

    @property
    def bytes_per_state(self) -> float:
        return self.peak_bytes / self.states


def _best_time(
    machine: StateMachine, payload: Any, budget: float, mocks: dict[str, Any] | None = None
) -> float:
    best = float("inf")
    spent = 0.0
    runs = 0
    while runs < 1 or (runs < 5 and spent < budget):
        gc.collect()
        started = time.process_time()
        machine.execute(payload, mocks=mocks)
        elapsed = time.process_time() - started
        best = min(best, elapsed)
        spent += elapsed
        runs += 1
    return best


def _peak_memory(machine: StateMachine, payload: Any, mocks: dict[str, Any] | None = None) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        execution = machine.execute(payload, mocks=mocks)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del execution
    return peak - baseline


def measure_case(case: Case, budget: float = 1.0) -> ScaleRow:
    machine = StateMachine(case.definition)
    execution = machine.execute(case.payload, mocks=case.mocks)
    if execution.status != case.expect:
        raise SystemExit(f"{case.group} {case.size}: {execution.status} {execution.error} {execution.cause}")
    states = len(execution.path)
    events = len(execution.history)
    status = execution.status if execution.error is None else f"{execution.status} {execution.error}"
    del execution
    seconds = _best_time(machine, case.payload, budget, case.mocks)
    return ScaleRow(case, seconds, states, events, _peak_memory(machine, case.payload, case.mocks), status)


@contextlib.contextmanager
def history_stubbed() -> Iterator[None]:
    """Record no events: ``Interpreter.event`` only numbers them (ids stay consistent)."""
    original = _interpreter.Interpreter.event

    def numbered_only(self: Any, frame: Any, *_args: Any, **_kwargs: Any) -> int:
        frame.prev += 1
        return int(frame.prev)

    _interpreter.Interpreter.event = numbered_only  # type: ignore[method-assign]
    try:
        yield
    finally:
        _interpreter.Interpreter.event = original  # type: ignore[method-assign]


@dataclass
class HistoryCost:
    title: str
    with_history: float
    without_history: float
    render: float
    events: int

    @property
    def share(self) -> float:
        return (self.with_history - self.without_history) / self.with_history


def measure_history_cost(title: str, definition: dict[str, Any], payload: Any, repeat: int) -> HistoryCost:
    """Best of 5 alternating batches with and without recording (the machine is shared with others)."""
    machine = StateMachine(definition)
    machine.execute(payload)
    with_history = without_history = float("inf")
    for _ in range(7):
        with_history = min(with_history, _batch(machine, payload, repeat))
        with history_stubbed():
            without_history = min(without_history, _batch(machine, payload, repeat))
    render = float("inf")
    for _ in range(3):
        execution = machine.execute(payload)
        started = time.perf_counter()
        events = len(execution.history)
        render = min(render, time.perf_counter() - started)
    return HistoryCost(title, with_history, without_history, render, events)


def _batch(machine: StateMachine, payload: Any, repeat: int) -> float:
    """CPU seconds per execution (process time: other processes on a shared machine do not count)."""
    gc.collect()
    started = time.process_time()
    for _ in range(repeat):
        machine.execute(payload)
    return (time.process_time() - started) / repeat


def history_costs(quick: bool = False) -> list[HistoryCost]:
    from bench_sfn import chain_definition, jsonata_chain_definition, parallel_definition

    small = 50 if quick else 300
    return [
        measure_history_cost(title, definition, payload, repeat)
        for title, definition, payload, repeat in (
            ("10-state chain", chain_definition(), {"n": 1}, small),
            ("10-state chain (JSONata)", jsonata_chain_definition(), {"n": 1}, small),
            ("Parallel 4 x 5 states", parallel_definition(), {"x": 1}, small),
            (
                "Inline Map 1,000 items x 3",
                map_definition("INLINE"),
                {"items": list(range(1000))},
                1 if quick else 3,
            ),
            ("Pass/Choice loop 3,000 turns", loop_definition(), {"n": 0, "limit": 3000}, 1),
        )
    ]


# -- output --------------------------------------------------------------------------------------------------


def scale_lines(rows: list[ScaleRow]) -> list[str]:
    lines = [
        f"{'scale':28} {'size':>8} {'states':>8} {'events':>7} {'ms':>9} {'us/state':>9} "
        f"{'peak MiB':>9} {'B/state':>8}  status"
    ]
    for row in rows:
        lines.append(
            f"{row.case.group:28} {row.case.size:8,d} {row.states:8,d} {row.events:7,d} "
            f"{row.seconds * 1000:9.1f} {row.per_state_us:9.2f} {row.peak_bytes / 2**20:9.2f} "
            f"{row.bytes_per_state:8.0f}  {row.status}"
        )
    return lines


def history_lines(costs: list[HistoryCost]) -> list[str]:
    lines = [
        f"{'history cost':28} {'events':>7} {'ms/exec':>9} {'no hist':>9} {'share':>6} {'render ms':>10}"
    ]
    for cost in costs:
        lines.append(
            f"{cost.title:28} {cost.events:7,d} {cost.with_history * 1000:9.3f} "
            f"{cost.without_history * 1000:9.3f} {cost.share:6.0%} {cost.render * 1000:10.3f}"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args(argv)
    budget = 0.2 if args.quick else 1.0
    rows = [measure_case(case, budget) for case in cases(args.quick)]
    for line in scale_lines(rows):
        print(line)
    print()
    for line in history_lines(history_costs(args.quick)):
        print(line)


if __name__ == "__main__":
    main()
