"""Access logs in the stage's format ($context variables; JSON, CLF, CSV) and metrics per route and minute,
through the Python API and templates."""

from __future__ import annotations

import json
import textwrap

from pytest_serverless import Gateway
from pytest_serverless.loaders import load_template
from tests.helpers import boom, ok

JSON_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod",'
    '"route":"$context.routeKey","status":"$context.status","length":"$context.responseLength",'
    '"error":"$context.error.message","type":"$context.error.responseType","time":"$context.requestTime",'
    '"unknown":"$context.nothing.here"}'
)


def test_json_format_lines_per_request():
    api = Gateway().rest_api("shop")
    api.route("GET /ok", ok)
    api.route("GET /boom", boom)
    stage = api.deploy("prod")
    stage.access_log_format = JSON_FORMAT
    client = stage.client(source_ip="203.0.113.4")
    good = client.get("/ok")
    client.get("/boom")
    client.get("/missing")
    first, failed, missing = (json.loads(line) for line in stage.access_logs)
    assert first == {
        "requestId": good.request_id,
        "ip": "203.0.113.4",
        "method": "GET",
        "route": "GET /ok",
        "status": "200",
        "length": "2",
        "error": "-",
        "type": "-",
        "time": "01/Jan/2024:00:00:00 +0000",
        "unknown": "-",
    }
    assert (failed["status"], failed["error"], failed["type"]) == (
        "502",
        "Internal server error",
        "InternalServerErrorException",
    )
    assert (missing["status"], missing["route"]) == ("403", "-")


def test_clf_format_and_no_format_means_no_lines():
    api = Gateway().http_api("h")
    api.route("GET /ok", ok)
    stage = api.deploy("$default")
    stage.client().get("/ok")
    assert stage.access_logs == []
    stage.access_log_format = (
        '$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.routeKey '
        '$context.protocol" $context.status $context.responseLength $context.requestId'
    )
    stage.client().get("/ok")
    before, after = stage.access_logs
    # a success answered before the stage had a format keeps only what the log record holds
    assert before.startswith('- - - [01/Jan/2024:00:00:00 +0000] "GET GET /ok -" 200 - ')
    assert after.startswith('198.51.100.1 - - [01/Jan/2024:00:00:00 +0000] "GET GET /ok HTTP/1.1" 200 2 ')


def test_metrics_by_route_and_minute_with_each_kinds_names():
    gateway = Gateway()
    rest = gateway.rest_api("r")
    rest.route("GET /ok", ok)
    rest.route("GET /boom", boom)
    stage = rest.deploy("prod")
    client = stage.client()
    client.get("/ok")
    gateway.clock.advance(60)
    client.get("/ok")
    client.get("/boom")
    by_route = stage.metrics_by()
    assert by_route["GET /ok"]["Count"] == 2
    assert by_route["GET /boom"]["5XXError"] == 1
    assert set(stage.metrics_by(route="GET /ok", minute=True)) == {
        ("GET /ok", 1704067200),
        ("GET /ok", 1704067260),
    }
    http = gateway.http_api("h")
    http.route("POST /ok", ok)
    http_stage = http.deploy("$default")
    http_stage.client().post("/ok", data=b"12345")
    metrics = http_stage.metrics_by()["POST /ok"]
    assert set(metrics) == {"Count", "4xx", "5xx", "Latency", "IntegrationLatency", "DataProcessed"}
    assert metrics["DataProcessed"] == 7  # 5 bytes in, 2 out


TEMPLATE = textwrap.dedent(
    """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          InlineCode: "def handler(event, context):\\n    return {'statusCode': 200, 'body': 'ok'}\\n"
          Events:
            Rest: {Type: Api, Properties: {RestApiId: !Ref Rest, Path: /ok, Method: get}}
            Http: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /ok, Method: GET}}
      Rest:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          AccessLogSetting:
            DestinationArn: arn:aws:logs:us-east-1:123456789012:log-group:x
            Format: "$context.requestId,$context.status"
      Http:
        Type: AWS::Serverless::HttpApi
        Properties:
          AccessLogSettings:
            DestinationArn: arn:aws:logs:us-east-1:123456789012:log-group:x
            Format: "$context.routeKey $context.status"
    """
)


def test_template_access_log_formats(tmp_path):
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    app = load_template(tmp_path / "template.yaml")
    try:
        assert app.unsupported == []
        rest = app.api("Rest").stage("prod")
        answer = rest.client().get("/ok")
        assert rest.access_logs == [f"{answer.request_id},200"]
        http = app.api("Http").stage("$default")
        http.client().get("/ok")
        assert http.access_logs == ["GET /ok 200"]
    finally:
        app.close()


def test_execution_log_lines_for_failures():
    api = Gateway().rest_api("r")
    api.route("GET /ok", ok)
    api.route("GET /malformed", lambda event, context: {"statusCode": "x"})
    api.route("GET /boom", boom)
    stage = api.deploy("prod")
    client = stage.client()
    client.get("/ok")
    bad = client.get("/malformed")
    client.get("/boom")
    lines = stage.execution_logs
    assert lines[:2] == [
        f"({bad.request_id}) Execution failed due to configuration error: Malformed Lambda proxy response",
        f"({bad.request_id}) Method completed with status: 502",
    ]
    assert lines[2].endswith("Lambda execution failed with status 200 due to customer function error: boom")
    assert len(lines) == 4
