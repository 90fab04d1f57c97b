"""The one boundary with the user's code: whose failure is it.

Every call into code the user wrote (a Lambda handler, a task mock, an authorizer function, a test's HTTP
backend or service handler, a mapping template, a function's module import) goes through ``call_user``.
What that code raises is the user's failure, answered as AWS answers it (a FAILED Task with Lambda's error
name, 502/500, the authorizer's 500, an error frame), so ``call_user`` hands it to the caller as
``UserCodeFailed`` carrying the exception as raised. Our own errors are not the user's: an ``InternalError``
always goes through unchanged, and so does whatever else the caller names in ``lets_through`` (by default
every ``ServerlessError``: misuse such as an unmocked task stays loud).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pytest_serverless.errors import InternalError, ServerlessError

__all__ = ["UserCodeFailed", "call_user"]

T = TypeVar("T")

Through = type[BaseException] | tuple[type[BaseException], ...]


class UserCodeFailed(Exception):
    """The user's code raised ``error`` (an ``Exception`` that is not ours): the caller answers as AWS does.

    Internal to the package: it never reaches a test (each caller turns it into its answer)."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error
        super().__init__(error)


def call_user(fn: Callable[..., T], *args: Any, lets_through: Through = ServerlessError) -> T:
    """``fn(*args)``, the user's code; ``UserCodeFailed`` for what it raised, except ``InternalError`` and
    ``lets_through`` (the exceptions the caller answers itself), which propagate unchanged."""
    try:
        return fn(*args)
    except InternalError:  # ours: never the user's failure
        raise
    except lets_through:  # what the caller answers itself
        raise
    except Exception as error:  # the user's code failed: the caller answers as AWS does
        raise UserCodeFailed(error) from None
