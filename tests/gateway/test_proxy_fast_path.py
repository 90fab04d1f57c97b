"""The fast reader of Lambda proxy answers (``lambda_proxy._direct_v1``) agrees with the general one.

``_direct_v1`` reads the usual payload 1.0 answer in one pass and declines (``None``) anything else; the
general reader (``_marshal`` then ``parse_v1_output``) follows AWS. Whatever a function returns, a request
through the fast path must get the answer the general reader gives: same status, headers and body, same
gateway failure.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless import Gateway
from pytest_serverless.gateway.integrations import lambda_proxy
from pytest_serverless.gateway.request import Response

_ABSENT = object()

_NAMES = st.sampled_from(
    [
        "Content-Type",
        "content-type",
        "CONTENT-TYPE",
        "Content-Length",
        "Set-Cookie",
        "set-cookie",
        "X-A",
        "x-a",
    ]
) | st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=8)
_TEXT = st.text(max_size=12)
_SCALARS = st.one_of(
    _TEXT,
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
_VALUES = _SCALARS | st.lists(_SCALARS, max_size=2) | st.dictionaries(_TEXT, _SCALARS, max_size=2)

_STATUS = st.one_of(
    st.integers(0, 1000),
    st.sampled_from([200, 201, 204, 302, 404, 500, 599, 100]),
    st.booleans(),
    st.sampled_from(["200", " 404 ", "2O0", "", "999", "-1"]),
    st.floats(allow_nan=False),
    st.none(),
    st.lists(st.integers(), max_size=1),
)
_HEADERS = st.one_of(
    st.dictionaries(_NAMES, _TEXT, max_size=4),  # the usual answer
    st.dictionaries(_NAMES, _VALUES, max_size=4),
    st.dictionaries(st.integers(0, 9), _TEXT, max_size=2),  # names JSON turns into strings
    st.none(),
    st.lists(_TEXT, max_size=2),
    _TEXT,
)
_MULTI = st.one_of(
    st.dictionaries(_NAMES, st.lists(_TEXT | st.integers() | st.booleans(), max_size=3), max_size=3),
    st.dictionaries(_NAMES, _VALUES, max_size=2),
    st.none(),
    _TEXT,
)
_BODY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["aGVsbG8=", "not base64!", "", "{}", "\u00e9t\u00e9", "lone \ud800"]),
    st.none(),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.dictionaries(_TEXT, _SCALARS, max_size=2),
    st.lists(_SCALARS, max_size=2),
    st.binary(max_size=4),
)
_ENCODED = st.sampled_from([True, False, 0, 1, "true", None])


_USUAL = {
    "statusCode": st.sampled_from([200, 201, 204, 302, 404, 500, 599, 100]) | st.integers(100, 599),
    "headers": st.dictionaries(
        st.sampled_from(["Content-Type", "X-A", "x-b", "Set-Cookie"]), _TEXT, max_size=3
    ),
    "body": st.text(max_size=40) | st.sampled_from(["lone \ud800", "\u00e9t\u00e9", "{}"]),
    "isBase64Encoded": st.just(False),
}
_WILD = {
    "statusCode": _STATUS,
    "headers": _HEADERS,
    "multiValueHeaders": _MULTI,
    "body": _BODY,
    "isBase64Encoded": _ENCODED,
}


@st.composite
def proxy_answers(draw: st.DrawFn) -> Any:
    """A Lambda proxy answer, valid or not: the usual kind (what the fast reader takes) with some keys left
    out, or drawn from anything, and now and then a key AWS does not know."""
    answer: dict[Any, Any] = {}
    wild = (
        draw(st.sets(st.sampled_from(sorted(_WILD)), min_size=1, max_size=2)) if draw(st.booleans()) else ()
    )
    for key in ("statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"):
        if key in wild:
            answer[key] = draw(_WILD[key])
        elif key in _USUAL and (key == "statusCode" or draw(st.integers(0, 3)) > 0):
            answer[key] = draw(_USUAL[key])
    if draw(st.integers(0, 9)) == 0:
        answer[draw(st.sampled_from(["cookies", "extra", "StatusCode", 7]))] = draw(_SCALARS)
    return answer


_RESULTS = proxy_answers() | st.one_of(st.none(), _TEXT, st.lists(_SCALARS, max_size=2), st.integers())


def _deploy(kind: str) -> Any:
    """A client of a route whose function returns ``answer[0]``; a fresh gateway each (same request ids)."""
    answer: list[Any] = [None]
    gateway = Gateway()
    if kind == "HTTP":
        api = gateway.http_api("fast")
    else:
        api = gateway.rest_api("fast", binary_media_types=["image/png"] if kind == "REST binary" else None)
    # payload format 1.0 on every kind (an HTTP API route asks for it)
    integration = lambda_proxy.LambdaProxyIntegration(lambda event, context: answer[0], payload_format="1.0")
    api.route("POST /x", integration=integration)
    return answer, api.deploy("$default" if kind == "HTTP" else "prod").client()


def _seen(response: Response) -> tuple[Any, ...]:
    error = response.error
    return (
        response.status_code,
        list(response.headers.items_all()),
        response.content,
        response.answered_by,
        None if error is None else (type(error), str(error)),
    )


def _both(kind: str, result: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """What a client sees with the fast reader, and with the general reader alone (two like gateways)."""
    fast_answer, fast = _deploy(kind)
    general_answer, general = _deploy(kind)
    fast_answer[0] = general_answer[0] = result
    headers = {"Accept": "image/png"}
    with_fast = _seen(fast.post("/x", headers=headers))
    with mock.patch.object(lambda_proxy, "_direct_v1", return_value=None):
        without = _seen(general.post("/x", headers=headers))
    return with_fast, without


@settings(max_examples=150, deadline=None)
@given(result=_RESULTS, kind=st.sampled_from(["REST", "REST binary", "HTTP"]))
def test_proxy_fast_path_answers_as_the_general_reader(result: Any, kind: str) -> None:
    with_fast, without = _both(kind, result)
    assert with_fast == without


@settings(max_examples=150, deadline=None)
@given(result=_RESULTS)
def test_proxy_fast_path_result_equals_the_general_readers(result: Any) -> None:
    """Where the fast reader answers, its result is the general reader's, field by field."""
    direct = _outcome(lambda_proxy._direct_v1, result)
    if direct is None:
        return
    captured: list[Any] = []
    api = Gateway().rest_api("fast")

    class Capture:
        def invoke(self, call: Any) -> Any:
            captured.append(call)
            return lambda_proxy.parse_v1_output(lambda_proxy._marshal(result), call)

    api.route("GET /x", integration=Capture())
    api.deploy("prod").client().get("/x")
    general = _outcome(
        lambda value: lambda_proxy.parse_v1_output(lambda_proxy._marshal(value), captured[0]), result
    )
    assert direct == general


def _outcome(reader: Any, result: Any) -> Any:
    """What ``reader`` makes of ``result``: its answer, or the exception it raised (type and message)."""
    try:
        return reader(result)
    except Exception as exc:
        return (type(exc), str(exc))


def test_proxy_fast_path_takes_the_usual_answers() -> None:
    """The fast reader is not a dead branch: it answers the usual shapes (and declines the others)."""
    usual = [
        {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "ok"},
        {"statusCode": 404, "body": "missing"},
        {"statusCode": 204},
        {"statusCode": 200, "headers": {}, "body": "", "isBase64Encoded": False},
    ]
    for answer in usual:
        assert lambda_proxy._direct_v1(answer) is not None, answer
    declined = [
        {"statusCode": "200", "body": "ok"},
        {"statusCode": 200, "multiValueHeaders": {"X-A": ["1"]}},
        {"statusCode": 200, "headers": {"X-A": 1}},
        {"statusCode": 200, "headers": {"x-a": "1", "X-A": "2"}},
        {"statusCode": 200, "body": {"a": 1}},
        {"statusCode": 200, "isBase64Encoded": True, "body": "aGk="},
        {"statusCode": 200, "cookies": ["a=1"]},
        {"body": "ok"},
        "ok",
    ]
    for answer in declined:
        assert lambda_proxy._direct_v1(answer) is None, answer
    for answer in usual + declined:
        for kind in ("REST", "REST binary", "HTTP"):
            with_fast, without = _both(kind, answer)
            assert with_fast == without, (kind, answer)
