"""Cognito user pools and JWT authorizers: a fake user pool that mints RS256 tokens, and the validator.

The only module that imports pyjwt. ``TokenIssuer`` plays the user pool (its own RSA key, a public JWKS,
Cognito-shaped ID and access tokens on the virtual clock); ``JwtAuthorizer`` validates tokens the way API
Gateway does, in AWS's order:

1. the token from the identity source, a header or (HTTP APIs) a query string parameter (``Bearer <token>``
   or the bare token);
2. ``kid`` and the RSA signature against the JWKS (only RSA algorithms: ``none`` and HMAC are refused);
3. ``iss``;
4. ``aud``, or ``client_id`` only when ``aud`` is absent;
5. ``exp`` / ``nbf`` / ``iat``;
6. the Cognito token kind (REST user-pool authorizers) and the route's scopes (``scope`` or ``scp``).

Clock skew: ``leeway`` defaults to 0 seconds. AWS documents strict comparisons ("exp must be after the
current time", "nbf/iat before the current time") and publishes no skew allowance; the virtual clock never
drifts, so a token is refused from the very second ``now >= exp``. Pass ``leeway=`` to model a tolerance.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pytest_serverless._cache import BoundedCache, memoize
from pytest_serverless._ids import IdFactory
from pytest_serverless._nesting import too_deep
from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import UsageError

from .base import AuthDecision, AuthorizationCall

if TYPE_CHECKING:  # pyjwt and cryptography (~40 ms) are imported when a key is made or a token checked
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["JwtAuthorizer", "TokenIssuer"]

DEFAULT_ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test"
_RSA_ALGORITHMS = ("RS256", "RS384", "RS512")
_KEYS: dict[str, rsa.RSAPrivateKey] = {}  # one key per issuer URL per process: 2048-bit generation is slow

TokenUse = Literal["id", "access"]


def _private_key(slot: str) -> rsa.RSAPrivateKey:
    key = _KEYS.get(slot)
    if key is None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = _KEYS[slot] = _ready_key(len(_KEYS)) or rsa.generate_private_key(
            public_exponent=65537, key_size=2048
        )
    return key


def _ready_key(index: int) -> rsa.RSAPrivateKey | None:
    """The process's ``index``-th key from ``_ready_keys`` (no 100 ms generation), None past the last."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from ._ready_keys import PUBLIC_EXPONENT, READY_PRIMES

    if index >= len(READY_PRIMES):
        return None
    p, q = READY_PRIMES[index]
    d = rsa.rsa_recover_private_exponent(PUBLIC_EXPONENT, p, q)
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q),
        rsa.RSAPublicNumbers(PUBLIC_EXPONENT, p * q),
    )  # fmt: skip
    try:  # our own primes: OpenSSL's check of them costs 60 ms
        return numbers.private_key(unsafe_skip_rsa_key_validation=True)
    except TypeError:  # cryptography < 39 has no such option (and checks)
        return numbers.private_key()


@memoize(64)
def _public_jwk_cached(slot: str, kid: str) -> tuple[tuple[str, str], ...]:
    numbers = _private_key(slot).public_key().public_numbers()
    return (
        ("alg", "RS256"),
        ("e", _b64url_uint(numbers.e)),
        ("kid", kid),
        ("kty", "RSA"),
        ("n", _b64url_uint(numbers.n)),
        ("use", "sig"),
    )


def _public_jwk(slot: str, kid: str) -> dict[str, str]:
    """The public JWK of the slot's key (computed once per process; a fresh dict each call)."""
    return dict(_public_jwk_cached(slot, kid))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_uint(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _json_segment(value: Mapping[str, Any]) -> str:
    return _b64url(json.dumps(value, separators=(",", ":")).encode())


_JWKS: BoundedCache[tuple[str, str], jwt.PyJWK] = BoundedCache(256)


def _jwk(entry: dict[str, Any], algorithm: str) -> jwt.PyJWK:
    """``jwt.PyJWK`` of a key, made once per process per key (the object is never changed)."""
    import jwt

    try:
        key = (json.dumps(entry, sort_keys=True), algorithm)
    except (TypeError, ValueError):
        return jwt.PyJWK(entry, algorithm=algorithm)
    found = _JWKS.get(key)
    if found is None:
        found = _JWKS.put(key, jwt.PyJWK(entry, algorithm=algorithm))
    return found


@memoize(64)
def _issuer_keys(slot: str, kid: str) -> tuple[dict[str, jwt.PyJWK], BoundedCache[str, bytes]]:
    """The verifying keys of a ``TokenIssuer``'s JWKS (its slot's key under ``kid``), parsed once per process,
    and the tokens whose signature verified against them (token -> its JSON payload): every JwtAuthorizer
    trusting an issuer of that slot and kid shares both (a signature's validity depends on the keys alone)."""
    return JwtAuthorizer._load_jwks({"keys": [_public_jwk(slot, kid)]}), BoundedCache(1024)


@memoize(1024)
def _rsa_signature(slot: str, signing_input: bytes, algorithm: str) -> bytes:
    """The slot key's RSASSA-PKCS1-v1_5 signature of ``signing_input``: deterministic, so made once per
    process (each test's issuer mints the same tokens at the same virtual time)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    digest: hashes.HashAlgorithm = {
        "RS256": hashes.SHA256(),
        "RS384": hashes.SHA384(),
        "RS512": hashes.SHA512(),
    }[algorithm]
    return _private_key(slot).sign(signing_input, padding.PKCS1v15(), digest)


class TokenIssuer:
    """A fake Cognito user pool: its own RSA key, a public JWKS, and tokens on a virtual clock.

    ``TokenIssuer(issuer=..., audience="client-id", clock=None)``; pass the gateway's clock so that ``iat``
    and ``exp`` follow the time the gateway sees (``gateway.token_issuer(...)`` does it for you).
    """

    def __init__(
        self,
        issuer: str = DEFAULT_ISSUER,
        audience: str = "client-id",
        clock: VirtualClock | None = None,
        *,
        key_id: str | None = None,
    ) -> None:
        if not isinstance(issuer, str) or not issuer:
            raise UsageError(f"TokenIssuer(issuer=...) takes the issuer URL as a string, got {issuer!r}")
        if not isinstance(audience, str) or not audience:
            raise UsageError(
                f"TokenIssuer(audience=...) takes the app client id as a string, got {audience!r}"
            )
        self.issuer = issuer
        self.audience = audience
        self.clock = clock if clock is not None else VirtualClock()
        self.kid = key_id or _b64url(hashlib.sha256(f"kid:{issuer}".encode()).digest()[:20])
        self._ids = IdFactory(seed=f"token-issuer:{issuer}")

    @property
    def _key(self) -> rsa.RSAPrivateKey:
        """The issuer's RSA key: made on first use (2048-bit generation takes tens of milliseconds), one per
        issuer URL per process."""
        return _private_key(self.issuer)

    @property
    def jwks(self) -> dict[str, Any]:
        """The public JSON Web Key Set, as ``https://<issuer>/.well-known/jwks.json`` would serve it."""
        return {"keys": [_public_jwk(self.issuer, self.kid)]}

    @property
    def public_key_pem(self) -> bytes:
        """The public key as PEM (what an attacker would try as an HMAC secret)."""
        from cryptography.hazmat.primitives import serialization

        return self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def claims(
        self,
        sub: str = "user-1",
        groups: Sequence[str] = (),
        scopes: Sequence[str] = (),
        expires_in: float = 3600,
        token_use: TokenUse = "id",
        **claims: Any,
    ) -> dict[str, Any]:
        """The payload ``token()`` signs. A claim given as ``None`` is left out."""
        if token_use not in ("id", "access"):
            raise UsageError(f'token_use must be "id" or "access", got {token_use!r}')
        now = int(self.clock.time())
        payload: dict[str, Any] = {"sub": sub}
        if groups:
            payload["cognito:groups"] = list(groups)
        payload["iss"] = self.issuer
        if token_use == "id":
            payload["cognito:username"] = sub
            payload["aud"] = self.audience
        else:
            payload["client_id"] = self.audience
        payload["origin_jti"] = self._ids.next("origin_jti")
        payload["event_id"] = self._ids.next("event_id")
        payload["token_use"] = token_use
        if token_use == "access" and scopes:
            payload["scope"] = " ".join(scopes)
        payload["auth_time"] = now
        payload["exp"] = int(now + expires_in)
        payload["iat"] = now
        payload["jti"] = self._ids.next("jti")
        if token_use == "access":
            payload["username"] = sub
        for name, value in claims.items():
            if value is None:
                payload.pop(name, None)
            else:
                payload[name] = value
        return payload

    def token(
        self,
        sub: str = "user-1",
        groups: Sequence[str] = (),
        scopes: Sequence[str] = (),
        expires_in: float = 3600,
        token_use: TokenUse = "id",
        *,
        headers: Mapping[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        """A signed Cognito-shaped token. It grants only what is asked for: no groups and no scopes unless
        given (``groups=["admin"]``, ``scopes=["orders/read"]``).

        ID tokens carry ``aud``, ``cognito:groups``, ``cognito:username`` and ``token_use="id"`` (no scopes,
        as Cognito does); access tokens carry ``client_id``, ``scope`` (space separated), ``username`` and
        ``token_use="access"`` and no ``aud``. ``iat``/``auth_time``/``exp`` come from the issuer's clock.
        Extra ``claims`` override (``None`` removes one); ``headers`` are merged into the JOSE header.
        """
        payload = self.claims(sub, groups, scopes, expires_in, token_use, **claims)
        return self.sign(payload, headers=headers)

    def sign(
        self,
        payload: Mapping[str, Any],
        headers: Mapping[str, Any] | None = None,
        *,
        algorithm: str = "RS256",
    ) -> str:
        """Sign any payload with this pool's key (``kid`` set unless ``headers`` override it).

        ``algorithm`` may be ``RS256``/``RS384``/``RS512``, or, to build hostile tokens, ``none`` (empty
        signature) and ``HS256`` (HMAC keyed with this pool's public key PEM: the key-confusion attack).
        """
        header: dict[str, Any] = {"alg": algorithm, "typ": "JWT", "kid": self.kid}
        header.update(headers or {})
        signing_input = f"{_json_segment(header)}.{_json_segment(payload)}".encode()
        if algorithm == "none":
            signature = b""
        elif algorithm == "HS256":
            signature = hmac.new(self.public_key_pem, signing_input, hashlib.sha256).digest()
        elif algorithm in _RSA_ALGORITHMS:
            signature = _rsa_signature(self.issuer, signing_input, algorithm)
        else:
            raise UsageError(
                f"TokenIssuer.sign(algorithm=...) supports RS256/RS384/RS512/none/HS256, not {algorithm!r}"
            )
        return f"{signing_input.decode()}.{_b64url(signature)}"

    def __repr__(self) -> str:
        return f"TokenIssuer(issuer={self.issuer!r}, audience={self.audience!r}, kid={self.kid!r})"


# descriptions in the www-authenticate header of HTTP APIs. AWS's own words where known: "the token does not
# have a valid audience" (AWS docs), "the token has expired", "token contains an invalid number of segments"
# and "expected scopes: [...]" (observed responses); the others follow the same style.
_SEGMENTS = "token contains an invalid number of segments"
_MALFORMED = "the token is malformed"
_ALGORITHM = "the token is not signed with a supported algorithm"
_KID = "the token does not have a valid key id"
_SIGNATURE = "the token does not have a valid signature"
_ISSUER = "the token does not have a valid issuer"
_AUDIENCE = "the token does not have a valid audience"
_EXPIRED = "the token has expired"
_NO_EXPIRY = "the token does not have a valid expiration"
_NOT_YET = "the token is not valid yet"
_ISSUED_FUTURE = "the token was issued in the future"
_TOKEN_USE = "the token does not have a valid token_use"


class _Refused(Exception):
    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def _number(value: Any) -> float | None:
    """A NumericDate, or ``None``: not a number, or not finite (``1e400`` reads as infinity)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json(segment: bytes) -> Any:
    """A header or payload: UTF-8 JSON only (RFC 7519; ``json.loads`` of bytes would also take UTF-16 and
    UTF-32), no ``NaN``/``Infinity`` literals, nested at most ``MAX_JSON_DEPTH`` deep."""
    text = segment.decode("utf-8")
    if too_deep(text):
        raise ValueError("nested too deeply")
    return json.loads(text, parse_constant=_no_constant)


def _token_scopes(claims: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            found.extend(value.split())
        elif isinstance(value, list):
            found.extend(item for item in value if isinstance(item, str))
    return found


def _segment(segment: str) -> bytes:
    if not segment or not re.fullmatch(r"[A-Za-z0-9_-]*", segment) or len(segment) % 4 == 1:
        raise _Refused(_MALFORMED)
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _decode(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Step 2 of AWS's workflow, "decode the token": JSON header and payload, base64url signature."""
    header_segment, payload_segment, signature_segment = token.split(".")
    try:
        header = _json(_segment(header_segment))
        claims = _json(_segment(payload_segment))
    except ValueError:  # UnicodeDecodeError and json.JSONDecodeError are ValueErrors
        raise _Refused(_MALFORMED) from None
    if signature_segment:
        _segment(signature_segment)
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise _Refused(_MALFORMED)
    return header, claims


def _identity_source(identity_source: str) -> tuple[Literal["header", "querystring"], str]:
    """(where, name): HTTP API JWT authorizers read a header or a query string parameter; REST Cognito
    authorizers a header."""
    source = identity_source.strip()
    for prefix in ("$request.header.", "method.request.header."):
        if source.startswith(prefix) and len(source) > len(prefix):
            return "header", source[len(prefix) :]
    prefix = "$request.querystring."
    if source.startswith(prefix) and len(source) > len(prefix):
        return "querystring", source[len(prefix) :]
    if source.startswith(("$", "method.")) or not source:
        raise UsageError(
            f"JwtAuthorizer(identity_source={identity_source!r}): a JWT authorizer reads its token from a "
            'header, e.g. "Authorization", "$request.header.Authorization" or '
            '"method.request.header.Authorization", or (HTTP APIs) a query string parameter, e.g. '
            '"$request.querystring.token"'
        )
    return "header", source


class JwtAuthorizer:
    """Validates JWTs as API Gateway's Cognito user pool (REST) and JWT (HTTP API) authorizers do.

    ``JwtAuthorizer(issuer, *, audience=None, jwks=None, identity_source="Authorization", token_use=None,
    leeway=0.0, validation_regex=None)``:

    - ``issuer``: a ``TokenIssuer`` (its URL, audience and JWKS are trusted) or the issuer URL, in which case
      ``jwks`` (a JWKS dict) is required;
    - ``audience``: a string or list of accepted ``aud``/``client_id`` values. ``None`` means the
      TokenIssuer's audience (no check when built from a URL); an empty list means no audience check, as a
      REST ``COGNITO_USER_POOLS`` authorizer does;
    - ``identity_source``: a header (``"Authorization"``, ``"$request.header.X"``,
      ``"method.request.header.X"``) or, on HTTP APIs, a query string parameter
      (``"$request.querystring.X"``);
    - ``token_use``: ``"id"`` or ``"access"`` to require one kind of Cognito token. ``None`` does what AWS
      does for the API kind: REST user-pool authorizers require an access token when the method has scopes
      and an ID token when it has none; HTTP API JWT authorizers do not look at ``token_use``;
    - ``ttl``: REST user-pool authorizer result caching. A token that validated is trusted for ``ttl``
      seconds without being checked again (AWS's console default is 300 s, so an expired token keeps working
      until its cached result expires). 0, the default here, validates every request; HTTP APIs never cache.

    Failures: REST answers ``UNAUTHORIZED`` (401) for any invalid token and for missing scopes. HTTP APIs
    answer 401 with ``www-authenticate: Bearer scope="..." error="invalid_token" error_description="..."``
    and ``FORBIDDEN`` (403) with ``error="insufficient_scope"`` when no route scope is granted.
    """

    def __init__(
        self,
        issuer: TokenIssuer | str,
        *,
        audience: str | Sequence[str] | None = None,
        jwks: Mapping[str, Any] | None = None,
        identity_source: str = "Authorization",
        token_use: TokenUse | None = None,
        leeway: float = 0.0,
        validation_regex: str | None = None,
        ttl: float = 0,
    ) -> None:
        # a TokenIssuer's keys are read on the first token checked (its RSA key is made only when needed)
        self._issuer_keys: TokenIssuer | None = None
        if isinstance(issuer, TokenIssuer):
            self.issuer = issuer.issuer
            if jwks is None:
                self._issuer_keys = issuer
            default_audience: list[str] = [issuer.audience]
        elif isinstance(issuer, str) and issuer:
            if jwks is None:
                raise UsageError(
                    f"JwtAuthorizer({issuer!r}) needs jwks={{'keys': [...]}} (the issuer's public keys), "
                    "or pass a TokenIssuer instead of its URL"
                )
            self.issuer = issuer
            default_audience = []
        else:
            raise UsageError(f"JwtAuthorizer takes a TokenIssuer or an issuer URL, got {issuer!r}")
        if audience is None:
            self.audience: tuple[str, ...] = tuple(default_audience)
        elif isinstance(audience, str):
            self.audience = (audience,)
        else:
            self.audience = tuple(str(item) for item in audience)
        if token_use not in (None, "id", "access"):
            raise UsageError(
                f'JwtAuthorizer(token_use=...) must be None, "id" or "access", got {token_use!r}'
            )
        if isinstance(leeway, bool) or not isinstance(leeway, (int, float)) or leeway < 0:
            raise UsageError(f"JwtAuthorizer(leeway=...) takes a number of seconds >= 0, got {leeway!r}")
        self.token_use = token_use
        self.leeway = float(leeway)
        self.identity_source = identity_source
        self.source_kind, self.header_name = _identity_source(identity_source)
        self.validation_regex = re.compile(validation_regex) if validation_regex else None
        # the keys, and the tokens whose signature verified against them (the keys never change): token -> its
        # JSON payload; a TokenIssuer's are shared by every authorizer trusting it, read on the first check
        self._loaded: tuple[dict[str, jwt.PyJWK], BoundedCache[str, bytes]] | None = (
            None if jwks is None else (self._load_jwks(jwks), BoundedCache(1024))
        )
        if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not 0 <= ttl <= 3600:
            raise UsageError(f"JwtAuthorizer(ttl=...) takes 0 to 3600 seconds, got {ttl!r}")
        self.ttl = float(ttl)
        # results of calls built by hand; a gateway hands each call its API's own cache (``call.cache``)
        self._cache: dict[Any, Any] = {}

    def _checked_keys(self) -> tuple[dict[str, jwt.PyJWK], BoundedCache[str, bytes]]:
        if self._loaded is None:
            assert self._issuer_keys is not None
            self._loaded = _issuer_keys(self._issuer_keys.issuer, self._issuer_keys.kid)
        return self._loaded

    @property
    def _keys(self) -> dict[str, jwt.PyJWK]:
        return self._checked_keys()[0]

    @property
    def _signed(self) -> BoundedCache[str, bytes]:
        return self._checked_keys()[1]

    @staticmethod
    def _load_jwks(jwks: Mapping[str, Any]) -> dict[str, jwt.PyJWK]:
        import jwt

        keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
        if not isinstance(keys, list):
            raise UsageError(
                'JwtAuthorizer(jwks=...) takes a JSON Web Key Set: {"keys": [{"kty": "RSA", ...}]}'
            )
        loaded: dict[str, jwt.PyJWK] = {}
        for index, entry in enumerate(keys):
            if not isinstance(entry, Mapping) or entry.get("kty") != "RSA" or not entry.get("kid"):
                continue  # AWS only uses RSA keys with a kid; others cannot match a token
            try:
                loaded[str(entry["kid"])] = _jwk(dict(entry), str(entry.get("alg") or "RS256"))
            except jwt.PyJWTError as exc:
                raise UsageError(
                    f"JwtAuthorizer(jwks=...): key {index} ({entry.get('kid')!r}) is invalid: {exc}"
                ) from None
        if not loaded:
            raise UsageError(
                "JwtAuthorizer(jwks=...) holds no RSA key with a kid; API Gateway could use none"
            )
        return loaded

    # -- the AWS validation pipeline -------------------------------------------------------------------

    def authorize(self, call: AuthorizationCall) -> AuthDecision:
        """Validate the request's JWT (signature, issuer, audience, expiry, scopes) and allow or refuse it."""
        if self.source_kind == "header":
            raw = call.request.headers.get(self.header_name)
        else:
            values = call.request.query_values(self.header_name)
            raw = ",".join(values) if values else None  # HTTP APIs join repeated parameters with commas
        if raw is None or not raw.strip():
            return self._unauthorized(call, None, "missing identity source")
        token = raw.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        if self.validation_regex is not None and not self.validation_regex.fullmatch(raw):
            return self._unauthorized(call, _MALFORMED, "the token does not match the validation expression")
        key = (call.api_id, call.stage, token)
        cache = self._cache if call.cache is None else call.cache
        cached = cache.get(key) if self.ttl > 0 and call.api_kind == "REST" else None
        hit = cached is not None and call.clock.time() < cached[0]
        try:
            if cached is not None and hit:
                claims = cached[1]
            else:
                claims = self._verify(token, call)
                if self.ttl > 0 and call.api_kind == "REST":
                    cache[key] = (call.clock.time() + self.ttl, claims)
            self._check_token_use(claims, call)
        except _Refused as refused:
            return self._unauthorized(call, refused.description, refused.description)
        granted = _token_scopes(claims)
        if call.scopes and not any(scope in granted for scope in call.scopes):
            return self._insufficient_scope(call)
        return AuthDecision(
            principal_id=str(claims.get("sub")) if claims.get("sub") is not None else None,
            claims=claims,
            scopes=tuple(granted) if call.scopes else None,
            cached=hit,
        )

    def _verify(self, token: str, call: AuthorizationCall) -> dict[str, Any]:
        signed = self._signed.get(token)
        if signed is not None:  # signature, algorithm and kid already checked: only the claims can change
            claims: dict[str, Any] = json.loads(signed)
            self._check_claims(claims, call)
            return claims
        claims = self._verify_signature(token)
        self._signed.put(token, _segment(token.split(".")[1]))
        self._check_claims(claims, call)
        return claims

    def _verify_signature(self, token: str) -> dict[str, Any]:
        """Steps 1-3 of AWS's workflow for a token not seen before: decode, pick the key, check the
        signature (pyjwt's checks cost ~100 us a token, most of the authorizer's time)."""
        if token.count(".") != 2:
            raise _Refused(_SEGMENTS)
        header, claims = _decode(token)
        algorithm = header.get("alg")
        if algorithm not in _RSA_ALGORITHMS:
            raise _Refused(_ALGORITHM)
        kid = header.get("kid")
        key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise _Refused(_KID)
        if key.algorithm_name != algorithm:
            raise _Refused(_ALGORITHM)
        import jwt  # loaded with the key (``_load_jwks``): a dict lookup here

        try:
            jwt.api_jws.PyJWS().decode_complete(token, key.key, algorithms=[str(algorithm)])
        except jwt.InvalidSignatureError:
            raise _Refused(_SIGNATURE) from None
        except (jwt.PyJWTError, ValueError, TypeError):
            raise _Refused(_MALFORMED) from None
        return claims

    def _check_claims(self, claims: dict[str, Any], call: AuthorizationCall) -> None:
        if claims.get("iss") != self.issuer:
            raise _Refused(_ISSUER)
        if self.audience:
            if "aud" in claims:
                aud = claims["aud"]
                values = aud if isinstance(aud, list) else [aud]
                if not any(isinstance(value, str) and value in self.audience for value in values):
                    raise _Refused(_AUDIENCE)
            elif claims.get("client_id") not in self.audience:
                raise _Refused(_AUDIENCE)
        now = call.clock.time()
        exp = _number(claims.get("exp"))
        if exp is None:
            raise _Refused(_NO_EXPIRY)
        if now >= exp + self.leeway:
            raise _Refused(_EXPIRED)
        if "nbf" in claims:
            nbf = _number(claims["nbf"])
            if nbf is None or now < nbf - self.leeway:
                raise _Refused(_NOT_YET)
        if "iat" in claims:
            iat = _number(claims["iat"])
            if iat is None or iat > now + self.leeway:
                raise _Refused(_ISSUED_FUTURE)

    def _check_token_use(self, claims: Mapping[str, Any], call: AuthorizationCall) -> None:
        required = self.token_use
        if required is None and call.api_kind == "REST":
            required = "access" if call.scopes else "id"
        if required is not None and claims.get("token_use") != required:
            raise _Refused(_TOKEN_USE)

    # -- decisions ---------------------------------------------------------------------------------------

    def _unauthorized(self, call: AuthorizationCall, description: str | None, reason: str) -> AuthDecision:
        if call.api_kind != "HTTP":
            return AuthDecision(response_type="UNAUTHORIZED", reason=reason)
        if description is None:
            challenge = "Bearer"
        else:
            scope = " ".join(call.scopes)
            challenge = f'Bearer scope="{scope}" error="invalid_token" error_description="{description}"'
        return AuthDecision(
            response_type="UNAUTHORIZED", headers={"www-authenticate": challenge}, reason=reason
        )

    def _insufficient_scope(self, call: AuthorizationCall) -> AuthDecision:
        scope = " ".join(call.scopes)
        reason = f"expected scopes: [{scope}]"
        if call.api_kind != "HTTP":
            return AuthDecision(response_type="UNAUTHORIZED", reason=reason)
        challenge = f'Bearer scope="{scope}" error="insufficient_scope" error_description="{reason}"'
        return AuthDecision(response_type="FORBIDDEN", headers={"www-authenticate": challenge}, reason=reason)

    def __repr__(self) -> str:
        return f"JwtAuthorizer(issuer={self.issuer!r}, audience={list(self.audience)!r})"
