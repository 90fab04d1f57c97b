"""What the package's imports cost, once per pytest process (issue 18).

    python benchmarks/bench_imports.py [--runs N] [--python PY ...]

Each row is timed in fresh interpreters (the median of N runs, each in its own process), with the modules
of the earlier steps already imported, so each row is what that step adds:

* ``pytest_serverless``: ``import pytest_serverless`` alone (after ``import pytest``);
* ``plugin (start-up)``: ``pytest_serverless.plugin`` and the modules of its ``pytest_plugins`` (hooks,
  fixtures, coverage, contracts), what pytest's start-up pays for the plugin whether or not a test uses it
  (after ``import pytest``);
* ``sfn path``: ``pytest_serverless.asl.machine`` after the plugin, what the ``sfn`` fixture's first use
  pays;
* ``template path``: ``pytest_serverless.loaders`` and ``pytest_serverless.gateway`` after those, what
  ``serverless_app``'s first use adds (reading a template and building its apps cost more; not measured here);
* ``total``: the three steps from ``import pytest`` on;
* ``first execution``: not an import: a small machine (one mocked Task) made and run once after the engine's
  import, what the first ``sfn`` test pays on top (validating, parsing and running a first definition);
* ``first template load``: not an import: ``load_template`` of the example order service after all the
  above, what the first ``serverless_app`` test pays on top (the libraries its APIs need, its fake user
  pools' keys, reading the template).

Times are the child's CPU time (``--wall``: wall time), which a busy machine disturbs less. Bytecode is
cached first (``PYTHONDONTWRITEBYTECODE`` is removed from the children's environment), as it is
on a user's machine after the first run. ``--python`` compares interpreters (e.g. main's virtualenv, or a
wrapper script setting ``PYTHONPATH`` to an older copy of the package, against this checkout's) in one run:
runs interleave the interpreters. A child prints ``sys.modules`` sizes too: ``--modules`` lists the package
modules each step imported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "examples" / "order_service" / "template.yaml"

# what pytest loads at start-up for the plugin: the entry point and its ``pytest_plugins``
PLUGIN = (
    "pytest_serverless.plugin",
    "pytest_serverless.plugin.hooks",
    "pytest_serverless.plugin.fixtures",
    "pytest_serverless.plugin.coverage",
    "pytest_serverless.plugin.contracts",
)

# (row, modules imported first, untimed; modules imported, timed)
STEPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "pytest_serverless": (("pytest",), ("pytest_serverless",)),
    "plugin (start-up)": (("pytest",), PLUGIN),
    "sfn path": (("pytest", *PLUGIN), ("pytest_serverless.asl.machine",)),
    "template path": (
        ("pytest", *PLUGIN, "pytest_serverless.asl.machine"),
        ("pytest_serverless.loaders", "pytest_serverless.gateway"),
    ),
    "total": (("pytest",), (*PLUGIN, "pytest_serverless.asl.machine", "pytest_serverless.loaders",
                            "pytest_serverless.gateway")),
    # not an import: the first execution of a small machine after the engine's import (what the first ``sfn``
    # test pays on top: validating, parsing and running its first definition)
    "first execution": (("pytest", *PLUGIN, "pytest_serverless.asl.machine"), ("execute:",)),
    # not an import: the first load of the example's template after all of the above (its APIs' libraries,
    # its fake user pools' keys, ...), what the first serverless_app test pays on top
    "first template load": (("pytest", *PLUGIN, "pytest_serverless.asl.machine", "pytest_serverless.loaders",
                             "pytest_serverless.gateway"), (f"load_template:{TEMPLATE}",)),
}  # fmt: skip

MACHINE = {
    "StartAt": "Charge",
    "States": {
        "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
                   "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}  # fmt: skip

CHILD = (
    f"MACHINE = {MACHINE!r}\n"
    + """
import importlib, json, sys, time, warnings
first, timed, wall = json.loads(sys.argv[1])
clock = time.perf_counter if wall else time.process_time
warnings.simplefilter("ignore")  # the example's unsupported resources
for name in first:
    importlib.import_module(name)
before = set(sys.modules)
started = clock()
for name in timed:
    if name.startswith("load_template:"):
        importlib.import_module("pytest_serverless").load_template(name.partition(":")[2])
    elif name == "execute:":
        machine = importlib.import_module("pytest_serverless").StateMachine(MACHINE)
        assert machine.execute({}, mocks={"Charge": lambda event: {"ok": True}}).status == "SUCCEEDED"
    else:
        importlib.import_module(name)
elapsed = clock() - started
new = sorted(name for name in set(sys.modules) - before if name.startswith("pytest_serverless"))
print(json.dumps({"seconds": elapsed, "modules": len(set(sys.modules) - before), "package": new}))
"""
)


def run_once(python: str, step: str, cwd: str, wall: bool = False) -> dict[str, object]:
    first, timed = STEPS[step]
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [python, "-c", CHILD, json.dumps([first, timed, wall])],
        cwd=cwd,  # a neutral folder: the package comes from the interpreter's own path
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{python} failed on {step}:\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(
    pythons: list[str], runs: int, wall: bool = False
) -> dict[str, dict[str, list[dict[str, object]]]]:
    """``{python: {row: [each run's result]}}``; runs interleave the interpreters."""
    results: dict[str, dict[str, list[dict[str, object]]]] = {python: {} for python in pythons}
    with tempfile.TemporaryDirectory() as cwd:
        for python in pythons:  # cache the bytecode, warm the files
            for step in STEPS:
                run_once(python, step, cwd)
        for _ in range(runs):
            for python in pythons:
                for step in STEPS:
                    results[python].setdefault(step, []).append(run_once(python, step, cwd, wall))
    return results


def _label(python: str) -> str:
    path = Path(python)
    for parent in path.parents:
        if parent.name == ".venv":
            return parent.parent.name[-14:]
    return str(path.parent.name or path.name)[-14:]


def table_lines(results: dict[str, dict[str, list[dict[str, object]]]]) -> list[str]:
    pythons = list(results)
    width = 16
    lines = [f"{'import (ms, median)':24}" + "".join(f"{_label(p):>{width}}" for p in pythons)]
    for step in STEPS:
        cells = []
        for python in pythons:
            runs = results[python][step]
            ms = statistics.median(float(str(run["seconds"])) for run in runs) * 1000
            cells.append(f"{ms:>{width - 6}.1f} ({runs[0]['modules']:>3})")
        lines.append(f"{step:24}" + "".join(cells))
    lines.append("(in brackets: modules the step imported, the package's and others')")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15, help="fresh interpreters per row (default 15)")
    parser.add_argument(
        "--python", action="append", help="an interpreter with the package installed (repeatable)"
    )
    parser.add_argument("--modules", action="store_true", help="list the package modules each step imports")
    parser.add_argument("--wall", action="store_true", help="measure wall time instead of CPU time")
    args = parser.parse_args(argv)
    pythons = [os.path.abspath(python) for python in args.python or [sys.executable]]
    results = measure(pythons, args.runs, args.wall)
    clock = "wall" if args.wall else "CPU"
    print(f"# fresh interpreters, median of {args.runs} runs each ({clock} time, bytecode cached)")
    for line in table_lines(results):
        print(line)
    if args.modules:
        for python in pythons:
            for step in STEPS:
                package = results[python][step][0]["package"]
                assert isinstance(package, list)
                print(f"\n{_label(python)} {step}: {len(package)} package modules")
                print("  " + " ".join(name.removeprefix("pytest_serverless.") for name in package))


if __name__ == "__main__":
    main()
