"""Pass, Succeed, Fail, Choice and Wait: the states that call nothing outside the engine."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from pytest_serverless.asl import model as m
from pytest_serverless.asl.choice import parse_timestamp
from pytest_serverless.asl.interpreter import QUERY, RUNTIME, Terminal, java_text
from pytest_serverless.asl.paths import CompiledPath, PathNotFound, dumps
from pytest_serverless.asl.states_errors import StatesError

if TYPE_CHECKING:
    from pytest_serverless.asl.interpreter import Frame, Interpreter, StateRun

__all__ = ["run_choice", "run_fail", "run_pass", "run_succeed", "run_wait"]


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
            assigned = (
                interp.assign(state.assign, m.JSONPATH, result, run, frame)
                if state.assign is not None
                else None
            )
            output = interp.select_path(
                state.output_path, interp.result_path(state.result_path, value, result, run), run, frame
            )
    except StatesError as error:
        interp.evaluation_failed(frame, run, error)
        raise
    interp.exit_state(frame, run, output, assigned)
    return state.next, output


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


def run_fail(
    interp: Interpreter, state: m.FailState, value: Any, frame: Frame, run: StateRun
) -> tuple[str | None, Any]:
    try:
        error = _fail_field(interp, state.error, state.error_path, value, run, frame, "ErrorPath")
        cause = _fail_field(interp, state.cause, state.cause_path, value, run, frame, "CausePath")
    except StatesError as failure:
        interp.evaluation_failed(frame, run, failure)
        raise
    raised = StatesError(error or "", cause)
    raised.error = error  # type: ignore[assignment]  # a Fail state without Error reports none
    raise raised


def _fail_field(
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


def run_choice(
    interp: Interpreter, state: m.ChoiceState, value: Any, frame: Frame, run: StateRun
) -> tuple[str | None, Any]:
    jsonata = state.query_language == m.JSONATA
    try:
        effective = value if jsonata else interp.select_path(state.input_path, value, run, frame)
        chosen: m.ChoiceBranch | None = None
        for branch in state.choices:
            if branch.condition is not None:
                outcome = interp.jsonata(branch.condition, run, frame, input=value)
                if not isinstance(outcome, bool):
                    raise interp.prefixed(run, branch.condition.type_error("boolean", outcome))
                matched = outcome
            else:
                try:
                    matched = branch.rule.matches(interp.resolver(effective, run, frame))
                except StatesError as error:
                    raise interp.prefixed(run, error) from None
            if matched:
                chosen = branch
                break
        if chosen is None and state.default is None:
            raise StatesError(
                "States.NoChoiceMatched",
                "No Matches!",
            )
        assign_template = chosen.assign if chosen is not None else state.assign
        output_template = chosen.output if chosen is not None and chosen.output is not None else state.output
        output, assigned = _output_and_assign(
            interp, state, output_template, assign_template, value, effective, run, frame
        )
    except StatesError as error:
        interp.evaluation_failed(frame, run, error)
        raise
    interp.exit_state(frame, run, output, assigned)
    return (chosen.next if chosen is not None else state.default), output


def run_wait(
    interp: Interpreter, state: m.WaitState, value: Any, frame: Frame, run: StateRun
) -> Generator[Any, Any, tuple[str | None, Any]]:
    jsonata = state.query_language == m.JSONATA
    try:
        effective = value if jsonata else interp.select_path(state.input_path, value, run, frame)
        seconds = _wait_seconds(interp, state, effective, run, frame)
        output, assigned = _output_and_assign(
            interp, state, state.output, state.assign, value, effective, run, frame
        )
    except StatesError as error:
        interp.evaluation_failed(frame, run, error)
        raise
    if seconds > 0:  # a timer on the scheduler: the thread resumes when the clock gets there
        yield interp.now + seconds
    interp.exit_state(frame, run, output, assigned)
    return state.next, output


def _output_and_assign(
    interp: Interpreter,
    state: m.ChoiceState | m.WaitState,
    output: Any,
    assign: Any,
    value: Any,
    effective: Any,
    run: StateRun,
    frame: Frame,
) -> tuple[Any, dict[str, Any] | None]:
    """Output and Assign of a state without a result (Choice, Wait): JSONata reads the state input;
    JSONPath assigns from the effective input (after InputPath) and passes it through OutputPath."""
    assigned = None
    if state.query_language == m.JSONATA:
        result = interp.jsonata(output, run, frame, input=value) if output is not None else value
        if assign is not None:
            assigned = interp.assign(assign, m.JSONATA, None, run, frame, input=value)
    else:
        if assign is not None:
            assigned = interp.assign(assign, m.JSONPATH, effective, run, frame)
        result = interp.select_path(state.output_path, effective, run, frame)
    return result, assigned


def _wait_seconds(interp: Interpreter, state: m.WaitState, value: Any, run: StateRun, frame: Frame) -> float:
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
            error = QUERY if state.query_language == m.JSONATA else RUNTIME
            cls = StatesError if error == QUERY else Terminal
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
