import json

import boto3


def handler(event, context):
    body = json.loads(event["body"])
    client = boto3.client("stepfunctions")
    try:
        client.send_task_success(taskToken=body["token"], output=json.dumps({"approved": True}))
    except client.exceptions.TaskTimedOut:
        return {"statusCode": 409, "body": "already decided"}
    except client.exceptions.InvalidToken:
        return {"statusCode": 404, "body": "no such approval"}
    return {"statusCode": 204}
