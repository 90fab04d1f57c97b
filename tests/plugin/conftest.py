"""Shared pieces of the plugin tests: a small project (state machines as data) for pytester runs."""

from __future__ import annotations

import pytest

from tests.helpers import fnmatch_literal

# Written into each pytester project as machines.py: a payment workflow with a Catch, and a pure Pass chain.
MACHINES = """
CHARGE_ARN = "arn:aws:lambda:us-east-1:123456789012:function:charge"
SHIP_ARN = "arn:aws:lambda:us-east-1:123456789012:function:ship"

ORDER = {
    "StartAt": "Validate",
    "States": {
        "Validate": {"Type": "Pass", "Next": "Charge"},
        "Charge": {
            "Type": "Task",
            "Resource": CHARGE_ARN,
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Declined"}],
            "Next": "Ship",
        },
        "Ship": {"Type": "Task", "Resource": SHIP_ARN, "Next": "Done"},
        "Done": {"Type": "Succeed"},
        "Declined": {"Type": "Fail", "Error": "Payment.Declined", "Cause": "card declined"},
    },
}

PASSES = {
    "StartAt": "One",
    "States": {
        "One": {"Type": "Pass", "Next": "Two"},
        "Two": {"Type": "Pass", "Result": {"done": True}, "End": True},
    },
}
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester project with machines.py; warnings stay warnings (the outer suite makes them errors)."""
    pytester.makepyfile(machines=MACHINES)
    pytester.makeini(
        "[pytest]\naddopts = --strict-markers -p no:cacheprovider -p no:hypothesispytest -p no:schemathesis "
        "-p no:pytest_cov\nfilterwarnings =\n    default\n"
    )
    return pytester


def _match_lines(result: pytest.RunResult, lines: list[str], *, stream: str = "stdout") -> None:
    getattr(result, stream).fnmatch_lines([fnmatch_literal(line) for line in lines])


@pytest.fixture
def match_lines():
    """``match_lines(result, lines)``: ``fnmatch_lines`` with brackets and ``?`` taken literally; ``*`` is
    still a wildcard (and matches a literal ``*`` too)."""
    return _match_lines
