"""WebSocket APIs (API.md section 8): routes, events, @connections, authorization, limits, logs, metrics."""

from __future__ import annotations

import json

import pytest

from pytest_serverless import AwsError, Gateway, IamAuthorizer, LambdaAuthorizer, UsageError, VirtualClock
from pytest_serverless.gateway.authorizers.iam import sign_request


def ok(event, context):
    return {"statusCode": 200}


def echo(event, context):
    return {"statusCode": 200, "body": event["body"]}


@pytest.fixture
def gateway():
    return Gateway(clock=VirtualClock())


def chat(gateway, **routes):
    api = gateway.websocket_api("chat", route_selection_expression="$request.body.action")
    for key, handler in routes.items():
        api.route(key.replace("_", "$", 1) if key.startswith("_") else key, handler)
    return api


# section: connecting


def test_connect_runs_the_connect_route_with_aws_event_shape(gateway):
    events = []
    api = gateway.websocket_api("chat")
    api.route("$connect", lambda event, context: events.append(event) or {"statusCode": 200})
    stage = api.deploy("prod", variables={"table": "t1"})
    ws = stage.connect(headers={"Authorization": "Bearer x", "User-Agent": "pytest"}, params={"room": "a"})
    assert ws.status_code == 101
    assert ws.open
    event = events[0]
    assert set(event) == {
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "requestContext",
        "stageVariables",
        "isBase64Encoded",
    }
    assert event["headers"]["Authorization"] == "Bearer x"
    assert event["headers"]["Host"] == f"{api.id}.execute-api.us-east-1.amazonaws.com"
    assert event["headers"]["Sec-WebSocket-Version"] == "13"
    assert event["queryStringParameters"] == {"room": "a"}
    assert event["multiValueQueryStringParameters"] == {"room": ["a"]}
    assert event["stageVariables"] == {"table": "t1"}
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["routeKey"] == "$connect"
    assert context["eventType"] == "CONNECT"
    assert context["messageDirection"] == "IN"
    assert context["connectionId"] == ws.connection_id
    assert context["connectedAt"] == 1704067200000
    assert context["requestTimeEpoch"] == 1704067200000
    assert context["requestTime"] == "01/Jan/2024:00:00:00 +0000"
    assert context["stage"] == "prod"
    assert context["apiId"] == api.id
    assert context["domainName"] == f"{api.id}.execute-api.us-east-1.amazonaws.com"
    assert context["identity"] == {"sourceIp": "198.51.100.1", "userAgent": "pytest"}
    assert context["requestId"] == context["extendedRequestId"]
    assert "messageId" not in context
    assert len(ws.connection_id) == 16
    assert ws.connection_id.endswith("=")


def test_connect_without_connect_route_is_accepted(gateway):
    stage = gateway.websocket_api("chat").deploy("prod")
    ws = stage.connect()
    assert ws.status_code == 101
    assert stage.connection_ids == [ws.connection_id]


def test_connect_refused_with_the_integration_status_and_headers_kept(gateway):
    api = gateway.websocket_api("chat")
    api.route("$connect", lambda e, c: {"statusCode": 400, "body": "no subprotocol"})
    stage = api.deploy("prod")
    ws = stage.connect()
    assert ws.status_code == 400
    assert ws.closed
    assert ws.connection_id is None
    assert ws.response.text == "no subprotocol"
    assert stage.connection_ids == []
    with pytest.raises(UsageError, match=r"the connection was refused \(400\)"):
        ws.send(text="hi")


def test_connect_answer_headers_reach_the_handshake(gateway):
    api = gateway.websocket_api("chat")
    api.route(
        "$connect", lambda e, c: {"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": "myprotocol"}}
    )
    ws = api.deploy("prod").connect(headers={"Sec-WebSocket-Protocol": "myprotocol"})
    assert ws.status_code == 101
    assert ws.headers["Sec-WebSocket-Protocol"] == "myprotocol"


def test_connect_handler_that_raises_refuses_with_502(gateway):
    def boom(event, context):
        raise RuntimeError("database down")

    api = gateway.websocket_api("chat")
    api.route("$connect", boom)
    stage = api.deploy("prod")
    ws = stage.connect()
    assert ws.status_code == 502
    assert ws.response.json() == {"message": "Internal server error"}
    assert stage.metrics["ExecutionError"] == 1
    assert stage.logs[-1]["reason"] == "RuntimeError: database down"


@pytest.mark.parametrize("answer", [{"statusCode": "abc"}, {"statusCode": 200, "body": {1, 2}}, object()])
def test_connect_handler_with_malformed_answer_refuses_with_502(gateway, answer):
    api = gateway.websocket_api("chat")
    api.route("$connect", lambda e, c: answer)
    assert api.deploy("prod").connect().status_code == 502


# section: messages and route selection


def test_message_goes_to_the_route_its_action_names(gateway):
    events = []
    api = gateway.websocket_api("chat")
    api.route("sendMessage", lambda e, c: events.append(e))
    api.route("$default", lambda e, c: pytest.fail("not the default route"))
    ws = api.deploy("prod").connect()
    ws.send(json={"action": "sendMessage", "text": "hello"})
    assert len(events) == 1
    event = events[0]
    assert set(event) == {"requestContext", "body", "isBase64Encoded"}
    assert json.loads(event["body"]) == {"action": "sendMessage", "text": "hello"}
    context = event["requestContext"]
    assert context["routeKey"] == "sendMessage"
    assert context["eventType"] == "MESSAGE"
    assert context["connectionId"] == ws.connection_id
    assert len(context["messageId"]) == 16
    assert "headers" not in event
    assert ws.messages == []  # one-way route: the answer is not sent back


@pytest.mark.parametrize(
    ("expression", "message", "route"),
    [
        ("$request.body.action", {"action": "join"}, "join"),
        ("$request.body.meta.kind", {"meta": {"kind": "join"}}, "join"),
        (
            "${request.body.service}-${request.body.action}",
            {"service": "chat", "action": "join"},
            "chat-join",
        ),
        ("$request.body.version", {"version": 2}, "2"),
        ("$request.body.action", {"other": "join"}, "$default"),
        ("$request.body.action", {"action": {"nested": 1}}, "$default"),
        ("$request.body.action", {"action": "unknown"}, "$default"),
        ("$request.body.action", {"action": "$connect"}, "$default"),
        ("$request.body.action", ["join"], "$default"),
    ],
)
def test_route_selection(gateway, expression, message, route):
    seen = []
    api = gateway.websocket_api("chat", route_selection_expression=expression)
    for key in ("join", "chat-join", "2", "$default"):
        api.route(key, lambda e, c: seen.append(e["requestContext"]["routeKey"]))
    ws = api.deploy("prod").connect()
    ws.send(json=message)
    assert seen == [route]


def test_non_json_message_goes_to_default(gateway):
    seen = []
    api = gateway.websocket_api("chat")
    api.route("$default", lambda e, c: seen.append(e["body"]))
    ws = api.deploy("prod").connect()
    ws.send(text="plain text, not JSON")
    assert seen == ["plain text, not JSON"]


def test_no_matching_route_and_no_default_sends_forbidden_frame_and_keeps_connection(gateway):
    api = gateway.websocket_api("chat")
    api.route("join", ok)
    stage = api.deploy("prod")
    ws = stage.connect()
    ws.send(text="not json")
    ws.send(json={"action": "leave"})
    first, second = ws.messages
    request_id = stage.logs[-1]["requestId"]
    assert second == (
        f'{{"message": "Forbidden", "connectionId":"{ws.connection_id}", "requestId":"{request_id}"}}'
    )
    assert json.loads(first)["message"] == "Forbidden"
    assert ws.open
    assert stage.metrics["ClientError"] == 2
    assert stage.logs[-1]["status"] == 403


def test_two_way_route_sends_the_answer_body_back(gateway):
    api = gateway.websocket_api("chat")
    api.route("echo", echo, route_response_selection_expression="$default")
    api.route("quiet", echo)
    ws = api.deploy("prod").connect()
    ws.send(json={"action": "quiet"})
    ws.send(json={"action": "echo", "n": 1})
    assert ws.receive() == '{"action": "echo", "n": 1}'
    assert ws.receive() is None
    assert ws.messages == ['{"action": "echo", "n": 1}']


@pytest.mark.parametrize(
    ("answer", "sent"),
    [
        ({"statusCode": 200, "body": {"a": 1}}, '{"a": 1}'),
        ({"body": "x"}, "x"),
        ("plain", "plain"),
        ([1, 2], "[1, 2]"),
        (None, None),
        ({"statusCode": 200}, None),
    ],
)
def test_two_way_route_answers(gateway, answer, sent):
    api = gateway.websocket_api("chat")
    api.route("$default", lambda e, c: answer, route_response_selection_expression="$default")
    ws = api.deploy("prod").connect()
    ws.send(text="x")
    assert ws.messages == ([] if sent is None else [sent])


def test_failing_integration_sends_internal_server_error_frame_and_keeps_connection(gateway):
    def boom(event, context):
        raise ValueError("bad input")

    api = gateway.websocket_api("chat")
    api.route("$default", boom)
    stage = api.deploy("prod")
    ws = stage.connect()
    ws.send(text="hi")
    frame = json.loads(ws.receive())
    assert frame == {
        "message": "Internal server error",
        "connectionId": ws.connection_id,
        "requestId": stage.logs[-1]["requestId"],
    }
    assert ws.open
    assert stage.metrics["ExecutionError"] == 1
    assert stage.logs[-1]["reason"] == "ValueError: bad input"


def test_integration_past_its_timeout_sends_timed_out_frame(gateway):
    def slow(event, context):
        gateway.clock.advance(5)

    api = gateway.websocket_api("chat")
    api.route("$default", slow, timeout=2)
    stage = api.deploy("prod")
    ws = stage.connect()
    ws.send(text="hi")
    assert json.loads(ws.receive())["message"] == "Endpoint request timed out"
    assert stage.logs[-1]["status"] == 504


def test_integration_error_status_counts_as_integration_error(gateway):
    api = gateway.websocket_api("chat")
    api.route(
        "$default",
        lambda e, c: {"statusCode": 500, "body": "oops"},
        route_response_selection_expression="$default",
    )
    stage = api.deploy("prod")
    ws = stage.connect()
    ws.send(text="x")
    assert ws.messages == ["oops"]
    assert stage.metrics["IntegrationError"] == 1


def test_mock_integration_two_way(gateway):
    api = gateway.websocket_api("chat")
    api.route(
        "$default",
        mock={"statusCode": 200, "body": {"pong": True}},
        route_response_selection_expression="$default",
    )
    ws = api.deploy("prod").connect()
    ws.send(text="ping")
    assert ws.receive_json() == {"pong": True}


def test_http_integration_posts_the_message(gateway):
    responses = pytest.importorskip("responses")
    api = gateway.websocket_api("chat")
    api.route(
        "$default", http="https://backend.example.com/ws", route_response_selection_expression="$default"
    )
    ws = api.deploy("prod").connect()
    with responses.RequestsMock() as mocked:
        mocked.add(responses.POST, "https://backend.example.com/ws", body="thanks")
        ws.send(json={"hello": 1})
        assert mocked.calls[0].request.body == b'{"hello": 1}'
    assert ws.messages == ["thanks"]


# section: disconnecting


def test_client_close_runs_disconnect_with_status_and_reason(gateway):
    events = []
    api = gateway.websocket_api("chat")
    api.route("$disconnect", lambda e, c: events.append(e))
    stage = api.deploy("prod")
    ws = stage.connect(headers={"X-A": "1"}, params={"q": "1"})
    ws.close()
    ws.close()  # twice: nothing more
    assert ws.closed
    assert len(events) == 1
    event = events[0]
    assert set(event) == {"requestContext", "isBase64Encoded"}
    context = event["requestContext"]
    assert context["routeKey"] == "$disconnect"
    assert context["eventType"] == "DISCONNECT"
    assert context["disconnectStatusCode"] == 1000
    assert context["disconnectReason"] == ""
    assert stage.connection_ids == []
    with pytest.raises(UsageError, match=r"ws.send\(\): the connection is closed \(1000\)"):
        ws.send(text="late")


def test_disconnect_failure_is_logged_not_raised(gateway):
    def boom(event, context):
        raise RuntimeError("cleanup failed")

    api = gateway.websocket_api("chat")
    api.route("$disconnect", boom)
    stage = api.deploy("prod")
    stage.connect().close()
    assert stage.logs[-1]["reason"] == "RuntimeError: cleanup failed"
    assert stage.metrics["ExecutionError"] == 1


# section: the @connections API


def test_post_to_connection_reaches_the_client_and_broadcasts(gateway):
    api = gateway.websocket_api("chat")
    stage = api.deploy("prod")
    alice, bob = stage.connect(), stage.connect()
    for connection_id in stage.connection_ids:
        stage.post_to_connection(connection_id, "hello all")
    stage.post_to_connection(bob.connection_id, b"just bob")
    assert alice.messages == ["hello all"]
    assert bob.messages == ["hello all", "just bob"]


def test_post_to_a_closed_or_unknown_connection_is_gone(gateway):
    stage = gateway.websocket_api("chat").deploy("prod")
    ws = stage.connect()
    ws.close()
    for connection_id in (ws.connection_id, "nope"):
        with pytest.raises(AwsError) as raised:
            stage.post_to_connection(connection_id, "x")
        assert raised.value.code == "GoneException"
        assert raised.value.status == 410
    with pytest.raises(AwsError, match="GoneException"):
        stage.get_connection(ws.connection_id)
    with pytest.raises(AwsError, match="GoneException"):
        stage.delete_connection(ws.connection_id)


def test_post_to_connection_during_connect_is_gone(gateway):
    errors = []

    def on_connect(event, context):
        try:
            stage.post_to_connection(event["requestContext"]["connectionId"], "welcome")
        except AwsError as exc:
            errors.append(exc.code)
        return {"statusCode": 200}

    api = gateway.websocket_api("chat")
    api.route("$connect", on_connect)
    stage = api.deploy("prod")
    assert stage.connect().status_code == 101
    assert errors == ["GoneException"]


def test_post_to_connection_over_128_kb_is_payload_too_large(gateway):
    stage = gateway.websocket_api("chat").deploy("prod")
    ws = stage.connect()
    stage.post_to_connection(ws.connection_id, "x" * 131_072)
    with pytest.raises(AwsError) as raised:
        stage.post_to_connection(ws.connection_id, "x" * 131_073)
    assert (raised.value.code, raised.value.status) == ("PayloadTooLargeException", 413)
    with pytest.raises(UsageError, match="data must be str or bytes"):
        stage.post_to_connection(ws.connection_id, {"a": 1})


def test_get_and_delete_connection(gateway):
    events = []
    api = gateway.websocket_api("chat")
    api.route("$disconnect", lambda e, c: events.append(e["requestContext"]["disconnectStatusCode"]))
    api.route("$default", ok)
    stage = api.deploy("prod")
    ws = stage.connect(headers={"User-Agent": "wscat"})
    gateway.clock.advance(30)
    ws.send(text="x")
    info = stage.get_connection(ws.connection_id)
    assert info["ConnectedAt"].isoformat() == "2024-01-01T00:00:00+00:00"
    assert info["LastActiveAt"].isoformat() == "2024-01-01T00:00:30+00:00"
    assert info["Identity"] == {"SourceIp": "198.51.100.1", "UserAgent": "wscat"}
    stage.delete_connection(ws.connection_id)
    assert ws.closed
    assert events == [1000]


# section: limits on the virtual clock and in bytes


def test_idle_connection_closes_after_ten_minutes(gateway):
    reasons = []
    api = gateway.websocket_api("chat")
    api.route("$disconnect", lambda e, c: reasons.append(e["requestContext"]["disconnectStatusCode"]))
    api.route("$default", ok)
    stage = api.deploy("prod")
    ws = stage.connect()
    gateway.clock.advance(599)
    ws.send(text="still here")
    gateway.clock.advance(599)
    assert ws.open
    gateway.clock.advance(1)
    assert ws.closed
    assert ws.close_code == 1001
    assert reasons == [1001]
    assert stage.logs[-1]["reason"] == "the connection was idle for 10 minutes"


def test_connection_closes_after_two_hours_even_when_busy(gateway):
    api = gateway.websocket_api("chat")
    api.route("$default", ok)
    stage = api.deploy("prod")
    ws = stage.connect()
    for _ in range(23):
        gateway.clock.advance(300)
        ws.send(text="ping")
    assert ws.open
    gateway.clock.advance(300)
    assert ws.closed
    assert stage.logs[-1]["reason"] == "the connection reached 2 hours"


def test_frame_over_32_kb_closes_the_connection_with_1009(gateway):
    api = gateway.websocket_api("chat")
    api.route("$default", ok)
    stage = api.deploy("prod")
    ws = stage.connect()
    ws.send(text="x" * 32_768)
    assert ws.open
    ws.send(text="x" * 40_000, frame_size=32_768)  # a client that fragments: fine up to 128 KB
    assert ws.open
    ws.send(text="x" * 32_769)
    assert ws.closed
    assert ws.close_code == 1009


def test_message_over_128_kb_closes_the_connection(gateway):
    stage = gateway.websocket_api("chat").deploy("prod")
    ws = stage.connect()
    ws.send(text="é" * 65_537, frame_size=16_384)  # 131,074 bytes in UTF-8
    assert ws.close_code == 1009


# section: authorization on $connect


def test_request_authorizer_with_header_and_query_identity_sources(gateway):
    calls = []

    def authorize(event, context):
        calls.append(event)
        token = event["headers"].get("Auth")
        if token != "good" or event["queryStringParameters"]["room"] != "a":
            raise Exception("Unauthorized")
        return {
            "principalId": "user-1",
            "policyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}
                ],
            },
            "context": {"role": "admin", "level": 3},
        }

    seen = []
    api = gateway.websocket_api("chat")
    api.authorizer(
        "auth",
        LambdaAuthorizer(
            authorize,
            type="REQUEST",
            identity_source="route.request.header.Auth, route.request.querystring.room",
        ),
    )
    api.route("$connect", ok, authorizer="auth")
    api.route("$default", lambda e, c: seen.append(e["requestContext"]["authorizer"]))
    stage = api.deploy("prod")
    assert (
        stage.connect(params={"room": "a"}).status_code == 401
    )  # missing header: the function is not called
    assert calls == []
    assert stage.connect(headers={"Auth": "bad"}, params={"room": "a"}).status_code == 401
    ws = stage.connect(headers={"Auth": "good"}, params={"room": "a"})
    assert ws.status_code == 101
    event = calls[-1]
    assert event["type"] == "REQUEST"
    assert event["methodArn"] == f"arn:aws:execute-api:us-east-1:123456789012:{api.id}/prod/$connect"
    assert event["requestContext"]["eventType"] == "CONNECT"
    ws.send(text="hi")
    assert seen == [{"principalId": "user-1", "integrationLatency": 0, "role": "admin", "level": "3"}]
    stage.connect(headers={"Auth": "good"}, params={"room": "a"})
    assert len(calls) == 3  # no result cache on WebSocket APIs
    assert stage.logs[-1]["authorizerStatus"] == 200


def test_authorizer_deny_and_failure(gateway):
    def authorize(event, context):
        if event["headers"]["Auth"] == "crash":
            raise RuntimeError("boom")
        return {
            "principalId": "u",
            "policyDocument": {
                "Statement": [{"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "*"}]
            },
        }

    api = gateway.websocket_api("chat")
    api.authorizer(
        "auth", LambdaAuthorizer(authorize, type="REQUEST", identity_source="route.request.header.Auth")
    )
    api.route("$connect", ok, authorizer="auth")
    stage = api.deploy("prod")
    denied = stage.connect(headers={"Auth": "x"})
    assert denied.status_code == 403
    assert stage.connect(headers={"Auth": "crash"}).status_code == 500
    assert stage.metrics["ClientError"] == 2
    assert stage.connection_ids == []


def test_iam_authorizer_on_connect(gateway):
    api = gateway.websocket_api("chat")
    api.authorizer("iam", IamAuthorizer(credentials={"AKID": "secret"}))
    api.route("$connect", ok, authorizer="iam")
    stage = api.deploy("prod")
    assert stage.connect().status_code == 403
    headers = sign_request(
        "GET", f"https://{stage.domain_name}/prod", {}, b"", "AKID", "secret", clock=gateway.clock
    )
    seen = []
    api.route("$default", lambda e, c: seen.append(e["requestContext"]["identity"]))
    stage = api.deploy("prod")
    ws = stage.connect(headers=headers)
    assert ws.status_code == 101
    ws.send(text="x")
    assert seen[0]["accessKey"] == "AKID"


def test_authorizer_only_on_connect():
    api = Gateway().websocket_api("chat")
    with pytest.raises(UsageError, match="authorizers run on \\$connect only"):
        api.route("sendMessage", ok, authorizer="auth")
    with pytest.raises(UsageError, match="REQUEST Lambda authorizers only"):
        api.authorizer("token", LambdaAuthorizer(ok, type="TOKEN"))


def test_api_keys_on_routes(gateway):
    api = gateway.websocket_api("chat")
    api.usage_plan("basic", api_keys=["key-1"], quota=(1, "DAY"))
    api.route("$connect", ok, api_key_required=True)
    api.route("paid", echo, api_key_required=True, route_response_selection_expression="$default")
    stage = api.deploy("prod")
    assert stage.connect().status_code == 403
    assert stage.connect(headers={"x-api-key": "wrong"}).status_code == 403
    ws = stage.connect(headers={"x-api-key": "key-1"})  # the quota's one request
    assert ws.status_code == 101
    ws.send(json={"action": "paid"})
    assert json.loads(ws.receive())["message"] == "Limit Exceeded"


# section: throttling, logs and metrics


def test_stage_throttle_refuses_messages_with_too_many_requests_frame(gateway):
    api = gateway.websocket_api("chat")
    api.route("$default", ok)
    stage = api.deploy("prod", throttle=(1, 2))
    ws = stage.connect()  # takes one token
    ws.send(text="a")
    ws.send(text="b")
    assert json.loads(ws.receive())["message"] == "Too Many Requests"
    assert stage.logs[-1]["status"] == 429
    gateway.clock.advance(1)
    ws.send(text="c")
    assert ws.receive() is None
    assert stage.connect().status_code == 429


def test_route_throttle(gateway):
    api = gateway.websocket_api("chat")
    api.route("$default", ok, throttle=(1, 1))
    ws = api.deploy("prod").connect()
    ws.send(text="a")
    ws.send(text="b")
    assert len(ws.messages) == 1


def test_metrics_use_websocket_names(gateway):
    api = gateway.websocket_api("chat")
    api.route("$default", echo, route_response_selection_expression="$default")
    stage = api.deploy("prod")
    ws = stage.connect()
    ws.send(text="a")
    stage.post_to_connection(ws.connection_id, "b")
    assert stage.metrics == {
        "ConnectCount": 1,
        "MessageCount": 3,  # in: "a"; out: the route response and the post
        "IntegrationError": 0,
        "ClientError": 0,
        "ExecutionError": 0,
        "IntegrationLatency": 0,
    }
    assert [row["eventType"] for row in stage.logs] == ["CONNECT", "MESSAGE"]


# section: bad arguments


def test_bad_arguments_are_usage_errors():
    gateway = Gateway()
    with pytest.raises(UsageError, match="only \\$request.body.NAME variables"):
        gateway.websocket_api("a", route_selection_expression="$request.header.x")
    with pytest.raises(UsageError, match="reads nothing from the message"):
        gateway.websocket_api("b", route_selection_expression="action")
    api = gateway.websocket_api("chat")
    with pytest.raises(UsageError, match="only route keys starting with"):
        api.route("$other", ok)
    with pytest.raises(UsageError, match="can only be '\\$default'"):
        api.route("x", ok, route_response_selection_expression="$request.body.x")
    with pytest.raises(UsageError, match="exactly one integration"):
        api.route("x")
    api.route("$connect", ok, authorizer="missing")
    with pytest.raises(UsageError, match="authorizer 'missing', which is not defined"):
        api.deploy("prod")
    stage = Gateway().websocket_api("c").deploy("prod")
    with pytest.raises(UsageError, match="has no HTTP client; open a connection with stage.connect"):
        stage.client()
    ws = stage.connect()
    with pytest.raises(UsageError, match="exactly one of json= or text="):
        ws.send()
    with pytest.raises(UsageError, match="takes a str"):
        ws.send(text=b"x")


def test_stage_for_endpoint_finds_the_stage_a_callback_url_names(gateway):
    from pytest_serverless.gateway.websocket.connections import stage_for_endpoint

    stage = gateway.websocket_api("chat").deploy("prod")
    gateway.rest_api("orders")
    assert stage_for_endpoint(gateway, stage.callback_url) is stage
    assert stage_for_endpoint(gateway, stage.callback_url + "/") is stage
    assert stage_for_endpoint(gateway, f"https://{stage.domain_name}/other") is None
    assert stage_for_endpoint(gateway, "https://nope.execute-api.us-east-1.amazonaws.com/prod") is None


def test_an_api_without_message_routes_refuses_every_message(gateway):
    api = gateway.websocket_api("chat")
    api.route("$connect", ok)
    stage = api.deploy("prod")
    ws = stage.connect()
    ws.send(json={"action": "x"})
    assert json.loads(ws.receive())["message"] == "Forbidden"
    assert stage.logs[-1]["reason"] == "the API has no route for messages (no $default and no custom route)"


def test_auto_deploy_stage_follows_new_routes(gateway):
    api = gateway.websocket_api("chat")
    stage = api.deploy("prod", auto_deploy=True)
    fixed = api.deploy("fixed")
    ws, other = stage.connect(), fixed.connect()
    api.route("echo", echo, route_response_selection_expression="$default")
    ws.send(json={"action": "echo"})
    other.send(json={"action": "echo"})
    assert ws.messages == ['{"action": "echo"}']
    assert json.loads(other.receive())["message"] == "Forbidden"
