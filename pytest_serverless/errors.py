"""Exceptions raised on purpose by pytest_serverless.

Three kinds of failure are kept apart:

* runtime ``States.*`` errors live inside the ASL engine (``asl.states_errors.StatesError``) and end an
  execution ``FAILED``; they are returned, never raised out of ``execute``;
* gateway failures are HTTP responses with AWS-shaped bodies;
* Python exceptions (this module) are for misuse and bad definitions;
* ``InternalError`` is a bug of pytest_serverless itself, never reported as the user's failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "AwsError",
    "InternalError",
    "InvalidDefinition",
    "ServerlessError",
    "TaskFailure",
    "TemplateError",
    "UnemulatedCall",
    "UnmockedTask",
    "UnsupportedResourceWarning",
    "UsageError",
]


class ServerlessError(Exception):
    """Base class for everything pytest_serverless raises on purpose."""


class AwsError(ServerlessError):
    """An error an emulated AWS service answers with: ``.code`` as AWS names it (``"GoneException"``),
    ``.message`` and the HTTP ``.status`` AWS sends with it."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        self.code = code
        self.message = message
        self.status = status
        super().__init__(f"{code}: {message}" if message else code)


class InternalError(ServerlessError):
    """A bug in pytest_serverless itself, not in your code, definition or template.

    ``doing`` names what the engine, gateway or loader was doing (the state, route or template resource);
    the original exception is chained as ``__cause__``. It is never turned into a FAILED execution, an
    HTTP answer or a validation problem: please report it with the message and the traceback.
    """

    def __init__(self, doing: str, error: BaseException) -> None:
        self.doing = doing
        super().__init__(
            f"pytest_serverless internal error while {doing} ({type(error).__name__}: {error}). "
            "This is a bug in pytest_serverless, not in "
            "your code, definition or template: please report it to the pytest-serverless-contracts issue "
            "tracker with this message and the traceback (the original exception is chained above)."
        )


def is_ours(obj: object) -> bool:
    """Whether ``obj``'s class is pytest_serverless's own (a built-in authorizer or integration), not a user's
    or a plugin's: its failure is then an ``InternalError``, not an answer AWS would give."""
    return type(obj).__module__.startswith("pytest_serverless.")


class InvalidDefinition(ServerlessError, ValueError):
    """An Amazon States Language definition that AWS would refuse.

    ``problems`` lists every problem found as ``(json_pointer, message)`` pairs.
    """

    def __init__(self, problems: Iterable[tuple[str, str]], *, source: str | None = None) -> None:
        self.problems: list[tuple[str, str]] = list(problems)
        self.source = source
        where = f" in {source}" if source else ""
        lines = [f"{pointer or '/'}: {message}" for pointer, message in self.problems]
        count = len(self.problems)
        header = f"invalid state machine definition{where} ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n  ".join([header, *lines]))


class TemplateError(ServerlessError, ValueError):
    """A SAM, CloudFormation or OpenAPI template that cannot be loaded.

    ``source`` names the file, ``pointer`` the resource and field (``/Resources/Api/Properties/Auth``).
    """

    def __init__(self, message: str, *, source: str | None = None, pointer: str | None = None) -> None:
        self.source = source
        self.pointer = pointer
        self.reason = message
        where = ":".join(part for part in (source, pointer) if part)
        super().__init__(f"{where}: {message}" if where else message)


class UsageError(ServerlessError, TypeError):
    """Wrong arguments to a fixture, a marker or a public function."""


class UnemulatedCall(ServerlessError):
    """An AWS SDK call (boto3/botocore) that nothing in process answers: ``.service`` and ``.operation`` as
    botocore names them (``"dynamodb"``, ``"PutItem"``). It fails the test even when the code under test
    swallowed it."""

    def __init__(self, service: str, operation: str, detail: str | None = None) -> None:
        self.service = service
        self.operation = operation
        self.detail = detail
        why = f": {detail}" if detail else " is not emulated here"
        super().__init__(
            f"AWS call {service}.{operation}{why}. No AWS call leaves the process: answer it with a mock "
            "(unittest.mock / botocore.stub.Stubber on that client), a handler of the template, or moto "
            "(with moto's mock_aws active, moto answers every call pytest_serverless does not emulate)"
        )


class UnmockedTask(ServerlessError):
    """A Task state ran with neither a mock nor a handler for it."""

    def __init__(
        self, state_name: str, resource: str, *, available: Sequence[str] = (), detail: str | None = None
    ) -> None:
        self.state_name = state_name
        self.resource = resource
        self.available = list(available)
        given = ", ".join(repr(name) for name in self.available) if self.available else "none"
        message = (
            f"Task state {state_name!r} (resource {resource!r}) has no mock and no handler. "
            f"Mocks and handlers given: {given}. Pass mocks={{{state_name!r}: [...]}} to execute(), "
            f"tasks={{{resource!r}: handler}} to StateMachine(), "
            f"or use @pytest.mark.mock_task({state_name!r}, ...)."
        )
        if detail:
            message += f" {detail}"
        super().__init__(message)


class TaskFailure(Exception):
    """Raised by a task mock or handler to fail the Task with an AWS error name and cause.

    ``raise TaskFailure("Payment.Declined", "card expired")`` is what a Lambda function raising an
    error of that name would produce; Retry and Catch see ``error`` and ``cause``.
    """

    def __init__(self, error: str, cause: str | None = None) -> None:
        self.error = error
        self.cause = cause
        super().__init__(f"{error}: {cause}" if cause is not None else error)


class UnsupportedResourceWarning(UserWarning):
    """A template declares resources that pytest_serverless does not emulate (they are ignored).

    Defined here, with the errors the plugin imports at start-up, so that the class an ini file's
    ``filterwarnings`` line names stays the class raised for the whole session (``loaders`` re-exports it)."""
