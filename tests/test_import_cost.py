"""What the first use of the engine imports (issue 18: the one-time import cost every suite pays).

Features few suites use (TestState, JSONata, YAML definitions, the gateway, the loaders, reporting, the AWS
bridge) are imported when first used, not with the engine: each check runs in a fresh interpreter and lists
the heavy modules that must still be missing from ``sys.modules`` (``benchmarks/bench_imports.py`` has the
times; no timing is asserted here).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# imported by a feature's first use, never by the engine's
TEST_STATE = [
    "pytest_serverless.asl.test_state",
    "pytest_serverless.asl._test_state_request",
    "pytest_serverless.asl._test_state_scope",
]
LIBRARIES = ["yaml", "jsonschema", "jsonata", "jsonpath_ng", "jwt", "cryptography", "botocore", "responses"]
ENGINE_EXTRAS = [
    *TEST_STATE,
    "pytest_serverless.asl.choice",  # Choice rules: a machine with a Choice state
    "pytest_serverless.asl._path_filter",  # JSONPath filters: a path with [?(...)]
    "pytest_serverless.asl._intrinsic_parse",  # intrinsic functions: States.Format(...)
    "pytest_serverless.asl.jsonata",
    "pytest_serverless.gateway",
    "pytest_serverless.loaders",
    "pytest_serverless.reporting",
    "pytest_serverless.aws",
    *LIBRARIES,
]

MACHINE = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}

IMPORT_ENGINE = "import pytest_serverless.asl.machine\n"
RUN_A_MACHINE = (
    "from pytest_serverless import StateMachine\n"
    f"machine = StateMachine({MACHINE!r})\n"
    "execution = machine.execute({}, mocks={'Charge': lambda event: {'ok': True}})\n"
    "assert execution.status == 'SUCCEEDED', execution.status\n"
)


def _loaded(script: str, names: list[str]) -> list[str]:
    """The names of ``names`` in ``sys.modules`` after running ``script`` in a fresh interpreter."""
    probe = f"{script}\nimport json, sys\nprint(json.dumps([n for n in {names!r} if n in sys.modules]))\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "script",
    [IMPORT_ENGINE, RUN_A_MACHINE],
    ids=["importing the engine", "running a machine given as a dict"],
)
def test_the_engine_imports_no_rarely_used_feature(script):
    assert _loaded(script, ENGINE_EXTRAS) == []


def test_test_state_imports_its_machinery_on_first_use():
    script = (
        f"{RUN_A_MACHINE}"
        "result = machine.test_state('Charge', {}, mock={'result': '{\"ok\": true}'})\n"
        "assert result.status == 'SUCCEEDED', result.status\n"
    )
    assert _loaded(script, TEST_STATE) == TEST_STATE


def test_a_yaml_definition_imports_the_yaml_parser_on_first_use():
    script = (
        "from pytest_serverless import StateMachine\n"
        "machine = StateMachine('StartAt: P\\nStates:\\n  P:\\n    Type: Pass\\n    End: true\\n')\n"
        "assert machine.execute({}).status == 'SUCCEEDED'\n"
    )
    assert _loaded(script, ["yaml"]) == ["yaml"]


def test_the_jwt_authorizer_module_imports_pyjwt_and_cryptography_on_first_use():
    """Building an API with a JWT authorizer imports the module; pyjwt and cryptography wait for a key to be
    made or a token checked."""
    script = "import pytest_serverless.gateway.authorizers.cognito_jwt\n"
    assert _loaded(script, ["jwt", "cryptography"]) == []
    script += (
        "from pytest_serverless import Gateway\n"
        "issuer = Gateway().token_issuer()\n"
        "assert issuer.token().count('.') == 2\n"
    )
    assert _loaded(script, ["jwt", "cryptography"]) == ["cryptography"]  # pyjwt: to check a token


def test_a_lambda_proxy_route_imports_no_vtl():
    """VTL (airspeed) is for non-proxy integrations and mapping templates: a proxy route never loads it."""
    script = (
        "from pytest_serverless import Gateway\n"
        "api = Gateway().http_api('orders')\n"
        "api.route('GET /orders/{id}', lambda event, context: {'statusCode': 200, 'body': 'ok'})\n"
        "assert api.deploy('$default').client().get('/orders/1').status_code == 200\n"
    )
    assert _loaded(script, ["airspeed", "pytest_serverless.gateway.integrations.vtl", *LIBRARIES]) == []
