"""TestState in process: ``test_state`` calls per second on a Task with a mock, against a one-state
``execute()`` of the same Task with the same mocked answer.

    python benchmarks/bench_test_state.py [--seconds 1.0] [--quick]

Rows: ``test_state`` of a ``lambda:invoke`` Task (Parameters, ResultSelector, ResultPath, a Retry and a
Catch) with ``mock={"result": JSON text}`` at INFO and at DEBUG, the same with an ``errorOutput`` mock
answered RETRIABLE, and ``execute()`` of a machine holding only that Task, mocked with ``{"Return": ...}``.
The last column is the time of one such execution over the row's time (higher: test_state is cheaper),
the median of five interleaved rounds' ratios.
Each figure is the best batch of about 50 ms over the time given, which damps a shared machine's noise.
AWS's TestState is a network round trip per call (tens of milliseconds); these are microseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from pytest_serverless import StateMachine

TASK: dict[str, Any] = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "charge", "Payload.$": "$.order"},
    "ResultSelector": {"paid.$": "$.Payload.paid"},
    "ResultPath": "$.charge",
    "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 3}],
    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
    "End": True,
}
DEFINITION: dict[str, Any] = {
    "StartAt": "Charge",
    "States": {"Charge": TASK, "Failed": {"Type": "Fail", "Error": "NotPaid"}},
}
INPUT = {"order": {"id": 7, "amount": 12.5}}
ANSWER = {"Payload": {"paid": True}, "StatusCode": 200}


def calls() -> list[tuple[str, Callable[[], Any]]]:
    """(title, one call) per row; the last row is the one-state execution the others are compared with."""
    sm = StateMachine(DEFINITION)
    text = json.dumps(ANSWER)
    busy = {"errorOutput": {"error": "Busy", "cause": "try later"}}
    return [
        ("test_state, result mock, INFO", lambda: sm.test_state("Charge", INPUT, mock={"result": text})),
        (
            "test_state, result mock, DEBUG",
            lambda: sm.test_state("Charge", INPUT, mock={"result": text}, inspection_level="DEBUG"),
        ),
        ("test_state, errorOutput -> RETRIABLE", lambda: sm.test_state("Charge", INPUT, mock=busy)),
        ("execute(), the one Task mocked", lambda: sm.execute(INPUT, mocks={"Charge": [{"Return": ANSWER}]})),
    ]


def best_seconds(call: Callable[[], Any], seconds: float) -> float:
    call()
    started = time.perf_counter()
    call()
    batch = max(1, int(0.05 / max(time.perf_counter() - started, 1e-9)))
    best = float("inf")
    deadline = time.perf_counter() + seconds
    runs = 0
    while runs == 0 or time.perf_counter() < deadline:
        started = time.perf_counter()
        for _ in range(batch):
            call()
        best = min(best, (time.perf_counter() - started) / batch)
        runs += batch
    return best


def table_lines(seconds: float, rounds: int = 5) -> list[str]:
    """Rows measured in ``rounds`` interleaved rounds; the ratio is the median of each round's ratio
    against the same round's ``execute()`` (a shared machine's slow spells hit both sides of a ratio)."""
    rows = calls()
    times: list[list[float]] = [[] for _ in rows]
    for _ in range(rounds):
        for index, (_title, call) in enumerate(rows):
            times[index].append(best_seconds(call, seconds / rounds))
    execute = times[-1]
    lines = [f"{'call':40} {'calls/s':>10} {'us/call':>9} {'execute() / this':>17}"]
    for (title, _call), measured in zip(rows, times, strict=True):
        best = min(measured)
        ratio = statistics.median(base / this for base, this in zip(execute, measured, strict=True))
        lines.append(f"{title:40} {1 / best:10.0f} {best * 1e6:9.1f} {ratio:17.2f}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=1.0, help="wall time per row")
    parser.add_argument("--quick", action="store_true", help="0.1 s per row: smoke-test the script")
    args = parser.parse_args(argv)
    for line in table_lines(0.1 if args.quick else args.seconds):
        print(line)


if __name__ == "__main__":
    main()
