"""The stage client, and `stage.serve(base_url)` answering `requests` through `responses`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests
import responses

from pytest_serverless import Gateway, UsageError


def echo(event, context):
    return {"statusCode": 200, "body": json.dumps(event), "headers": {"Content-Type": "application/json"}}


def echo_stage(kind="REST", stage="prod"):
    gateway = Gateway()
    api = gateway.rest_api("echo") if kind == "REST" else gateway.http_api("echo")
    api.route("ANY /{proxy+}", echo)
    return api.deploy(stage)


# client


def test_client_params_list_values_repeat_the_key():
    event = echo_stage().client().get("/a", params={"tag": ["a", "b"], "n": 1, "skip": None}).json()
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "n": ["1"]}


def test_client_merges_query_in_path_and_params_and_drops_fragment():
    event = echo_stage().client().get("/a?x=1#frag", params={"y": "2"}).json()
    assert event["queryStringParameters"] == {"x": "1", "y": "2"}


def test_client_json_data_and_cookies():
    client = echo_stage().client()
    as_json = client.post("/a", json={"k": [1]}).json()
    assert as_json["body"] == '{"k": [1]}'
    assert as_json["headers"]["Content-Type"] == "application/json"
    form = client.put("/a", data={"a": "1 2"}).json()
    assert form["body"] == "a=1+2"
    assert form["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    raw = client.patch("/a", data=b"\x01\x02", headers={"Content-Type": "application/x-bin"}).json()
    assert raw["body"] == "\x01\x02"
    cookies = client.delete("/a", cookies={"a": "1", "b": "2"}).json()
    assert cookies["headers"]["Cookie"] == "a=1; b=2"


def test_client_percent_encodes_unsafe_path_characters():
    event = echo_stage().client().get("/a b/é").json()
    assert event["path"] == "/a%20b/%C3%A9"


def test_client_rejects_json_and_data_together():
    with pytest.raises(UsageError, match="client.request: pass json= or data=, not both"):
        echo_stage().client().post("/a", json={}, data="x")


def test_response_object():
    response = echo_stage().client().get("/a")
    assert response.ok
    assert response.headers["content-type"] == response.headers["Content-Type"] == "application/json"
    assert response.json()["httpMethod"] == "GET"
    assert response.text == response.content.decode()


def test_gateway_client_does_not_import_requests_or_responses():
    code = (
        "import sys\n"
        "from pytest_serverless import Gateway\n"
        "g = Gateway(); api = g.http_api('a'); api.route('GET /a', lambda e, c: {'ok': 1})\n"
        "assert api.deploy('$default').client().get('/a').json() == {'ok': 1}\n"
        "print(sorted(m for m in ('requests', 'responses', 'pytest') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# serve


def test_serve_answers_requests_calls_to_the_base_url():
    stage = echo_stage()
    with stage.serve("https://api.example.com/v1"):
        response = requests.post(
            "https://api.example.com/v1/orders/7?x=1", json={"a": 1}, headers={"X-Custom": "c"}, timeout=5
        )
    assert response.status_code == 200
    event = response.json()
    assert event["path"] == "/orders/7"
    assert event["queryStringParameters"] == {"x": "1"}
    assert event["body"] == '{"a": 1}'
    assert event["headers"]["X-Custom"] == "c"
    assert event["headers"]["Host"] == "api.example.com"
    assert response.headers["x-amzn-RequestId"] == stage.logs[-1]["requestId"]


def test_serve_passes_gateway_errors_through():
    gateway = Gateway()
    api = gateway.http_api("e")
    api.route("GET /a", lambda e, c: {"ok": 1})
    with api.deploy("$default").serve("https://api.example.com"):
        response = requests.get("https://api.example.com/missing", timeout=5)
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


def test_serve_leaves_other_urls_to_an_enclosing_responses_mock():
    stage = echo_stage()
    with responses.RequestsMock() as outer:
        outer.add(responses.GET, "https://other.example.com/x", body="outer")
        with stage.serve("https://api.example.com"):
            other = requests.get("https://other.example.com/x", timeout=5)
            ours = requests.get("https://api.example.com/y", timeout=5)
    assert other.text == "outer"
    assert ours.json()["path"] == "/y"


def test_serve_lets_http_integrations_reach_the_tests_backend_mock():
    gateway = Gateway()
    api = gateway.rest_api("p")
    api.route("GET /proxy", http="https://backend.example.com/data")
    stage = api.deploy("prod")
    with responses.RequestsMock() as backend:
        backend.add(responses.GET, "https://backend.example.com/data", json={"from": "backend"})
        with stage.serve("https://api.example.com"):
            response = requests.get("https://api.example.com/proxy", timeout=5)
    assert response.json() == {"from": "backend"}


def test_serve_checks_its_base_url():
    with pytest.raises(UsageError, match="base_url must be an http"), echo_stage().serve("api.example.com"):
        pass


def test_serve_keeps_set_cookie_headers_apart_and_head_has_no_body():
    gateway = Gateway()
    api = gateway.http_api("c")
    api.route("GET /c", lambda e, c: {"statusCode": 200, "cookies": ["a=1", "b=2"], "body": "ok"})
    with api.deploy("$default").serve("https://api.example.com"):
        response = requests.get("https://api.example.com/c", timeout=5)
        head = requests.head("https://api.example.com/missing", timeout=5)
    assert response.cookies.get_dict() == {"a": "1", "b": "2"}
    assert (head.status_code, head.content) == (404, b"")


# serve: httpx


def test_serve_answers_httpx_sync_and_async_clients():
    httpx = pytest.importorskip("httpx")
    import asyncio

    stage = echo_stage()

    async def fetch():
        async with httpx.AsyncClient() as client:
            return await client.post("https://api.example.com/v1/async", json={"a": 1})

    with stage.serve("https://api.example.com/v1"):
        sync_answer = httpx.get(
            "https://api.example.com/v1/orders/7", params={"tag": ["a", "b"]}, headers={"X-Custom": "c"}
        )
        async_answer = asyncio.run(fetch())
    event = sync_answer.json()
    assert sync_answer.status_code == 200
    assert event["path"] == "/orders/7"
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"]}
    assert event["headers"]["X-Custom"] == "c"
    assert event["requestContext"]["domainName"] == "api.example.com"
    assert sync_answer.headers["x-amzn-RequestId"] == stage.logs[0]["requestId"]
    assert async_answer.json()["body"] == '{"a":1}'
    assert async_answer.json()["path"] == "/async"


def test_serve_httpx_answers_are_the_clients_and_other_urls_pass_through():
    httpx = pytest.importorskip("httpx")
    gateway = Gateway()
    api = gateway.http_api("c")
    api.route("GET /c", lambda e, c: {"statusCode": 200, "cookies": ["a=1", "b=2"], "body": "ok"})
    stage = api.deploy("$default")
    elsewhere = httpx.MockTransport(lambda request: httpx.Response(200, text="elsewhere"))
    with stage.serve("https://api.example.com"):
        answer = httpx.get("https://api.example.com/c")
        head = httpx.head("https://api.example.com/missing")
        with httpx.Client(mounts={"https://other.example.com": elsewhere}) as client:
            other = client.get("https://other.example.com/x")
        with pytest.raises(httpx.ConnectError):  # not ours: on to the network (none here)
            httpx.get("http://127.0.0.1:9/nothing-listens-here")
    assert answer.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert answer.text == "ok"
    assert (head.status_code, head.content) == (404, b"")
    assert other.text == "elsewhere"
    assert [row["status"] for row in stage.logs] == [200, 404]


def test_serve_stops_intercepting_httpx_when_the_block_ends():
    httpx = pytest.importorskip("httpx")
    original = httpx.HTTPTransport.handle_request
    with echo_stage().serve("https://api.example.com"):
        assert httpx.HTTPTransport.handle_request is not original
    assert httpx.HTTPTransport.handle_request is original


def test_serve_works_without_httpx_installed():
    code = (
        "import sys, builtins\n"
        "real_import = builtins.__import__\n"
        "def no_httpx(name, *args, **kwargs):\n"
        "    if name == 'httpx' or name.startswith('httpx.'):\n"
        "        raise ImportError('No module named httpx')\n"
        "    return real_import(name, *args, **kwargs)\n"
        "builtins.__import__ = no_httpx\n"
        "import requests\n"
        "from pytest_serverless import Gateway\n"
        "g = Gateway(); api = g.http_api('a'); api.route('GET /a', lambda e, c: {'ok': 1})\n"
        "with api.deploy('$default').serve('https://api.example.com'):\n"
        "    print(requests.get('https://api.example.com/a', timeout=5).json())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "{'ok': 1}"
