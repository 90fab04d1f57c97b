import os

NAMES = [
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_ACCESS_KEY_ID",
    "TABLE",
    "ORDER_FLOW",
]
AT_IMPORT = {name: os.environ.get(name) for name in NAMES}


def handler(event, context):
    return {"import": AT_IMPORT, "call": {name: os.environ.get(name) for name in NAMES}}
