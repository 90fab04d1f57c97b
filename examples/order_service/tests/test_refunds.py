"""Refunds (issue 13): the RefundsFunction starts RefundFlow with boto3 and a manager's approval completes its
waiting task with boto3's send_task_success. No AWS call leaves the process: the serverless_app fixture
answers them with the app's own Step Functions service, on the test's virtual clock."""

import pytest

from pytest_serverless import assert_path, assert_status


@pytest.fixture
def shop(serverless_app):
    return serverless_app.api("OrdersApi").stage("Prod").client()


@pytest.fixture
def tokens(serverless_app):
    issuer = serverless_app.token_issuer("ShopperAuthorizer")
    return {
        "shopper": issuer.token(sub="user-1", groups=[], expires_in=86400 * 2),
        "manager": issuer.token(sub="boss-1", groups=["managers"], expires_in=86400 * 2),
    }


def ask_refund(shop, tokens):
    response = shop.post("/orders/o-1001/refund", headers={"Authorization": tokens["shopper"]})
    assert_status(response, 202)
    return response.json()["refundId"]


def approval_message(serverless_app):
    """What the manager's tool reads from the refund-approvals queue: the SQS message the flow sent."""
    [waiting] = serverless_app.stepfunctions.waiting_tasks
    return waiting.input["MessageBody"]


def test_a_refund_waits_for_a_manager_and_is_paid_once_approved(serverless_app, shop, tokens):
    refund_id = ask_refund(shop, tokens)
    assert shop.get(f"/refunds/{refund_id}", headers={"Authorization": tokens["shopper"]}).json() == {
        "status": "RUNNING"
    }
    message = approval_message(serverless_app)
    assert (message["orderId"], message["amount"]) == ("o-1001", 42.5)

    decided = shop.post(
        f"/refunds/{refund_id}/approval",
        headers={"Authorization": tokens["manager"]},
        json={"taskToken": message["taskToken"], "approve": True},
    )

    assert_status(decided, 200)
    status = shop.get(f"/refunds/{refund_id}", headers={"Authorization": tokens["shopper"]}).json()
    assert status == {
        "status": "SUCCEEDED",
        "refund": {"orderId": "o-1001", "refunded": 42.5, "approvedBy": "boss-1"},
    }
    [execution] = [e for e in serverless_app.executions if e.name == refund_id]
    assert_path(execution, ["AwaitApproval", "Refunded"])


def test_a_rejected_refund_fails_and_a_second_decision_is_a_conflict(serverless_app, shop, tokens):
    refund_id = ask_refund(shop, tokens)
    token = approval_message(serverless_app)["taskToken"]
    manager = {"Authorization": tokens["manager"]}

    rejected = shop.post(f"/refunds/{refund_id}/approval", headers=manager, json={"taskToken": token})
    approve = {"taskToken": token, "approve": True}
    again = shop.post(f"/refunds/{refund_id}/approval", headers=manager, json=approve)

    assert_status(rejected, 200)
    assert_status(again, 409)
    status = shop.get(f"/refunds/{refund_id}", headers={"Authorization": tokens["shopper"]}).json()
    assert status == {"status": "FAILED"}


def test_an_undecided_refund_is_rejected_after_a_day(serverless_app, serverless_clock, shop, tokens):
    refund_id = ask_refund(shop, tokens)

    serverless_clock.advance(86400)

    status = shop.get(f"/refunds/{refund_id}", headers={"Authorization": tokens["shopper"]}).json()
    assert status == {"status": "FAILED"}


def test_only_managers_decide(serverless_app, shop, tokens):
    refund_id = ask_refund(shop, tokens)
    token = approval_message(serverless_app)["taskToken"]

    response = shop.post(
        f"/refunds/{refund_id}/approval",
        headers={"Authorization": tokens["shopper"]},
        json={"taskToken": token, "approve": True},
    )

    assert_status(response, 403)
    assert serverless_app.stepfunctions.waiting_tasks[0].token == token


def test_a_decision_without_a_task_token_is_a_bad_request(serverless_app, shop, tokens):
    refund_id = ask_refund(shop, tokens)

    response = shop.post(
        f"/refunds/{refund_id}/approval",
        headers={"Authorization": tokens["manager"], "Content-Type": "application/json"},
        data="not json",
    )

    assert_status(response, 400)
    assert serverless_app.stepfunctions.waiting_tasks[0].execution.status == "RUNNING"
