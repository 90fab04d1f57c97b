import contextlib

import boto3


def handler(event, context):
    with contextlib.suppress(Exception):  # the code under test swallows every error
        boto3.client("dynamodb").put_item(TableName="orders", Item={"id": {"S": "1"}})
    return {"statusCode": 200, "body": "saved"}
