import json
import os

import boto3


def handler(event, context):
    order = json.loads(event["body"])
    events = boto3.client("events")
    put = events.put_events(
        Entries=[{"Source": "shop", "DetailType": "OrderPlaced", "Detail": json.dumps(order)}]
    )
    invoked = boto3.client("lambda").invoke(
        FunctionName=os.environ["NOTIFY_FUNCTION"], Payload=json.dumps({"order": order["id"]})
    )
    return {
        "statusCode": 200,
        "body": json.dumps(
            {
                "failed": put["FailedEntryCount"],
                "eventIds": [entry["EventId"] for entry in put["Entries"]],
                "notify": json.loads(invoked["Payload"].read()),
                "status": invoked["StatusCode"],
            }
        ),
    }
