"""What a test costs through the plugin's fixtures, above a bare pytest test (issue 18).

    python benchmarks/bench_fixtures.py [--tests N] [--rounds R] [--python PY ...] [--template PATH]

Writes pytest suites of N tests each (default 1,000) into a temporary folder and runs each in one pytest
process, timed from outside; each row is a suite's difference from the bare suite of the same round, the best
of R rounds (``--median``: their median, steadier on a busy machine):

* ``bare``: ``def test_n(): pass``;
* ``serverless_app``: the fixture alone (the example order service's template);
* ``serverless_app + execution``: one execution of the order workflow with the real functions;
* ``serverless_app + API request``: one ``GET /catalog`` through the REST API's stage;
* ``sfn``: the fixture alone;
* ``sfn + execution``: ``sfn(definition)`` and one execution of a small machine (one mocked Task);
* ``pytest's own: two plain fixtures``: a fixture taking ``request`` and another fixture, as ``sfn`` does
  (what pytest charges for that chain, whatever the fixtures do);
* ``StateMachine + execution, no fixture``: the same without the plugin (what the engine costs, its
  one-time import included).

Times are the pytest process's CPU time (user + system; ``--wall`` for wall time), which a busy machine
disturbs far less than wall time. The per-test cost above bare is ``(suite - bare) / N``. The plugin's share
of start-up is pytest collecting nothing with the plugin against ``-p no:serverless``. ``--python`` compares
interpreters (e.g. main's virtualenv against this checkout's) in one run: every suite runs under each of
them, rounds interleaved.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CPU = True  # measure the suites' CPU time (user + system), not wall time (--wall)
ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "examples" / "order_service" / "template.yaml"

INI = """[pytest]
serverless_template = {template}
filterwarnings =
    error
    ignore::pytest_serverless.loaders.UnsupportedResourceWarning
"""

ORDER = '{"orderId": "o-42", "total": 64.0, "items": [{"sku": "BOOK-1"}]}'

SMALL_MACHINE = """{
    "StartAt": "Charge",
    "States": {
        "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
                   "Next": "Done"},
        "Done": {"Type": "Succeed"}
    }
}"""

# No ``assert`` in the bodies: pytest's assertion rewriting would make the suites differ in collection time.
BODIES = {
    "bare": ("", "check(None, None)"),
    "serverless_app": ("serverless_app", "check(type(serverless_app).__name__, 'ServerlessApp')"),
    "serverless_app + execution": (
        "serverless_app",
        f'check(serverless_app.state_machine("OrderFlow").execute({ORDER}).status, "SUCCEEDED")',
    ),
    "serverless_app + API request": (
        "serverless_app",
        'check(serverless_app.api("OrdersApi").stage("Prod").client().get("/catalog").status_code, 200)',
    ),
    "sfn": ("sfn", "check(callable(sfn), True)"),
    "sfn + execution": (
        "sfn",
        'check(sfn(MACHINE).execute({}, mocks={"Charge": lambda event: {"ok": True}}).status, "SUCCEEDED")',
    ),
    # what pytest itself charges for a fixture chain of sfn's shape (one fixture taking ``request`` and
    # another fixture): the floor under the ``sfn`` rows that no plugin code can remove
    "pytest's own: two plain fixtures": ("two_fixtures", "check(two_fixtures, 1)"),
    # the same work without the plugin's fixtures: what the engine itself costs
    "StateMachine + execution, no fixture": (
        "",
        "check(StateMachine(MACHINE).execute({}, mocks={'Charge': lambda event: {'ok': True}}).status, "
        "'SUCCEEDED')",
    ),
}

PRELUDE = f"""import pytest

MACHINE = {SMALL_MACHINE}


@pytest.fixture
def one_fixture():
    return 1


@pytest.fixture
def two_fixtures(request, one_fixture):
    return one_fixture


def StateMachine(definition):  # imported on first use only, as the fixtures do
    from pytest_serverless import StateMachine

    return StateMachine(definition)


def check(actual, expected):
    if actual != expected:
        raise AssertionError(f"{{actual!r}} != {{expected!r}}")

"""


def write_suites(folder: Path, tests: int, template: Path = TEMPLATE) -> dict[str, Path]:
    suites: dict[str, Path] = {}
    for number, (kind, (fixture, body)) in enumerate(BODIES.items()):
        suite = folder / f"suite_{number}"
        suite.mkdir()
        (suite / "pytest.ini").write_text(INI.format(template=template))
        lines = [PRELUDE]
        for index in range(tests):
            lines += [f"def test_{index}({fixture}):", f"    {body}", ""]
        (suite / "test_suite.py").write_text("\n".join(lines))
        suites[kind] = suite
    empty = folder / "empty"
    empty.mkdir()
    (empty / "pytest.ini").write_text("[pytest]\n")
    suites["empty"] = empty
    return suites


def run_once(python: str, suite: Path, *extra: str) -> float:
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *extra],
        cwd=suite,
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
        check=False,
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if CPU:  # the child's own CPU time: far steadier than wall time on a busy machine
        elapsed = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 5):  # 5: no tests collected (the start-up row)
        raise SystemExit(f"{python} in {suite} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return elapsed


def measure(
    pythons: list[str], tests: int, rounds: int, template: Path = TEMPLATE
) -> dict[str, dict[str, list[float]]]:
    """``{python: {row: [seconds of each round]}}``; the rounds interleave the interpreters."""
    times: dict[str, dict[str, list[float]]] = {python: {} for python in pythons}
    with tempfile.TemporaryDirectory() as tmp:
        suites = write_suites(Path(tmp), tests, template)
        for _ in range(rounds):
            for python in pythons:
                row = times[python]
                # the start-up rows first: they also warm the interpreter's files for the suites
                for label, extra in (("start-up", ()), ("start-up without plugin", ("-p", "no:serverless"))):
                    elapsed = min(run_once(python, suites["empty"], *extra) for _ in range(3))
                    row.setdefault(label, []).append(elapsed)
                for kind in BODIES:
                    row.setdefault(kind, []).append(run_once(python, suites[kind]))
    return times


def table_lines(
    results: dict[str, dict[str, list[float]]],
    tests: int,
    reduce: Callable[[list[float]], float] = min,
) -> list[str]:
    """Each row's cost above bare: ``reduce`` (best, or median) over the rounds of the round's own
    difference (a suite minus the bare suite of the same round: a machine that slows down for a while moves
    both)."""

    def above(row: dict[str, list[float]], kind: str, base: str) -> float:
        return reduce([value - bare for value, bare in zip(row[kind], row[base], strict=True)])

    pythons = list(results)
    width = 16
    lines = [f"{'per test, above a bare test (ms)':40}" + "".join(f"{_label(p):>{width}}" for p in pythons)]
    for kind in BODIES:
        cells = []
        for python in pythons:
            row = results[python]
            if kind == "bare":
                each = above(row, "bare", "start-up") / tests * 1000
                cells.append(f"{each:>{width - 5}.3f} each")
            else:
                cells.append(f"{above(row, kind, 'bare') / tests * 1000:>{width}.3f}")
        lines.append(f"{kind:40}" + "".join(cells))
    lines.append(
        f"{'plugin share of start-up (ms)':40}"
        + "".join(
            f"{above(results[p], 'start-up', 'start-up without plugin') * 1000:>{width}.0f}" for p in pythons
        )
    )
    lines.append(
        f"{'pytest start-up, nothing collected (ms)':40}"
        + "".join(f"{reduce(results[p]['start-up']) * 1000:>{width}.0f}" for p in pythons)
    )
    return lines


def _label(python: str) -> str:
    path = Path(python)
    for parent in path.parents:
        if parent.name == ".venv":
            return parent.parent.name[-width_limit:]
    return path.name[-width_limit:]


width_limit = 14


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tests", type=int, default=1000, help="tests per suite (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="best of this many runs (default 3)")
    parser.add_argument(
        "--python", action="append", help="an interpreter with the package installed (repeatable)"
    )
    parser.add_argument("--wall", action="store_true", help="measure wall time instead of CPU time")
    parser.add_argument(
        "--median", action="store_true", help="the median of the rounds instead of the best (a busy machine)"
    )
    parser.add_argument(
        "--template",
        type=Path,
        default=TEMPLATE,
        help="the template of the serverless_app rows (default: the example order service's); an older "
        "checkout's own example, to compare with a version that cannot load today's",
    )
    args = parser.parse_args(argv)
    global CPU
    CPU = not args.wall
    pythons = [os.path.abspath(python) for python in args.python or [sys.executable]]
    reduce = statistics.median if args.median else min
    results = measure(pythons, args.tests, args.rounds, args.template.resolve())
    clock = "wall" if args.wall else "CPU"
    how = "median" if args.median else "best"
    print(f"# pytest suites of {args.tests} tests, one process each, {how} of {args.rounds} ({clock} time)")
    print(f"# template: {args.template}")
    for line in table_lines(results, args.tests, reduce):
        print(line)


if __name__ == "__main__":
    main()
