"""The Pass state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_serverless.asl import model as m
from pytest_serverless.asl.interpreter import jsonpath_output
from pytest_serverless.asl.states_errors import StatesError

if TYPE_CHECKING:
    from pytest_serverless.asl.interpreter import Frame, Interpreter, StateRun

__all__ = ["run_pass"]


def run_pass(
    interp: Interpreter, state: m.PassState, value: Any, frame: Frame, run: StateRun
) -> tuple[str | None, Any]:
    try:
        if state.query_language == m.JSONATA:
            output = value
            if state.output is not None:
                output = interp.jsonata(state.output, run, frame, input=value)
            assigned = (
                interp.assign(state.assign, m.JSONATA, None, run, frame, input=value)
                if state.assign is not None
                else None
            )
        else:
            effective = interp.select_path(state.input_path, value, run, frame)
            if state.parameters is not None:
                effective = interp.payload(state.parameters, effective, run, frame)
            result = state.result if state.has_result else effective
            output, assigned = jsonpath_output(interp, state, value, result, run, frame)
    except StatesError as error:
        interp.evaluation_failed(frame, run, error)
        raise
    interp.exit_state(frame, run, output, assigned)
    return state.next, output
