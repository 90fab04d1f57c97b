"""pytest_serverless._environ: variables set for a while and restored, as os.environ itself would."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pytest_serverless import _environ


@pytest.fixture(params=["posix", "plain"])
def names(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The variables the tests use, set as they expect; both ways of writing them (``plain``: through
    ``os.environ``'s own items, as on Windows)."""
    if request.param == "plain":
        monkeypatch.setattr(_environ, "_FAST", False)
    chosen = ["PSC_TEST_KEPT", "PSC_TEST_CHANGED", "PSC_TEST_NEW", "PSC_TEST_UNSET"]
    for name in chosen:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PSC_TEST_KEPT", "same")
    monkeypatch.setenv("PSC_TEST_CHANGED", "before")
    monkeypatch.setenv("PSC_TEST_UNSET", "there")
    return chosen


def test_apply_sets_unsets_and_restore_puts_everything_back(names: list[str]) -> None:
    before = dict(os.environ)
    variables = _environ.encode(
        {"PSC_TEST_KEPT": "same", "PSC_TEST_CHANGED": "after", "PSC_TEST_NEW": 42, "PSC_TEST_UNSET": None}
    )
    saved = _environ.apply(variables)
    assert os.environ["PSC_TEST_KEPT"] == "same"
    assert os.environ["PSC_TEST_CHANGED"] == "after"
    assert os.getenv("PSC_TEST_NEW") == "42"
    assert "PSC_TEST_UNSET" not in os.environ
    # the C environment too: a child process sees what os.environ says
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; print(os.environ.get('PSC_TEST_CHANGED'), 'PSC_TEST_UNSET' in os.environ)",
        ],
        capture_output=True,
        text=True,
        env=None,
        check=True,
    )
    assert child.stdout.split() == ["after", "False"]
    _environ.restore(variables, saved)
    assert dict(os.environ) == before


def test_a_change_made_while_applied_is_undone(names: list[str]) -> None:
    before = dict(os.environ)
    variables = _environ.encode({"PSC_TEST_KEPT": "same", "PSC_TEST_NEW": "x"})
    saved = _environ.apply(variables)
    os.environ["PSC_TEST_KEPT"] = "changed by the code"  # equal before: not set by apply, still restored
    del os.environ["PSC_TEST_NEW"]
    _environ.restore(variables, saved)
    assert dict(os.environ) == before


def test_nested_blocks_restore_in_order(names: list[str]) -> None:
    before = dict(os.environ)
    outer = _environ.encode({"PSC_TEST_CHANGED": "outer", "PSC_TEST_NEW": "outer"})
    inner = _environ.encode({"PSC_TEST_CHANGED": "inner", "PSC_TEST_UNSET": None})
    saved_outer = _environ.apply(outer)
    saved_inner = _environ.apply(inner)
    assert (os.environ["PSC_TEST_CHANGED"], "PSC_TEST_UNSET" in os.environ) == ("inner", False)
    _environ.restore(inner, saved_inner)
    assert os.environ["PSC_TEST_CHANGED"] == "outer"
    assert os.environ["PSC_TEST_UNSET"] == "there"
    _environ.restore(outer, saved_outer)
    assert dict(os.environ) == before
