"""Gateway routes (sync=False), EventBridge rules and schedules start executions through the service and
return at once: the execution runs on the clock, which they do not move (API.md section 6)."""

from __future__ import annotations

import textwrap

from pytest_serverless import Gateway, StateMachine
from pytest_serverless.loaders import load_template

WAIT_THEN_PASS = {
    "StartAt": "Wait",
    "States": {
        "Wait": {"Type": "Wait", "Seconds": 600, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    },
}

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Wait
        States:
          Wait: {Type: Wait, Seconds: 600, Next: Done}
          Done: {Type: Pass, End: true}
      Events:
        Placed: {Type: EventBridgeRule, Properties: {Pattern: {source: [shop]}}}
        Hourly: {Type: Schedule, Properties: {Schedule: rate(1 hour)}}
"""


def test_an_asynchronous_route_answers_at_once_without_moving_the_clock():
    gateway = Gateway()
    machine = StateMachine(WAIT_THEN_PASS, name="Orders", clock=gateway.clock)
    api = gateway.rest_api("orders")
    api.route("POST /orders", state_machine=machine, sync=False)
    response = api.deploy("prod").client().post("/orders", json={"id": 1})
    assert response.status_code == 200
    assert gateway.clock.time() == 1704067200
    (execution,) = machine.service.list_executions(machine.arn)
    assert execution.arn == response.json()["executionArn"]
    assert execution.status == "RUNNING"
    gateway.clock.advance(600)
    assert (execution.status, execution.output, execution.duration) == ("SUCCEEDED", {"id": 1}, 600)


def test_rules_and_schedules_start_executions_on_the_apps_service(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(TEMPLATE))
    app = load_template(path)
    (started,) = app.put_events([{"Source": "shop", "DetailType": "OrderPlaced", "Detail": {"id": 7}}])
    assert started.status == "RUNNING"
    assert app.clock.time() == 1704067200
    assert app.stepfunctions.describe_execution(started.arn) is started
    assert started.state_machine is app.stepfunctions.state_machine(started.state_machine.name)
    app.clock.advance(2 * 3600 + 1)  # the hourly schedule fires at its own instants during one advance
    scheduled = [e for e in app.executions if e is not started]  # app.executions: the finished ones
    assert [(e.start_date.hour, e.start_date.minute) for e in scheduled] == [(1, 0)]
    assert started.status == "SUCCEEDED"
    assert all(e.duration == 600 for e in app.executions)
    running = app.stepfunctions.list_executions(started.state_machine.arn, status_filter="RUNNING")
    assert [e.start_date.hour for e in running] == [2]
    app.close()
    app.clock.advance(7200)
    assert running[0].status == "SUCCEEDED"
    assert len(app.stepfunctions.list_executions(started.state_machine.arn)) == 3
