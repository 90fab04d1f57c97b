"""The Parallel state, and the result handling that Parallel, Map and Task share.

Branches and iterations run one after another in a deterministic order. Each starts at the virtual time its
concurrency slot frees up (all at once for Parallel and an unbounded Map; MaxConcurrency slots otherwise), so
the state's duration is that of concurrent execution. Inner threads read outer variables (a copy) and their
assignments stay inside; Distributed Map children see none, and their events stay out of the parent history
(as child executions' events do), though their states still appear in ``Execution.path``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import model as m
from .recovery import run_with_retry
from .states_errors import StatesError

if TYPE_CHECKING:
    from .interpreter import Frame, Interpreter, StateRun

__all__ = ["effective_input", "finish_state", "run_parallel"]


def run_parallel(
    interp: Interpreter, state: m.ParallelState, value: Any, frame: Frame, run: StateRun
) -> tuple[str | None, Any]:
    from .interpreter import Frame

    def attempt() -> tuple[str | None, Any]:
        branch_input = effective_input(interp, state, value, run, frame)
        started = interp.event(frame, "ParallelStateStarted")
        start = interp.now
        end = start
        results = []
        for branch in state.branches:
            interp.now = start
            child = Frame(dict(frame.variables), started, frame.item)
            try:
                results.append(interp.run_program(branch, branch_input, child))
            except StatesError:
                interp.now = max(end, interp.now)
                frame.prev = len(interp.history)
                phase[0] = "failed"
                raise
            end = max(end, interp.now)
        interp.now = end
        frame.prev = len(interp.history)
        interp.event(frame, "ParallelStateSucceeded")
        return finish_state(interp, state, value, results, run, frame)

    phase = [""]

    def failed(error: StatesError) -> None:
        if phase[0] == "failed":
            interp.event(frame, "ParallelStateFailed")

    return run_with_retry(interp, state, value, run, frame, attempt, failed)


def effective_input(interp: Interpreter, state: Any, value: Any, run: StateRun, frame: Frame) -> Any:
    """What a Task or Parallel state works on: InputPath then Parameters, or Arguments in JSONata."""
    try:
        if state.query_language == m.JSONATA:
            if state.parameters is None:
                return value
            return interp.jsonata(state.parameters, run, frame, input=value)
        effective = interp.select_path(state.input_path, value, run, frame)
        if state.parameters is None:
            return effective
        return interp.payload(state.parameters, effective, run, frame)
    except StatesError as error:
        interp.evaluation_failed(frame, run, error)
        raise


def finish_state(
    interp: Interpreter, state: Any, value: Any, result: Any, run: StateRun, frame: Frame
) -> tuple[str | None, Any]:
    """ResultSelector/Output, Assign, ResultPath, OutputPath and the StateExited event."""
    try:
        assigned = None
        if state.query_language == m.JSONATA:
            parts = {"input": value, "result": result}
            output = interp.jsonata(state.output, run, frame, **parts) if state.output is not None else result
            if state.assign is not None:
                assigned = interp.assign(state.assign, m.JSONATA, None, run, frame, **parts)
        else:
            if state.result_selector is not None:
                result = interp.payload(state.result_selector, result, run, frame)
            if state.assign is not None:
                assigned = interp.assign(state.assign, m.JSONPATH, result, run, frame)
            output = interp.select_path(
                state.output_path, interp.result_path(state.result_path, value, result, run), run, frame
            )
    except StatesError as error:
        interp.evaluation_failed(frame, run, error)
        raise
    interp.exit_state(frame, run, output, assigned)
    return state.next, output
