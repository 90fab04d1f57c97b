"""The example projects pass, run the way README says: `python -m pytest examples` from the root."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = importlib.util.find_spec("schemathesis")  # in the `test` extra, not in `test-core`
CHROMIUM = next(filter(None, map(shutil.which, ["chromium", "chromium-browser", "google-chrome"])), None)
EXAMPLES = ROOT / "examples"


def run_pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def counts(output: str) -> dict[str, int]:
    summary = output.strip().splitlines()[-1]
    return {word: int(number) for number, word in re.findall(r"(\d+) (\w+)", summary)}


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory):
    """The examples folder alone, as a fresh clone has it (no caches, no repository config around it)."""
    target = tmp_path_factory.mktemp("clone") / "examples"
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return target.parent


@pytest.fixture(scope="module")
def examples_run(fresh_copy):
    """`python -m pytest examples -v` in the fresh copy, run once for the checks below."""
    return run_pytest("examples", "-v", cwd=fresh_copy)


def test_all_examples_pass_from_a_fresh_copy(examples_run):
    output = examples_run.stdout + examples_run.stderr
    assert examples_run.returncode == 0, output
    found = counts(examples_run.stdout)
    skipped = (CHROMIUM is None) + (SCHEMATHESIS is None)  # the browser and contract examples skip, only they
    if skipped:
        assert found.pop("skipped") == skipped, output
    if CHROMIUM is None:
        assert re.search(r"test_browser.py::\S+ SKIPPED", examples_run.stdout), output
    assert set(found) == {"passed"}, output  # no failure, error, skip or warning
    assert found["passed"] >= 30


def test_the_real_client_examples_run(examples_run):
    """Schemathesis's tests from the contract (one per operation) and the page in headless Chromium."""
    if SCHEMATHESIS is None:  # the `test-core` extra (the oldest pytest): the contract module skips whole
        assert not re.search(r"test_contract.py::\S+ PASSED", examples_run.stdout), examples_run.stdout
        return
    generated = r"test_contract.py::test_the_stage_keeps_its_contract\S* PASSED"
    contract = re.findall(generated, examples_run.stdout)
    assert len(contract) == 8, examples_run.stdout  # the contract's eight operations (three of refunds)
    if CHROMIUM is not None:
        assert re.search(r"test_browser.py::\S+ PASSED", examples_run.stdout), examples_run.stdout


def test_order_service_uses_the_template_from_the_ini(examples_run):
    assert "configfile: pytest.ini" in examples_run.stdout
    assert "template: order_service/template.yaml" in examples_run.stdout
    for name in (
        "test_order_without_token_is_unauthorized",
        "test_report_without_api_key_is_forbidden",
        "test_burst_over_the_stage_limit_is_throttled",
        "test_slow_carrier_makes_tracking_time_out",
        "test_catalog_is_public_and_cached_for_five_minutes",
        "test_partner_needs_the_orders_read_scope",
        "test_happy_path_with_the_real_functions",
        "test_payment_retried_then_caught",
    ):
        assert re.search(rf"order_service/tests/\S+::{name}\S* PASSED", examples_run.stdout), name


def test_hello_workflow_runs_with_the_engine_alone(examples_run):
    passed = re.findall(r"hello_workflow/test_hello_workflow.py::(\w+) PASSED", examples_run.stdout)
    assert len(passed) == 4


def test_a_broken_contract_fails_the_example(fresh_copy, tmp_path):
    """The example tests really check the template: drop the authorizer and the auth tests fail."""
    broken = tmp_path / "examples"
    shutil.copytree(fresh_copy / "examples", broken)
    template = broken / "order_service" / "template.yaml"
    text = template.read_text()
    template.write_text(text.replace("DefaultAuthorizer: ShopperAuthorizer", "DefaultAuthorizer: NONE"))
    result = run_pytest(
        "examples/order_service/tests/test_order_api.py", "-q", "-k", "unauthorized", cwd=tmp_path
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "test_order_without_token_is_unauthorized" in result.stdout


def test_chat_runs_on_a_websocket_api_from_its_template(examples_run):
    passed = re.findall(r"chat/tests/test_chat.py::(\w+) PASSED", examples_run.stdout)
    assert len(passed) == 10
    assert "test_a_message_is_broadcast_to_everyone" in passed


def test_a_broken_websocket_template_fails_the_chat_example(fresh_copy, tmp_path):
    """Drop the authorizer from $connect and the token test fails."""
    broken = tmp_path / "examples"
    shutil.copytree(fresh_copy / "examples", broken)
    template = broken / "chat" / "template.yaml"
    template.write_text(template.read_text().replace("AuthorizationType: CUSTOM", "AuthorizationType: NONE"))
    result = run_pytest("examples/chat/tests/test_chat.py", "-q", "-k", "without_a_token", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "test_connect_without_a_token_is_refused" in result.stdout
