"""The Choice state (the rules themselves are ``asl/choice.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_serverless.asl import model as m
from pytest_serverless.asl.interpreter import output_and_assign
from pytest_serverless.asl.states_errors import StatesError, StatesErrorName

if TYPE_CHECKING:
    from pytest_serverless.asl.interpreter import Frame, Interpreter, StateRun

__all__ = ["choose", "run_choice"]


def run_choice(
    interp: Interpreter, state: m.ChoiceState, value: Any, frame: Frame, run: StateRun
) -> tuple[str | None, Any]:
    jsonata = state.query_language == m.JSONATA
    try:
        effective = value if jsonata else interp.select_path(state.input_path, value, run, frame)
        chosen = choose(interp, state, value, effective, run, frame)
        if chosen is None and state.default is None:
            raise StatesError(
                StatesErrorName.NO_CHOICE_MATCHED,
                "No Matches!",
            )
        assign_template = chosen.assign if chosen is not None else state.assign
        output_template = chosen.output if chosen is not None and chosen.output is not None else state.output
        output, assigned = output_and_assign(
            interp, state, output_template, assign_template, value, effective, run, frame
        )
    except StatesError as error:
        interp.evaluation_failed(frame, run, error)
        raise
    interp.exit_state(frame, run, output, assigned)
    return (chosen.next if chosen is not None else state.default), output


def choose(
    interp: Interpreter, state: m.ChoiceState, value: Any, effective: Any, run: StateRun, frame: Frame
) -> m.ChoiceBranch | None:
    """The first rule that matches (JSONata Condition on the input, JSONPath rules on the effective
    input); the execution and TestState share it."""
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
            return branch
    return None
