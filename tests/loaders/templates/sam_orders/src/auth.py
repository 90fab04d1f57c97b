def handler(event, context):
    token = event.get("authorizationToken")
    effect = "Allow" if token == "let-me-in" else "Deny"
    return {
        "principalId": "admin",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}],
        },
    }
