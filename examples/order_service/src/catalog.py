"""GET /catalog: the public product list (cached by API Gateway for 5 minutes)."""

import json

PRODUCTS = [
    {"sku": "BOOK-1", "name": "Serverless Patterns", "price": 39.0},
    {"sku": "MUG-7", "name": "Step Functions mug", "price": 12.5},
]

CALLS = []  # how many times the function really ran (a cache hit does not call it)


def handler(event, context):
    CALLS.append(context.aws_request_id)
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(PRODUCTS)}
