"""IAM authorization: AWS Signature Version 4 verification, and a signer for tests.

Written from the SigV4 specification (canonical request -> string to sign -> HMAC key chain) and checked
against AWS's published test vectors (``tests/gateway/authorizers/test_iam.py``). The verifier checks, in
order:
a signature is present (else ``MISSING_AUTHENTICATION_TOKEN``), the ``Authorization`` header or presigned
query is complete (``IncompleteSignatureException``), the credential scope (service ``execute-api``, the
API's region, the date), the request time within 5 minutes of the virtual clock ("Signature expired" /
"Signature not yet current"), the access key and session token (``UnrecognizedClientException``), then the
signature itself (``InvalidSignatureException`` with the canonical string AWS expected).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from pytest_serverless._ids import ACCOUNT_ID
from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import UsageError
from pytest_serverless.gateway.request import GatewayRequest, Headers

from .base import AuthDecision, AuthorizationCall

__all__ = ["IamAuthorizer", "presign_url", "sign_request"]

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "execute-api"
_SKEW = timedelta(minutes=5)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_UNSIGNED = frozenset({"authorization", "user-agent", "expect", "x-amzn-trace-id", "content-length"})
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)
_INVALID_TOKEN = "The security token included in the request is invalid."


# -- the SigV4 canonical form (shared by the signer and the verifier) ---------------------------------------


def _uri_encode(value: str, *, keep_slash: bool) -> str:
    return quote(value, safe="-_.~/" if keep_slash else "-_.~")


def canonical_uri(path: str) -> str:
    """The path as sent on the wire, URI-encoded once more (every service but S3 double-encodes)."""
    return _uri_encode(path or "/", keep_slash=True)


def canonical_query(raw_query: str, *, exclude: frozenset[str] = frozenset()) -> str:
    pairs: list[tuple[str, str]] = []
    for part in raw_query.split("&") if raw_query else []:
        if not part:
            continue
        name, _, value = part.partition("=")
        name, value = unquote(name), unquote(value)
        if name in exclude:
            continue
        pairs.append((_uri_encode(name, keep_slash=False), _uri_encode(value, keep_slash=False)))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def _header_value(values: list[str]) -> str:
    return ",".join(" ".join(value.split()) for value in values)


def canonical_request(
    method: str,
    path: str,
    raw_query: str,
    headers: Mapping[str, list[str]],
    signed_headers: list[str],
    payload_hash: str,
    *,
    exclude_query: frozenset[str] = frozenset(),
) -> str:
    """``headers`` maps lower-case names to their values in order."""
    lines = [f"{name}:{_header_value(headers.get(name, []))}\n" for name in signed_headers]
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(raw_query, exclude=exclude_query),
            "".join(lines),
            ";".join(signed_headers),
            payload_hash,
        ]
    )


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(f"AWS4{secret_key}".encode(), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


def string_to_sign(amz_date: str, scope: str, creq: str) -> str:
    return "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])


def _body_bytes(body: bytes | str | None) -> bytes:
    if body is None:
        return b""
    return body.encode() if isinstance(body, str) else bytes(body)


def _host(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        raise UsageError(
            f"sign_request(url=...) needs an absolute URL such as https://host/path, got {url!r}"
        )
    host = parts.hostname
    default_port = {"https": 443, "http": 80}.get(parts.scheme)
    if parts.port is not None and parts.port != default_port:
        host = f"{host}:{parts.port}"
    return host, parts.path or "/", parts.query


def _now(clock: VirtualClock | None) -> datetime:
    return (clock if clock is not None else VirtualClock()).now().astimezone(UTC)


def sign_request(
    method: str,
    url: str,
    headers: Mapping[str, str] | None,
    body: bytes | str | None,
    access_key: str,
    secret_key: str,
    *,
    region: str = "us-east-1",
    clock: VirtualClock | None = None,
    session_token: str | None = None,
    service: str = SERVICE,
) -> dict[str, str]:
    """SigV4-sign a request; returns the headers to add (``Host``, ``X-Amz-Date``, ``Authorization``...).

    ``url`` is the full URL as it will be sent (``https://<api>.execute-api.<region>.amazonaws.com/<stage>/...``,
    query string included). The time is the clock's: pass the gateway's clock (default: a fresh
    ``VirtualClock``, 2024-01-01T00:00:00Z). Every given header is signed except ``User-Agent``, ``Expect``,
    ``Content-Length`` and ``X-Amzn-Trace-Id``, which clients and proxies rewrite.
    """
    host, path, query = _host(url)
    amz_date = _now(clock).strftime(_AMZ_DATE)
    added: dict[str, str] = {"Host": host, "X-Amz-Date": amz_date}
    if session_token:
        added["X-Amz-Security-Token"] = session_token
    collected: dict[str, list[str]] = {}
    for name, value in list((headers or {}).items()) + list(added.items()):
        lowered = name.lower()
        if lowered in _UNSIGNED:
            continue
        if lowered in ("host", "x-amz-date", "x-amz-security-token"):
            collected[lowered] = [str(value)]
        else:
            collected.setdefault(lowered, []).append(str(value))
    signed = sorted(collected)
    payload_hash = hashlib.sha256(_body_bytes(body)).hexdigest()
    creq = canonical_request(method, path, query, collected, signed, payload_hash)
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    signature = hmac.new(
        signing_key(secret_key, amz_date[:8], region, service),
        string_to_sign(amz_date, scope, creq).encode(),
        "sha256",
    ).hexdigest()
    signed_list = ";".join(signed)
    added["Authorization"] = (
        f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={signed_list}, Signature={signature}"
    )
    return added


def presign_url(
    method: str,
    url: str,
    access_key: str,
    secret_key: str,
    *,
    region: str = "us-east-1",
    clock: VirtualClock | None = None,
    expires: int = 300,
    session_token: str | None = None,
    service: str = SERVICE,
) -> str:
    """The URL with SigV4 query-string authentication (``X-Amz-Signature``...); only ``host`` is signed."""
    host, path, query = _host(url)
    amz_date = _now(clock).strftime(_AMZ_DATE)
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    params = [
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", f"{access_key}/{scope}"),
        ("X-Amz-Date", amz_date),
        ("X-Amz-Expires", str(expires)),
        ("X-Amz-SignedHeaders", "host"),
    ]
    if session_token:
        params.append(("X-Amz-Security-Token", session_token))
    extra = "&".join(
        f"{_uri_encode(k, keep_slash=False)}={_uri_encode(v, keep_slash=False)}" for k, v in params
    )
    full_query = f"{query}&{extra}" if query else extra
    creq = canonical_request(
        method, path, full_query, {"host": [host]}, ["host"], hashlib.sha256(b"").hexdigest()
    )
    key = signing_key(secret_key, amz_date[:8], region, service)
    signature = hmac.new(key, string_to_sign(amz_date, scope, creq).encode(), "sha256").hexdigest()
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{path}?{full_query}&X-Amz-Signature={signature}"


# -- the verifier -------------------------------------------------------------------------------------------


class _Failure(Exception):
    def __init__(self, response_type: str, message: str, error_type: str) -> None:
        super().__init__(message)
        self.response_type = response_type
        self.message = message
        self.error_type = error_type


def _invalid(message: str) -> _Failure:
    return _Failure("INVALID_SIGNATURE", message, "InvalidSignatureException")


def _incomplete(message: str) -> _Failure:
    return _Failure("INVALID_SIGNATURE", message, "IncompleteSignatureException")


_PARAM = re.compile(r"\s*([A-Za-z]+)\s*=\s*([^,\s]*)\s*")


class IamAuthorizer:
    """``AWS_IAM`` authorization: the request must carry a valid SigV4 signature by a known access key.

    ``IamAuthorizer(credentials={"AKID": "secret"}, *, users=None)``: a credential value may also be
    ``(secret, session_token)``, in which case the request must send that ``X-Amz-Security-Token``.
    ``users`` maps access keys to IAM user ARNs (default ``arn:aws:iam::<account>:user/<access key>``);
    ``AuthDecision.identity`` then carries ``accessKey``, ``accountId``, ``caller``, ``user``, ``userArn``.
    ``policies`` maps access keys to IAM policy documents (dicts) for actions other than invoking: a caller
    may invalidate a cached answer (``Cache-Control: max-age=0``) only when its policy allows
    ``execute-api:InvalidateCache`` on the method ARN. A dict given here is kept (not copied), so a test
    may grant or revoke later.
    """

    def __init__(
        self,
        credentials: Mapping[str, str | tuple[str, str]],
        *,
        users: Mapping[str, str] | None = None,
        policies: dict[str, Any] | None = None,
    ) -> None:
        if not isinstance(credentials, Mapping) or not credentials:
            raise UsageError('IamAuthorizer(credentials=...) takes {"ACCESS_KEY_ID": "secret", ...}')
        self.credentials: dict[str, tuple[str, str | None]] = {}
        for key, value in credentials.items():
            if isinstance(value, str):
                self.credentials[key] = (value, None)
            elif isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
                self.credentials[key] = (value[0], value[1])
            else:
                raise UsageError(
                    f"IamAuthorizer(credentials=...): {key!r} must map to a secret key "
                    "or to (secret, session_token)"
                )
        self.users = dict(users or {})
        if policies is not None and not isinstance(policies, dict):
            raise UsageError(
                'IamAuthorizer(policies=...) takes {"ACCESS_KEY_ID": {"Version": ..., "Statement": [...]}}'
            )
        self.policies: dict[str, Any] = {} if policies is None else policies

    def allows(self, access_key: str, action: str, method_arn: str) -> bool:
        """Whether the policy of ``access_key`` (``policies``) allows ``action`` on ``method_arn``."""
        from .policy import PolicyError, evaluate_policy

        policy = self.policies.get(access_key)
        if policy is None:
            return False
        try:
            return evaluate_policy(policy, method_arn, action) == "ALLOW"
        except PolicyError as exc:
            raise UsageError(f"IamAuthorizer(policies=...): the policy of {access_key!r}: {exc}") from None

    def authorize(self, call: AuthorizationCall) -> AuthDecision:
        """Verify the request's SigV4 signature and evaluate the caller's IAM policies for this route."""
        try:
            access_key = self._verify(call)
        except _Failure as failure:
            return AuthDecision(
                response_type=failure.response_type,
                message=failure.message,
                error_type=failure.error_type,
                reason=failure.message.split("\n", 1)[0],
            )
        unique = "AIDA" + hashlib.sha256(access_key.encode()).hexdigest()[:17].upper()
        arn = self.users.get(access_key) or f"arn:aws:iam::{call.account_id or ACCOUNT_ID}:user/{access_key}"
        identity = {
            "accessKey": access_key,
            "accountId": call.account_id,
            "caller": unique,
            "user": unique,
            "userArn": arn,
        }
        return AuthDecision(identity=identity)  # the caller goes to requestContext.identity, not .authorizer

    # the order follows AWS: presence, completeness, scope, time, key, signature
    def _verify(self, call: AuthorizationCall) -> str:
        request = call.request
        headers = request.headers
        auth = headers.get("Authorization")
        query = dict(request.query)
        if auth is None and "X-Amz-Algorithm" not in query and "X-Amz-Signature" not in query:
            raise _Failure(
                "MISSING_AUTHENTICATION_TOKEN",
                "Missing Authentication Token",
                "MissingAuthenticationTokenException",
            )
        if auth is not None:
            credential, signed_names, signature, amz_date, presign_expires = self._from_header(auth, headers)
            token = headers.get("X-Amz-Security-Token")
            exclude: frozenset[str] = frozenset()
        else:
            credential, signed_names, signature, amz_date, presign_expires = self._from_query(query)
            token = query.get("X-Amz-Security-Token")
            exclude = frozenset({"X-Amz-Signature"})
        access_key, scope_date, region, service, terminator = (credential.split("/") + [""] * 5)[:5]
        if len(credential.split("/")) != 5 or terminator != "aws4_request":
            raise _invalid(
                f"Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
            )
        if service != SERVICE:
            raise _invalid(f"Credential should be scoped to correct service: '{SERVICE}'. ")
        if region != call.region:
            raise _invalid(f"Credential should be scoped to a valid region, not '{region}'. ")
        try:
            sent = datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=UTC)
        except ValueError:
            raise _invalid(
                f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601"
            ) from None
        if scope_date != amz_date[:8]:
            raise _invalid(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                f"'{scope_date}' != '{amz_date[:8]}', from '{amz_date}'."
            )
        self._check_time(sent, call.clock.now(), presign_expires)
        secret, session_token = self.credentials.get(access_key, (None, None))
        if secret is None or (session_token or None) != (token or None):
            raise _Failure("INVALID_SIGNATURE", _INVALID_TOKEN, "UnrecognizedClientException")
        if "host" not in signed_names:
            raise _invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
        collected = self._collect(request, signed_names)
        path = self._path(call)
        payload_hash = hashlib.sha256(request.body).hexdigest()
        raw_query = request.raw_query_string or "&".join(
            f"{_uri_encode(name, keep_slash=False)}={_uri_encode(value, keep_slash=False)}"
            for name, value in request.query
        )
        creq = canonical_request(
            request.method, path, raw_query, collected, signed_names, payload_hash, exclude_query=exclude
        )
        scope = f"{scope_date}/{region}/{service}/aws4_request"
        sts = string_to_sign(amz_date, scope, creq)
        expected = hmac.new(
            signing_key(secret, scope_date, region, service), sts.encode(), "sha256"
        ).hexdigest()
        # compare_digest refuses non-ASCII str (TypeError): compare the UTF-8 bytes, a mismatch like any other
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "surrogatepass")):
            raise _invalid(
                f"{_MISMATCH}\n\nThe Canonical String for this request should have been\n'{creq}'\n\n"
                f"The String-to-Sign should have been\n'{sts}'\n"
            )
        return access_key

    @staticmethod
    def _from_header(auth: str, headers: Headers) -> tuple[str, list[str], str, str, int | None]:
        algorithm, _, rest = auth.strip().partition(" ")
        params: dict[str, str] = {}
        if algorithm == ALGORITHM:
            for item in rest.split(","):
                match = _PARAM.fullmatch(item)
                if match:
                    params[match.group(1)] = match.group(2)
                elif item.strip() and "=" not in item:  # empty list elements are allowed (RFC 9110 5.6.1)
                    raise _incomplete(
                        f"'{item.strip()}' not a valid key=value pair (missing equal-sign) in Authorization "
                        f"header: '{auth}'."
                    )
        amz_date = headers.get("X-Amz-Date")
        missing = [
            f"Authorization header requires '{name}' parameter."
            for name in ("Credential", "Signature", "SignedHeaders")
            if not params.get(name)
        ]
        if amz_date is None and "Date" not in headers:
            missing.append(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
            )
        if algorithm != ALGORITHM or missing:
            raise _incomplete(" ".join(missing + [f"Authorization={auth}"]))
        if amz_date is None:
            amz_date = IamAuthorizer._http_date(headers["Date"])
        signed = [name for name in params["SignedHeaders"].split(";") if name]
        return params["Credential"], signed, params["Signature"], amz_date, None

    @staticmethod
    def _http_date(value: str) -> str:
        try:
            parsed = datetime.strptime(value.strip(), "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
        except ValueError:
            return value
        return parsed.strftime(_AMZ_DATE)

    @staticmethod
    def _from_query(query: Mapping[str, str]) -> tuple[str, list[str], str, str, int | None]:
        missing = [
            f"AWS query-string parameters must include '{name}'."
            for name in (
                "X-Amz-Algorithm",
                "X-Amz-Credential",
                "X-Amz-Signature",
                "X-Amz-SignedHeaders",
                "X-Amz-Date",
            )
            if not query.get(name)
        ]
        if missing:
            raise _incomplete(" ".join(missing) + " Re-examine the query-string parameters.")
        if query["X-Amz-Algorithm"] != ALGORITHM:
            raise _incomplete(f"Unsupported AWS 'algorithm': '{query['X-Amz-Algorithm']}'")
        try:
            expires = int(query.get("X-Amz-Expires", "604800"))
        except ValueError:
            raise _incomplete("X-Amz-Expires should be a number") from None
        signed = [name for name in query["X-Amz-SignedHeaders"].split(";") if name]
        return query["X-Amz-Credential"], signed, query["X-Amz-Signature"], query["X-Amz-Date"], expires

    @staticmethod
    def _check_time(sent: datetime, now: datetime, presign_expires: int | None) -> None:
        fmt = _AMZ_DATE
        if presign_expires is not None and now > sent + timedelta(seconds=presign_expires):
            limit = now - timedelta(seconds=presign_expires)
            raise _invalid(
                f"Signature expired: {sent.strftime(fmt)} is now earlier than {limit.strftime(fmt)} "
                f"({now.strftime(fmt)} - {presign_expires} sec.)"
            )
        if sent < now - _SKEW:
            raise _invalid(
                f"Signature expired: {sent.strftime(fmt)} is now earlier than {(now - _SKEW).strftime(fmt)} "
                f"({now.strftime(fmt)} - 5 min.)"
            )
        if sent > now + _SKEW:
            raise _invalid(
                f"Signature not yet current: {sent.strftime(fmt)} is still later than "
                f"{(now + _SKEW).strftime(fmt)} ({now.strftime(fmt)} + 5 min.)"
            )

    @staticmethod
    def _collect(request: GatewayRequest, signed_names: list[str]) -> dict[str, list[str]]:
        collected: dict[str, list[str]] = {}
        for name in signed_names:
            values = request.headers.get_all(name)
            if not values and name == "host" and request.domain_name:
                values = [request.domain_name]
            collected[name] = values
        return collected

    @staticmethod
    def _path(call: AuthorizationCall) -> str:
        request = call.request
        if request.raw_path:
            return request.raw_path.split("?", 1)[0]
        if call.api_kind == "HTTP" and call.stage == "$default":
            return request.path or "/"
        return f"/{call.stage}{request.path}"

    def __repr__(self) -> str:
        return f"IamAuthorizer(access_keys={sorted(self.credentials)!r})"
