"""The $connect authorizer: a REQUEST Lambda authorizer reading ?token=... from the handshake."""

# Token -> user name. A real app would verify a signed token (a Cognito JWT, say) here.
TOKENS = {"tok-ada": "ada", "tok-grace": "grace", "tok-alan": "alan"}


def handler(event, context):
    user = TOKENS.get((event.get("queryStringParameters") or {}).get("token", ""))
    if user is None:
        raise Exception("Unauthorized")  # API Gateway answers 401 and refuses the connection
    return {
        "principalId": user,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]},
            ],
        },
        "context": {"user": user},
    }
