"""boto3 answered in process (API.md section 7): a ``start_execution`` + ``describe_execution`` round trip
through a real boto3 client, against the same two calls on the StepFunctions service directly.

    python benchmarks/bench_aws.py [--seconds 1.0]

The machine is one Pass state (the workflow costs next to nothing: the rows measure the SDK path). The last
column is the boto3 row's time over the direct row's (the aim: within 10x; botocore's own parameter
validation, serialisation and parsing are the floor), the median of five interleaved rounds' ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Callable
from typing import Any

from bench_test_state import best_seconds

from pytest_serverless import StepFunctions

DEFINITION = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
INPUT = {"order": {"id": 7, "items": ["a", "b"]}}


def calls() -> tuple[list[tuple[str, Callable[[], Any]]], Any]:
    """(title, one round trip) per row, and the active bridge scope (exit it when done)."""
    import boto3

    service = StepFunctions()
    machine = service.create_state_machine(DEFINITION, name="Bench")
    scope = service.aws()
    scope.__enter__()
    client = boto3.client("stepfunctions", region_name="us-east-1")
    text = json.dumps(INPUT)

    def direct() -> Any:
        execution = service.start_execution(machine.arn, text)
        return service.describe_execution(execution.arn).status

    def sdk() -> Any:
        arn = client.start_execution(stateMachineArn=machine.arn, input=text)["executionArn"]
        return client.describe_execution(executionArn=arn)["status"]

    return [("direct: service.start_execution + describe", direct), ("boto3: start + describe", sdk)], scope


def table_lines(seconds: float, rounds: int = 5) -> list[str]:
    rows, scope = calls()
    try:
        times: dict[str, list[float]] = {title: [] for title, _ in rows}
        for _ in range(rounds):
            for title, call in rows:
                times[title].append(best_seconds(call, seconds / rounds))
    finally:
        scope.__exit__(None, None, None)
    direct = rows[0][0]
    lines = [f"{'round trip':44} {'us/trip':>10} {'x direct':>9}"]
    for title, _ in rows:
        ratio = statistics.median(t / d for t, d in zip(times[title], times[direct], strict=True))
        lines.append(f"{title:44} {min(times[title]) * 1e6:10.1f} {ratio:9.2f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    for line in table_lines(args.seconds):
        print(line)


if __name__ == "__main__":
    main()
