"""The Fail state: Error/Cause, ErrorPath/CausePath or JSONata."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_serverless.asl import model as m
from pytest_serverless.asl.paths import CompiledPath, PathNotFound, dumps
from pytest_serverless.asl.states_errors import StatesError

if TYPE_CHECKING:
    from pytest_serverless.asl.interpreter import Frame, Interpreter, StateRun

__all__ = ["fail_field", "run_fail"]


def run_fail(
    interp: Interpreter, state: m.FailState, value: Any, frame: Frame, run: StateRun
) -> tuple[str | None, Any]:
    try:
        error = fail_field(interp, state.error, state.error_path, value, run, frame, "ErrorPath")
        cause = fail_field(interp, state.cause, state.cause_path, value, run, frame, "CausePath")
    except StatesError as failure:
        interp.evaluation_failed(frame, run, failure)
        raise
    raised = StatesError(error or "", cause)
    raised.error = error  # type: ignore[assignment]  # a Fail state without Error reports none
    raise raised


def fail_field(
    interp: Interpreter, literal: Any, path: Any, value: Any, run: StateRun, frame: Frame, field: str
) -> str | None:
    if literal is not None and hasattr(literal, "evaluate") and not isinstance(literal, str):
        result = interp.jsonata(literal, run, frame, input=value)
        return result if isinstance(result, str) else dumps(result)
    if literal is not None:
        return str(literal)
    if path is None:
        return None
    if isinstance(path, CompiledPath):
        result = interp.lookup_or_fail(path, value, run, frame)
    else:
        try:
            result = path.evaluate(interp.resolver(value, run, frame), interp.rng)
        except PathNotFound as error:
            raise interp.runtime(run, error.message) from None
        except StatesError as error:
            raise interp.prefixed(run, error) from None
    return result if isinstance(result, str) else dumps(result)
