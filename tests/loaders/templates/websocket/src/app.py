"""Handlers of the WebSocket template test."""

import os


def authorize(event, context):
    if event["queryStringParameters"]["token"] != "secret":
        raise Exception("Unauthorized")
    return {
        "principalId": "user-1",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}
            ],
        },
        "context": {"user": "ada"},
    }


def connect(event, context):
    return {"statusCode": 200}


def echo(event, context):
    user = event["requestContext"]["authorizer"]["user"]
    table = event["stageVariables"]["table"]
    return {"statusCode": 200, "body": f"{os.environ['GREETING']} {user} ({table}): {event['body']}"}
