"""The Parallel state, and the result handling Parallel and Map share.

Branches and iterations run one after another in a deterministic order. Each starts at the virtual time its
concurrency slot frees up (all at once for Parallel and an unbounded Map; MaxConcurrency slots otherwise), so
the state's duration is that of concurrent execution. Inner threads read outer variables (a copy) and their
assignments stay inside; Distributed Map children see none, and their events stay out of the parent history
(as child executions' events do), though their states still appear in ``Execution.path``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import model as m
from .states_errors import StatesError

if TYPE_CHECKING:
    from .interpreter import Frame, Interpreter, StateRun

__all__ = ["finish_state", "run_parallel"]

_QUERY = "States.QueryEvaluationError"


def run_parallel(
    interp: Interpreter, state: m.ParallelState, value: Any, frame: Frame, run: StateRun
) -> tuple[str | None, Any]:
    from .interpreter import Frame

    jsonata = state.query_language == m.JSONATA

    def attempt() -> tuple[str | None, Any]:
        try:
            if jsonata:
                branch_input = (
                    interp.jsonata(state.parameters, run, frame, input=value)
                    if state.parameters is not None
                    else value
                )
            else:
                branch_input = interp.input_path(state, value, run, frame)
                if state.parameters is not None:
                    branch_input = interp.payload(state.parameters, branch_input, run, frame)
        except StatesError as error:
            interp.evaluation_failed(frame, run, error)
            raise
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

    return interp.with_retry(state, value, run, frame, attempt, failed)


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
            output = interp.output_path(
                state, interp.result_path(state.result_path, value, result, run), run, frame
            )
    except StatesError as error:
        interp.evaluation_failed(frame, run, error)
        raise
    interp.exit_state(frame, run, output, assigned)
    return state.next, output
