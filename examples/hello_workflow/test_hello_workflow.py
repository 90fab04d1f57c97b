"""The smallest example: one ASL file, the `sfn` fixture, Task mocks and path checks. No AWS, no template."""

from pathlib import Path

import pytest

from pytest_serverless import assert_path

HELLO = Path(__file__).parent / "hello.asl.json"


def personalize(event, context):
    """A real Python handler, called as Lambda would call it."""
    return f"{event['greeting']}, {event['name']}!"


def test_english_by_default(sfn):
    execution = sfn(HELLO, tasks={"personalize": personalize}).execute({"name": "Ada"})
    assert execution.status == "SUCCEEDED"
    assert execution.output == "Hello, Ada!"
    assert_path(execution, ["PickLanguage", "English", "Personalize", "Done"])


@pytest.mark.expect_path(["PickLanguage", "French", "Personalize", "Done"])
def test_french(sfn):
    execution = sfn(HELLO, tasks={"personalize": personalize}).execute({"name": "Ada", "language": "fr"})
    assert execution.output == "Bonjour, Ada!"


@pytest.mark.mock_task("Personalize", returns={"Payload": "Hallo, Welt!"})
@pytest.mark.expect_path(["German", "Personalize"], mode="contains")
def test_mocked_task(sfn):
    assert sfn(HELLO).execute({"name": "Welt", "language": "de"}).output == "Hallo, Welt!"


@pytest.mark.mock_task(
    "Personalize",
    responses=[
        {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"}},
        {"Return": {"Payload": "Hello again"}},
    ],
)
def test_throttled_lambda_is_retried_on_the_virtual_clock(sfn, serverless_clock):
    execution = sfn(HELLO).execute({"name": "Ada"})
    assert execution.output == "Hello again"
    assert execution.duration == 1  # one IntervalSeconds, without sleeping
    assert serverless_clock.time() - 1704067200 == 1
