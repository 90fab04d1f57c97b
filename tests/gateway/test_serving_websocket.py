"""WebSocket upgrades on `serve_http`'s port: the adapter, with a stand-in stage that has API.md section 8's
names (`connect`, `ws.send`, `ws.receive`, `ws.close`), then real WebSocket APIs served by
`stage.serve_http()` and reached by a real WebSocket client.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests

from pytest_serverless import Gateway
from pytest_serverless.gateway import serving
from pytest_serverless.gateway.serving_websocket import websocket_upgrade

sync_client = pytest.importorskip("websockets.sync.client")
websocket_errors = pytest.importorskip("websockets.exceptions")


class Connection:
    def __init__(self, stage, headers, params):
        self.stage = stage
        self.headers_seen = headers
        self.params = params
        self.status_code = 101 if params.get("token") == "good" else 403
        self.headers = {"X-Chat-Room": "lobby"} if self.status_code == 101 else {}
        self.inbox = []
        self.closed = False

    def send(self, json=None, text=None, frame_size=None):  # noqa: A002 (API.md's keyword)
        self.stage.events.append(("MESSAGE", text))
        self.inbox.append(f"echo: {text}")

    def receive(self):
        return self.inbox.pop(0) if self.inbox else None

    def close(self):
        self.closed = True
        self.stage.events.append(("DISCONNECT", None))


class ChatStage:
    """A WebSocket stage stand-in; plain HTTP requests go to a REST stage's pipeline."""

    def __init__(self):
        api = Gateway().rest_api("chat")
        api.route("GET /health", mock={"statusCode": 200, "body": "ok"})
        self.http = api.deploy("prod")
        self.name = "prod"
        self.domain_name = "chat123.execute-api.us-east-1.amazonaws.com"
        self.events = []
        self.connections = []

    def handle(self, request):
        return self.http.handle(request)

    def connect(self, headers=None, params=None):
        connection = Connection(self, headers, params)
        self.events.append(("CONNECT", connection.status_code))
        if connection.status_code == 101:
            self.connections.append(connection)
        return connection


def serve(stage):
    return serving.serve_http(stage, upgrade=websocket_upgrade(stage))


def test_a_websocket_client_talks_to_the_stage_over_the_served_port():
    stage = ChatStage()
    with serve(stage) as base_url:
        ws_url = base_url.replace("http://", "ws://") + "/?token=good"
        with sync_client.connect(ws_url, additional_headers={"X-Team": "blue"}) as ws:
            ws.send("hello")
            assert ws.recv(timeout=5) == "echo: hello"
            with serving.STAGE_LOCK:  # the stage pushes (post_to_connection)
                stage.connections[0].inbox.append(json.dumps({"from": "server"}))
            assert json.loads(ws.recv(timeout=5)) == {"from": "server"}
            assert ws.response.headers["X-Chat-Room"] == "lobby"
        deadline = time.monotonic() + 5
        while ("DISCONNECT", None) not in stage.events and time.monotonic() < deadline:
            time.sleep(0.01)
        assert requests.get(f"{base_url}/health", timeout=5).text == "ok"  # plain HTTP on the same port
    assert stage.events == [("CONNECT", 101), ("MESSAGE", "hello"), ("DISCONNECT", None)]
    connection = stage.connections[0]
    assert connection.params == {"token": "good"}
    assert connection.headers_seen["Host"] == stage.domain_name
    assert connection.headers_seen["X-Team"] == "blue"


def test_a_refused_connect_answers_its_status():
    stage = ChatStage()
    with serve(stage) as base_url, pytest.raises(websocket_errors.InvalidStatus) as refused:
        sync_client.connect(base_url.replace("http://", "ws://") + "/?token=bad")
    assert refused.value.response.status_code == 403
    assert stage.events == [("CONNECT", 403)]


def test_the_block_end_closes_open_websockets_and_runs_disconnect():
    stage = ChatStage()
    served = serve(stage)
    base_url = served.__enter__()
    with sync_client.connect(base_url.replace("http://", "ws://") + "/?token=good") as ws:
        ws.send("one")
        assert ws.recv(timeout=5) == "echo: one"
        served.__exit__(None, None, None)  # the block ends while the client is connected
        assert stage.events[-1] == ("DISCONNECT", None)
        assert [t for t in threading.enumerate() if "serve_http" in t.name] == []
        with pytest.raises(websocket_errors.ConnectionClosed):
            ws.recv(timeout=5)


def test_the_stage_closing_the_connection_closes_the_socket():
    stage = ChatStage()
    with (
        serve(stage) as base_url,
        sync_client.connect(base_url.replace("http://", "ws://") + "/?token=good") as ws,
    ):
        with serving.STAGE_LOCK:
            stage.connections[0].closed = True  # e.g. the idle timeout on the clock
        with pytest.raises(websocket_errors.ConnectionClosedOK):
            ws.recv(timeout=5)


def test_an_upgrade_without_a_websocket_key_is_a_bad_request():
    stage = ChatStage()
    with serve(stage) as base_url:
        answer = requests.get(
            f"{base_url}/", headers={"Upgrade": "websocket", "Connection": "Upgrade"}, timeout=5
        )
    assert answer.status_code == 400
    assert stage.events == []


def test_a_stage_that_only_speaks_websocket_answers_plain_requests_426():
    class WebSocketOnly:
        name = "prod"
        domain_name = "chat123.execute-api.us-east-1.amazonaws.com"
        connect = ChatStage.connect
        events: list = []
        connections: list = []

    stage = WebSocketOnly()
    with serve(stage) as base_url:
        plain = requests.get(f"{base_url}/", timeout=5)
        with sync_client.connect(base_url.replace("http://", "ws://") + "/?token=good") as ws:
            ws.send("still talks")
            assert ws.recv(timeout=5) == "echo: still talks"
    assert plain.status_code == 426
    assert plain.headers["Connection"] == "close"


# --- a real WebSocket API (API.md 8) on the served port ---------------------------------------------------


def chat_stage():
    from pytest_serverless import LambdaAuthorizer

    def authorize(event, context):
        if (event.get("queryStringParameters") or {}).get("token") != "secret":
            raise Exception("Unauthorized")
        return {
            "principalId": "ada",
            "context": {"user": "ada"},
            "policyDocument": {
                "Statement": [
                    {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}
                ]
            },
        }

    def broadcast(event, context):
        text = json.loads(event["body"])["text"]
        for connection_id in stage.connection_ids:
            stage.post_to_connection(connection_id, json.dumps({"from": "ada", "text": text}))
        return {"statusCode": 200}

    def whoami(event, context):
        return {"statusCode": 200, "body": event["requestContext"]["domainName"]}

    gateway = Gateway()
    api = gateway.websocket_api("chat", route_selection_expression="$request.body.action")
    api.authorizer(
        "auth", LambdaAuthorizer(authorize, type="REQUEST", identity_source="route.request.querystring.token")
    )
    api.route("$connect", lambda event, context: {"statusCode": 200}, authorizer="auth")
    api.route("sendMessage", broadcast)
    api.route("whoami", whoami, route_response_selection_expression="$default")
    stage = api.deploy("prod")
    return stage


def test_websocket_clients_chat_through_a_served_websocket_stage():
    stage = chat_stage()
    with stage.serve_http() as ws_url:
        assert ws_url.startswith("ws://127.0.0.1:")
        with (
            sync_client.connect(f"{ws_url}/?token=secret") as ada,
            sync_client.connect(f"{ws_url}/?token=secret") as bob,
        ):
            ada.send(json.dumps({"action": "whoami"}))
            assert ada.recv(timeout=5) == stage.domain_name  # events keep AWS's domainName
            ada.send(json.dumps({"action": "sendMessage", "text": "hi all"}))
            assert json.loads(ada.recv(timeout=5)) == {"from": "ada", "text": "hi all"}
            assert json.loads(bob.recv(timeout=5)) == {"from": "ada", "text": "hi all"}
            ada.send("not JSON")  # no $default route: AWS's error frame, and the connection stays
            assert json.loads(ada.recv(timeout=5))["message"] == "Forbidden"
            assert len(stage.connection_ids) == 2
        with pytest.raises(websocket_errors.InvalidStatus) as refused:
            sync_client.connect(f"{ws_url}/?token=wrong")
        deadline = time.monotonic() + 5
        while stage.connection_ids and time.monotonic() < deadline:
            time.sleep(0.01)
    assert refused.value.response.status_code == 401
    assert stage.connection_ids == []
    events = [row["eventType"] for row in stage.logs]
    assert events.count("CONNECT") == 3
    assert events.count("DISCONNECT") == 2


def test_a_frame_over_32_kb_closes_the_served_connection_with_1009():
    stage = chat_stage()
    with (
        stage.serve_http() as ws_url,
        sync_client.connect(f"{ws_url}/?token=secret", max_size=None) as ws,
    ):
        ws.send(json.dumps({"action": "sendMessage", "text": "x" * 40_000}))
        with pytest.raises(websocket_errors.ConnectionClosedError) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd.code == 1009
    assert stage.connection_ids == []
