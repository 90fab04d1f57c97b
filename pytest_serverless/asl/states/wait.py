"""The Wait state: Seconds, SecondsPath, Timestamp, TimestampPath; a timer on the scheduler."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from pytest_serverless.asl import model as m
from pytest_serverless.asl._timestamps import parse_timestamp
from pytest_serverless.asl.interpreter import Terminal, java_text, output_and_assign
from pytest_serverless.asl.paths import CompiledPath, PathNotFound, dumps
from pytest_serverless.asl.states_errors import StatesError, StatesErrorName

if TYPE_CHECKING:
    from pytest_serverless.asl.interpreter import Frame, Interpreter, StateRun

__all__ = ["run_wait", "wait_seconds"]


def run_wait(interp: Interpreter, state: m.WaitState, value: Any, frame: Frame, run: StateRun) -> Any:
    """``(next, output)`` when the wait is over in line (no wait, or ``execute()`` reaching a timer that
    nothing else on the clock interleaves with: ``Interpreter.wait_inline``), else a generator yielding the
    timer to the scheduler."""
    jsonata = state.query_language == m.JSONATA
    try:
        effective = value if jsonata else interp.select_path(state.input_path, value, run, frame)
        seconds = wait_seconds(interp, state, effective, run, frame)
        output, assigned = output_and_assign(
            interp, state, state.output, state.assign, value, effective, run, frame
        )
    except StatesError as error:
        interp.evaluation_failed(frame, run, error)
        raise
    if seconds > 0:
        if not interp.plain_timers:
            return _timer(interp, state, frame, run, interp.now + seconds, output, assigned)
        interp.wait_inline(interp.now + seconds)
    interp.exit_state(frame, run, output, assigned)
    return state.next, output


def _timer(
    interp: Interpreter,
    state: m.WaitState,
    frame: Frame,
    run: StateRun,
    due: float,
    output: Any,
    assigned: dict[str, Any] | None,
) -> Generator[Any, Any, tuple[str | None, Any]]:
    yield due  # a timer on the scheduler: the thread resumes when the clock gets there
    interp.exit_state(frame, run, output, assigned)
    return state.next, output


def wait_seconds(interp: Interpreter, state: m.WaitState, value: Any, run: StateRun, frame: Frame) -> float:
    """How long the Wait waits, checked as AWS checks its field (the execution and TestState share it)."""
    if state.seconds is not None:
        seconds = state.seconds
        if not isinstance(seconds, (int, float)):
            seconds = interp.jsonata(seconds, run, frame, input=value)
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
                raise interp.prefixed(run, state.seconds.type_error("integer", seconds))
        return max(0.0, float(seconds))
    if state.seconds_path is not None:
        path = state.seconds_path
        seconds = _referenced(interp, "SecondsPath", path, value, run, frame)
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, (int, float))
            or (isinstance(seconds, float) and not seconds.is_integer())
        ):
            raise interp.runtime(
                run,
                "The SecondsPath parameter cannot be parsed as a long value: "
                f"{path.text} == {java_text(seconds)}",
            )
        if seconds < 0:
            raise interp.runtime(
                run,
                f"The SecondsPath parameter references a negative value: {path.text} == {java_text(seconds)}",
            )
        return float(seconds)
    if state.timestamp is not None:
        text = state.timestamp
        if not isinstance(text, str):
            text = interp.jsonata(text, run, frame, input=value)
        moment = parse_timestamp(text) if isinstance(text, str) else None
        if moment is None:
            error = (
                StatesErrorName.QUERY_EVALUATION_ERROR
                if state.query_language == m.JSONATA
                else StatesErrorName.RUNTIME
            )
            cls = StatesError if error == StatesErrorName.QUERY_EVALUATION_ERROR else Terminal
            raise cls(
                error,
                run.prefix()
                + "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time "
                f"format string: {text if isinstance(text, str) else dumps(text)}",
            )
        return max(0.0, moment.timestamp() - interp.now)
    if state.timestamp_path is not None:
        path = state.timestamp_path
        text = _referenced(interp, "TimestampPath", path, value, run, frame)
        moment = parse_timestamp(text) if isinstance(text, str) else None
        if moment is None:
            raise interp.runtime(
                run,
                "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time "
                f"format string: {path.text} == {text if isinstance(text, str) else dumps(text)}",
            )
        return max(0.0, moment.timestamp() - interp.now)
    return 0.0


def _referenced(
    interp: Interpreter, field: str, path: CompiledPath, value: Any, run: StateRun, frame: Frame
) -> Any:
    """The input value SecondsPath or TimestampPath references; a path matching nothing fails the run."""
    try:
        return interp.lookup(path, value, run, frame)
    except PathNotFound:
        raise interp.runtime(
            run, f"The {field} parameter does not reference an input value: {path.text}"
        ) from None
