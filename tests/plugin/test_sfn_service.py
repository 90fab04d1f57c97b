"""``sfn.service``: the test's StepFunctions service, on the test's clock (API.md section 6)."""

from __future__ import annotations


def test_sfn_service_answers_callbacks_on_the_tests_clock(project):
    project.makepyfile(
        """
        import pytest

        APPROVAL = {
            "StartAt": "Ask",
            "States": {
                "Ask": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                    "End": True,
                }
            },
        }

        @pytest.mark.expect_path(["Ask"])
        def test_callback(sfn, serverless_clock):
            sm = sfn(APPROVAL, name="Approval")
            assert sm.service is sfn.service
            execution = sm.start({"order": 1})
            assert sfn.service.describe_execution(execution.arn) is execution
            serverless_clock.advance(60)
            sfn.service.send_task_success(execution.task_token("Ask"), {"ok": 1})
            assert (execution.status, execution.output, execution.duration) == ("SUCCEEDED", {"ok": 1}, 60)
        """
    )
    project.runpytest().assert_outcomes(passed=1)
