"""The Succeed state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_serverless.asl import model as m
from pytest_serverless.asl.states_errors import StatesError

if TYPE_CHECKING:
    from pytest_serverless.asl.interpreter import Frame, Interpreter, StateRun

__all__ = ["run_succeed"]


def run_succeed(
    interp: Interpreter, state: m.SucceedState, value: Any, frame: Frame, run: StateRun
) -> tuple[str | None, Any]:
    try:
        if state.query_language == m.JSONATA:
            output = (
                interp.jsonata(state.output, run, frame, input=value) if state.output is not None else value
            )
        else:
            output = interp.select_path(
                state.output_path, interp.select_path(state.input_path, value, run, frame), run, frame
            )
    except StatesError as error:
        interp.evaluation_failed(frame, run, error)
        raise
    interp.exit_state(frame, run, output)
    return None, output
