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
    (the common case costs no generator), else a generator that waits for the branches."""
    if state.retry or state.catch:
        return _parallel_with_retry(interp, state, value, frame, run)
    plain = state.__dict__.get("_plain_branches")
    if plain is None:
        plain = all(interp.is_plain(branch) for branch in state.branches)
        object.__setattr__(state, "_plain_branches", plain)  # computed once per (frozen) state
    if plain:
        return _parallel_plain(interp, state, value, frame, run)
    fanout = _parallel_start(interp, state, value, frame, run)
    if fanout.start():
        return _parallel_end(interp, state, value, frame, run, fanout, final=True)
    return _parallel_wait(interp, state, value, frame, run, fanout)


def _parallel_plain(
    interp: Interpreter, state: m.ParallelState, value: Any, frame: Frame, run: StateRun
) -> tuple[str | None, Any]:
    """Branches whose states never wait all end at this instant: plain calls in branch order (the first
    failure ends the state before the later branches start, as with threads)."""
    branch_input = effective_input(interp, state, value, run, frame)
    started = interp.event(frame, "ParallelStateStarted")
    variables, item, history = frame.variables, frame.item, frame.history
    results = []
    try:
        for branch in state.branches:
            child = Frame(dict(variables), started, item, history)
            results.append(interp.run_plain(branch, branch_input, child))
    except StatesError as failure:
        frame.prev = len(history)
        if not isinstance(failure, Terminal):
            interp.event(frame, "ParallelStateFailed")
        raise
    frame.prev = len(history)
    interp.event(frame, "ParallelStateSucceeded")
    return finish_state(interp, state, value, results, run, frame)


def _parallel_start(
    interp: Interpreter, state: m.ParallelState, value: Any, frame: Frame, run: StateRun
) -> Fanout:
    branch_input = effective_input(interp, state, value, run, frame)
    started = interp.event(frame, "ParallelStateStarted")
    branches = state.branches
    variables, item, history = frame.variables, frame.item, frame.history

    def make(index: int) -> tuple[Frame, m.Program, Any]:
        return Frame(dict(variables), started, item, history), branches[index], branch_input

    thread = frame.thread
    assert thread is not None
    return Fanout(interp, thread, len(branches), make)


def _parallel_end(
    interp: Interpreter,
    state: m.ParallelState,
    value: Any,
    frame: Frame,
    run: StateRun,
    fanout: Fanout,
    final: bool,
) -> tuple[str | None, Any]:
    """After the branches: ParallelStateSucceeded and the state's output, or the first failure (with
    ParallelStateFailed here when no Retry/Catch will see it first)."""
    frame.prev = len(frame.history)
    failure = fanout.failure
    if failure is not None:
        if final and isinstance(failure, StatesError) and not isinstance(failure, Terminal):
            interp.event(frame, "ParallelStateFailed")
        raise failure
    interp.event(frame, "ParallelStateSucceeded")
    return finish_state(interp, state, value, fanout.results, run, frame)


def _parallel_wait(
    interp: Interpreter, state: m.ParallelState, value: Any, frame: Frame, run: StateRun, fanout: Fanout
) -> Generator[Any, Any, tuple[str | None, Any]]:
    yield from fanout.wait()
    return _parallel_end(interp, state, value, frame, run, fanout, final=True)


def _parallel_with_retry(
    interp: Interpreter, state: m.ParallelState, value: Any, frame: Frame, run: StateRun
) -> Generator[Any, Any, tuple[str | None, Any]]:
    phase = [""]

    def attempt() -> Generator[Any, Any, tuple[str | None, Any]]:
        fanout = _parallel_start(interp, state, value, frame, run)
        if not fanout.start():
            yield from fanout.wait()
        if fanout.failure is not None:
            phase[0] = "failed"
        return _parallel_end(interp, state, value, frame, run, fanout, final=False)

    def failed(error: StatesError) -> None:
        if phase[0] == "failed":
            interp.event(frame, "ParallelStateFailed")

    return (yield from run_with_retry(interp, state, value, run, frame, attempt, failed))
