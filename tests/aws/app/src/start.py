import json
import os

import boto3

CLIENT = boto3.client("stepfunctions")  # made at import, as real functions do


def handler(event, context):
    order = json.loads(event["body"])
    started = CLIENT.start_execution(
        stateMachineArn=os.environ["ORDER_FLOW"], name=order["id"], input=json.dumps(order)
    )
    return {"statusCode": 202, "body": json.dumps({"executionArn": started["executionArn"]})}
