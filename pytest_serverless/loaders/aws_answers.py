"""What a loaded template answers in process for its API Gateway AWS service integrations: the Step Functions
actions of its own state machines (``app.stepfunctions``) and EventBridge ``PutEvents`` (its rules).

An integration's service request (action and parameters) is the same operation as a boto3 call (operation
and parameters): both go to the same answerers (``_aws.app_answerers``), so errors and fields cannot drift
between the paths; only the wire differs (API Gateway's JSON here, botocore's parser there). Registered on
the app's gateway (``gateway.aws_service(service, "*", ...)``): a handler the test registers for an action
wins; an operation these answerers do not emulate, or a bus the app does not have, goes to moto's
``mock_aws`` when it is active, else fails the integration as nothing answering it does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_serverless.errors import UnemulatedCall

if TYPE_CHECKING:
    from pytest_serverless.gateway.integrations.aws_service import AwsServiceRequest

    from ._aws import Answer
    from .app import ServerlessApp

__all__ = ["register"]


def _served(answer: Answer) -> Any:
    def handler(request: AwsServiceRequest) -> Any:
        from pytest_serverless.gateway.integrations.aws_service import unanswered

        try:
            output = answer(request.action, request.params)
        except UnemulatedCall as error:  # a bus the app does not have
            return unanswered(request, f"({error})")
        if output is None:
            return unanswered(request, "(not one of the operations emulated here)")
        return output

    return handler


def register(app: ServerlessApp) -> None:
    from pytest_serverless.asl._aws import stepfunctions_answerer

    from ._aws import _events_answerer

    # API Gateway's service names ("states") for botocore's ("stepfunctions"): the same operations
    app._gateway.aws_service("states", "*", _served(stepfunctions_answerer(app.stepfunctions)))
    app._gateway.aws_service("events", "*", _served(_events_answerer(app)))
