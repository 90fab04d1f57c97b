"""What reading and building a template costs: ``load_template`` with the template cache cleared first.

    python benchmarks/bench_loaders.py [--loads N] [--rounds R] [--python PY ...]

Loads each template of the test suite and the examples (SAM, CloudFormation, CDK, OpenAPI and WebSocket
APIs) ``N`` times (default 20) in one process, the per-process template cache cleared before each load, so
every load reads the template and builds its APIs and state machines (handler modules are imported on first
call only, so they are not in the figure). Prints the milliseconds per load, best of ``R`` rounds, in CPU
time (a busy machine disturbs it far less than wall time). ``--python`` compares interpreters (e.g. main's
virtualenv against this checkout's) in one run, rounds interleaved; the last column is the ratio of the
second to the first.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = [
    "examples/order_service/template.yaml",
    "examples/chat/template.yaml",
    "tests/loaders/templates/sam_orders/template.yaml",
    "tests/loaders/templates/cfn_orders/template.yaml",
    "tests/loaders/templates/openapi_orders/template.yaml",
    "tests/loaders/templates/cdk/cdk.out/OrdersStack.template.json",
    "tests/loaders/templates/gaps/rest_api_settings.yaml",
    "tests/loaders/templates/gaps/http_api_v2.yaml",
    "tests/loaders/templates/websocket/template.yaml",
    "tests/loaders/templates/websocket/keys.yaml",
    "tests/loaders/templates/real_world/api_features.yaml",
    "tests/loaders/templates/real_world/degraded_routes.yaml",
    "tests/loaders/templates/real_world/workflow.yaml",
]


def worker(loads: int) -> dict[str, float]:
    """``{template: CPU seconds per load}`` in this interpreter (what ``--worker`` prints as JSON)."""
    from pytest_serverless.loaders import UnsupportedResourceWarning, load_template
    from pytest_serverless.loaders.app import TEMPLATES as CACHE

    found: dict[str, float] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedResourceWarning)
        for relative in TEMPLATES:
            path = ROOT / relative
            load_template(path).close()  # warm: imports and compiled definitions
            spent = 0.0
            for _ in range(loads):
                CACHE.clear()
                start = time.process_time()
                app = load_template(path)
                spent += time.process_time() - start
                app.close()
            found[relative] = spent / loads
    return found


def run_once(python: str, loads: int) -> dict[str, float]:
    done = subprocess.run(
        [python, __file__, "--worker", "--loads", str(loads)], capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode != 0:
        raise SystemExit(f"{python} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return {str(k): float(v) for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def measure(pythons: list[str], loads: int, rounds: int) -> dict[str, dict[str, float]]:
    """``{python: {template: seconds per load}}``, best of ``rounds``."""
    best: dict[str, dict[str, float]] = {python: {} for python in pythons}
    for _ in range(rounds):
        for python in pythons:
            for template, seconds in run_once(python, loads).items():
                best[python][template] = min(seconds, best[python].get(template, seconds))
    return best


def table_lines(results: dict[str, dict[str, float]]) -> list[str]:
    pythons = list(results)
    labels = [str(Path(python).absolute().parent.parent.parent.name or python) for python in pythons]
    lines = [f"{'ms per load':64}" + "".join(f"{label:>12}" for label in labels)]
    if len(pythons) == 2:
        lines[0] += f"{'ratio':>8}"
    for template in TEMPLATES:
        row = [results[python][template] * 1000 for python in pythons]
        line = f"{template:64}" + "".join(f"{ms:>12.2f}" for ms in row)
        if len(row) == 2:
            line += f"{row[1] / row[0]:>8.2f}"
        lines.append(line)
    totals = [sum(results[python].values()) * 1000 for python in pythons]
    line = f"{'all':64}" + "".join(f"{ms:>12.2f}" for ms in totals)
    if len(totals) == 2:
        line += f"{totals[1] / totals[0]:>8.2f}"
    return [*lines, line]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--python", action="append", help="an interpreter to compare (repeatable)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.loads)))
        return
    results = measure(args.python or [sys.executable], args.loads, args.rounds)
    print("\n".join(table_lines(results)))


if __name__ == "__main__":
    main()
