import json


def items(event, context):
    if "word" in event:  # the non-proxy /shout integration
        return {"upper": event["word"].upper()}
    body = {
        "route": event.get("routeKey") or f"{event.get('httpMethod')} {event.get('resource')}",
        "version": event.get("version", "1.0"),
        "shop": ((event.get("requestContext") or {}).get("authorizer") or {}).get("shop"),
    }
    return {"statusCode": 200, "body": json.dumps(body)}


def request_authorizer(event, context):
    shop = (event.get("headers") or {}).get("X-Shop")
    allowed = shop == "acme" and (event.get("queryStringParameters") or {}).get("shop") == "acme"
    return {
        "principalId": shop or "anonymous",
        "context": {"shop": shop},
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow" if allowed else "Deny", "Resource": "*"}
            ],
        },
    }
