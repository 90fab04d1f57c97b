"""Integration kinds a plugin registers, and the refusal of unknown kinds."""

from __future__ import annotations

import pytest

from pytest_serverless import Gateway, UsageError

# custom integrations


def test_registered_integration_kind():
    class Echo:
        def __init__(self, prefix):
            self.prefix = prefix

        def invoke(self, call):
            from pytest_serverless.gateway.integrations.base import IntegrationResult

            return IntegrationResult(
                207, [("Content-Type", "text/plain")], f"{self.prefix}{call.route_key}".encode()
            )

    gateway = Gateway()
    gateway.register_integration("echo", Echo)
    api = gateway.http_api("c")
    api.route("GET /x", integration="echo", integration_options={"prefix": "route="})
    response = api.deploy("$default").client().get("/x")
    assert (response.status_code, response.text) == (207, "route=GET /x")


def test_unknown_integration_kind_lists_registered_ones():
    gateway = Gateway()
    gateway.register_integration("sqs", lambda **kw: None)
    with pytest.raises(UsageError) as info:
        gateway.http_api("c").route("GET /x", integration="kinesis")
    assert str(info.value) == (
        "route 'GET /x': no integration kind named 'kinesis' (registered: sqs); "
        "register it with gateway.register_integration(name, factory)"
    )
