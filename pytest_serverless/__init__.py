"""pytest_serverless: AWS Step Functions and API Gateway, in process, on a virtual clock.

Everything public is importable from here. Heavy parts (the ASL engine, the gateway, the loaders) are
imported on first use, so ``import pytest_serverless`` stays cheap and pulls in neither pytest nor responses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports
from .clock import VirtualClock
from .errors import (
    AwsError,
    InternalError,
    InvalidDefinition,
    ServerlessError,
    TaskFailure,
    TemplateError,
    UnemulatedCall,
    UnmockedTask,
    UnsupportedResourceWarning,
    UsageError,
)

if TYPE_CHECKING:
    from .asl.machine import Execution, StateMachine, StepFunctions, TaskCall
    from .asl.mocks import MockConfig, load_mock_config
    from .asl.service import WaitingTask
    from .asl.test_state import TestStateResult
    from .gateway import Gateway
    from .gateway.authorizers.cognito_jwt import JwtAuthorizer, TokenIssuer
    from .gateway.authorizers.iam import IamAuthorizer
    from .gateway.authorizers.lambda_authorizer import LambdaAuthorizer
    from .gateway.integrations.builders import (
        AwsService,
        HttpCustom,
        HttpProxy,
        LambdaCustom,
        LambdaProxy,
        MockResponse,
        StepFunctionsExecution,
    )
    from .loaders import ServerlessApp, load_template
    from .plugin.assertions import assert_path, assert_status

__version__ = "0.1.0"

__all__ = [
    "AwsError",
    "AwsService",
    "Execution",
    "Gateway",
    "HttpCustom",
    "HttpProxy",
    "IamAuthorizer",
    "InternalError",
    "InvalidDefinition",
    "JwtAuthorizer",
    "LambdaAuthorizer",
    "LambdaCustom",
    "LambdaProxy",
    "MockConfig",
    "MockResponse",
    "ServerlessApp",
    "ServerlessError",
    "StateMachine",
    "StepFunctions",
    "StepFunctionsExecution",
    "TaskCall",
    "TaskFailure",
    "TemplateError",
    "TestStateResult",
    "TokenIssuer",
    "UnemulatedCall",
    "UnmockedTask",
    "UnsupportedResourceWarning",
    "UsageError",
    "VirtualClock",
    "WaitingTask",
    "__version__",
    "assert_path",
    "assert_status",
    "load_mock_config",
    "load_template",
]

_LAZY = {
    "Execution": ".asl.machine",
    "StateMachine": ".asl.machine",
    "TaskCall": ".asl.machine",
    "StepFunctions": ".asl.machine",
    "WaitingTask": ".asl.service",
    "MockConfig": ".asl.mocks",
    "load_mock_config": ".asl.mocks",
    "TestStateResult": ".asl.test_state",
    "Gateway": ".gateway",
    "TokenIssuer": ".gateway.authorizers.cognito_jwt",
    "JwtAuthorizer": ".gateway.authorizers.cognito_jwt",
    "IamAuthorizer": ".gateway.authorizers.iam",
    "LambdaAuthorizer": ".gateway.authorizers.lambda_authorizer",
    "AwsService": ".gateway.integrations.builders",
    "HttpCustom": ".gateway.integrations.builders",
    "HttpProxy": ".gateway.integrations.builders",
    "LambdaCustom": ".gateway.integrations.builders",
    "LambdaProxy": ".gateway.integrations.builders",
    "MockResponse": ".gateway.integrations.builders",
    "StepFunctionsExecution": ".gateway.integrations.builders",
    "ServerlessApp": ".loaders",
    "load_template": ".loaders",
    "assert_path": ".plugin.assertions",
    "assert_status": ".plugin.assertions",
}


__getattr__ = lazy_exports(__name__, _LAZY, globals())


def __dir__() -> list[str]:
    return sorted(__all__)
