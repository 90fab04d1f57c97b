"""IAM (SigV4) authorization: AWS's published signing vectors, then the verifier through the contract."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import UsageError
from pytest_serverless.gateway.authorizers import AuthorizationCall, IamAuthorizer, presign_url, sign_request
from pytest_serverless.gateway.authorizers.iam import canonical_request, string_to_sign
from pytest_serverless.gateway.request import GatewayRequest, Headers

# AWS's SigV4 test suite credentials (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html)
SUITE_KEY = "AKIDEXAMPLE"
SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SUITE_TIME = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)

API = "https://abc123.execute-api.us-east-1.amazonaws.com"
KEY, SECRET = "AKIAEXAMPLE", "secret-key"
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)


def make_call(clock, method, url, headers=None, body=b"", *, region="us-east-1", kind="REST"):
    parts = urlsplit(url)
    stage, _, rest = parts.path.lstrip("/").partition("/")
    request = GatewayRequest(
        method,
        "/" + rest,
        headers=Headers(headers or {}),
        query=parse_qsl(parts.query, keep_blank_values=True),
        body=body,
        raw_path=parts.path,
        raw_query_string=parts.query,
        domain_name=parts.hostname or "",
    )
    return AuthorizationCall(
        request=request,
        api_kind=kind,
        api_id="abc123",
        api_name="orders",
        stage=stage,
        stage_variables={},
        route_key=f"{method} /{rest}",
        resource_path="/" + rest,
        path_parameters={},
        method_arn=f"arn:aws:execute-api:{region}:123456789012:abc123/{stage}/{method}/{rest}",
        request_id="req-1",
        clock=clock,
        region=region,
    )


def signed_call(clock, method="GET", url=f"{API}/prod/orders/1", headers=None, body=b"", **sign_options):
    headers = dict(headers or {})
    added = sign_request(method, url, headers, body, KEY, SECRET, clock=clock, **sign_options)
    return make_call(clock, method, url, {**headers, **added}, body)


def authorizer(**credentials):
    return IamAuthorizer(credentials=credentials or {KEY: SECRET})


# -- the signer against AWS's published vectors ----------------------------------------------------------


def test_sigv4_aws_test_suite_get_vanilla():
    headers = sign_request(
        "GET",
        "https://example.amazonaws.com/",
        {},
        b"",
        SUITE_KEY,
        SUITE_SECRET,
        clock=VirtualClock(SUITE_TIME),
        service="service",
    )
    assert headers == {
        "Host": "example.amazonaws.com",
        "X-Amz-Date": "20150830T123600Z",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    }


def test_sigv4_aws_test_suite_get_vanilla_query_order_key_case():
    headers = sign_request(
        "GET",
        "https://example.amazonaws.com/?Param2=value2&Param1=value1",
        {},
        None,
        SUITE_KEY,
        SUITE_SECRET,
        clock=VirtualClock(SUITE_TIME),
        service="service",
    )
    assert headers["Authorization"].endswith(
        "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
    )


def test_sigv4_aws_s3_documentation_example_get_object():
    """The worked example of AWS's S3 SigV4 documentation (GET /test.txt, Range: bytes=0-9)."""
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    creq = canonical_request(
        "GET",
        "/test.txt",
        "",
        {
            "host": ["examplebucket.s3.amazonaws.com"],
            "range": ["bytes=0-9"],
            "x-amz-content-sha256": [empty],
            "x-amz-date": ["20130524T000000Z"],
        },
        ["host", "range", "x-amz-content-sha256", "x-amz-date"],
        empty,
    )
    assert creq == (
        "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
        f"x-amz-content-sha256:{empty}\nx-amz-date:20130524T000000Z\n\n"
        f"host;range;x-amz-content-sha256;x-amz-date\n{empty}"
    )
    assert string_to_sign("20130524T000000Z", "20130524/us-east-1/s3/aws4_request", creq).endswith(
        "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
    )
    headers = sign_request(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        {"Range": "bytes=0-9", "x-amz-content-sha256": empty},
        b"",
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        clock=VirtualClock(datetime(2013, 5, 24, tzinfo=UTC)),
        service="s3",
    )
    assert headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


def test_sigv4_session_token_is_sent_and_signed(clock):
    headers = sign_request("GET", f"{API}/prod/x", None, None, KEY, SECRET, clock=clock, session_token="tok")
    assert headers["X-Amz-Security-Token"] == "tok"
    assert "SignedHeaders=host;x-amz-date;x-amz-security-token," in headers["Authorization"]


def test_sigv4_relative_url_is_a_usage_error():
    with pytest.raises(UsageError, match="needs an absolute URL"):
        sign_request("GET", "/prod/orders", {}, b"", KEY, SECRET)


# -- the verifier: accepted ------------------------------------------------------------------------------


def test_iam_signed_request_is_allowed_with_identity(clock):
    decision = authorizer().authorize(signed_call(clock))
    assert decision.allowed
    assert decision.identity == {
        "accessKey": KEY,
        "accountId": "123456789012",
        "caller": decision.identity["caller"],
        "user": decision.identity["caller"],
        "userArn": f"arn:aws:iam::123456789012:user/{KEY}",
    }
    assert decision.identity["caller"].startswith("AIDA")
    assert decision.principal_id is None


def test_iam_user_arn_can_be_named(clock):
    auth = IamAuthorizer({KEY: SECRET}, users={KEY: "arn:aws:iam::123456789012:user/alice"})
    assert auth.authorize(signed_call(clock)).identity["userArn"] == "arn:aws:iam::123456789012:user/alice"


def test_iam_post_with_body_query_and_signed_headers(clock):
    call = signed_call(
        clock,
        "POST",
        f"{API}/prod/orders?b=2&a=1&a=0&empty=&sp=a%20b",
        {"Content-Type": "application/json", "X-Custom": "  spaced   value  "},
        b'{"item": "book"}',
    )
    assert authorizer().authorize(call).allowed


def test_iam_percent_encoded_path_is_signed_as_received(clock):
    assert authorizer().authorize(signed_call(clock, url=f"{API}/prod/files/a%20b.txt")).allowed


def test_iam_request_time_at_the_edge_of_five_minutes_is_accepted(clock):
    call = signed_call(clock)
    clock.advance(300)
    assert authorizer().authorize(call).allowed


def test_iam_session_token_must_match(clock):
    auth = IamAuthorizer({KEY: (SECRET, "session-token")})
    assert auth.authorize(signed_call(clock, session_token="session-token")).allowed
    for call in (signed_call(clock), signed_call(clock, session_token="other")):
        decision = auth.authorize(call)
        assert decision.response_type == "INVALID_SIGNATURE"
        assert decision.error_type == "UnrecognizedClientException"


def test_iam_presigned_url_is_allowed(clock):
    url = presign_url("GET", f"{API}/prod/orders/1?x=1", KEY, SECRET, clock=clock)
    assert "X-Amz-Signature=" in url
    assert authorizer().authorize(make_call(clock, "GET", url)).allowed


def test_iam_http_api_default_stage_path(clock):
    url = f"{API}/orders/1"
    added = sign_request("GET", url, {}, b"", KEY, SECRET, clock=clock)
    call = make_call(clock, "GET", url, added, kind="HTTP")
    assert authorizer().authorize(call).allowed


# -- the verifier: refused, with AWS's messages ------------------------------------------------------------


def test_iam_missing_signature_is_missing_authentication_token(clock):
    decision = authorizer().authorize(make_call(clock, "GET", f"{API}/prod/orders/1"))
    assert decision.response_type == "MISSING_AUTHENTICATION_TOKEN"
    assert decision.message == "Missing Authentication Token"
    assert decision.error_type == "MissingAuthenticationTokenException"


def test_iam_unknown_access_key_is_unrecognized_client(clock):
    decision = IamAuthorizer({"OTHERKEY": SECRET}).authorize(signed_call(clock))
    assert decision.response_type == "INVALID_SIGNATURE"
    assert decision.message == "The security token included in the request is invalid."
    assert decision.error_type == "UnrecognizedClientException"


def test_iam_wrong_secret_is_signature_mismatch_with_canonical_string(clock):
    decision = IamAuthorizer({KEY: "another-secret"}).authorize(signed_call(clock))
    assert decision.response_type == "INVALID_SIGNATURE"
    assert decision.error_type == "InvalidSignatureException"
    body_hash = hashlib.sha256(b"").hexdigest()
    assert decision.message == (
        f"{MISMATCH}\n\nThe Canonical String for this request should have been\n"
        f"'GET\n/prod/orders/1\n\nhost:abc123.execute-api.us-east-1.amazonaws.com\nx-amz-date:20240101T000000Z\n\n"
        f"host;x-amz-date\n{body_hash}'\n\n"
        "The String-to-Sign should have been\n"
        "'AWS4-HMAC-SHA256\n20240101T000000Z\n20240101/us-east-1/execute-api/aws4_request\n"
        f"{hashlib.sha256(decision.message.split(chr(39))[1].encode()).hexdigest()}'\n"
    )
    assert decision.reason == MISMATCH


@pytest.mark.parametrize("what", ["body", "path", "query", "method", "signed-header", "signature"])
def test_iam_tampered_request_is_signature_mismatch(clock, what):
    call = signed_call(clock, "POST", f"{API}/prod/orders?a=1", {"X-Custom": "v"}, b"body")
    request = call.request
    if what == "body":
        request.body = b"other"
    elif what == "path":
        request.raw_path = "/prod/orders2"
    elif what == "query":
        request.raw_query_string = "a=2"
    elif what == "method":
        request.method = "PUT"
    elif what == "signed-header":
        request.headers.set("X-Custom", "changed")
    else:
        auth = request.headers["Authorization"]
        request.headers.set("Authorization", auth[:-1] + ("0" if auth[-1] != "0" else "1"))
    decision = authorizer().authorize(call)
    assert decision.response_type == "INVALID_SIGNATURE"
    assert decision.message.startswith(MISMATCH)


def test_iam_unsigned_header_may_change(clock):
    call = signed_call(clock, headers={"User-Agent": "a"})
    call.request.headers.set("User-Agent", "b")
    assert authorizer().authorize(call).allowed


def test_iam_signature_expired_after_five_minutes(clock):
    call = signed_call(clock)
    clock.advance(301)
    decision = authorizer().authorize(call)
    assert decision.response_type == "INVALID_SIGNATURE"
    assert decision.error_type == "InvalidSignatureException"
    assert decision.message == (
        "Signature expired: 20240101T000000Z is now earlier than 20240101T000001Z (20240101T000501Z - 5 min.)"
    )


def test_iam_signature_from_the_future_is_not_yet_current(clock):
    future = VirtualClock(datetime(2024, 1, 1, 0, 6, tzinfo=UTC))
    added = sign_request("GET", f"{API}/prod/orders/1", {}, b"", KEY, SECRET, clock=future)
    decision = authorizer().authorize(make_call(clock, "GET", f"{API}/prod/orders/1", added))
    assert decision.message == (
        "Signature not yet current: 20240101T000600Z is still later than 20240101T000500Z "
        "(20240101T000000Z + 5 min.)"
    )


def test_iam_presigned_url_expires(clock):
    url = presign_url("GET", f"{API}/prod/orders/1", KEY, SECRET, clock=clock, expires=60)
    clock.advance(61)
    decision = authorizer().authorize(make_call(clock, "GET", url))
    assert decision.message == (
        "Signature expired: 20240101T000000Z is now earlier than 20240101T000001Z "
        "(20240101T000101Z - 60 sec.)"
    )


def test_iam_non_sigv4_authorization_header_is_incomplete_signature(clock):
    decision = authorizer().authorize(
        make_call(clock, "GET", f"{API}/prod/orders/1", {"Authorization": "Bearer abc"})
    )
    assert decision.response_type == "INVALID_SIGNATURE"
    assert decision.error_type == "IncompleteSignatureException"
    assert decision.message == (
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' "
        "parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires "
        "existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc"
    )


def test_iam_wrong_region_in_credential_scope(clock):
    decision = authorizer().authorize(signed_call(clock, region="eu-west-1"))
    assert decision.message == "Credential should be scoped to a valid region, not 'eu-west-1'. "


def test_iam_wrong_service_in_credential_scope(clock):
    decision = authorizer().authorize(signed_call(clock, service="s3"))
    assert decision.message == "Credential should be scoped to correct service: 'execute-api'. "


def test_iam_host_must_be_signed(clock):
    call = signed_call(clock)
    auth = call.request.headers["Authorization"].replace(
        "SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date"
    )
    call.request.headers.set("Authorization", auth)
    decision = authorizer().authorize(call)
    assert decision.message == "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."


def test_iam_credentials_must_be_a_mapping():
    with pytest.raises(UsageError, match="IamAuthorizer\\(credentials=...\\) takes"):
        IamAuthorizer({})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(auth=st.text(max_size=200), date=st.one_of(st.none(), st.text(max_size=20)))
def test_iam_random_authorization_headers_never_raise_or_allow(clock, auth, date):
    headers = {"Authorization": auth}
    if date is not None:
        headers["X-Amz-Date"] = date
    decision = authorizer().authorize(make_call(clock, "GET", f"{API}/prod/orders/1", headers))
    assert decision.response_type in ("INVALID_SIGNATURE", "MISSING_AUTHENTICATION_TOKEN")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(min_value=0, max_value=500), char=st.characters(min_codepoint=32, max_codepoint=126))
def test_iam_mangled_authorization_header_is_refused(clock, index, char):
    call = signed_call(clock)
    auth = call.request.headers["Authorization"]
    index %= len(auth)
    if auth[index] == char or (auth[index] == " " and char == ","):
        return  # the same header: a list may hold empty elements (RFC 9110 section 5.6.1)
    call.request.headers.set("Authorization", auth[:index] + char + auth[index + 1 :])
    assert not authorizer().authorize(call).allowed


def test_sigv4_non_default_port_is_part_of_the_host(clock):
    headers = sign_request("GET", "http://localhost:8080/prod/x", {}, b"", KEY, SECRET, clock=clock)
    assert headers["Host"] == "localhost:8080"


def test_iam_authorization_item_without_equal_sign_is_named(clock):
    call = signed_call(clock)
    auth = call.request.headers["Authorization"].replace("Signature=", "Signature ")
    call.request.headers.set("Authorization", auth)
    decision = authorizer().authorize(call)
    assert decision.error_type == "IncompleteSignatureException"
    item = auth.rsplit(", ", 1)[1]
    assert decision.message == (
        f"'{item}' not a valid key=value pair (missing equal-sign) in Authorization header: '{auth}'."
    )


def test_iam_date_header_instead_of_x_amz_date(clock):
    url = f"{API}/prod/orders/1"
    added = sign_request("GET", url, {}, b"", KEY, SECRET, clock=clock)
    date = "Mon, 01 Jan 2024 00:00:00 GMT"
    auth = added["Authorization"].replace("host;x-amz-date", "date;host")
    call = make_call(clock, "GET", url, {"Host": added["Host"], "Date": date, "Authorization": auth})
    decision = authorizer().authorize(call)  # signature is over x-amz-date, so only the time checks pass
    assert decision.message.startswith(MISMATCH)
    assert "date:Mon, 01 Jan 2024 00:00:00 GMT" in decision.message


def test_iam_malformed_date_is_refused(clock):
    call = signed_call(clock)
    call.request.headers.set("X-Amz-Date", "yesterday")
    decision = authorizer().authorize(call)
    assert decision.message == (
        "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601"
    )


def test_iam_presigned_url_with_session_token(clock):
    url = presign_url("GET", f"{API}/prod/orders/1", KEY, SECRET, clock=clock, session_token="tok")
    assert IamAuthorizer({KEY: (SECRET, "tok")}).authorize(make_call(clock, "GET", url)).allowed


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("X-Amz-Algorithm=AWS4-HMAC-SHA256", "AWS query-string parameters must include 'X-Amz-Credential'."),
        (
            "X-Amz-Algorithm=HMAC&X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=host&X-Amz-Date=c",
            "Unsupported AWS 'algorithm': 'HMAC'",
        ),
        (
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=host"
            "&X-Amz-Date=c&X-Amz-Expires=soon",
            "X-Amz-Expires should be a number",
        ),
    ],
)
def test_iam_incomplete_presigned_query(clock, query, message):
    decision = authorizer().authorize(make_call(clock, "GET", f"{API}/prod/orders/1?{query}"))
    assert decision.error_type == "IncompleteSignatureException"
    assert message in decision.message


def test_iam_path_without_raw_path_is_rebuilt_from_stage(clock):
    call = signed_call(clock)
    call.request.raw_path = ""
    assert authorizer().authorize(call).allowed


def test_iam_bad_credential_value_and_repr():
    with pytest.raises(UsageError, match="must map to a secret key or to \\(secret, session_token\\)"):
        IamAuthorizer({KEY: 3})
    assert repr(IamAuthorizer({"B": "s", "A": "s"})) == "IamAuthorizer(access_keys=['A', 'B'])"


def test_iam_credential_scope_without_terminator(clock):
    call = signed_call(clock)
    auth = call.request.headers["Authorization"].replace("/aws4_request", "/aws5_request")
    call.request.headers.set("Authorization", auth)
    decision = authorizer().authorize(call)
    assert (
        decision.message
        == "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."
    )
