from __future__ import annotations

import pytest


@pytest.fixture
def no_aws_config(monkeypatch, tmp_path):
    """A machine with no AWS credentials, region or config: every AWS_* variable cleared, the config and
    credentials files pointing at nothing."""
    import os

    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


class Sent(Exception):
    """A request reached botocore's send stage: nothing of ours answered it."""


def stop_before_send(client):
    """Make ``client`` raise ``Sent`` instead of sending anything (to prove nothing answered a call)."""

    def refuse(request, **_):
        raise Sent(request.url)

    client.meta.events.register("before-send", refuse)
    return client


@pytest.fixture
def refuse_send():
    """``refuse_send(client)``: that client raises ``refuse_send.Sent`` at botocore's send stage."""
    stop_before_send.Sent = Sent
    return stop_before_send
