"""Fixtures of the authorizer tests: a virtual clock, and a token issuer on it."""

from __future__ import annotations

import pytest

from pytest_serverless.clock import VirtualClock
from pytest_serverless.gateway.authorizers import TokenIssuer
from tests.helpers import ISSUER_URL


@pytest.fixture
def clock():
    return VirtualClock()


@pytest.fixture
def issuer(clock):
    """A Cognito-like issuer (``ISSUER_URL``, audience ``client-id``) on the test's clock."""
    return TokenIssuer(issuer=ISSUER_URL, audience="client-id", clock=clock)
