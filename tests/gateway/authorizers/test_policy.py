"""IAM policy documents an authorizer returns: errors name the statement and the field."""

from __future__ import annotations

import pytest

from pytest_serverless.gateway.authorizers import (
    PolicyError,
    evaluate_policy,
)

ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/orders/1"


# -- policy errors name the statement ------------------------------------------------------------------

ALLOW = {"Effect": "Allow", "Action": "*", "Resource": "*"}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("allow", "policyDocument must be a JSON object"),
        ({"Statement": "x"}, "policyDocument.Statement must be an object or a list of objects"),
        (
            {"Statement": [ALLOW, {"Effect": "Allow", "Action": [1], "Resource": "*"}]},
            "policyDocument.Statement[1].Action must be a string or a list of strings",
        ),
        (
            {"Statement": [ALLOW, ALLOW, {"Effect": "Allow", "NotAction": [], "Resource": "*"}]},
            "policyDocument.Statement[2].NotAction must be a string or a list of strings",
        ),
        (
            {"Statement": [ALLOW, {"Effect": "Allow", "Action": "*", "Resource": 7}]},
            "policyDocument.Statement[1].Resource must be a string or a list of strings",
        ),
        (
            {"Statement": [ALLOW, {"Effect": "Allow", "Action": "*", "NotResource": None}]},
            "policyDocument.Statement[1].NotResource must be a string or a list of strings",
        ),
        (
            {"Statement": [ALLOW, {"Effect": "Deny", "Resource": "*"}]},
            "policyDocument.Statement[1] has neither Action nor NotAction",
        ),
        (
            {"Statement": [ALLOW, {"Effect": "Deny", "Action": "*"}]},
            "policyDocument.Statement[1] has neither Resource nor NotResource",
        ),
    ],
)
def test_policy_errors_name_the_statement_and_field(document, message):
    with pytest.raises(PolicyError) as info:
        evaluate_policy(document, ARN)
    assert str(info.value) == message
