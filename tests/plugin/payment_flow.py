"""The payment workflow the coverage and contracts plugin tests run (a Choice, a Task with a Catch)."""

from __future__ import annotations

FLOW = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.amount", "NumericGreaterThan": 100, "Next": "Review"}],
            "Default": "Charge",
        },
        "Review": {"Type": "Pass", "Next": "Charge"},
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
            "Catch": [{"ErrorEquals": ["Declined"], "Next": "Rejected"}],
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
        "Rejected": {"Type": "Fail", "Error": "Declined"},
    },
}
