"""Order intake: POST /intake puts the partner's order on the SQS queue through an AWS service integration
(no Lambda in between), answered here by moto; and the REST API's customised DEFAULT_4XX gateway response.
"""

import json

import pytest

moto = pytest.importorskip("moto", reason="pip install -e '.[test]' brings moto")
boto3 = pytest.importorskip("boto3")


@pytest.fixture
def queue_url(serverless_app):
    """The template's OrderQueue, created in moto under the name the template gives it."""
    with moto.mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        yield sqs.create_queue(QueueName=serverless_app.template.physical_name("OrderQueue"))["QueueUrl"]


def test_an_order_goes_onto_the_queue(serverless_app, queue_url):
    intake = serverless_app.api("IntakeApi").stage("Prod").client()
    order = {"orderId": "o-2001", "items": [{"sku": "tea", "quantity": 2}], "total": 9.5}
    response = intake.post("/intake", json=order)
    assert response.status_code == 202, response.text
    (message,) = boto3.client("sqs", region_name="us-east-1").receive_message(QueueUrl=queue_url)["Messages"]
    assert json.loads(message["Body"]) == order
    assert response.json() == {"queued": True, "messageId": message["MessageId"]}


def test_a_missing_queue_is_the_queues_refusal(serverless_app):
    with moto.mock_aws():  # no queue created: SQS answers 400 NonExistentQueue, mapped to 502
        response = serverless_app.api("IntakeApi").stage("Prod").client().post("/intake", json={})
    assert (response.status_code, response.json()) == (502, {"message": "the order queue refused the order"})


def test_gateway_4xx_answers_carry_the_shops_cors_headers(serverless_app):
    shop = serverless_app.api("OrdersApi").stage("Prod").client()
    response = shop.get("/orders/o-1001")  # no token: the authorizer's 401, customised by DEFAULT_4XX
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type,Authorization"
