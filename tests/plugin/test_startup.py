"""Loading the plugin (pytest does in every session once it is installed) does not load the engines.

The ASL engine, the gateway, the loaders and the html report are imported when a test first uses them; a
session that never does pays only for the plugin's own modules.
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
    "jsonata",
    "jsonpath_ng",
    "yaml",
    "jsonschema",
    "airspeed",
    "jwt",
    "responses",
    "botocore",
]


def test_loading_the_plugin_loads_no_engine():
    script = (
        "import importlib, json, sys\n"
        f"for name in {PLUGIN_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps([name for name in {ENGINE_MODULES!r} if name in sys.modules]))\n"
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
