"""REST AWS service integrations (``aws=`` URIs): the service request built from the mapping template, the
answer from a registered handler or moto, integration responses and AWS's error answers."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless import AwsError, Gateway, UsageError
from pytest_serverless.gateway import AwsService

QUEUE = "arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders"
SQS_TEMPLATE = "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"
OK_RESPONSE = [
    {
        "statusCode": 202,
        "responseTemplates": {
            "application/json": '{"id": "$input.path(\'$.SendMessageResponse.SendMessageResult.MessageId\')"}'
        },
    },
    {
        "statusCode": 400,
        "selectionPattern": "4\\d{2}",
        "responseTemplates": {"application/json": "$input.body"},
    },
]


def sqs_api(handler=None, responses=OK_RESPONSE, template=SQS_TEMPLATE):
    gateway = Gateway()
    if handler is not None:
        gateway.aws_service("sqs", "SendMessage", handler)
    api = gateway.rest_api("shop")
    api.route(
        "POST /orders",
        integration=AwsService(
            QUEUE,
            request_templates={"application/json": template},
            request_parameters={
                "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"
            },
            integration_responses=responses,
        ),
    )
    return api.deploy("prod").client()


def test_the_sqs_request_is_built_from_the_template_and_the_answer_mapped():
    seen = []

    def send(request):
        seen.append(request)
        return {"MessageId": "m-1", "MD5OfMessageBody": "x"}

    response = sqs_api(send).post("/orders", json={"id": 7, "note": "a&b=c"})
    assert response.status_code == 202
    assert response.json() == {"id": "m-1"}
    (request,) = seen
    assert (request.service, request.action) == ("sqs", "SendMessage")
    assert request.params == {
        "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
        "MessageBody": '{"id": 7, "note": "a&b=c"}',
    }
    assert request.headers == {"Content-Type": "application/x-www-form-urlencoded"}


def test_a_service_error_is_selected_by_its_status():
    def missing(request):
        raise AwsError("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")

    response = sqs_api(missing).post("/orders", json={})
    assert response.status_code == 400
    assert response.json()["Error"] == {
        "Code": "AWS.SimpleQueueService.NonExistentQueue",
        "Message": "The specified queue does not exist.",
        "Type": "Sender",
    }


def test_no_matching_integration_response_is_a_configuration_error():
    def throttled(request):
        raise AwsError("RequestThrottled", "Rate exceeded", 503)

    only_success = [{"statusCode": 200, "selectionPattern": "2\\d{2}"}]
    assert sqs_api(throttled).post("/orders", json={}).status_code == 202  # the default response takes it
    response = sqs_api(throttled, responses=only_success).post("/orders", json={})
    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error"}
    assert "No match for output mapping" in str(response.error)


def test_nothing_answering_fails_as_a_failed_backend_and_says_how_to_answer():
    response = sqs_api().post("/orders", json={})
    assert response.status_code == 500
    assert "gateway.aws_service('sqs', 'SendMessage', handler)" in str(response.error)


def test_a_template_that_fails_answers_500_as_aws_does():
    response = sqs_api(lambda r: {}, template="$util.base64Decode('%%%')").post("/orders", json={})
    assert (response.status_code, response.json()) == (500, {"message": "Internal server error"})


def test_dynamodb_action_uri_json_document_and_passthrough():
    gateway = Gateway()
    items = {}

    def put(request):
        key = request.params["Item"]["id"]["S"]
        if key in items and "ConditionExpression" in request.params:
            raise AwsError(
                "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                "The conditional request failed",
            )
        items[key] = request.params["Item"]
        return {}

    gateway.aws_service("dynamodb", "PutItem", put)
    api = gateway.rest_api("t")
    template = (
        '{"TableName": "orders", "Item": {"id": {"S": "$input.path(\'$.id\')"}}, '
        '"ConditionExpression": "attribute_not_exists(id)"}'
    )
    api.route(
        "PUT /orders",
        integration=AwsService(
            "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
            request_templates={"application/json": template},
        ),
    )
    client = api.deploy("prod").client()
    first = client.put("/orders", json={"id": "o-1"})
    assert (first.status_code, first.json()) == (200, {})
    again = client.put("/orders", json={"id": "o-1"})
    assert again.status_code == 400
    assert again.json()["__type"].endswith("ConditionalCheckFailedException")
    assert items == {"o-1": {"id": {"S": "o-1"}}}


def test_s3_path_uri_with_path_parameters():
    gateway = Gateway()
    stored = {}
    gateway.aws_service("s3", "PutObject", lambda r: stored.update({r.params["Key"]: r.params["Body"]}) or {})
    gateway.aws_service("s3", "GetObject", lambda r: {"Body": stored[r.params["Key"]]})
    api = gateway.rest_api("files")
    for method in ("PUT", "GET"):
        api.route(
            f"{method} /files/{{name}}",
            integration=AwsService(
                "arn:aws:apigateway:us-east-1:s3:path/bucket/{key}",
                method=method,
                request_parameters={"integration.request.path.key": "method.request.path.name"},
            ),
        )
    client = api.deploy("prod").client()
    assert client.put("/files/a.txt", data=b"hello").status_code == 200
    assert client.get("/files/a.txt").content == b"hello"
    assert stored == {"a.txt": b"hello"}


def test_moto_answers_when_mock_aws_is_active():
    moto = pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    with moto.mock_aws():
        url = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="orders")["QueueUrl"]
        client = sqs_api()
        response = client.post("/orders", json={"id": 1})
        assert response.status_code == 202, response.text
        messages = boto3.client("sqs", region_name="us-east-1").receive_message(QueueUrl=url)["Messages"]
        assert [json.loads(m["Body"]) for m in messages] == [{"id": 1}]
        assert response.json() == {"id": messages[0]["MessageId"]}
        gone = sqs_api(template="Action=SendMessage&MessageBody=x&QueueUrl=nope").post("/orders", json={})
        assert gone.status_code == 400
        assert gone.json()["Error"]["Code"]


def test_bad_aws_arguments_are_refused():
    api = Gateway().rest_api("a")
    with pytest.raises(UsageError, match="not an AWS service integration URI"):
        api.route("GET /x", integration=AwsService("arn:aws:sqs:us-east-1:123:q"))
    with pytest.raises(UsageError, match="integration.request.header.NAME"):
        api.route(
            "GET /y", integration=AwsService(QUEUE, request_parameters={"method.request.header.X": "'a'"})
        )
    with pytest.raises(UsageError, match="is not an HTTP API integration subtype"):
        Gateway().http_api("h").route("GET /x", integration=AwsService(QUEUE))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.binary(max_size=60), code=st.sampled_from([None, "ThrottlingException", "ValidationException"])
)
def test_any_body_or_service_error_gets_an_aws_answer(body, code):
    gateway = Gateway()

    def put(request):
        if code is not None:
            raise AwsError(code, "no", 400)
        return {"SequenceNumber": "1", "ShardId": "s"}

    gateway.aws_service("kinesis", "PutRecord", put)
    api = gateway.rest_api("k")
    api.route("POST /r", integration=AwsService("arn:aws:apigateway:us-east-1:kinesis:action/PutRecord"))
    response = api.deploy("prod").client().post("/r", data=body)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert set(response.json()) == {"__type", "message"}


# section: HTTP API first-class integrations (IntegrationSubtype)


def http_route(subtype, parameters, handler=None, action=None):
    gateway = Gateway()
    if handler is not None:
        service = {"SQS": "sqs", "EventBridge": "events", "Kinesis": "kinesis", "AppConfig": "appconfig"}
        gateway.aws_service(service[subtype.split("-")[0]], action or subtype.split("-")[1], handler)
    api = gateway.http_api("h")
    api.route("POST /send/{id}", integration=AwsService(subtype, request_parameters=parameters))
    return api.deploy("$default").client()


def test_sqs_send_message_maps_request_parameters():
    seen = []
    client = http_route(
        "SQS-SendMessage",
        {
            "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
            "MessageBody": "$request.body",
            "MessageGroupId": "group-${request.path.id}",
            "DelaySeconds": "$request.querystring.delay",
        },
        lambda request: seen.append(request.params) or {"MessageId": "m-1", "MD5OfMessageBody": "d"},
    )
    response = client.post("/send/7?delay=5", json={"id": 7})
    assert response.status_code == 200
    assert response.json()["SendMessageResponse"]["SendMessageResult"]["MessageId"] == "m-1"
    assert seen == [
        {
            "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
            "MessageBody": '{"id": 7}',
            "MessageGroupId": "group-7",
            "DelaySeconds": 5,
        }
    ]


def test_eventbridge_put_events_builds_one_entry_from_body_fields():
    seen = []
    client = http_route(
        "EventBridge-PutEvents",
        {"Source": "shop", "DetailType": "$request.body.kind", "Detail": "$request.body.detail"},
        lambda request: seen.append(request.params) or {"Entries": [{"EventId": "e"}], "FailedEntryCount": 0},
    )
    response = client.post("/send/1", json={"kind": "OrderPlaced", "detail": {"id": 1}})
    assert response.json() == {"Entries": [{"EventId": "e"}], "FailedEntryCount": 0}
    assert seen == [{"Entries": [{"Source": "shop", "DetailType": "OrderPlaced", "Detail": {"id": 1}}]}]


def test_a_service_error_passes_through_with_its_status():
    def refuse(request):
        raise AwsError("ProvisionedThroughputExceededException", "Rate exceeded for shard", 400)

    client = http_route(
        "Kinesis-PutRecord", {"StreamName": "s", "Data": "$request.body", "PartitionKey": "k"}, refuse
    )
    response = client.post("/send/1", json={})
    assert response.status_code == 400
    assert response.json() == {
        "__type": "ProvisionedThroughputExceededException",
        "message": "Rate exceeded for shard",
    }


def test_subtype_parameters_are_checked_as_aws_checks_them():
    api = Gateway().http_api("h")
    with pytest.raises(UsageError, match="missing required parameter"):
        api.route("POST /a", integration=AwsService("SQS-SendMessage", request_parameters={"QueueUrl": "q"}))
    with pytest.raises(UsageError, match="unknown parameter"):
        api.route(
            "POST /b",
            integration=AwsService("SQS-PurgeQueue", request_parameters={"QueueUrl": "q", "Body": "x"}),
        )


def test_moto_answers_an_http_api_subtype():
    moto = pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    with moto.mock_aws():
        url = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="jobs")["QueueUrl"]
        client = http_route("SQS-SendMessage", {"QueueUrl": url, "MessageBody": "$request.body.note"})
        assert client.post("/send/1", json={"note": "hi"}).status_code == 200
        received = http_route("SQS-ReceiveMessage", {"QueueUrl": url}).post("/send/1")
        body = received.json()["ReceiveMessageResponse"]["ReceiveMessageResult"]
        assert [message["Body"] for message in body["Messages"]] == ["hi"]
