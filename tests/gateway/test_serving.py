"""`stage.serve_http()`: a real HTTP/1.1 server answering as `stage.client()` does, for every real client."""

from __future__ import annotations

import base64
import http.client
import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless import Gateway, StateMachine, UnmockedTask, UsageError
from pytest_serverless.gateway import serving

PNG = b"\x89PNG\r\n\x1a\n\x00\x01\xfe\xff"


def echo(event, context):
    """The event as the function saw it, without what differs between a socket and the in-process client."""
    seen = {key: event.get(key) for key in ("httpMethod", "path", "body", "isBase64Encoded", "headers")}
    seen["multiValueQueryStringParameters"] = event.get("multiValueQueryStringParameters")
    context_part = event["requestContext"]
    seen["domainName"] = context_part["domainName"]
    seen["requestPath"] = context_part.get("path") or event.get("rawPath")
    for name in ("X-Forwarded-For", "User-Agent", "Accept", "Accept-Encoding", "Connection"):
        (seen["headers"] or {}).pop(name, None)
    return {
        "statusCode": 201,
        "headers": {"Content-Type": "application/json", "X-Served": "yes"},
        "multiValueHeaders": {"Set-Cookie": ["a=1; Path=/", "b=2; Path=/"]},
        "body": json.dumps(seen, sort_keys=True),
    }


def picture(event, context):
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "image/png"},
        "body": base64.b64encode(PNG).decode(),
        "isBase64Encoded": True,
    }


def make_stage(stage="prod", kind="REST"):
    gateway = Gateway()
    if kind == "REST":
        api = gateway.rest_api("shop", binary_media_types=["image/png"])
    else:
        api = gateway.http_api("shop")
    api.route("GET /picture", picture)
    api.route("ANY /{proxy+}", echo)
    return api.deploy(stage)


def raw(base_url, data, *, read=True):
    """Send bytes as they are and return what the server answered (until it closes or a short wait)."""
    port = int(base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        if not read:
            return b""
        chunks = []
        sock.settimeout(2)
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


def serving_threads():
    return [t for t in threading.enumerate() if t is not threading.main_thread() and "serve_http" in t.name]


# --- the answer is the client's -----------------------------------------------------------------------------


def send_like_the_client(base_url, method, path, body=None, headers=()):
    """An `http.client` request with the headers `stage.client()` sends, on a fresh connection."""
    port = int(base_url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    connection.putheader("Host", "ignored.example.com")
    connection.putheader("User-Agent", "pytest-serverless-client")
    connection.putheader("Accept-Encoding", "gzip, deflate")
    connection.putheader("Accept", "*/*")
    for name, value in headers:
        connection.putheader(name, value)
    if body is not None:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response.status, response.getheaders(), content


def test_served_answer_is_the_clients_status_headers_and_body():
    with make_stage().serve_http() as base_url:
        served = send_like_the_client(base_url, "POST", "/orders/7?tag=a&tag=b", b'{"n": 1}')
    expected = make_stage().client().post("/orders/7?tag=a&tag=b", data=b'{"n": 1}')
    status, headers, content = served
    assert status == expected.status_code == 201
    assert headers == expected.headers.items_all()  # same names, values, order; Set-Cookie twice
    assert content == expected.content
    event = json.loads(content)
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"]}
    assert event["body"] == '{"n": 1}'


def test_binary_answer_is_the_same_bytes():
    with make_stage().serve_http() as base_url:
        request = urllib.request.Request(f"{base_url}/picture", headers={"Accept": "image/png"})
        with urllib.request.urlopen(request) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "image/png"
            assert response.read() == PNG


@settings(max_examples=20, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
    path=st.lists(st.text("abcXYZ019-_.~é ", min_size=1, max_size=6), min_size=1, max_size=3),
    query=st.lists(
        st.tuples(st.text("abz", min_size=1, max_size=3), st.text("xy+ z", max_size=4)), max_size=3
    ),
    body=st.binary(max_size=40),
    header=st.text("abcdefghijklmnopqrstuvwxyz0123456789 -_.", max_size=20),
)
def test_served_and_client_answers_agree(method, path, query, body, header):
    target = "/" + "/".join(urllib.request.quote(part) for part in path)
    if query:
        target += "?" + "&".join(f"{urllib.request.quote(k)}={urllib.request.quote(v)}" for k, v in query)
    extra = [("X-Extra", header.strip())]
    with make_stage().serve_http() as base_url:
        served = send_like_the_client(base_url, method, target, body or None, extra)
    expected = make_stage().client().request(method, target, data=body or None, headers=extra)
    assert served == (expected.status_code, expected.headers.items_all(), expected.content)


def test_events_keep_the_stages_domain_and_path():
    stage = make_stage()
    with stage.serve_http() as base_url, urllib.request.urlopen(f"{base_url}/a/b") as response:
        event = json.loads(response.read())
    assert event["domainName"] == stage.domain_name != "127.0.0.1"
    assert event["headers"]["Host"] == stage.domain_name
    assert event["path"] == "/a/b"
    assert event["requestPath"] == "/prod/a/b"
    assert stage.logs[-1]["path"] == "/a/b"


def test_http_api_default_stage_is_served_at_the_root():
    stage = make_stage("$default", kind="HTTP")
    with stage.serve_http() as base_url:
        answer = requests.get(f"{base_url}/x", timeout=5)
    assert answer.status_code == 201
    assert answer.headers["X-Served"] == "yes"


def test_method_tokens_the_stage_does_not_know_are_answered_by_the_stage():
    with make_stage().serve_http() as base_url:
        served = send_like_the_client(base_url, "PURGE", "/x")
    expected = make_stage().client().request("PURGE", "/x")
    assert served == (expected.status_code, expected.headers.items_all(), expected.content)


def test_head_has_the_headers_and_no_body():
    with make_stage().serve_http() as base_url:
        answer = requests.head(f"{base_url}/x", timeout=5)
    expected = make_stage().client().head("/x")
    assert answer.status_code == expected.status_code
    assert answer.headers["Content-Length"] == expected.headers["Content-Length"]
    assert answer.content == b""


# --- connections --------------------------------------------------------------------------------------------


def test_keep_alive_serves_many_requests_on_one_connection():
    with make_stage().serve_http() as base_url:
        connection = http.client.HTTPConnection("127.0.0.1", int(base_url.rsplit(":", 1)[1]), timeout=5)
        sockets = set()
        for number in range(5):
            connection.request("POST", f"/n/{number}", body=f"#{number}")
            response = connection.getresponse()
            assert json.loads(response.read())["body"] == f"#{number}"
            assert response.getheader("Connection") is None
            sockets.add(id(connection.sock))
        connection.close()
    assert len(sockets) == 1


def test_concurrent_clients_are_answered_one_request_at_a_time():
    inside = []
    overlaps = []
    gateway = Gateway()
    api = gateway.http_api("busy")

    def handler(event, context):
        if inside:
            overlaps.append(event["rawPath"])
        inside.append(1)
        time.sleep(0.001)  # a real wait in a real handler: another thread would get in if it could
        gateway.clock.advance(0.5)
        inside.pop()
        return {"n": event["pathParameters"]["n"]}

    api.route("GET /n/{n}", handler)
    stage = api.deploy("$default")
    failures = []

    def client(number):
        with requests.Session() as session:
            for index in range(5):
                answer = session.get(f"{base_url}/n/{number}-{index}", timeout=10)
                if answer.json() != {"n": f"{number}-{index}"}:
                    failures.append(answer.text)

    with stage.serve_http() as base_url:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    assert overlaps == []
    assert len(stage.logs) == 30
    assert gateway.clock.time() - 1704067200 == pytest.approx(15.0)


def test_block_exit_closes_kept_alive_connections_and_leaves_no_thread():
    stage = make_stage()
    with stage.serve_http() as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        idle = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        idle.request("GET", "/x")
        idle.getresponse().read()  # the connection stays open, its thread waits for the next request
        started = time.perf_counter()
    assert time.perf_counter() - started < 2
    assert serving_threads() == []
    assert threading.active_count() == 1
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    idle.close()


def test_a_given_port_is_used():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with make_stage().serve_http(port=port) as base_url:
        assert base_url == f"http://127.0.0.1:{port}"
        assert requests.get(f"{base_url}/x", timeout=5).status_code == 201


def test_a_taken_port_is_a_usage_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match=rf"cannot listen on 127\.0\.0\.1:{port}: .*leave port=None"):
            make_stage().serve_http(port=port).__enter__()


@pytest.mark.parametrize("port", ["8080", -1, 70000, True])
def test_a_bad_port_is_a_usage_error(port):
    with (
        pytest.raises(UsageError, match=r"stage.serve_http\(port=\.\.\.\): a port number 0-65535 or None"),
        make_stage().serve_http(port=port),
    ):
        pass


def test_what_the_stage_raises_is_a_500_then_raised_when_the_block_ends():
    gateway = Gateway()
    api = gateway.rest_api("flows")
    flow = StateMachine(
        {"StartAt": "Pay", "States": {"Pay": {"Type": "Task", "Resource": "arn:pay", "End": True}}}
    )
    api.route("POST /pay", state_machine=flow, sync=True)
    stage = api.deploy("prod")
    answers = []
    served = stage.serve_http()
    base_url = served.__enter__()
    answers.append(requests.post(f"{base_url}/pay", json={}, timeout=5))
    with pytest.raises(UnmockedTask, match="Task state 'Pay'"):  # raised when the block ends
        served.__exit__(None, None, None)
    assert answers[0].status_code == 500
    message = answers[0].json()["message"]
    assert message.startswith("pytest-serverless: the stage raised UnmockedTask: Task state 'Pay'")
    assert message.endswith("(raised again in the test when the serve_http block ends)")
    assert serving_threads() == []


# --- request bodies -----------------------------------------------------------------------------------------


def test_chunked_request_body_arrives_whole():
    with make_stage().serve_http() as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("PUT", "/upload", body=iter([b"he", b"llo ", b"world"]), encode_chunked=True)
        event = json.loads(connection.getresponse().read())
        connection.close()
        # chunk extensions and a trailer, as curl or a proxy may send them
        answer = raw(
            base_url,
            b"POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            b"3;name=value\r\nabc\r\n2\r\nde\r\n0\r\nX-Checksum: 1\r\n\r\n",
        )
    assert event["body"] == "hello world"
    assert "Transfer-Encoding" not in event["headers"]
    assert answer.startswith(b"HTTP/1.1 201 Created\r\n")
    assert b'"body": "abcde"' in answer


# --- malformed HTTP: the server layer answers, the stage never sees it --------------------------------------


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GARBAGE\r\n\r\n", b"400"),
        (b"GET /x HTTP/9.9\r\nHost: x\r\n\r\n", b"400"),
        (b"GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", b"400"),
        (b"GET /x HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(150)) + b"\r\n", b"400"),
        (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n", b"400"),
        (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY0\r\n\r\n", b"400"),
        (b"POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", b"400"),
        (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", b"400"),
        (b"POST /x HTTP/1.1\r\nContent-Length: ten\r\n\r\n", b"400"),
        (b"POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", b"400"),
        (b"POST /x HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", b"413"),
    ],
    ids=[
        "request-line",
        "version",
        "header-too-long",
        "too-many-headers",
        "chunk-size",
        "chunk-end",
        "unknown-coding",
        "te-and-length",
        "length-not-a-number",
        "two-lengths",
        "too-large",
    ],
)
def test_malformed_http_is_refused_by_the_server_layer(request_bytes, status):
    stage = make_stage()
    with stage.serve_http() as base_url:
        answer = raw(base_url, request_bytes)
        assert answer.startswith(b"HTTP/1.1 " + status + b" "), answer[:200]
        assert b"Connection: close" in answer
        assert requests.get(f"{base_url}/still/serving", timeout=5).status_code == 201
    assert [row["path"] for row in stage.logs] == ["/still/serving"]


def test_oversize_headers_are_a_400_that_says_why():
    with make_stage().serve_http() as base_url:
        answer = raw(base_url, b"GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"Line too long (431)" in answer


def test_a_client_leaving_mid_request_leaves_the_server_serving_others():
    stage = make_stage()
    with stage.serve_http() as base_url:
        raw(base_url, b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten b", read=False)
        raw(base_url, b"POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", read=False)
        raw(base_url, b"GET /x HTTP/1.1\r\nHost: x\r\nX-Half: ", read=False)
        assert requests.get(f"{base_url}/next", timeout=5).status_code == 201
    assert [row["path"] for row in stage.logs] == ["/next"]
    assert serving_threads() == []


# --- real clients -------------------------------------------------------------------------------------------


def test_urllib_gets_repeated_headers_and_errors_as_the_client_does():
    with make_stage().serve_http() as base_url:
        with urllib.request.urlopen(f"{base_url}/orders/1") as response:
            assert response.headers.get_all("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base_url}/")
    assert refused.value.code == 403
    assert json.loads(refused.value.read()) == {"message": "Missing Authentication Token"}
    assert refused.value.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_requests_session_with_json():
    with make_stage().serve_http() as base_url, requests.Session() as session:
        first = session.post(f"{base_url}/orders", json={"sku": "BOOK-1"}, timeout=5)
        second = session.get(f"{base_url}/orders", params={"page": 2}, timeout=5)
    assert json.loads(first.json()["body"]) == {"sku": "BOOK-1"}
    assert second.json()["multiValueQueryStringParameters"] == {"page": ["2"]}
    assert first.cookies.get("b") == "2"


def test_httpx_sync_and_async_clients():
    httpx = pytest.importorskip("httpx")
    import asyncio

    async def fetch_async(base_url):
        async with httpx.AsyncClient(base_url=base_url) as client:
            return await client.post(
                "/async", content=b"\x00\x01binary", headers={"Content-Type": "image/png"}
            )

    with make_stage().serve_http() as base_url:
        with httpx.Client(base_url=base_url) as client:
            first = client.get("/sync", params={"q": "1"})
            picture_answer = client.get("/picture", headers={"Accept": "image/png"})
        second = asyncio.run(fetch_async(base_url))
    assert first.status_code == 201
    assert first.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert picture_answer.content == PNG
    assert second.json()["isBase64Encoded"] is True
    assert base64.b64decode(second.json()["body"]) == b"\x00\x01binary"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_with_headers_and_a_chunked_upload():
    with make_stage().serve_http() as base_url:
        listing = subprocess.run(
            ["curl", "-s", "-i", "-H", "X-Trace: 7", f"{base_url}/from/curl"],
            capture_output=True,
            check=True,
            timeout=30,
        ).stdout
        upload = subprocess.run(
            ["curl", "-s", "-H", "Transfer-Encoding: chunked", "--data-binary", "@-", f"{base_url}/up"],
            input=b"piped body",
            capture_output=True,
            check=True,
            timeout=30,
        ).stdout
    head, _, body = listing.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 201 Created")
    assert head.count(b"Set-Cookie:") == 2
    assert json.loads(body)["headers"]["X-Trace"] == "7"
    assert json.loads(upload)["body"] == "piped body"


# --- the WebSocket seam (issue 14 plugs its upgrade in here) ------------------------------------------------


def test_an_upgrade_request_is_answered_by_a_rest_stage_as_any_request():
    with make_stage().serve_http() as base_url:
        answer = requests.get(
            f"{base_url}/ws", headers={"Upgrade": "websocket", "Connection": "Upgrade"}, timeout=5
        )
    assert answer.status_code == 201
    assert "Upgrade" not in answer.json()["headers"]


def test_an_upgrade_handler_owns_the_connection():
    seen = []

    def upgrade(handler):
        seen.append(handler.headers["Sec-WebSocket-Key"])
        handler.wfile.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")

    stage = make_stage()
    with serving.serve_http(stage, upgrade=upgrade) as base_url:
        answer = raw(
            base_url, b"GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n"
        )
    assert answer.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    assert seen == ["k"]
    assert stage.logs == []


def test_a_served_handler_calling_a_served_stage_gets_503_and_the_block_says_why(monkeypatch):
    monkeypatch.setattr(serving, "LOCK_WAIT", 0.2)
    api = Gateway().http_api("loop")
    inner_status = []

    def call_myself(event, context):
        try:
            urllib.request.urlopen(f"{base_url}/inner", timeout=5)
        except urllib.error.HTTPError as refused:
            inner_status.append(refused.code)
        return {"ok": True}

    api.route("GET /outer", call_myself)
    stage = api.deploy("$default")
    served = stage.serve_http()
    base_url = served.__enter__()
    assert requests.get(f"{base_url}/outer", timeout=10).json() == {"ok": True}
    with pytest.raises(UsageError, match=r"the stage was busy for 0.2 s: .* stage.serve\(url\)"):
        served.__exit__(None, None, None)
    assert inner_status == [503]


def test_large_bodies_and_answers_without_a_body_are_the_clients():
    api = Gateway().rest_api("sizes")
    api.route("POST /size", lambda event, context: {"statusCode": 200, "body": str(len(event["body"] or ""))})
    api.route("DELETE /thing", lambda event, context: {"statusCode": 204, "body": ""})
    stage = api.deploy("prod")
    with stage.serve_http() as base_url, requests.Session() as session:
        big = session.post(f"{base_url}/size", data=b"x" * 2_000_000, timeout=30)
        too_big = session.post(f"{base_url}/size", data=b"x" * (10 * 1024 * 1024 + 1), timeout=30)
        gone = session.delete(f"{base_url}/thing", timeout=5)
        after = session.post(f"{base_url}/size", data=b"abc", timeout=5)  # the same connection goes on
    assert big.text == "2000000"
    assert too_big.status_code == 413
    assert too_big.json() == {"message": "Request Too Long"}
    assert (gone.status_code, gone.content, "Content-Length" in gone.headers) == (204, b"", False)
    assert after.text == "3"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_expect_100_continue_upload():
    with make_stage().serve_http() as base_url:
        answer = subprocess.run(
            ["curl", "-s", "-H", "Expect: 100-continue", "--data-binary", "@-", f"{base_url}/up"],
            input=b"y" * 3000,
            capture_output=True,
            check=True,
            timeout=30,
        ).stdout
    assert json.loads(answer)["body"] == "y" * 3000


def test_raw_bytes_in_the_path_are_percent_encoded_as_the_client_does():
    with make_stage().serve_http() as base_url:
        answer = raw(base_url, "GET /café/a%2Fb HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    event = json.loads(answer.partition(b"\r\n\r\n")[2])
    assert event["path"] == make_stage().client().get("/café/a%2Fb").json()["path"] == "/caf%C3%A9/a%2Fb"


def test_the_content_length_keeps_its_place_among_the_stages_headers():
    api = Gateway().rest_api("order")
    api.route(
        "GET /x",
        lambda event, context: {
            "statusCode": 200,
            "headers": {"Content-Length": "2", "X-After": "1"},
            "body": "ok",
        },
    )
    stage = api.deploy("prod")
    with stage.serve_http() as base_url:
        served = send_like_the_client(base_url, "GET", "/x")
    expected = api.deploy("prod2").client().get("/x")
    assert [name for name, _ in served[1]] == [name for name, _ in expected.headers.items_all()]
    assert served[2] == b"ok"
