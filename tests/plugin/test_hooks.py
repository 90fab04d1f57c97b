"""The plugin hooks: register_integrations, execution_finished, gateway_response."""

from __future__ import annotations

import pytest

from pytest_serverless.hookspecs import IntegrationRegistry

# section: pytest_serverless_register_integrations


def test_registered_task_integrations_serve_sfn_machines(project):
    project.makeconftest(
        """
        def charge(event, context):
            return {"charged_by": "conftest", "function": context.function_name}

        def pytest_serverless_register_integrations(registry):
            registry.task_integration("arn:aws:lambda:*:*:function:charge", charge)
            registry.task_integration("Ship", lambda event, context: {"shipped": True})
        """
    )
    project.makepyfile(
        """
        from machines import ORDER, CHARGE_ARN

        def test_registered(sfn):
            execution = sfn(ORDER).execute({})
            assert execution.path == ["Validate", "Charge", "Ship", "Done"]
            assert execution.output == {"shipped": True}

        def test_explicit_tasks_win(sfn):
            machine = sfn(ORDER, tasks={CHARGE_ARN: lambda event, context: 1 / 0})
            assert machine.execute({}).path[-1] == "Declined"
        """
    )
    project.runpytest().assert_outcomes(passed=2)


def test_registrations_follow_conftest_scope(project):
    project.mkpydir("payments")
    project.path.joinpath("payments", "conftest.py").write_text(
        "def pytest_serverless_register_integrations(registry):\n    registry.task_integration('Charge', "
        "lambda event, context: {'ok': True})\n    registry.task_integration('Ship', lambda event, context: "
        "{'ok': True})\n"
    )
    project.path.joinpath("payments", "test_inside.py").write_text(
        "from machines import ORDER\n\ndef test_inside(sfn):\n    assert sfn(ORDER).execute({}).status == "
        "'SUCCEEDED'\n"
    )
    project.makepyfile(
        test_outside="""
        import pytest
        from pytest_serverless import UnmockedTask
        from machines import ORDER

        def test_outside(sfn):
            with pytest.raises(UnmockedTask):
                sfn(ORDER).execute({})
        """
    )
    project.runpytest().assert_outcomes(passed=2)


def test_registered_gateway_integrations_reach_the_gateway(project):
    project.makeconftest(
        """
        from pytest_serverless.gateway.integrations.base import IntegrationResult

        class Teapot:
            def __init__(self, flavour="earl grey"):
                self.flavour = flavour

            def invoke(self, call):
                return IntegrationResult(418, [("Content-Type", "text/plain")], self.flavour.encode())

        def pytest_serverless_register_integrations(registry):
            registry.gateway_integration("teapot", Teapot)
        """
    )
    project.makepyfile(
        """
        import pytest

        @pytest.mark.expect_status(418)
        def test_teapot(gateway):
            api = gateway.rest_api("tea")
            api.route("GET /tea", integration="teapot", integration_options={"flavour": "green"})
            assert api.deploy("prod").client().get("/tea").text == "green"
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_registry_refuses_wrong_arguments():
    registry = IntegrationRegistry()
    with pytest.raises(TypeError) as caught:
        registry.task_integration("", print)
    assert str(caught.value) == (
        "task_integration(pattern, handler): pattern must be a resource ARN, an ARN pattern with * or a "
        "state name (a non-empty str), not ''"
    )
    with pytest.raises(TypeError) as caught:
        registry.task_integration("Charge", "not callable")
    assert str(caught.value) == (
        "task_integration('Charge', handler): handler must be callable as handler(event, context), not str"
    )
    with pytest.raises(
        TypeError, match=r"^gateway_integration\('x', factory\): factory must be callable, not int$"
    ):
        registry.gateway_integration("x", 1)
    with pytest.raises(
        TypeError, match=r"^gateway_integration\(name, factory\): name must be a non-empty str"
    ):
        registry.gateway_integration(None, print)


def test_registry_keeps_the_first_registration():
    # implementations are called closest first: the first registration is the closest one
    registry = IntegrationRegistry()
    registry.task_integration("Charge", print)
    registry.task_integration("Charge", repr)
    registry.gateway_integration("kinesis", dict)
    registry.gateway_integration("kinesis", list)
    assert registry.tasks == {"Charge": print}
    assert registry.gateway_integrations == {"kinesis": dict}
    assert repr(registry) == "IntegrationRegistry(tasks=['Charge'], gateway_integrations=['kinesis'])"


# section: observers


def test_execution_finished_sees_every_execution(project):
    project.makeconftest(
        """
        SEEN = []

        def pytest_serverless_execution_finished(execution, state_machine, item):
            SEEN.append((item.name, state_machine.name, execution.status, execution.path))
        """
    )
    project.makepyfile(
        """
        import pytest
        import conftest
        from machines import ORDER, PASSES

        @pytest.mark.mock_task("Charge", raises=("E", "C"))
        def test_observed(sfn, gateway):
            sfn(PASSES, name="Passes").execute({})
            api = gateway.rest_api("orders")
            api.route("POST /orders", state_machine=sfn(ORDER, name="Orders"))
            api.deploy("prod").client().post("/orders", json={})
            assert conftest.SEEN == [
                ("test_observed", "Passes", "SUCCEEDED", ["One", "Two"]),
                ("test_observed", "Orders", "FAILED", ["Validate", "Charge", "Declined"]),
            ]
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_execution_finished_with_only_the_execution_argument(project):
    project.makeconftest(
        """
        SEEN = []

        def pytest_serverless_execution_finished(execution):
            SEEN.append(execution.status)
        """
    )
    project.makepyfile(
        """
        import conftest
        from machines import PASSES

        def test_observed(sfn):
            sfn(PASSES).execute({})
            sfn(PASSES).execute({})
            assert conftest.SEEN == ["SUCCEEDED", "SUCCEEDED"]
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_gateway_response_sees_every_response(project):
    project.makeconftest(
        """
        SEEN = []

        def pytest_serverless_gateway_response(request, response):
            SEEN.append((request.method, request.path, response.status_code, response.answered_by))
        """
    )
    project.makepyfile(
        """
        import conftest

        def test_observed(gateway):
            api = gateway.rest_api("orders")
            api.route("GET /orders/{id}", lambda event, context: {"statusCode": 200, "body": "ok"})
            client = api.deploy("prod", throttle=(1, 1)).client()
            client.get("/orders/1")
            client.get("/orders/2")
            client.get("/missing")
            assert conftest.SEEN == [
                ("GET", "/orders/1", 200, "integration"),
                ("GET", "/orders/2", 429, "throttle"),
                ("GET", "/missing", 403, "route"),
            ]
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_hook_implementation_with_an_unknown_argument_is_refused(project):
    # an implementation with an argument the spec does not have is refused by pluggy, naming the hook
    project.makeconftest(
        """
        def pytest_serverless_gateway_response(request, response, elapsed):
            pass
        """
    )
    result = project.runpytest()
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*pytest_serverless_gateway_response*elapsed*"])


def test_the_closest_conftest_wins(project):
    project.makeconftest(
        """
        def pytest_serverless_register_integrations(registry):
            registry.task_integration("Charge", lambda event, context: {"by": "root"})
            registry.task_integration("Ship", lambda event, context: {"by": "root"})
        """
    )
    project.mkpydir("payments")
    project.path.joinpath("payments", "conftest.py").write_text(
        "def pytest_serverless_register_integrations(registry):\n"
        "    registry.task_integration('Ship', lambda event, context: {'by': 'payments'})\n"
    )
    project.path.joinpath("payments", "test_inside.py").write_text(
        "from machines import ORDER\n\n"
        "def test_inside(sfn):\n"
        "    assert sfn(ORDER).execute({}).output == {'by': 'payments'}\n"
    )
    project.makepyfile(
        test_outside="""
        from machines import ORDER

        def test_outside(sfn):
            assert sfn(ORDER).execute({}).output == {"by": "root"}
        """
    )
    project.runpytest().assert_outcomes(passed=2)
