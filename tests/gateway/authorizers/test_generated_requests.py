"""Generated tokens and requests through real authorizers, end to end through the gateway.

No generated request may make the gateway itself fail (an exception, a 5XX of ours), and no forged credential
may get through: only the genuine token reaches the handler.
"""

from __future__ import annotations

import base64
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless import Gateway, IamAuthorizer, JwtAuthorizer, LambdaAuthorizer

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_props"


def handler(event, context):
    json.dumps(event)  # always JSON-serialisable, as Lambda requires
    return {"statusCode": 200, "body": "reached"}


def lambda_authorizer(event, context):
    token = event.get("authorizationToken") or (event.get("headers") or {}).get("authorization")
    if token != "let-me-in":
        raise Exception("Unauthorized")
    return {
        "principalId": "u",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}
            ],
        },
    }


def build():
    gateway = Gateway()
    issuer = gateway.token_issuer(issuer=ISSUER, audience="client-id")
    stages = []
    for kind in ("REST", "HTTP"):
        api = gateway.rest_api("rest") if kind == "REST" else gateway.http_api("http")
        api.authorizer("jwt", JwtAuthorizer(issuer))
        api.authorizer(
            "lambda", LambdaAuthorizer(lambda_authorizer, type="TOKEN" if kind == "REST" else "REQUEST")
        )
        api.authorizer("iam", IamAuthorizer(credentials={"AKID": "secret"}))
        api.route("GET /jwt/{id}", handler, authorizer="jwt")
        api.route("ANY /lambda/{proxy+}", handler, authorizer="lambda")
        api.route("POST /iam", handler, authorizer="iam")
        stages.append(api.deploy("prod"))
    return gateway, issuer, stages


GATEWAY, ISSUER_OBJ, STAGES = build()
GOOD = ISSUER_OBJ.token(expires_in=10**8)
SEGMENTS = GOOD.split(".")


def mangle(data):
    """A genuine token changed by one generated edit: a segment replaced, bytes flipped, cut or extended."""
    how = data.draw(st.sampled_from(["replace", "flip", "cut", "append", "swap-header"]))
    if how == "replace":
        index = data.draw(st.integers(0, 2))
        parts = list(SEGMENTS)
        parts[index] = data.draw(st.text(alphabet="ABCDEFabcdef0123456789-_=.", max_size=40))
        return ".".join(parts)
    if how == "flip":
        position = data.draw(st.integers(0, len(GOOD) - 1))
        char = data.draw(st.sampled_from("AaZz09-_."))
        return GOOD[:position] + char + GOOD[position + 1 :]
    if how == "cut":
        return GOOD[: data.draw(st.integers(0, len(GOOD) - 1))]
    if how == "append":
        return GOOD + data.draw(st.text(max_size=8))
    header = data.draw(
        st.fixed_dictionaries(
            {"alg": st.sampled_from(["none", "HS256", "RS256", "RS512", ""]), "kid": st.text(max_size=10)}
        )
    )
    encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")
    return ".".join([encoded, *SEGMENTS[1:]])


def decoded(token):
    """The bytes a token stands for (base64url has spare bits, and surrounding blanks are stripped)."""
    try:
        return [base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in token.strip().split(".")]
    except ValueError:
        return None


def check(response, *, may_pass):
    assert response.status_code < 500, (response.status_code, response.text, response.error, response.reason)
    assert response.answered_by != "integration" or may_pass, response.reason
    if response.answered_by != "integration":
        assert isinstance(json.loads(response.content), dict)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), which=st.integers(0, 1), bearer=st.booleans())
def test_mangled_jwt_never_passes_nor_breaks_the_gateway(data, which, bearer):
    token = mangle(data)
    if decoded(token) == decoded(GOOD):
        return  # still the genuine token
    value = f"Bearer {token}" if bearer else token
    check(STAGES[which].client().get("/jwt/1", headers={"Authorization": value}), may_pass=False)


authorization_values = st.one_of(
    st.text(max_size=60),
    st.builds(lambda t: f"Bearer {t}", st.text(max_size=40)),
    st.builds(
        lambda cred, signed, sig: (
            f"AWS4-HMAC-SHA256 Credential={cred}, SignedHeaders={signed}, Signature={sig}"
        ),
        st.text(max_size=40),
        st.text(max_size=20),
        st.text(alphabet="0123456789abcdef", max_size=64),
    ),
)
routes = st.sampled_from(
    [("GET", "/jwt/1"), ("GET", "/lambda/a/b"), ("DELETE", "/lambda/x"), ("POST", "/iam"), ("GET", "/iam")]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    route=routes,
    authorization=authorization_values,
    amz_date=st.one_of(st.none(), st.text(max_size=20), st.just("20240101T000000Z")),
    extra=st.lists(
        st.tuples(st.sampled_from(["X-Amz-Security-Token", "Cookie", "Host"]), st.text(max_size=10))
    ),
    body=st.binary(max_size=32),
    which=st.integers(0, 1),
)
def test_generated_credentials_never_pass_nor_break_the_gateway(
    route, authorization, amz_date, extra, body, which
):
    headers = [("Authorization", authorization), *extra]
    if amz_date is not None:
        headers.append(("X-Amz-Date", amz_date))
    method, path = route
    response = STAGES[which].client().request(method, path, headers=headers, data=body)
    check(response, may_pass=authorization == "let-me-in" and path.startswith("/lambda"))


def test_the_genuine_credentials_do_pass():
    for stage in STAGES:
        client = stage.client()
        assert client.get("/jwt/1", headers={"Authorization": f"Bearer {GOOD}"}).text == "reached"
        assert client.get("/lambda/a", headers={"Authorization": "let-me-in"}).text == "reached"
