"""The chat room: connect with a token, broadcast through @connections, two-way routes, disconnects."""

import json

import pytest


def join(stage, user):
    ws = stage.connect(params={"token": f"tok-{user}"})
    assert ws.status_code == 101
    return ws


def test_connect_without_a_token_is_refused(stage):
    assert stage.connect().status_code == 401
    assert stage.connect(params={"token": "stolen"}).status_code == 401
    assert stage.connection_ids == []


def test_a_message_is_broadcast_to_everyone(stage):
    ada, grace = join(stage, "ada"), join(stage, "grace")
    ada.send(json={"action": "sendMessage", "text": "hello"})
    assert ada.receive_json() == {"from": "ada", "text": "hello"}
    assert grace.receive_json() == {"from": "ada", "text": "hello"}
    assert grace.receive() is None


def test_whoami_answers_on_the_same_connection(stage):
    ada = join(stage, "ada")
    join(stage, "grace")
    ada.send(json={"action": "whoami"})
    assert ada.receive_json() == {"user": "ada", "online": ["ada", "grace"]}


def test_unknown_actions_and_plain_text_get_help_from_default(stage):
    ada = join(stage, "ada")
    ada.send(json={"action": "dance"})
    ada.send(text="hi there")
    assert [json.loads(m)["error"] for m in ada.messages] == ["unknown action", "unknown action"]


def test_disconnected_users_get_nothing_more(stage):
    ada, grace = join(stage, "ada"), join(stage, "grace")
    grace.close()
    ada.send(json={"action": "sendMessage", "text": "anyone?"})
    assert grace.messages == []
    assert ada.messages == ['{"from": "ada", "text": "anyone?"}']


def test_a_gone_connection_is_forgotten_when_broadcasting(stage, chat):
    ada = join(stage, "ada")
    chat.CONNECTIONS["stale-connection="] = "ghost"  # its $disconnect never arrived
    ada.send(json={"action": "sendMessage", "text": "hi"})
    assert "stale-connection=" not in chat.CONNECTIONS
    assert ada.receive_json() == {"from": "ada", "text": "hi"}


def test_idle_connections_close_after_ten_minutes(stage, serverless_clock, chat):
    ada, grace = join(stage, "ada"), join(stage, "grace")
    serverless_clock.advance(300)
    ada.send(json={"action": "whoami"})
    serverless_clock.advance(300)  # grace was idle for 10 minutes
    assert grace.close_code == 1001
    assert ada.open
    assert sorted(chat.CONNECTIONS.values()) == ["ada"]


def test_the_server_can_disconnect_a_user(stage):
    ada = join(stage, "ada")
    stage.delete_connection(ada.connection_id)
    assert ada.closed
    with pytest.raises(Exception, match="GoneException"):
        stage.post_to_connection(ada.connection_id, "too late")


def test_a_message_over_32_kb_in_one_frame_closes_the_connection(stage):
    ada = join(stage, "ada")
    ada.send(json={"action": "sendMessage", "text": "x" * 40_000})
    assert ada.close_code == 1009


def test_every_route_is_logged(stage):
    ada = join(stage, "ada")
    ada.send(json={"action": "whoami"})
    ada.close()
    assert [(row["eventType"], row["routeKey"], row["status"]) for row in stage.logs] == [
        ("CONNECT", "$connect", 101),
        ("MESSAGE", "whoami", 200),
        ("DISCONNECT", "$disconnect", 200),
    ]
    assert stage.metrics["ConnectCount"] == 1
