"""`stage.wsgi_app()`: the stage as a PEP 3333 application, answering as `stage.client()` does."""

from __future__ import annotations

import io
import json
from urllib.parse import quote, unquote
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless import Gateway


def echo(event, context):
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "body": json.dumps(
            {
                "path": event["path"],
                "query": event["multiValueQueryStringParameters"],
                "headers": event["headers"],
                "body": event["body"],
                "domainName": event["requestContext"]["domainName"],
                "sourceIp": event["requestContext"]["identity"]["sourceIp"],
            }
        ),
    }


def make_stage():
    api = Gateway().rest_api("shop")
    api.route("ANY /{proxy+}", echo)
    return api.deploy("prod")


def call(app, method="GET", path="/", query="", body=b"", **extra):
    environ = {"REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query}
    environ["wsgi.input"] = io.BytesIO(body)
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    environ.update(extra)
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, headers
        return lambda data: None

    result = validator(app)(environ, start_response)  # PEP 3333 checks on both sides
    try:
        content = b"".join(result)
    finally:
        result.close()
    return answer["status"], answer["headers"], content


def test_wsgi_answer_is_the_clients():
    status, headers, content = call(
        make_stage().wsgi_app(),
        "POST",
        "/orders/1",
        "tag=a&tag=b",
        b'{"n": 1}',
        CONTENT_TYPE="application/json",
        HTTP_X_API_KEY="key-1",
    )
    expected = (
        make_stage()
        .client()
        .post(
            "/orders/1?tag=a&tag=b",
            data=b'{"n": 1}',
            headers={"Content-Type": "application/json", "X-Api-Key": "key-1"},
        )
    )
    assert status == "200 OK"

    def without_length(pairs):  # the client's own headers (User-Agent, Accept...) are in the echoed body
        return [(name, value) for name, value in pairs if name != "Content-Length"]

    assert without_length(headers) == without_length(expected.headers.items_all())
    assert [value for name, value in headers if name == "Set-Cookie"] == ["a=1", "b=2"]
    event = json.loads(content)
    assert event["query"] == {"tag": ["a", "b"]}
    assert event["headers"]["X-Api-Key"] == "key-1"
    assert event["body"] == '{"n": 1}'
    assert event["domainName"] == make_stage().domain_name


def test_wsgi_path_is_passed_on_percent_encoded():
    stage = make_stage()
    _, _, decoded = call(stage.wsgi_app(), path="/a b/é".encode().decode("latin-1"))
    _, _, raw = call(stage.wsgi_app(), path="/a/b", RAW_URI="/a%2Fb?x=1", QUERY_STRING="x=1")
    assert json.loads(decoded)["path"] == "/a%20b/%C3%A9"
    assert json.loads(raw)["path"] == "/a%2Fb"


def test_wsgi_app_mounted_under_a_script_name_serves_the_stage_from_its_root():
    _, _, content = call(make_stage().wsgi_app(), path="/x", SCRIPT_NAME="/api", RAW_URI="/api/x")
    assert json.loads(content)["path"] == "/x"


def test_wsgi_head_and_refusals():
    app = make_stage().wsgi_app()
    status, headers, content = call(app, "HEAD", "/x")
    assert status == "200 OK"
    assert content == b""
    status, headers, content = call(app, "GET", "/")
    assert status == "403 Forbidden"
    assert json.loads(content) == {"message": "Missing Authentication Token"}
    assert ("x-amzn-ErrorType", "MissingAuthenticationTokenException") in headers


def test_wsgi_chunked_input_is_read_to_its_end():
    _, _, content = call(
        make_stage().wsgi_app(),
        "PUT",
        "/x",
        **{"wsgi.input_terminated": True, "wsgi.input": io.BytesIO(b"abc")},
    )
    assert json.loads(content)["body"] == "abc"


def test_werkzeug_test_client():
    werkzeug_test = pytest.importorskip("werkzeug.test")
    client = werkzeug_test.Client(make_stage().wsgi_app())
    answer = client.get("/orders/7", query_string={"q": "1"}, headers={"Authorization": "t"})
    assert answer.status_code == 200
    assert answer.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    event = answer.get_json()
    assert event["headers"]["Authorization"] == "t"
    assert event["query"] == {"q": ["1"]}


def echo_without_client_headers(event, context):
    """The event, less what a WSGI server and the client set differently (User-Agent, Accept, source IP)."""
    headers = dict(event["headers"] or {})
    for name in ("User-Agent", "Accept", "Accept-Encoding", "X-Forwarded-For"):
        headers.pop(name, None)
    seen = {key: event[key] for key in ("httpMethod", "path", "body", "multiValueQueryStringParameters")}
    return {"statusCode": 200, "body": json.dumps({**seen, "headers": headers}, sort_keys=True)}


def plain_stage():
    api = Gateway().rest_api("shop")
    api.route("ANY /{proxy+}", echo_without_client_headers)
    return api.deploy("prod")


@settings(max_examples=30, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
    path=st.lists(st.text("abcXYZ019-_.~é %+", min_size=1, max_size=6), min_size=1, max_size=3),
    query=st.lists(
        st.tuples(st.text("abz", min_size=1, max_size=3), st.text("xy+ z", max_size=4)), max_size=3
    ),
    body=st.binary(max_size=40),
    header=st.text("abcdefghijklmnopqrstuvwxyz0123456789 -_.", max_size=20),
)
def test_wsgi_and_client_answers_agree(method, path, query, body, header):
    target = "/" + "/".join(quote(part, safe="") for part in path)
    raw_query = "&".join(f"{quote(k)}={quote(v)}" for k, v in query)
    extra = {"HTTP_X_EXTRA": header.strip()}
    if body:
        extra["CONTENT_TYPE"] = "application/octet-stream"
    status, headers, content = call(
        plain_stage().wsgi_app(),
        method,
        unquote(target).encode().decode("latin-1"),  # PATH_INFO is decoded, as WSGI servers give it
        raw_query,
        body,
        RAW_URI=f"{target}?{raw_query}" if raw_query else target,
        **extra,
    )
    sent = {"X-Extra": header.strip()}
    if body:
        sent["Content-Type"] = "application/octet-stream"
    expected = (
        plain_stage()
        .client()
        .request(method, f"{target}?{raw_query}" if raw_query else target, data=body or None, headers=sent)
    )
    assert int(status.split()[0]) == expected.status_code
    assert headers == expected.headers.items_all()
    assert content == expected.content
