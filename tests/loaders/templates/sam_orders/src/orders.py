import os

from helpers import render

TABLE = os.environ.get("TABLE_NAME")


def handler(event, context):
    order_id = (event.get("pathParameters") or {}).get("id")
    body = {
        "id": order_id,
        "table": TABLE,
        "stage": os.environ.get("STAGE"),
        "path": event.get("resource"),
        "claims": ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims", {}).get("sub"),
    }
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": render(body)}
