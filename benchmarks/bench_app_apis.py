"""What a template app's APIs cost per app: building them, and the first requests through them.

    python benchmarks/bench_app_apis.py [--apps N] [--rounds R] [--template T] [--against DIR]

Loads the template (default: the example order service) ``N`` times per row (default 300) in one process,
the template read once (as a test suite reads it), and prints the microseconds of CPU time per app, the
median of ``R`` rounds (default 5):

- ``load_template``: the app alone (its APIs are built when first reached for);
- ``+ app.apis``: the app and its APIs;
- ``+ GET /catalog``: the app and a first request through its REST API (no authorizer);
- ``+ authorized GET``: the app, a token from its Cognito user pool and a first request it authorizes;
- ``APIs alone``: the second row less the first.

``--against DIR`` runs the same rows, rounds interleaved, with another checkout of the package on
``PYTHONPATH`` (e.g. ``git archive main | tar -x -C /tmp/main``) and adds its column and the ratio (this
checkout over the other).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "examples" / "order_service" / "template.yaml"
ROWS = ("load_template", "+ app.apis", "+ GET /catalog", "+ authorized GET")


def worker(template: Path, apps: int) -> dict[str, float]:
    """``{row: CPU seconds per app}`` in this interpreter (what ``--worker`` prints as JSON)."""
    from pytest_serverless import VirtualClock
    from pytest_serverless.loaders import UnsupportedResourceWarning, load_template

    def bare() -> None:
        load_template(template, clock=VirtualClock()).close()

    def apis() -> None:
        app = load_template(template, clock=VirtualClock())
        assert app.apis
        app.close()

    def catalog() -> None:
        app = load_template(template, clock=VirtualClock())
        app.api("OrdersApi").stage("Prod").client().get("/catalog")
        app.close()

    def authorized() -> None:
        app = load_template(template, clock=VirtualClock())
        token = app.token_issuer("ShopperAuthorizer").token(sub="shopper-1")
        app.api("OrdersApi").stage("Prod").client().get("/orders/o-1", headers={"Authorization": token})
        app.close()

    rows: dict[str, Callable[[], None]] = dict(zip(ROWS, (bare, apis, catalog, authorized), strict=True))
    found: dict[str, float] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedResourceWarning)
        for name, run in rows.items():
            for _ in range(5):  # warm: the template read, imports, handler modules
                run()
            start = time.process_time()
            for _ in range(apps):
                run()
            found[name] = (time.process_time() - start) / apps
    return found


def run_once(checkout: Path | None, template: Path, apps: int) -> dict[str, float]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled once, as a user's machine does
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout)
    done = subprocess.run(
        [sys.executable, __file__, "--worker", "--apps", str(apps), "--template", str(template)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    if done.returncode != 0:
        raise SystemExit(f"{checkout or ROOT} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return {str(k): float(v) for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def measure(checkouts: list[Path | None], template: Path, apps: int, rounds: int) -> list[dict[str, float]]:
    """Per checkout, ``{row: seconds per app}``: the median of ``rounds``, rounds interleaved."""
    runs: list[list[dict[str, float]]] = [[] for _ in checkouts]
    for _ in range(rounds):
        for index, checkout in enumerate(checkouts):
            runs[index].append(run_once(checkout, template, apps))
    medians = []
    for found in runs:
        row = {name: statistics.median(run[name] for run in found) for name in ROWS}
        row["APIs alone"] = statistics.median(run["+ app.apis"] - run["load_template"] for run in found)
        medians.append(row)
    return medians


def table_lines(labels: list[str], results: list[dict[str, float]]) -> list[str]:
    lines = [f"{'us per app':24}" + "".join(f"{label:>14}" for label in labels)]
    if len(results) == 2:
        lines[0] += f"{'ratio':>8}"
    for name in (*ROWS, "APIs alone"):
        values = [result[name] * 1e6 for result in results]
        line = f"{name:24}" + "".join(f"{value:>14.0f}" for value in values)
        if len(values) == 2:
            line += f"{values[1] / values[0]:>8.2f}"
        lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    parser.add_argument("--against", type=Path, help="another checkout of the package, to compare with")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.template.resolve(), args.apps)))
        return
    checkouts: list[Path | None] = [None] if args.against is None else [args.against.resolve(), None]
    labels = ["this"] if args.against is None else [args.against.name or str(args.against), "this"]
    results = measure(checkouts, args.template.resolve(), args.apps, args.rounds)
    print("\n".join(table_lines(labels, results)))


if __name__ == "__main__":
    main()
