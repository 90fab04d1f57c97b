"""The Parallel state: its branches run as threads on the scheduler (see ``_fanout.Fanout``), or as plain
calls in branch order when no branch ever waits."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from pytest_serverless.asl import model as m
from pytest_serverless.asl.interpreter import (
    Frame,
    Interpreter,
    StateRun,
    Terminal,
    effective_input,
    finish_state,
)
from pytest_serverless.asl.recovery import run_with_retry
from pytest_serverless.asl.states._fanout import Fanout
from pytest_serverless.asl.states_errors import StatesError

__all__ = ["run_parallel"]


def run_parallel(interp: Interpreter, state: m.ParallelState, value: Any, frame: Frame, run: StateRun) -> Any:
    """``(next, output)`` when every branch ended at this instant and nothing is to be retried or caught
    (the common case costs no generator), else a generator that waits for the branches.

    Redrive (as AWS's RedriveExecution): when the execution stopped in this state, the branches that
    succeeded keep their outputs (``Interpreter.kept_outputs``) and only the others run again."""
    if state.retry or state.catch:
        return _parallel_with_retry(interp, state, value, frame, run)
    plain = state.__dict__.get("_plain_branches")
    if plain is None:
        plain = all(interp.is_plain(branch) for branch in state.branches)
        object.__setattr__(state, "_plain_branches", plain)  # computed once per (frozen) state
    if plain:
        return _parallel_plain(interp, state, value, frame, run)
    branches = _parallel_start(interp, state, value, frame, run)
    if branches.fanout.start():
        return branches.end(final=True)
    return branches.wait_then_end()


def _parallel_plain(
    interp: Interpreter, state: m.ParallelState, value: Any, frame: Frame, run: StateRun
) -> tuple[str | None, Any]:
    """Branches whose states never wait all end at this instant: plain calls in branch order (the first
    failure ends the state before the later branches start, as with threads)."""
    outputs = interp.kept_outputs(state, frame)
    branch_input = effective_input(interp, state, value, run, frame)
    started = interp.event(frame, "ParallelStateStarted")
    variables, item, history = frame.variables, frame.item, frame.history
    try:
        for index, branch in enumerate(state.branches):
            if index not in outputs:
                child = Frame(dict(variables), started, item, history)
                outputs[index] = interp.run_plain(branch, branch_input, child)
    except StatesError as failure:
        interp.keep_outputs(state, frame, outputs)
        frame.prev = len(history)
        if not isinstance(failure, Terminal):
            interp.event(frame, "ParallelStateFailed")
        raise
    frame.prev = len(history)
    interp.event(frame, "ParallelStateSucceeded")
    return finish_state(interp, state, value, [outputs[index] for index in range(len(outputs))], run, frame)


def _parallel_start(
    interp: Interpreter, state: m.ParallelState, value: Any, frame: Frame, run: StateRun
) -> _Branches:
    outputs = interp.kept_outputs(state, frame)
    branch_input = effective_input(interp, state, value, run, frame)
    started = interp.event(frame, "ParallelStateStarted")
    branches = state.branches
    variables, item, history = frame.variables, frame.item, frame.history
    if outputs:  # a redrive: only the branches that did not succeed run again
        again = [index for index in range(len(branches)) if index not in outputs]
    else:
        again = list(range(len(branches)))

    def make(position: int) -> tuple[Frame, m.Program, Any]:
        return Frame(dict(variables), started, item, history), branches[again[position]], branch_input

    def finished(position: int, output: Any, failure: BaseException | None) -> None:
        if failure is None:
            outputs[again[position]] = output

    thread = frame.thread
    assert thread is not None
    return _Branches(
        interp, state, value, frame, run, Fanout(interp, thread, len(again), make, finished), outputs
    )


class _Branches:
    """One attempt's branches, run by ``fanout``; ``outputs`` by branch index (a redrive's kept ones too)."""

    __slots__ = ("fanout", "frame", "interp", "outputs", "run", "state", "value")

    def __init__(
        self,
        interp: Interpreter,
        state: m.ParallelState,
        value: Any,
        frame: Frame,
        run: StateRun,
        fanout: Fanout,
        outputs: dict[int, Any],
    ) -> None:
        self.interp, self.state, self.value, self.frame, self.run = interp, state, value, frame, run
        self.fanout, self.outputs = fanout, outputs

    def wait(self) -> Generator[Any, Any, None]:
        """Until every branch ended; stopped or timed out meanwhile, a redrive keeps the finished ones."""
        try:
            yield from self.fanout.wait()
        except GeneratorExit:
            self.interp.keep_outputs(self.state, self.frame, self.outputs)
            raise

    def end(self, *, final: bool) -> tuple[str | None, Any]:
        """After the branches: ParallelStateSucceeded and the state's output, or the first failure (with
        ParallelStateFailed here when no Retry/Catch will see it first)."""
        interp, state, frame = self.interp, self.state, self.frame
        frame.prev = len(frame.history)
        failure = self.fanout.failure
        if failure is not None:
            interp.keep_outputs(state, frame, self.outputs)
            if final and isinstance(failure, StatesError) and not isinstance(failure, Terminal):
                interp.event(frame, "ParallelStateFailed")
            raise failure
        interp.event(frame, "ParallelStateSucceeded")
        results = [self.outputs[index] for index in range(len(state.branches))]
        return finish_state(interp, state, self.value, results, self.run, frame)

    def wait_then_end(self) -> Generator[Any, Any, tuple[str | None, Any]]:
        yield from self.wait()
        return self.end(final=True)


def _parallel_with_retry(
    interp: Interpreter, state: m.ParallelState, value: Any, frame: Frame, run: StateRun
) -> Generator[Any, Any, tuple[str | None, Any]]:
    phase = [""]

    def attempt() -> Generator[Any, Any, tuple[str | None, Any]]:
        branches = _parallel_start(interp, state, value, frame, run)
        if not branches.fanout.start():
            yield from branches.wait()
        if branches.fanout.failure is not None:
            phase[0] = "failed"
        return branches.end(final=False)

    def failed(error: StatesError) -> None:
        if phase[0] == "failed":
            interp.event(frame, "ParallelStateFailed")

    return (yield from run_with_retry(interp, state, value, run, frame, attempt, failed))
