"""Loading the plugin (pytest does in every session once it is installed) does not load the engines.

The ASL engine, the gateway, the loaders and the coverage reports are imported when a test first uses them
(or a report is asked for); a session that never does pays only for the plugin's own modules.
"""

from __future__ import annotations

import json
import subprocess
import sys

PLUGIN_MODULES = [
    "pytest_serverless.plugin",
    "pytest_serverless.plugin.hooks",
    "pytest_serverless.plugin.fixtures",
    "pytest_serverless.plugin.coverage",
    "pytest_serverless.plugin.contracts",
]
ENGINE_MODULES = [
    "pytest_serverless.asl.machine",
    "pytest_serverless.asl.interpreter",
    "pytest_serverless.asl.jsonata",
    "pytest_serverless.gateway.pipeline",
    "pytest_serverless.loaders",
    "pytest_serverless.reporting.html",
    "pytest_serverless.reporting.coverage",  # the coverage model and its reports: with --sfn-coverage only
    "pytest_serverless.reporting.graph",
    "pytest_serverless.reporting.render",
    "jsonata",
    "jsonpath_ng",
    "yaml",
    "jsonschema",
    "airspeed",
    "jwt",
    "responses",
    "botocore",
    "difflib",  # "did you mean" hints: on the failure paths that give them
]


def test_loading_the_plugin_loads_no_engine():
    script = (  # what the plugin adds to what pytest itself imports (pytest 7.4 imports difflib)
        "import importlib, json, sys, pytest\n"
        "before = set(sys.modules)\n"
        f"for name in {PLUGIN_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps([name for name in {ENGINE_MODULES!r} if name in set(sys.modules) - before]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_the_asl_engine_and_the_gateway_run_without_botocore():
    script = (
        "import sys\n"
        "from pytest_serverless import StateMachine, Gateway\n"
        "sm = StateMachine({'StartAt': 'P', 'States': {'P': {'Type': 'Pass', 'End': True}}})\n"
        "assert sm.execute({}).status == 'SUCCEEDED'\n"
        "Gateway().http_api('a')\n"
        "print('botocore' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


GC_PROBE = """
import gc

import pytest


@pytest.mark.parametrize("n", range({tests}))
def test_during_the_loop(n):
    if n == 0:
        print(f"frozen-during={{gc.get_freeze_count()}}")
"""


def _freeze_counts(tmp_path, ini: str, tests: int = 200) -> tuple[int, int]:
    (tmp_path / "pytest.ini").write_text(f"[pytest]\n{ini}\n")
    (tmp_path / "test_gc.py").write_text(GC_PROBE.format(tests=tests))
    (tmp_path / "conftest.py").write_text(
        "import gc\n\n\ndef pytest_unconfigure(config):\n    print(f'frozen-after={gc.get_freeze_count()}')\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "-p", "no:randomly"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    during = int(done.stdout.split("frozen-during=")[1].split()[0])
    after = int(done.stdout.split("frozen-after=")[1].split()[0])
    return during, after


def test_the_collector_is_frozen_for_the_test_loop_and_unfrozen_after(tmp_path):
    during, after = _freeze_counts(tmp_path, "")
    assert during > 1000  # pytest's and the test modules' objects, out of the collector's generations
    assert after == 0  # the session leaves the collector as it found it


def test_serverless_gc_freeze_false_leaves_the_collector_alone(tmp_path):
    assert _freeze_counts(tmp_path, "serverless_gc_freeze = false") == (0, 0)


def test_a_small_session_is_not_frozen(tmp_path):
    # under 200 tests the one full collection costs more than the freeze saves
    assert _freeze_counts(tmp_path, "", tests=199) == (0, 0)


def test_the_ini_line_that_silences_unsupported_resources_loads_no_engine():
    # filterwarnings = ignore::pytest_serverless.UnsupportedResourceWarning (what the warning itself advises)
    # is resolved by pytest at start-up, in every session
    script = (
        "import json, sys, warnings\n"
        "import pytest_serverless\n"
        "category = pytest_serverless.UnsupportedResourceWarning\n"
        "assert issubclass(category, UserWarning)\n"
        f"print(json.dumps([name for name in {ENGINE_MODULES!r} if name in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
