"""Authorizers of the fake API Gateway: JWT / Cognito user pools, Lambda (TOKEN, REQUEST), IAM (SigV4).

Every authorizer implements ``authorize(AuthorizationCall) -> AuthDecision`` (``base.py``). The
implementations are imported on first use, so the gateway loads pyjwt and cryptography only when a JWT
authorizer or token issuer is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_serverless._lazy import lazy_exports

from .base import AuthDecision, AuthorizationCall, Authorizer

if TYPE_CHECKING:
    from .cognito_jwt import JwtAuthorizer, TokenIssuer
    from .iam import IamAuthorizer, presign_url, sign_request
    from .lambda_authorizer import LambdaAuthorizer
    from .policy import PolicyError, evaluate_policy

__all__ = [
    "AuthDecision",
    "AuthorizationCall",
    "Authorizer",
    "IamAuthorizer",
    "JwtAuthorizer",
    "LambdaAuthorizer",
    "PolicyError",
    "TokenIssuer",
    "evaluate_policy",
    "presign_url",
    "sign_request",
]

_LAZY = {
    "JwtAuthorizer": ".cognito_jwt",
    "TokenIssuer": ".cognito_jwt",
    "IamAuthorizer": ".iam",
    "presign_url": ".iam",
    "sign_request": ".iam",
    "LambdaAuthorizer": ".lambda_authorizer",
    "PolicyError": ".policy",
    "evaluate_policy": ".policy",
}


__getattr__ = lazy_exports(__name__, _LAZY, globals())
