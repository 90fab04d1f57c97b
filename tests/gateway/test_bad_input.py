"""Generated requests never make the gateway itself fail: no exception, no 5XX of ours, always AWS's shape."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless import Gateway
from pytest_serverless.gateway import GatewayRequest, Headers
from pytest_serverless.gateway.authorizers.base import AuthDecision


class HeaderToken:
    """Allows requests whose Authorization header is 'allow'; refuses the rest."""

    def authorize(self, call):
        if call.request.headers.get("Authorization") == "allow":
            return AuthDecision(principal_id="u", context={"k": "v"})
        return AuthDecision(response_type="UNAUTHORIZED")


def handler(event, context):
    json.dumps(event)  # the event must always be JSON-serialisable, as Lambda requires
    return {"statusCode": 200, "body": json.dumps({"path": event.get("path") or event.get("rawPath")})}


def build():
    gateway = Gateway()
    stages = []
    for kind in ("REST", "HTTP"):
        api = (
            gateway.rest_api(f"r{kind}", binary_media_types=["*/*"])
            if kind == "REST"
            else gateway.http_api("h")
        )
        api.authorizer("token", HeaderToken())
        api.route("GET /items/{id}", handler)
        api.route("POST /items", handler)
        api.route("ANY /files/{proxy+}", handler)
        api.route("GET /secure", handler, authorizer="token")
        api.route("GET /health", mock={"statusCode": 200, "body": "ok"})
        if kind == "REST":
            api.route("PUT /items/{id}", handler, request_schema={"type": "object", "required": ["a"]})
            api.route("GET /keyed", handler, api_key_required=True)
            api.usage_plan("p", api_keys=["k"])
            stages.append(api.deploy("prod", cache_ttl=60, throttle=(1000, 1000)))
        else:
            api.route("$default", handler)
            stages.append(api.deploy("$default"))
    return stages


STAGES = build()

methods = st.sampled_from(
    ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "get", "FETCH", "", "G E T"]
)
segments = st.one_of(
    st.sampled_from(
        ["items", "files", "secure", "health", "keyed", "%2F", "%zz", "%", "..", ".", "{id}", "a+b"]
    ),
    st.text(max_size=8),
)
paths = st.builds(
    lambda parts, lead, trail: lead + "/".join(parts) + trail,
    st.lists(segments, max_size=5),
    st.sampled_from(["/", "//", "", "/./"]),
    st.sampled_from(["", "/", "//", "?", "#x"]),
)
header_names = st.one_of(
    st.sampled_from(
        [
            "Authorization",
            "x-api-key",
            "Content-Type",
            "Cookie",
            "Cache-Control",
            "Origin",
            "Accept",
            "Host",
            "X-Forwarded-For",
            "Content-Length",
            "Connection",
        ]
    ),
    st.text(max_size=12),
)
header_values = st.one_of(
    st.sampled_from(["allow", "k", "application/json", "max-age=0", "a=1; b", ""]), st.text(max_size=20)
)
headers = st.lists(st.tuples(header_names, header_values), max_size=6)
bodies = st.one_of(st.binary(max_size=64), st.text(max_size=64).map(str.encode), st.just(b'{"a": 1}'))
queries = st.one_of(
    st.text(max_size=30), st.sampled_from(["a=1&a=2", "x=%zz", "=&&=", "k", "a=%F0%9F%98%80+b"])
)


def check(response):
    assert 100 <= response.status_code <= 599
    assert response.status_code < 500, (response.status_code, response.text, response.error)
    head = response.request is not None and response.request.method == "HEAD"
    if response.answered_by not in ("integration", "cache", "cors") and not head:
        assert isinstance(json.loads(response.content), dict)
    assert response.request_id


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(method=methods, path=paths, headers=headers, body=bodies, query=queries, which=st.integers(0, 1))
def test_generated_client_requests_never_break_the_gateway(method, path, headers, body, query, which):
    stage = STAGES[which]
    response = stage.client().request(
        method, f"{path}?{query}" if query else path, headers=headers, data=body
    )
    check(response)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=methods,
    path=st.text(max_size=30),
    headers=headers,
    body=bodies,
    query=queries,
    which=st.integers(0, 1),
)
def test_generated_raw_requests_never_break_the_gateway(method, path, headers, body, query, which):
    from pytest_serverless.gateway.request import parse_query

    stage = STAGES[which]
    request = GatewayRequest(
        method=method,
        path=path,
        headers=Headers(headers),
        query=parse_query(query),
        body=body,
        raw_query_string=query,
    )
    check(stage.handle(request))


def test_known_hostile_requests():
    rest, http = STAGES
    for stage in (rest, http):
        client = stage.client()
        for path in (
            "/items/%00",
            "/files/../../etc/passwd",
            "/items/" + "a" * 5000,
            "/%E0%A4%A",
            "/items/\u00e9",
        ):
            check(client.get(path))
        check(client.get("/secure", headers={"Authorization": "x" * 10000}))
        check(client.post("/items", data=b"\xff\xfe\x00", headers={"Content-Type": "application/json"}))
        check(client.request("GET", "/items/1", headers=[("Content-Type", "a"), ("content-type", "b")]))
        check(stage.handle(GatewayRequest(method="GET", path="no-slash")))
        check(stage.handle(GatewayRequest(method="GET", path="/x\r\ny")))
