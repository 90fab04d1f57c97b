"""Executor throughput against moto's in-process Step Functions interpreter, in one table.

    python benchmarks/bench_sfn.py [--seconds 1.0] [--quick] [--no-moto]

Workloads: a 10-state Pass/Choice chain, the same chain in JSONata, a Map over 1,000 items with a 3-state
processor, a Parallel of 4 branches x 5 Pass states, and a one-year Wait then a Pass. Each row gives our
executions per second and microseconds per state entered; when moto (``pip install 'moto[stepfunctions]'``,
the ``bench`` extra) is importable, the same definition runs on moto's interpreter in the same process and
the row shows moto's microseconds per state entered and the ratio (moto / ours, higher is better for us).
Both engines are timed by their best figure over the time given (our executions in batches of ~50 ms,
moto's one by one), which damps the noise of a shared machine.

How moto is driven: ``mock_aws(config={"stepfunctions": {"execute_state_machine": True}})`` selects moto's
ASL interpreter (``moto.stepfunctions.parser``); we call its backend directly (``create_state_machine``,
``start_execution``), which is moto's fastest path (no boto3 or HTTP layer), and join the worker thread
that ``start_execution`` starts instead of polling ``describe_execution``. moto really sleeps through Wait
states, so its Wait row waits 1 second (said in the row) rather than a year, and that row's ratio compares
whole executions. moto 5.2 has no JSONata evaluator (its JVM bridge is stubbed out), so that row reads "n/a".

``--quick`` (a few seconds): 0.1 s per workload, a Map of 100 items, one moto execution per row.
Figures from one run on one machine; compare ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pytest_serverless import StateMachine, VirtualClock

ONE_YEAR = 31_536_000
MOTO_WAIT_SECONDS = 1


# -- the workloads -------------------------------------------------------------------------------------


def chain_definition() -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(9):
        name = f"S{i}"
        if i == 4:
            states[name] = {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 0, "Next": f"S{i + 1}"}],
                "Default": "S9",
            }
        else:
            states[name] = {"Type": "Pass", "Parameters": {"n.$": "$.n", "step": i}, "Next": f"S{i + 1}"}
    states["S9"] = {"Type": "Pass", "End": True}
    return {"StartAt": "S0", "States": states}


def jsonata_chain_definition() -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(9):
        name = f"S{i}"
        if i == 4:
            states[name] = {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.n > 0 %}", "Next": f"S{i + 1}"}],
                "Default": "S9",
            }
        else:
            states[name] = {
                "Type": "Pass",
                "Output": {"n": "{% $states.input.n %}", "step": i},
                "Next": f"S{i + 1}",
            }
    states["S9"] = {"Type": "Pass", "End": True}
    return {"QueryLanguage": "JSONata", "StartAt": "S0", "States": states}


def map_definition() -> dict[str, Any]:
    return {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
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


def parallel_definition() -> dict[str, Any]:
    def branch(b: int) -> dict[str, Any]:
        names = [f"B{b}S{i}" for i in range(5)]
        states = {
            name: ({"Type": "Pass", "Next": names[i + 1]} if i < 4 else {"Type": "Pass", "End": True})
            for i, name in enumerate(names)
        }
        return {"StartAt": names[0], "States": states}

    return {
        "StartAt": "Par",
        "States": {"Par": {"Type": "Parallel", "Branches": [branch(b) for b in range(4)], "End": True}},
    }


def wait_definition(seconds: int = ONE_YEAR) -> dict[str, Any]:
    return {
        "StartAt": "Sleep",
        "States": {
            "Sleep": {"Type": "Wait", "Seconds": seconds, "Next": "Done"},
            "Done": {"Type": "Pass", "End": True},
        },
    }


@dataclass(frozen=True)
class Workload:
    title: str
    definition: dict[str, Any]
    payload: Any
    # moto runs this definition instead (a 1-second Wait), and the row says so
    moto_definition: dict[str, Any] | None = None
    moto_note: str = ""
    # each execution moves the clock: give every run a fresh one (a year per run overflows datetime)
    fresh_clock: bool = False


def workloads(map_items: int = 1000) -> list[Workload]:
    return [
        Workload("10-state chain", chain_definition(), {"n": 1}),
        Workload("10-state chain (JSONata)", jsonata_chain_definition(), {"n": 1}),
        Workload(f"Map {map_items:,} items x 3 states", map_definition(), {"items": list(range(map_items))}),
        Workload("Parallel 4 x 5 states", parallel_definition(), {"x": 1}),
        Workload(
            "Wait one year + Pass",
            wait_definition(),
            {},
            moto_definition=wait_definition(MOTO_WAIT_SECONDS),
            moto_note=f"moto: Wait {MOTO_WAIT_SECONDS} s",
            fresh_clock=True,
        ),
    ]


def callback_definition() -> dict[str, Any]:
    """A Task waiting for its task token (``.waitForTaskToken``), then a Pass."""
    return {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "https://sqs/q", "MessageBody": {"token.$": "$$.Task.Token"}},
                "HeartbeatSeconds": 3600,
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "End": True},
        },
    }


def run_callbacks(count: int = 1000) -> float:
    """Start ``count`` executions that each wait for a callback, answer each with send_task_success one
    virtual second apart (a heartbeat timer per execution on the scheduler); seconds per execution."""
    from pytest_serverless import StepFunctions

    service = StepFunctions(clock=VirtualClock())
    machine = service.create_state_machine(callback_definition(), name="Callbacks")
    started = time.perf_counter()
    executions = [machine.start({"n": i}) for i in range(count)]
    for execution in executions:
        service.clock.advance(1)
        service.send_task_success(execution.task_token("Ask"), {"ok": True})
    elapsed = time.perf_counter() - started
    if not all(execution.status == "SUCCEEDED" for execution in executions):
        raise SystemExit("callback workload: an execution did not succeed")
    return elapsed / count


def callback_lines(seconds: float = 1.0, count: int = 1000) -> list[str]:
    """The row of executions in flight: the best of several rounds within ``seconds``."""
    best = float("inf")
    deadline = time.perf_counter() + seconds
    rounds = 0
    while rounds == 0 or time.perf_counter() < deadline:
        best = min(best, run_callbacks(count))
        rounds += 1
    title = f"{count:,} executions waiting on a callback"
    return [
        f"{'workload':42} {'us/exec':>8} {'states':>6}  note",
        f"{title:42} {best * 1e6:8.2f} {2:6d}  start, heartbeat timer, send_task_success, Pass",
    ]


# -- measuring ---------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """One engine's figures for one workload."""

    per_second: float
    per_state_us: float
    states: int
    runs: int

    @property
    def ms_per_execution(self) -> float:
        return 1000.0 / self.per_second


@dataclass
class Row:
    workload: Workload
    ours: Figures
    moto: Figures | None = None
    moto_missing: str = ""  # why moto has no figures for this row

    @property
    def ratio(self) -> float | None:
        """moto's time per state entered over ours (the Wait row: per execution, moto waiting 1 s)."""
        if self.moto is None:
            return None
        return (
            self.moto.ms_per_execution / self.ours.ms_per_execution
            if self.workload.fresh_clock
            else (self.moto.per_state_us / self.ours.per_state_us)
        )


def measure_ours(workload: Workload, seconds: float) -> Figures:
    """Run the workload for ``seconds`` of wall time on one ``StateMachine`` (parsed once).

    The time is cut into batches of about 50 ms and the fastest batch counts: the machine running the
    benchmark is often shared, and the best batch is the one least disturbed by others.
    """
    machine = StateMachine(workload.definition)
    execution = machine.execute(workload.payload)
    if execution.status != "SUCCEEDED":
        raise SystemExit(f"{workload.title}: {execution.status} {execution.error} {execution.cause}")
    states = len(execution.path)
    started = time.perf_counter()
    machine.execute(workload.payload)
    batch = max(1, int(0.05 / max(time.perf_counter() - started, 1e-9)))
    best = float("inf")
    runs = 0
    deadline = time.perf_counter() + seconds
    while runs == 0 or time.perf_counter() < deadline:
        started = time.perf_counter()
        for _ in range(batch):
            if workload.fresh_clock:
                machine.clock = VirtualClock()
            machine.execute(workload.payload)
        best = min(best, (time.perf_counter() - started) / batch)
        runs += batch
    return Figures(1 / best, best / states * 1e6, states, runs)


class MotoRunner:
    """moto's Step Functions interpreter, driven through its backend inside ``mock_aws``."""

    def __init__(self, backend: Any, threads: list[Any]) -> None:
        self._backend = backend
        self._threads = threads
        self._count = 0

    @staticmethod
    @contextlib.contextmanager
    def open() -> Iterator[MotoRunner | str]:
        """Yield a runner, or the reason moto cannot run (not installed, no ``stepfunctions`` extra)."""
        try:
            from moto import mock_aws
            from moto.core import DEFAULT_ACCOUNT_ID  # type: ignore[attr-defined]
            from moto.stepfunctions.parser.models import stepfunctions_parser_backends
            from moto.stepfunctions.parser.utils import TMP_THREADS
        except ImportError as error:
            yield f"moto not importable ({error}); pip install 'moto[stepfunctions]'"
            return
        moto_log = logging.getLogger("moto")
        level = moto_log.level
        moto_log.setLevel(logging.CRITICAL)  # its JSONata failure logs a page per state
        try:
            with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
                yield MotoRunner(stepfunctions_parser_backends[DEFAULT_ACCOUNT_ID]["us-east-1"], TMP_THREADS)
        finally:
            moto_log.setLevel(level)

    def _run_once(self, machine_arn: str, payload: str) -> tuple[Any, float]:
        self._count += 1
        before = len(self._threads)
        started = time.perf_counter()
        execution = self._backend.start_execution(
            machine_arn, name=f"run-{self._count}", execution_input=payload
        )
        self._threads[before].join()  # the execution's worker thread, appended by start_execution
        elapsed = time.perf_counter() - started
        del self._threads[:]  # finished threads; keeps moto's list from growing over thousands of runs
        return execution, elapsed

    def measure(self, workload: Workload, seconds: float, max_runs: int, warm_up: bool) -> Figures | str:
        definition = workload.moto_definition or workload.definition
        self._count += 1
        machine = self._backend.create_state_machine(
            name=f"bench-{self._count}",
            definition=json.dumps(definition),
            roleArn="arn:aws:iam::123456789012:role/bench",
        )
        payload = json.dumps(workload.payload)
        try:
            if warm_up:
                self._run_once(machine.arn, payload)
            best = float("inf")
            total = 0.0
            runs = 0
            while runs < max_runs and (runs == 0 or total < seconds):
                execution, elapsed = self._run_once(machine.arn, payload)
                status = getattr(execution.exec_status, "value", execution.exec_status)
                if status != "SUCCEEDED":
                    if definition.get("QueryLanguage") == "JSONata":
                        return "moto: n/a (moto 5.2 ships no JSONata evaluator: every expression fails)"
                    cause = str(execution.cause or "")
                    return f"moto: {status} {execution.error} {cause[:60]}"
                best = min(best, elapsed)
                total += elapsed
                runs += 1
            events = self._backend.get_execution_history(execution.execution_arn)["events"]
        finally:
            machine.executions.clear()
        states = sum(1 for event in events if event["type"].endswith("StateEntered"))
        return Figures(1 / best, best / states * 1e6, states, runs)


# -- the table ---------------------------------------------------------------------------------------------


def run(seconds: float = 1.0, quick: bool = False, with_moto: bool = True) -> list[Row]:
    map_items = 100 if quick else 1000
    rows = [Row(workload, measure_ours(workload, seconds)) for workload in workloads(map_items)]
    if not with_moto:
        for row in rows:
            row.moto_missing = "moto: skipped"
        return rows
    with MotoRunner.open() as runner:
        for row in rows:
            if isinstance(runner, str):
                row.moto_missing = runner
                continue
            is_wait = row.workload.fresh_clock
            figures = runner.measure(
                row.workload,
                seconds=0.0 if quick else 2 * seconds,
                max_runs=1 if quick or is_wait else 50,
                warm_up=not (quick and is_wait),
            )
            if isinstance(figures, str):
                row.moto_missing = figures
            else:
                row.moto = figures
    return rows


HEADER = (
    f"{'workload':32} {'exec/s':>9} {'us/state':>9} {'states':>6} {'ms/exec':>9} "
    f"{'moto us/st':>10} {'moto ms/ex':>10} {'x faster':>8}  note"
)


def table_lines(rows: list[Row]) -> list[str]:
    lines = [HEADER]
    for row in rows:
        ours = row.ours
        line = (
            f"{row.workload.title:32} {ours.per_second:9.1f} {ours.per_state_us:9.2f} {ours.states:6d} "
            f"{ours.ms_per_execution:9.3f}"
        )
        if row.moto is not None:
            note = row.workload.moto_note or (
                "" if row.moto.states == ours.states else "moto entered a different count"
            )
            line += (
                f" {row.moto.per_state_us:10.0f} {row.moto.ms_per_execution:10.1f} {row.ratio:8.0f}  {note}"
            )
        else:
            line += f" {'-':>10} {'-':>10} {'-':>8}  {row.moto_missing}"
        lines.append(line.rstrip())
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=1.0, help="wall time per workload (ours)")
    parser.add_argument("--quick", action="store_true", help="a few seconds in all: smoke-test the script")
    parser.add_argument("--no-moto", action="store_true", help="skip moto's interpreter")
    args = parser.parse_args(argv)
    seconds = 0.1 if args.quick else args.seconds
    for line in table_lines(run(seconds, quick=args.quick, with_moto=not args.no_moto)):
        print(line)


if __name__ == "__main__":
    main()
