"""load_template reads each template once per process (a cache keyed by path, content and parameters) and
gives every app its own copy: nothing mutable is shared between two loads of one template."""

from __future__ import annotations

import textwrap

import pytest

from pytest_serverless.errors import TemplateError
from pytest_serverless.loaders import load_template
from pytest_serverless.loaders.app import TEMPLATES
from tests.helpers import write_template

SAM = textwrap.dedent(
    """\
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      Greeting: {Type: String, Default: hello}
    Resources:
      Api:
        Type: AWS::Serverless::Api
        Properties:
          StageName: live
          DefinitionUri: api.yaml
      Flow:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition:
            StartAt: Say
            States:
              Say: {Type: Pass, Result: {word: !Ref Greeting}, End: true}
    """
)
OPENAPI = textwrap.dedent(
    """\
    openapi: "3.0.1"
    info: {title: cached, version: "1"}
    paths:
      /ping:
        get:
          x-amazon-apigateway-integration:
            type: mock
            requestTemplates: {application/json: '{"statusCode": 200}'}
            responses: {default: {statusCode: "200", responseTemplates: {application/json: '"%s"'}}}
    """
)


@pytest.fixture
def template(tmp_path):
    (tmp_path / "api.yaml").write_text(OPENAPI % "pong")
    return write_template(tmp_path, SAM)


def test_second_load_is_a_cache_hit_with_its_own_objects(template):
    first = load_template(template)
    hits = TEMPLATES.hits
    second = load_template(template)
    assert TEMPLATES.hits == hits + 1
    assert first.model is not second.model
    assert first.template is not second.template
    assert first.model.apis["Api"] is not second.model.apis["Api"]
    assert first.gateway is not second.gateway
    assert first.clock is not second.clock
    assert first.state_machine("Flow") is not second.state_machine("Flow")


def test_changing_one_app_model_leaves_the_next_load_alone(template):
    first = load_template(template)
    first.model.apis["Api"].routes.clear()
    first.template.document["Resources"].clear()
    second = load_template(template)
    assert [route.key for route in second.model.apis["Api"].routes] == ["GET /ping"]
    assert "Flow" in second.template.document["Resources"]


def test_state_is_not_shared_between_apps(template):
    first, second = load_template(template), load_template(template)
    first.state_machine("Flow").execute({})
    first.clock.advance(60)
    assert len(first.executions) == 1
    assert second.executions == []
    assert second.clock.time() == first.clock.time() - 60


def test_parameters_are_part_of_the_key(template):
    hello = load_template(template).state_machine("Flow").execute({})
    hola = load_template(template, parameters={"Greeting": "hola"}).state_machine("Flow").execute({})
    assert hello.output == {"word": "hello"}
    assert hola.output == {"word": "hola"}


def test_an_edited_template_is_read_again(template):
    assert load_template(template).state_machine("Flow").execute({}).output == {"word": "hello"}
    template.write_text(SAM.replace("Default: hello", "Default: bonjour"))
    assert load_template(template).state_machine("Flow").execute({}).output == {"word": "bonjour"}


def test_an_edited_openapi_body_is_read_again(template):
    client = load_template(template).api("Api").stage("live").client()
    assert client.get("/ping").json() == "pong"
    (template.parent / "api.yaml").write_text(OPENAPI % "pong, again")
    client = load_template(template).api("Api").stage("live").client()
    assert client.get("/ping").json() == "pong, again"


def test_an_edited_definition_file_is_read_again(tmp_path):
    flow = tmp_path / "flow.asl.json"
    flow.write_text('{"StartAt": "Say", "States": {"Say": {"Type": "Pass", "Result": "one", "End": true}}}')
    template = write_template(
        tmp_path,
        """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Flow:
            Type: AWS::Serverless::StateMachine
            Properties: {DefinitionUri: flow.asl.json}
        """,
    )
    assert load_template(template).state_machine("Flow").execute({}).output == "one"
    flow.write_text('{"StartAt": "Say", "States": {"Say": {"Type": "Pass", "Result": "two!", "End": true}}}')
    assert load_template(template).state_machine("Flow").execute({}).output == "two!"
    flow.write_text('{"StartAt": "Say", "States": {"Say": {"Type": "Nope", "End": true}}}')
    with pytest.raises(TemplateError, match="Flow has an invalid definition"):
        load_template(template)


def test_a_broken_definition_fails_every_load_not_only_the_first(tmp_path):
    template = write_template(
        tmp_path,
        """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Flow:
            Type: AWS::Serverless::StateMachine
            Properties:
              Definition: {StartAt: Missing, States: {Say: {Type: Pass, End: true}}}
        """,
    )
    for _ in range(2):
        with pytest.raises(TemplateError, match="Flow has an invalid definition"):
            load_template(template)


SCHEDULED = textwrap.dedent(
    """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Tick:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition:
            StartAt: Say
            States:
              Say: {Type: Pass, End: true}
          Events:
            Every:
              Type: Schedule
              Properties: {Schedule: rate(10 minutes)}
            Noon:
              Type: Schedule
              Properties: {Schedule: cron(0 12 * * ? *)}
    """
)


def test_schedules_count_from_each_apps_own_load_time(tmp_path):
    from datetime import UTC, datetime

    from pytest_serverless.clock import VirtualClock

    template = write_template(tmp_path, SCHEDULED)
    first = load_template(template)
    later = load_template(template, clock=VirtualClock(datetime(2024, 1, 1, 11, 55, tzinfo=UTC)))
    for app in (first, later):
        app.clock.advance(600)
    # a rate counts from the load (00:00 and 11:55), the cron fires at noon whoever loads
    assert [e.start_date.strftime("%H:%M") for e in first.executions] == ["00:10"]
    assert sorted(e.start_date.strftime("%H:%M") for e in later.executions) == ["12:00", "12:05"]
    again = load_template(template)  # the first app's timers moved nothing shared
    again.clock.advance(600)
    assert [e.start_date.strftime("%H:%M") for e in again.executions] == ["00:10"]
