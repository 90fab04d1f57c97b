"""Limits on how deep an execution may go: nested executions, causes, and what a RecursionError means.

- A state machine that starts itself (``states:startExecution.sync`` on its own ARN) never ends on AWS
  either; here each execution keeps the chain of executions that started it, so the depth is capped at
  ``MAX_NESTED_EXECUTIONS``: the innermost ``StartExecution`` task fails with
  ``StepFunctions.ExecutionLimitExceeded`` and a cause naming the chain, which Retry/Catch see like any
  task failure.
- A failed child's cause is quoted inside its parent's cause (JSON in JSON), so it grows at every level;
  AWS caps an error's cause at 32,768 characters, and so does ``cap_cause``.
- ``recursion_cause`` words the failure of an execution that ran out of Python stack: a definition that
  nests Map and Parallel states hundreds deep is named as such, instead of blaming the data.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = [
    "MAX_CAUSE_LENGTH",
    "MAX_NESTED_EXECUTIONS",
    "NestedTooDeep",
    "cap_cause",
    "current_chain",
    "nested_execution",
    "recursion_cause",
]

MAX_CAUSE_LENGTH = 32768  # characters, AWS's limit on an error's cause
MAX_NESTED_EXECUTIONS = 8  # executions started (.sync) inside one another in one test
_DEEP_DEFINITION = 40  # Map/Parallel levels from which a RecursionError is the definition's

_local = threading.local()


class NestedTooDeep(Exception):
    """Raised by ``nested_execution`` on entering one level too many (``error`` and ``cause``: AWS-shaped)."""

    error = "StepFunctions.ExecutionLimitExceeded"

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


def current_chain() -> tuple[str, ...]:
    """The machines of the nested executions being started right now, outermost first (an execution's
    interpreter keeps the chain it was started in, so that its later, asynchronous starts count too)."""
    return tuple(getattr(_local, "chain", None) or ())


@contextmanager
def nested_execution(machine_name: str, outer: tuple[str, ...] | None = None) -> Iterator[None]:
    """Count one level of nested execution while the child starts; refuse past ``MAX_NESTED_EXECUTIONS``.
    ``outer`` is the starting execution's own chain (default: the one being started right now)."""
    previous = current_chain()
    chain = list(outer if outer is not None else previous)
    if len(chain) >= MAX_NESTED_EXECUTIONS:
        shown = " -> ".join([*chain, machine_name])
        raise NestedTooDeep(
            f"Executions nested more than {MAX_NESTED_EXECUTIONS} deep ({shown}): a state machine that "
            "starts itself never ends. pytest_serverless stops the chain here; give the recursion an end "
            "condition or mock the StartExecution task."
        )
    _local.chain = [*chain, machine_name]
    try:
        yield
    finally:
        _local.chain = list(previous)


def cap_cause(cause: str) -> str:
    """``cause`` cut to AWS's 32,768 characters."""
    return cause if len(cause) <= MAX_CAUSE_LENGTH else cause[:MAX_CAUSE_LENGTH]


def _nesting(program: Any) -> int:
    """How many Map/Parallel states the deepest path of ``program`` (an ``asl.model.Program``) crosses."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(program, 0)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        for state in getattr(current, "states", {}).values():
            children = list(getattr(state, "branches", ()) or ())
            processor = getattr(state, "processor", None)
            if processor is not None:
                children.append(processor)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def recursion_cause(program: Any) -> str:
    """The cause of an execution that exhausted Python's recursion limit."""
    depth = _nesting(program)
    if depth >= _DEEP_DEFINITION:
        return (
            f"The state machine nests Map and Parallel states {depth} levels deep, more than "
            "pytest_serverless can run (Python's recursion limit). Test the inner levels as their own "
            "state machines, or nest fewer levels."
        )
    return "The state machine's data is nested too deeply."
