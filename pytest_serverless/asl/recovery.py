"""Retry and Catch: AWS's retry formula (seedable FULL jitter), first-match retriers and catchers."""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from pytest_serverless.asl import model as m
from pytest_serverless.asl.interpreter import Terminal
from pytest_serverless.asl.states_errors import StatesError, StatesErrorName, error_matches

if TYPE_CHECKING:
    from pytest_serverless.asl.interpreter import Frame, Interpreter, StateRun

__all__ = [
    "backoff_seconds",
    "caught",
    "find_catcher",
    "find_retrier",
    "matches",
    "retry_delay",
    "run_with_retry",
]


def backoff_seconds(retrier: m.Retrier, attempt: int) -> float:
    """The wait before retry number ``attempt + 1`` of ``retrier``, before any jitter (pure):
    ``IntervalSeconds * BackoffRate ** attempt``, capped by ``MaxDelaySeconds``."""
    try:
        delay = retrier.interval_seconds * (retrier.backoff_rate**attempt)
    except OverflowError:  # past any float: MaxDelaySeconds or the execution's own limit applies
        delay = math.inf
    if retrier.max_delay_seconds is not None:
        delay = min(delay, retrier.max_delay_seconds)
    return delay


def retry_delay(interp: Interpreter, retrier: m.Retrier, attempt: int) -> float:
    delay = backoff_seconds(retrier, attempt)
    if retrier.jitter_full and math.isfinite(delay):
        delay = interp.rng.uniform(0, delay)
    return delay


def find_retrier(retriers: tuple[m.Retrier, ...], error: StatesError) -> int | None:
    if isinstance(error, Terminal):
        return None
    for index, retrier in enumerate(retriers):
        if any(matches(pattern, error) for pattern in retrier.error_equals):
            return index
    return None


def find_catcher(catchers: tuple[m.Catcher, ...], error: StatesError) -> m.Catcher | None:
    if isinstance(error, Terminal):
        return None
    for catcher in catchers:
        if any(matches(pattern, error) for pattern in catcher.error_equals):
            return catcher
    return None


def caught(
    interp: Interpreter, catcher: m.Catcher, error: StatesError, raw_input: Any, run: StateRun, frame: Frame
) -> tuple[str, Any]:
    """Apply a Catcher: output and variables from the error output; emit StateExited."""
    error_output: dict[str, Any] = {"Error": error.error}
    if error.cause is not None:
        error_output["Cause"] = error.cause
    state = run.state
    assigned = None
    if state.query_language == m.JSONATA:
        parts = {"input": raw_input, "errorOutput": error_output}
        output = (
            interp.jsonata(catcher.output, run, frame, **parts)
            if catcher.output is not None
            else error_output
        )
        if catcher.assign is not None:
            assigned = interp.assign(catcher.assign, m.JSONATA, None, run, frame, **parts)
    else:
        if catcher.assign is not None:
            assigned = interp.assign(catcher.assign, m.JSONPATH, error_output, run, frame)
        output = interp.result_path(catcher.result_path, raw_input, error_output, run)
    interp.exit_state(frame, run, output, assigned)
    return catcher.next, output


def run_with_retry(
    interp: Interpreter,
    state: Any,
    raw_input: Any,
    run: StateRun,
    frame: Frame,
    attempt: Callable[[], Generator[Any, Any, tuple[str | None, Any]]],
    on_final_failure: Callable[[StatesError], None] | None = None,
) -> Generator[Any, Any, tuple[str | None, Any]]:
    """Run ``attempt`` (a generator) under the state's Retry and Catch; a generator itself (the interval
    between attempts is a timer). ``on_final_failure(error)`` runs once an
    error will not be retried (before Catch), e.g. to emit ``MapStateFailed``."""
    if not state.retry and not state.catch:  # nothing to retry or catch: the attempt's own outcome
        try:
            return (yield from attempt())
        except StatesError as error:
            if on_final_failure is not None and not isinstance(error, Terminal):
                on_final_failure(error)
            raise
    counts = [0] * len(state.retry)
    while True:
        try:
            return (yield from attempt())
        except StatesError as error:
            index = find_retrier(state.retry, error)
            if index is not None:
                retrier = state.retry[index]
                if counts[index] < retrier.max_attempts:
                    delay = retry_delay(interp, retrier, counts[index])
                    counts[index] += 1
                    run.retry_count += 1
                    if delay > 0:
                        yield interp.now + delay
                    continue
            if on_final_failure is not None and not isinstance(error, Terminal):
                on_final_failure(error)
            catcher = find_catcher(state.catch, error)
            if catcher is None:
                raise
            return caught(interp, catcher, error, raw_input, run, frame)


def matches(pattern: str, error: StatesError) -> bool:
    name = error.error or ""
    if error_matches(pattern, name):
        return True
    return pattern == StatesErrorName.HEARTBEAT_TIMEOUT and getattr(error, "heartbeat", False)
