"""The fake user pools' ready-made keys (``_ready_keys``): real 2048-bit RSA keys, one per issuer URL, never
shared between two issuers of a process; issuers past the ready ones generate their own."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from pytest_serverless.gateway.authorizers import JwtAuthorizer, TokenIssuer, cognito_jwt
from pytest_serverless.gateway.authorizers._ready_keys import PUBLIC_EXPONENT, READY_PRIMES
from tests.helpers import authorization_call


def test_each_ready_key_is_a_valid_2048_bit_rsa_key_of_its_own():
    moduli = set()
    for p, q in READY_PRIMES:
        d = rsa.rsa_recover_private_exponent(PUBLIC_EXPONENT, p, q)
        numbers = rsa.RSAPrivateNumbers(
            p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q),
            rsa.RSAPublicNumbers(PUBLIC_EXPONENT, p * q),
        )  # fmt: skip
        key = numbers.private_key()  # OpenSSL's full check: the primes are primes and belong together
        assert key.key_size == 2048
        moduli.add(p * q)
    assert len(moduli) == len(READY_PRIMES)


@pytest.fixture
def fresh_keys(monkeypatch):
    """The process's issuer keys as if no issuer had asked yet (restored after the test)."""
    monkeypatch.setattr(cognito_jwt, "_KEYS", {})
    public_jwks = cognito_jwt._public_jwk_cached.cache
    saved = dict(public_jwks)
    public_jwks.clear()
    yield
    public_jwks.clear()
    public_jwks.update(saved)


@pytest.mark.usefixtures("fresh_keys")
def test_issuers_take_the_ready_keys_in_order_then_generate_their_own(clock):
    issuers = [
        TokenIssuer(issuer=f"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool{n}", clock=clock)
        for n in range(len(READY_PRIMES) + 1)
    ]
    moduli = [issuer._key.public_key().public_numbers().n for issuer in issuers]
    assert moduli[:-1] == [p * q for p, q in READY_PRIMES]
    assert len(set(moduli)) == len(moduli)  # the one past the ready keys generated a key of its own
    # a token of one pool is refused by an authorizer trusting another pool
    first, second = issuers[0], issuers[1]
    headers = {"Authorization": f"Bearer {first.token()}"}
    assert JwtAuthorizer(first).authorize(authorization_call(clock, headers)).allowed
    assert not JwtAuthorizer(second).authorize(authorization_call(clock, headers)).allowed
