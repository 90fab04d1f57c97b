"""The order workflow (statemachine/order_flow.asl.json) as the template wires it: real handlers from src/,
or Task mocks from markers. Every path an order can take is pinned with expect_path / assert_path."""

from pathlib import Path

import pytest

from pytest_serverless import TaskFailure, assert_path

ORDER = {"orderId": "o-42", "total": 64.0, "items": [{"sku": "BOOK-1"}, {"sku": "MUG-7", "quantity": 2}]}
HAPPY_PATH = [
    "ValidateOrder",
    "ReserveItems",
    "Reserve",
    "Reserve",
    "Charge",
    "Fulfil",
    "Ship",
    "NotifyCustomer",
    "WaitForPickup",
    "Done",
]


@pytest.fixture
def order_flow(serverless_app):
    return serverless_app.state_machine("OrderFlow")


@pytest.mark.expect_path(HAPPY_PATH)
def test_happy_path_with_the_real_functions(order_flow):
    execution = order_flow.execute(ORDER)
    assert execution.status == "SUCCEEDED"
    assert execution.output["chargeId"] == "ch_o-42"
    assert [call.state for call in execution.task_calls] == [
        "Reserve",
        "Reserve",
        "Charge",
        "Ship",
        "NotifyCustomer",
    ]


@pytest.mark.mock_task(
    "Charge",
    responses=[
        {"Throw": {"Error": "PaymentBusy", "Cause": "try again"}},
        {"Return": {"Payload": {"chargeId": "ch_after_retry"}}},
    ],
)
@pytest.mark.expect_path(["Charge", "Fulfil"], mode="contains")  # a retry does not enter the state again
def test_busy_payment_is_retried(order_flow):
    execution = order_flow.execute(ORDER)
    assert [call.state for call in execution.task_calls].count("Charge") == 2
    assert execution.output["chargeId"] == "ch_after_retry"
    assert execution.duration == 5 + 3600  # one retry interval, then the pickup wait


# the template deployed with Stage=prod: the pickup wait is a day (PickupWaitSeconds: !If [IsProd, ...])
@pytest.mark.serverless_template(parameters={"Stage": "prod"})
def test_prod_orders_wait_a_day_for_pickup(order_flow):
    execution = order_flow.execute(ORDER)
    assert (execution.status, execution.duration) == ("SUCCEEDED", 86400)


@pytest.mark.mock_task("Charge", raises=("PaymentBusy", "provider overloaded"))
@pytest.mark.expect_path(["Charge", "PaymentFailed", "OrderFailed"], mode="contains")
def test_payment_retried_then_caught(order_flow):
    execution = order_flow.execute(ORDER)
    assert execution.status == "FAILED"
    assert (execution.error, execution.cause) == ("PaymentFailed", "the payment could not be taken")
    charges = [call for call in execution.task_calls if call.state == "Charge"]
    assert len(charges) == 3  # the first attempt and two retries
    assert execution.duration == 5 + 10  # IntervalSeconds 5, BackoffRate 2


@pytest.mark.expect_path(["Charge", "PaymentFailed", "OrderFailed"], mode="subsequence")
def test_declined_card_is_not_retried(order_flow):
    execution = order_flow.execute({**ORDER, "total": 20_000})
    assert [call.state for call in execution.task_calls].count("Charge") == 1
    failure = [call for call in execution.task_calls if call.state == "PaymentFailed"][0]
    assert failure.input["Payload"] == {
        "kind": "payment-failed",
        "orderId": "o-42",
        "error": "PaymentDeclined",
    }


def slow_payment(task_input):
    raise TaskFailure("States.Timeout", "the payment provider did not answer")


@pytest.mark.mock_task("Charge", side_effect=slow_payment)
def test_payment_timeouts_are_retried_then_caught(order_flow):
    execution = order_flow.execute(ORDER)
    assert_path(execution, ["Charge", "PaymentFailed", "OrderFailed"], mode="contains")
    assert [call.state for call in execution.task_calls].count("Charge") == 3


@pytest.mark.parametrize(
    "order",
    [
        pytest.param({"orderId": "o-1", "total": 10, "items": []}, id="no-items"),
        pytest.param({"orderId": "o-1", "total": 0, "items": [{"sku": "BOOK-1"}]}, id="zero-total"),
    ],
)
@pytest.mark.expect_path(["ValidateOrder", "Rejected"])
def test_invalid_orders_are_rejected(order_flow, order):
    assert order_flow.execute(order).error == "InvalidOrder"


@pytest.mark.mock_task("Reserve", returns={"Payload": {"sku": "X", "reservation": "mocked"}})
def test_sold_out_items_can_be_mocked_away(order_flow):
    execution = order_flow.execute({**ORDER, "items": [{"sku": "SOLD-OUT"}]})
    assert execution.output["reserved"] == ["X"]


@pytest.mark.expect_path(["ValidateOrder", "ReserveItems"], mode="prefix")
def test_sold_out_item_fails_the_map(order_flow):
    execution = order_flow.execute({**ORDER, "items": [{"sku": "BOOK-1"}, {"sku": "SOLD-OUT"}]})
    assert execution.status == "FAILED"
    assert execution.error == "OutOfStock"


# the same definition through the `sfn` fixture, without the template: every Task mocked


@pytest.mark.mock_task("Reserve", returns={"Payload": {"sku": "BOOK-1"}})
@pytest.mark.mock_task("Charge", returns={"Payload": {"chargeId": "ch_1"}})
@pytest.mark.mock_task("Ship", returns={"Payload": {"trackingId": "T-1"}})
@pytest.mark.mock_task("NotifyCustomer", returns={"Payload": {"sent": True}})
@pytest.mark.expect_path(HAPPY_PATH[:3] + HAPPY_PATH[4:])
def test_definition_alone_with_sfn(sfn):
    definition = Path(__file__).parent.parent / "statemachine" / "order_flow.asl.json"
    machine = sfn(
        definition,
        name="OrderFlow",
        substitutions={
            "ReserveFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:reserve",
            "PaymentFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:pay",
            "ShipFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:ship",
            "NotifyFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:notify",
            "PickupWaitSeconds": "60",
        },
    )
    execution = machine.execute({**ORDER, "items": [{"sku": "BOOK-1"}]})
    assert execution.output["trackingId"] == "T-1"
    assert execution.duration == 60
