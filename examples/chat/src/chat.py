"""The chat function: one handler for every route, dispatching on ``requestContext.routeKey``.

Connected users are kept in ``CONNECTIONS`` (a DynamoDB table in production). Messages reach the other
clients through the @connections API: ``post(endpoint, connection_id, data)`` calls boto3's
``apigatewaymanagementapi`` on AWS; the tests plug in the stage's ``post_to_connection``.
"""

import json

CONNECTIONS: dict[str, str] = {}  # connection id -> user name


class Gone(Exception):
    """The connection is gone (API Gateway's GoneException, 410)."""


def boto3_post(endpoint, connection_id, data):
    import boto3

    client = boto3.client("apigatewaymanagementapi", endpoint_url=endpoint)
    try:
        client.post_to_connection(ConnectionId=connection_id, Data=data.encode("utf-8"))
    except client.exceptions.GoneException:
        raise Gone(connection_id) from None


post = boto3_post  # how messages reach a client (replaced in the tests)


def handler(event, context):
    request = event["requestContext"]
    route = request["routeKey"]
    connection_id = request["connectionId"]
    if route == "$connect":
        CONNECTIONS[connection_id] = request["authorizer"]["user"]
        return {"statusCode": 200}
    if route == "$disconnect":
        CONNECTIONS.pop(connection_id, None)
        return {"statusCode": 200}
    user = CONNECTIONS.get(connection_id, "?")
    if route == "whoami":
        return {"statusCode": 200, "body": json.dumps({"user": user, "online": sorted(CONNECTIONS.values())})}
    if route == "sendMessage":
        text = json.loads(event["body"]).get("text", "")
        broadcast(request, json.dumps({"from": user, "text": text}))
        return {"statusCode": 200}
    help_text = {"error": "unknown action", "actions": ["sendMessage", "whoami"]}
    return {"statusCode": 200, "body": json.dumps(help_text)}


def broadcast(request, data):
    """Send ``data`` to every connected user; forget the connections that are gone."""
    endpoint = f"https://{request['domainName']}/{request['stage']}"
    for connection_id in list(CONNECTIONS):
        try:
            post(endpoint, connection_id, data)
        except Gone:
            CONNECTIONS.pop(connection_id, None)
