"""Every benchmark of issue 8 in one run: Step Functions against moto, the gateway against a direct
handler call, and the example suite's wall time (add ``--scale`` for the scale and history tables).

    python benchmarks/run_all.py [--quick] [--no-moto] [--scale]

``--quick`` takes a few seconds and only shows that everything runs; the figures need the full run
(about a minute, most of it moto). Figures from one run on one machine; compare ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import bench_sfn

ROOT = Path(__file__).resolve().parent.parent


def gateway_lines(quick: bool) -> list[str]:
    """The gateway table of ``bench_gateway.py`` (requests/s and the slowdown against a direct call)."""
    import bench_gateway

    return bench_gateway.table_lines(bench_gateway.run(0.2 if quick else 2.0))


def serving_lines(quick: bool) -> list[str]:
    """The table of ``bench_serving.py`` (requests/s over a real socket against ``stage.client()``)."""
    import bench_serving

    return bench_serving.table_lines(bench_serving.run(0.2 if quick else 2.0))


def table_lines_ws(module: object, quick: bool) -> list[str]:
    """The table of ``bench_websocket.py`` (messages/s and the slowdown against a direct call)."""
    import bench_gateway

    results = module.run(0.2 if quick else 2.0)  # type: ignore[attr-defined]
    return [
        line.replace("req/s", "msg/s").replace("us/req", "us/msg")
        for line in bench_gateway.table_lines(results)
    ]


def example_suite_line() -> str:
    """``python -m pytest examples -q``, timed from outside (interpreter start-up included)."""
    examples = ROOT / "examples"
    if not examples.is_dir() or not any(examples.iterdir()):
        return f"{'example suite (pytest examples -q)':40} no examples yet"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "examples", "-q", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
        check=False,
    )
    elapsed = time.perf_counter() - started
    summary = next(
        (
            line.strip("= ")
            for line in reversed(done.stdout.splitlines())
            if re.search(r"\d+ (passed|failed)", line)
        ),
        f"exit code {done.returncode}",
    )
    return f"{'example suite (pytest examples -q)':40} {elapsed:8.2f} s wall   {summary}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a few seconds: smoke-test every benchmark")
    parser.add_argument("--no-moto", action="store_true", help="skip moto's interpreter")
    parser.add_argument("--scale", action="store_true", help="append the scale and history-cost tables")
    args = parser.parse_args(argv)
    seconds = 0.1 if args.quick else 1.0
    print("# Step Functions: ours against moto's interpreter (same process, same run)")
    for line in bench_sfn.table_lines(bench_sfn.run(seconds, quick=args.quick, with_moto=not args.no_moto)):
        print(line)
    print()
    print("# Executions in flight: started, each waiting on its task token, answered by send_task_success")
    for line in bench_sfn.callback_lines(seconds, count=100 if args.quick else 1000):
        print(line)
    print()
    print("# API Gateway: requests through the gateway against calling the handler directly")
    for line in gateway_lines(args.quick):
        print(line)
    print()
    print("# Real clients: serve_http over a socket (keep-alive) against stage.client()")
    for line in serving_lines(args.quick):
        print(line)
    print()
    print("# TestState: test_state calls against a one-state execute()")
    import bench_test_state

    for line in bench_test_state.table_lines(seconds):
        print(line)
    print()
    print("# WebSocket API: messages through $default against calling the handler directly")
    import bench_websocket

    for line in table_lines_ws(bench_websocket, args.quick):
        print(line)
    print()
    print("# AWS SDK calls: a boto3 start_execution + describe_execution round trip against the direct call")
    import bench_aws

    for line in bench_aws.table_lines(seconds):
        print(line)
    print()
    print("# Example suite")
    print(example_suite_line())
    if args.scale:
        import bench_scale

        print()
        print("# Scale")
        for line in bench_scale.scale_lines(
            [bench_scale.measure_case(c) for c in bench_scale.cases(args.quick)]
        ):
            print(line)
        print()
        for line in bench_scale.history_lines(bench_scale.history_costs(args.quick)):
            print(line)


if __name__ == "__main__":
    main()
