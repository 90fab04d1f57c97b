"""The chat app loaded from its template on the test's virtual clock, with @connections wired to the stage.

Each test gets fresh copies of the function modules in ``src/`` (so the in-memory connection table starts
empty) and hands them to the ``load_serverless_app`` fixture as the template's handlers.
"""

import importlib.util
from pathlib import Path

import pytest

from pytest_serverless import AwsError

ROOT = Path(__file__).resolve().parent.parent


def fresh_module(name):
    spec = importlib.util.spec_from_file_location(f"chat_example_{name}", ROOT / "src" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def chat():
    """The chat function's module (its ``CONNECTIONS`` table is the app's state)."""
    return fresh_module("chat")


@pytest.fixture
def chat_app(load_serverless_app, chat):
    """The chat template, loaded on the test's clock with its markers, coverage and contracts."""
    handlers = {"ChatFunction": chat.handler, "AuthFunction": fresh_module("auth").handler}
    return load_serverless_app(ROOT / "template.yaml", handlers=handlers)


@pytest.fixture
def stage(chat_app, chat):
    """The ``prod`` stage; the function's ``post`` goes through the stage's @connections API, as boto3's
    ``apigatewaymanagementapi`` client does on AWS."""
    stage = chat_app.api("ChatApi").stage("prod")

    def post(endpoint, connection_id, data):
        assert endpoint == stage.callback_url
        try:
            stage.post_to_connection(connection_id, data)
        except AwsError as error:
            if error.code == "GoneException":
                raise chat.Gone(connection_id) from None
            raise

    chat.post = post
    return stage
