"""Random frames and connection sequences never make the WebSocket emulation fail inside: every outcome is
AWS's (a frame, a refusal, a close, an ``AwsError``), and the stage's view of connections stays consistent."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless import AwsError, Gateway, LambdaAuthorizer

ANSWERS = [
    {"statusCode": 200},
    {"statusCode": 200, "body": "ok"},
    {"statusCode": 500, "body": "bad"},
    {"statusCode": "x"},
    {"statusCode": 200, "body": {"a": [1, 2]}},
    None,
    "text",
    [1, 2],
    float("nan"),
    object(),
    "raise",
]
ERROR_FRAMES = {"Forbidden", "Internal server error", "Too Many Requests", "Endpoint request timed out"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
messages = st.one_of(
    st.builds(
        lambda action, extra: {"action": action, "x": extra},
        st.sampled_from(["a", "b", "$connect", 7]),
        json_values,
    ),
    json_values,
    st.text(max_size=20),
    st.sampled_from(["{", "[]", "null", '{"action": {"nested": "a"}}', "x" * 33_000, "é" * 70_000]),
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("connect"), st.sampled_from(["good", "bad", None, "crash"])),
        st.tuples(st.just("send"), st.integers(0, 5), messages),
        st.tuples(st.just("close"), st.integers(0, 5)),
        st.tuples(st.just("advance"), st.sampled_from([1, 59, 300, 601, 7300])),
        st.tuples(st.just("post"), st.integers(0, 5), st.sampled_from(["hi", "y" * 131_073, b"\xff"])),
        st.tuples(st.just("delete"), st.integers(0, 5)),
        st.tuples(st.just("answer"), st.integers(0, len(ANSWERS) - 1)),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations, st.booleans())
def test_random_sequences_only_get_aws_answers(steps, with_default):
    gateway = Gateway()
    answer = {"value": {"statusCode": 200}}

    def authorize(event, context):
        token = event["queryStringParameters"]["token"]
        if token == "crash":
            raise RuntimeError("authorizer bug")
        if token != "good":
            raise Exception("Unauthorized")
        return {
            "principalId": "u",
            "policyDocument": {
                "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}]
            },
        }

    def handler(event, context):
        value = answer["value"]
        if value == "raise":
            raise ValueError("handler bug")
        return value

    api = gateway.websocket_api("chat")
    api.authorizer(
        "auth", LambdaAuthorizer(authorize, type="REQUEST", identity_source="route.request.querystring.token")
    )
    api.route("$connect", handler, authorizer="auth")
    api.route("$disconnect", handler)
    api.route("a", handler, route_response_selection_expression="$default")
    api.route("b", handler)
    if with_default:
        api.route("$default", handler, route_response_selection_expression="$default")
    stage = api.deploy("prod", throttle=(5, 10))
    clients = []
    refused = []  # (code, status, client still open) of every AwsError
    for step in steps:
        kind = step[0]
        if kind == "connect":
            token = step[1]
            ws = stage.connect(params=None if token is None else {"token": token})
            assert ws.status_code in (101, 401, 429, 500, 502) or 100 <= ws.status_code <= 599
            clients.append(ws)
        elif kind == "answer":
            answer["value"] = ANSWERS[step[1]]
        elif kind == "advance":
            gateway.clock.advance(step[1])
        elif not clients:
            continue
        elif kind == "send":
            ws = clients[step[1] % len(clients)]
            if ws.open:
                message = step[2]
                before = len(ws.messages)
                if isinstance(message, str) or message is None:
                    ws.send(text=message if message is not None else "null")
                else:
                    ws.send(json=message)
                for frame in ws.messages[before:]:
                    try:
                        parsed = json.loads(frame)
                    except ValueError:
                        continue
                    if isinstance(parsed, dict) and set(parsed) == {"message", "connectionId", "requestId"}:
                        assert parsed["message"] in ERROR_FRAMES
                        assert parsed["connectionId"] == ws.connection_id
        elif kind == "close":
            clients[step[1] % len(clients)].close()
        else:
            ws = clients[step[1] % len(clients)]
            try:
                if kind == "post":
                    stage.post_to_connection(ws.connection_id or "refused", step[2])
                else:
                    stage.delete_connection(ws.connection_id or "refused")
            except AwsError as error:
                refused.append((error.code, error.status, ws.open))
        open_ids = {ws.connection_id for ws in clients if ws.open}
        assert open_ids == set(stage.connection_ids)
    for code, status, still_open in refused:
        assert (code, status) in {("GoneException", 410), ("PayloadTooLargeException", 413)}
        assert code == "PayloadTooLargeException" or not still_open
    for row in stage.logs:
        assert row["eventType"] in ("CONNECT", "MESSAGE", "DISCONNECT")
        assert isinstance(row["status"], int)


names = st.text(alphabet="abcXYZ019_-", min_size=1, max_size=4)


def _reference(document, path):
    """The route key by reading the dotted path by hand (None: cannot be evaluated)."""
    value = document
    for name in path:
        if not isinstance(value, dict) or name not in value:
            return None
        value = value[name]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    return None


@settings(max_examples=150, deadline=None)
@given(
    st.lists(names, min_size=1, max_size=3),
    st.recursive(
        st.booleans() | st.integers(-5, 5) | st.text(max_size=4) | st.none(),
        lambda inner: st.dictionaries(names, inner, max_size=3),
        max_leaves=8,
    ),
    st.booleans(),
)
def test_route_selection_reads_the_dotted_path_of_the_body(path, document, braces):
    from pytest_serverless.gateway.websocket.selection import RouteSelector

    variable = "request.body." + ".".join(path)
    selector = RouteSelector("${" + variable + "}" if braces else "$" + variable)
    assert selector.select(json.dumps(document)) == (
        _reference(document, path) if isinstance(document, dict) else None
    )
    prefixed = RouteSelector("v1-${" + variable + "}")
    expected = _reference(document, path) if isinstance(document, dict) else None
    assert prefixed.select(json.dumps(document)) == (None if expected is None else f"v1-{expected}")
