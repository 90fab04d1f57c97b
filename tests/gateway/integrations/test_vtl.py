"""Mapping templates as AWS's Velocity runs them: Java methods on values, $input, $util, $context, #if."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless import Gateway, LambdaAuthorizer, StateMachine
from pytest_serverless.gateway import LambdaCustom, MockResponse, StepFunctionsExecution
from pytest_serverless.gateway.integrations.vtl import TemplateFailure, json_path


def mocked(
    template, *, body="", status=200, request_template=None, method="POST", path="/items/7", **request
):
    """Render ``template`` as the response template of a MOCK integration; ``$input`` is the mock's body."""
    api = Gateway().rest_api("vtl")
    api.route(
        f"{method} /items/{{id}}",
        integration=MockResponse(
            {"statusCode": status, "body": body},
            request_templates={"application/json": request_template}
            if request_template is not None
            else None,
            integration_responses=[{"statusCode": status, "responseTemplate": template}],
        ),
    )
    client = api.deploy("prod", variables={"env": "live", "table": "orders-prod"}).client()
    return client.request(method, path, **request)


def text(template, **options):
    response = mocked(template, **options)
    assert response.status_code == 200, response.text
    return response.text


def lambda_event(template, **request):
    """The event a non-proxy Lambda function receives when ``template`` maps the request."""
    seen = []
    api = Gateway().rest_api("vtl")
    api.route(
        "POST /items/{id}",
        integration=LambdaCustom(
            lambda event, context: seen.append(event) or {"ok": True},
            request_templates={"application/json": template},
        ),
    )
    response = api.deploy("prod", variables={"env": "live"}).client().post("/items/7", **request)
    assert response.status_code == 200, response.text
    return seen[0]


# Java String methods on strings from the request, the context and literals


def test_java_string_methods_on_request_values():
    template = (
        "#set($s = $input.path('$.name'))"
        "$s.length()|$s.substring(2)|$s.substring(0, 3)|$s.toUpperCase()|$s.toLowerCase()|"
        "$s.indexOf('o')|$s.lastIndexOf('o')|$s.indexOf('zz')|$s.charAt(1)|$s.contains('bob')|"
        "$s.startsWith('Bo')|$s.endsWith('x')|$s.equals('Bob Bobson')|$s.equalsIgnoreCase('BOB BOBSON')|"
        "$s.replace('Bob', 'Al')|$s.replaceAll('B(o)b', '$1!')|$s.replaceFirst('[aeiou]', '_')|"
        "$s.matches('B.*n')|$s.matches('Bob')|$s.isEmpty()|$s.concat('!')|$s.compareTo('Bob')"
    )
    assert text(template, body={"name": "Bob Bobson"}) == (
        "10|b Bobson|Bob|BOB BOBSON|bob bobson|1|8|-1|o|false|true|false|true|true|"
        "Al Alson|o! o!son|B_b Bobson|true|false|false|Bob Bobson!|1"
    )


def test_java_split_trim_and_to_string_follow_java():
    template = (
        "#set($csv = $input.path('$.csv'))#set($parts = $csv.split(','))"
        "$parts.size():#foreach($p in $parts)[$p.trim()]#end|$csv.split('\\s*,\\s*', 2)|"
        "$input.path('$.n').toString().equals('42')|$input.path('$.n').toString().length()"
    )
    assert text(template, body={"csv": " a , b,,c,,", "n": 42}) == "4:[a][b][][c]|[ a, b,,c,,]|true|2"


def test_java_methods_on_literals_and_set_values():
    template = (
        "#set($word = 'mapping')#set($joined = \"${word}-template\")#set($n = $word.length() - 1)"
        "$word.substring(1, $n)|$joined.toUpperCase()|$joined.split('-').get(1)|$n.toString()|"
        "#set($list = ['a', 'b'])$list.isEmpty() $list.size() $list.contains('b') $list.get(0).toUpperCase()|"
        "#set($map = {'k': 'v'})$map.keySet() $map.containsKey('k') $map.isEmpty() $map.empty"
    )
    assert text(template) == "appin|MAPPING-TEMPLATE|template|6|false 2 true A|[k] true false false"


def test_regex_literals_keep_backslashes_as_velocity_does():
    template = (
        "$input.path('$.phone').replaceAll('\\D', '')|$input.path('$.phone').matches('\\+\\d+ \\(\\d+\\).*')"
    )
    assert text(template, body={"phone": "+1 (555) 010-99"}) == "155501099|true"


def test_string_index_out_of_range_is_a_500_as_in_aws():
    response = mocked("$input.path('$.s').substring(5)", body={"s": "abc"})
    assert (response.status_code, response.json()) == (500, {"message": "Internal server error"})


def test_python_only_and_unknown_methods_render_as_written_as_velocity_does():
    template = (
        "$input.path('$.s').upper()|$input.path('$.s').strip()|$util.toJson($input.path('$'))|$!util.nope()"
    )
    assert text(template, body={"s": "x"}) == (
        "$input.path('$.s').upper()|$input.path('$.s').strip()|$util.toJson($input.path('$'))|"
    )


# values render as Java's toString()


def test_values_render_as_java_objects_do():
    body = {"flag": True, "off": False, "n": 3, "f": 2.5, "big": 1e20, "obj": {"a": 1, "b": [1, "x", None]}}
    template = " ".join(f"$input.path('$.{key}')" for key in ("flag", "off", "n", "f", "big", "obj"))
    assert text(template, body=body) == "true false 3 2.5 1.0E20 {a=1, b=[1, x, null]}"


def test_missing_values_render_the_reference_unless_quiet():
    template = "$input.path('$.nope')|$!input.path('$.nope')|$stageVariables.nope|$input.json('$.nope')|end"
    assert text(template, body={}) == "$input.path('$.nope')||$stageVariables.nope||end"


def test_velocity_truthiness_empty_string_and_zero_are_true():
    template = (
        "#if($input.path('$.empty'))E#end#if($input.path('$.zero'))Z#end#if($input.path('$.f'))F#end"
        "#if($input.path('$.null'))N#end#if(!$input.path('$.missing'))M#end"
    )
    assert text(template, body={"empty": "", "zero": 0, "f": False, "null": None}) == "EZM"


def test_comparisons_of_different_types_use_to_string_as_velocity_does():
    template = (
        "#if($input.path('$.n') == '5')eq#end #if($input.path('$.s') == 5)eq2#end "
        "#if($input.path('$.b') == true)b#end"
    )
    assert text(template, body={"n": 5, "s": "5", "b": True}) == "eq eq2 b"


# $input


def test_input_path_objects_iterate_and_size_as_aws_docs_show():
    template = """#set($items = $input.path('$.items'))
{"count": $items.size(), "skus": [#foreach($item in $items)"$item.sku"#if($foreach.hasNext),#end#end],
 "total": #set($t = 0)#foreach($item in $items)#set($t = $t + $item.qty)#end$t,
 "keys": "#foreach($k in $input.path('$.meta').keySet())$k#if($foreach.hasNext);#end#end",
 "first": "$input.path('$.items[0].sku')", "all": $input.json('$.items[*].sku')}"""
    body = {"items": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 5}], "meta": {"x": 1, "y": 2}}
    assert json.loads(text(template, body=body)) == {
        "count": 2,
        "skus": ["A", "B"],
        "total": 7,
        "keys": "x;y",
        "first": "A",
        "all": ["A", "B"],
    }


def test_input_json_is_compact_json_text():
    body = {"a": {"b": [1, 2], "s": "x y"}, "u": "é"}
    assert text("$input.json('$.a')|$input.json('$.u')", body=body) == '{"b":[1,2],"s":"x y"}|"é"'


def test_input_body_and_params_as_in_the_aws_passthrough_example():
    template = """#set($allParams = $input.params())
{"body": $input.body,
 "params": {
 #foreach($type in $allParams.keySet())
  #set($params = $allParams.get($type))
  "$type": {
  #foreach($paramName in $params.keySet())
   "$paramName": "$util.escapeJavaScript($params.get($paramName))"#if($foreach.hasNext),#end
  #end
  }#if($foreach.hasNext),#end
 #end
 },
 "one": "$input.params('q')", "head": "$input.params().header.get('X-Trace')", "id": "$input.params('id')"}"""
    event = lambda_event(template, params={"q": "two words"}, json={"k": [1]}, headers={"X-Trace": "t-9"})
    assert event["body"] == {"k": [1]}
    assert event["params"]["path"] == {"id": "7"}
    assert event["params"]["querystring"] == {"q": "two words"}
    assert event["params"]["header"]["X-Trace"] == "t-9"
    assert (event["one"], event["head"], event["id"]) == ("two words", "t-9", "7")


def test_input_params_map_renders_as_a_java_map():
    assert text("$input.params().querystring", params={"fields": "id", "page": "2"}) == "{fields=id, page=2}"


def test_input_path_on_a_non_json_body_is_the_text():
    api_text = text("[$input.path('$')] [$input.body.length()]", body="plain words")
    assert api_text == "[plain words] [11]"


# $util


def test_util_functions_follow_java():
    template = (
        "$util.escapeJavaScript($input.path('$.s'))|$util.urlEncode($input.path('$.u'))|"
        "$util.urlDecode('a+b%26c%7E')|$util.base64Encode($input.path('$.u'))|$util.base64Decode('w6k=')|"
        "$util.parseJson($input.path('$.j')).k.size()|$util.parseJson('[1,2]').get(1)"
    )
    body = {"s": 'it\'s "q" </tag>\n\té✓', "u": "a b~*é", "j": '{"k": [1, 2, 3]}'}
    assert text(template, body=body) == (
        'it\\\'s \\"q\\" <\\/tag>\\n\\t\\u00E9\\u2713|a+b%7E*%C3%A9|a b&c~|YSBifirDqQ==|é|3|2'
    )


def test_util_escape_javascript_with_replace_all_is_the_documented_json_idiom():
    template = """{"s": "$util.escapeJavaScript($input.path('$.s')).replaceAll("\\\\'", "'")"}"""
    assert json.loads(text(template, body={"s": "it's a 'test' \\ ok"})) == {"s": "it's a 'test' \\ ok"}


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_util_escape_javascript_round_trips_any_text_through_json(value):
    template = """{"s": "$util.escapeJavaScript($input.path('$.s')).replaceAll("\\\\'", "'")"}"""
    assert json.loads(text(template, body={"s": value})) == {"s": value}


def test_util_bad_input_is_a_500():
    for template in ("$util.parseJson('{nope')", "$util.base64Decode('***')", "$util.urlDecode('100%')"):
        response = mocked(template)
        assert (response.status_code, response.json()) == (500, {"message": "Internal server error"}), (
            template
        )


# $context and $stageVariables


def test_context_variables_of_a_rest_request():
    template = """{"requestId": "$context.requestId", "sourceIp": "$context.identity.sourceIp",
"stage": "$context.stage", "resourcePath": "$context.resourcePath", "httpMethod": "$context.httpMethod",
"epoch": $context.requestTimeEpoch, "path": "$context.path", "caller": "$context.identity.caller",
"principal": "$context.authorizer.principalId", "apiId": "$context.apiId", "env": "$stageVariables.env",
"table": "$stageVariables.table.toUpperCase()"}"""
    response = mocked(template)
    rendered = response.json()
    assert rendered["requestId"] == response.headers["x-amzn-RequestId"]
    assert (rendered["stage"], rendered["resourcePath"], rendered["httpMethod"]) == (
        "prod",
        "/items/{id}",
        "POST",
    )
    assert (rendered["path"], rendered["caller"], rendered["principal"]) == ("/prod/items/7", "", "")
    assert (rendered["env"], rendered["table"]) == ("live", "ORDERS-PROD")
    assert isinstance(rendered["epoch"], int)
    assert rendered["sourceIp"].count(".") == 3


def test_context_authorizer_principal_and_context_from_a_lambda_authorizer():
    def authorize(event, context):
        statement = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}
        return {
            "principalId": "user-1",
            "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
            "context": {"tenant": "acme", "seats": 5},
        }

    seen = []
    api = Gateway().rest_api("auth")
    api.authorizer("custom", LambdaAuthorizer(authorize, type="TOKEN", ttl=0))
    api.route(
        "POST /x",
        integration=LambdaCustom(
            lambda event, context: seen.append(event) or {},
            request_templates={
                "application/json": '{"p": "$context.authorizer.principalId", '
                '"t": "$context.authorizer.tenant", '
                '"s": "$context.authorizer.seats", "n": $context.authorizer.seats.length()}'
            },
        ),
        authorizer="custom",
    )
    response = api.deploy("prod").client().post("/x", json={}, headers={"Authorization": "tok"})
    assert response.status_code == 200
    assert seen == [{"p": "user-1", "t": "acme", "s": "5", "n": 1}]


# directives and response overrides


def test_if_elseif_else_and_foreach_loop_variables():
    template = (
        "#foreach($n in $input.path('$.nums'))#if($n > 10)big#elseif($n == 10)ten#{else}small#end"
        "$foreach.count/$velocityCount#if($foreach.hasNext),#end#end"
    )
    assert text(template, body={"nums": [3, 10, 11]}) == "small1/1,ten2/2,big3/3"


def test_response_override_status_and_header_from_the_response_template():
    template = (
        "#set($context.responseOverride.status = 201)"
        "#set($context.responseOverride.header.Location = \"/items/$input.path('$.id')\")"
        '{"id": "$input.path(\'$.id\')"}'
    )
    response = mocked(template, body={"id": "i-9"})
    assert (response.status_code, response.json()) == (201, {"id": "i-9"})
    assert response.headers["Location"] == "/items/i-9"


def test_response_override_from_the_request_template_of_a_mock():
    response = mocked(
        '{"error": "teapot"}',
        request_template="#if($input.params('mode') == 'tea')#set($context.responseOverride.status = 418)"
        "#end",
        params={"mode": "tea"},
    )
    assert (response.status_code, response.json()) == (418, {"error": "teapot"})


# bad templates


def test_syntax_errors_answer_500_at_request_time():
    for template in ("#if($a)x", "#foreach($x in)#end", "#set($x = )", "$input.path('$.a'"):
        response = mocked(template)
        assert (response.status_code, response.json()) == (500, {"message": "Internal server error"}), (
            template
        )
        assert response.headers["x-amzn-ErrorType"] == "InternalServerErrorException"


def test_bad_request_template_on_a_non_proxy_lambda_is_a_500_and_the_function_is_not_called():
    seen = []
    api = Gateway().rest_api("bad")
    api.route(
        "POST /x",
        integration=LambdaCustom(lambda e, c: seen.append(e), request_templates={"application/json": "#end"}),
    )
    response = api.deploy("prod").client().post("/x", json={})
    assert (response.status_code, response.json(), seen) == (500, {"message": "Internal server error"}, [])


# Step Functions with a hand-written template (the serverless-step-functions idiom)


def test_step_functions_start_execution_with_escaped_body_and_request_id_name():
    gateway = Gateway()
    machine = StateMachine(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, name="Orders", clock=gateway.clock
    )
    api = gateway.rest_api("sfn")
    api.route(
        "POST /orders",
        integration=StepFunctionsExecution(
            machine,
            sync=False,
            request_templates={
                "application/json": "#set($body = $util.escapeJavaScript($input.json('$'))"
                '.replaceAll("\\\\\'", "\'"))\n'
                '{"input": "$body", "name": "$context.requestId", '
                '"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Orders"}'
            },
            integration_responses=[
                {
                    "statusCode": 202,
                    "responseTemplate": "#set($arn = $input.path('$.executionArn'))"
                    "#set($from = $arn.lastIndexOf(':') + 1)"
                    '{"execution": "$arn.substring($from)"}',
                }
            ],
        ),
    )
    response = api.deploy("prod").client().post("/orders", json={"note": "I'm here"})
    assert response.status_code == 202
    assert response.json() == {"execution": response.headers["x-amzn-RequestId"]}


def test_plus_joins_strings_and_loop_flags_render_as_java_booleans():
    template = (
        "#set($key = 'user#' + $input.path('$.id') + '/' + 2)$key|"
        "#foreach($x in [1, 2])$foreach.hasNext $foreach.first;#end|$input.path('$.n') + 1"
    )
    assert text(template, body={"id": "u-1", "n": 4}) == "user#u-1/2|true true;false false;|4 + 1"


def test_missing_keys_named_like_methods_are_null_not_python_methods():
    template = (
        "$input.path('$').items|#foreach($i in $input.path('$').items)x#end|"
        "$input.path('$').size|$!input.path('$').keys|"
    )
    assert text(template, body={"other": 1}) == "$input.path('$').items||$input.path('$').size||"


# section: The JSONPath subset of mapping templates, and VTL's util and input functions.


# JSONPath subset of mapping templates

DOC = {"a": {"b": [1, 2, {"c": "x"}]}, "k-e y": 5, "list": [{"n": 1}, {"n": 2}]}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$", DOC),
        ("$.a.b[0]", 1),
        ("$.a.b[-1].c", "x"),
        ("$['k-e y']", 5),
        ('$["k-e y"]', 5),
        ("$.list[*].n", [1, 2]),
        ("$.a.*", [[1, 2, {"c": "x"}]]),
    ],
)
def test_json_path_subset(path, value):
    assert json_path(DOC, path) == value


def test_json_path_missing_and_unsupported():
    from pytest_serverless.gateway.integrations.vtl import _MISSING

    assert json_path(DOC, "$.nope") is _MISSING
    assert json_path(DOC, "$.a.b[9]") is _MISSING
    with pytest.raises(TemplateFailure, match="JSONPath 'a.b' must start with '\\$'"):
        json_path(DOC, "a.b")
    with pytest.raises(TemplateFailure, match=r"unsupported JSONPath '\$\.a\[\?\(@\.x\)\]'"):
        json_path(DOC, "$.a[?(@.x)]")


def vtl_answer(template, *, body="", params=None, headers=None, content_type="application/json"):
    seen = []
    gateway = Gateway()
    api = gateway.rest_api("vtl")
    api.route(
        "POST /x/{id}",
        integration=LambdaCustom(
            lambda event, context: seen.append(event) or {}, request_templates={content_type: template}
        ),
    )
    all_headers = {"Content-Type": content_type, **(headers or {})}
    client = api.deploy("prod", variables={"v": "1"}).client()
    response = client.post("/x/7", data=body, params=params, headers=all_headers)
    return response, seen


def test_vtl_util_and_input_functions():
    template = """{
  "esc": "$util.escapeJavaScript($input.path('$.s'))",
  "dec": "$util.urlDecode('a+b%26')",
  "b64": "$util.base64Decode('aGk=')",
  "parsed": $util.parseJson('{"k": 2}').k,
  "whole": $input.json('$'),
  "missing": "$input.json('$.nope')",
  "p": "$input.params('id')|$input.params('q')|$input.params('X-H')|$input.params('none')",
  "ctx": "$context.httpMethod $context.resourcePath $context.identity.sourceIp $context.requestId",
  "sv": "$stageVariables.v"
}"""
    response, seen = vtl_answer(
        template, body='{"s": "say \\"q\\"\\n"}', params={"q": "2"}, headers={"X-H": "h"}
    )
    assert response.status_code == 200
    event = seen[0]
    assert event["esc"] == 'say "q"\n'
    assert event["dec"] == "a b&"
    assert event["b64"] == "hi"
    assert event["parsed"] == 2
    assert event["whole"] == {"s": 'say "q"\n'}
    assert event["missing"] == ""
    assert event["p"] == "7|2|h|"
    assert event["ctx"].startswith("POST /x/{id} 198.51.100.1 ")
    assert event["sv"] == "1"


def test_vtl_escape_javascript_escapes_single_quotes_as_aws_does():
    # A known AWS pitfall: \' is not a JSON escape, so the rendered payload is not JSON (500).
    response, _ = vtl_answer("""{"s": "$util.escapeJavaScript($input.path('$.s'))"}""", body='{"s": "it\'s"}')
    assert response.status_code == 500


def test_vtl_template_is_chosen_by_the_request_content_type():
    _, seen = vtl_answer('{"t": 1}', body="<x/>", content_type="application/xml")
    assert seen == [{"t": 1}]


def test_vtl_non_json_payload_is_a_configuration_error():
    response, _ = vtl_answer("not json at all")
    assert response.status_code == 500
    assert response.reason.startswith("a mapping template or integration setting failed: JSONDecodeError")


def test_vtl_bad_base64_is_a_template_failure():
    response, _ = vtl_answer('{"x": "$util.base64Decode(\'!!!\')"}')
    assert response.status_code == 500


# section: REST non-proxy Lambda integrations with mapping templates: request and response templates, error
# selection, overrides, template failures.


# REST non-proxy Lambda with VTL


def test_non_proxy_lambda_with_request_and_response_templates():
    seen = []

    def handler(event, context):
        seen.append(event)
        return {"total": event["qty"] * 2, "items": [{"n": 1}, {"n": 2}]}

    gateway = Gateway()
    api = gateway.rest_api("vtl")
    api.route(
        "POST /orders/{id}",
        integration=LambdaCustom(
            handler,
            request_templates={
                "application/json": """{
  "id": "$input.params('id')",
  "qty": $input.json('$.qty'),
  "name": "$util.escapeJavaScript($input.path('$.name'))",
  "stage": "$context.stage",
  "env": "$stageVariables.env",
  "q": "$input.params('q')",
  "b64": "$util.base64Encode('hi')",
  "url": "$util.urlEncode('a b&c')"
}"""
            },
            integration_responses=[
                {
                    "statusCode": 200,
                    "responseTemplates": {
                        "application/json": "{\"t\": $input.json('$.total'), "
                        "\"n\": $input.json('$.items[1].n')}"
                    },
                }
            ],
        ),
    )
    client = api.deploy("prod", variables={"env": "live"}).client()
    response = client.post("/orders/42", params={"q": "x"}, json={"qty": 3, "name": 'say "hi"'})
    assert seen == [
        {
            "id": "42",
            "qty": 3,
            "name": 'say "hi"',
            "stage": "prod",
            "env": "live",
            "q": "x",
            "b64": "aGk=",
            "url": "a+b%26c",
        }
    ]
    assert response.status_code == 200
    assert response.json() == {"t": 6, "n": 2}


def test_non_proxy_lambda_error_selects_integration_response_by_error_message():
    def handler(event, context):
        if event.get("mode") == "four":
            raise Exception("Error: Raising four hundred from within the Lambda function")
        if event.get("mode") == "five":
            raise Exception("Error: Raising five hundred from within the Lambda function")
        return "Pass"

    gateway = Gateway()
    api = gateway.rest_api("sel")
    api.route(
        "POST /x",
        integration=LambdaCustom(
            handler,
            integration_responses=[
                {"statusCode": 200},
                {"selectionPattern": ".*four hundred.*", "statusCode": 405},
                {"selectionPattern": ".+", "statusCode": 502},
            ],
        ),
    )
    client = api.deploy("prod").client()
    assert (client.post("/x", json={}).status_code, client.post("/x", json={}).json()) == (200, "Pass")
    four = client.post("/x", json={"mode": "four"})
    assert four.status_code == 405
    assert four.json()["errorMessage"] == "Error: Raising four hundred from within the Lambda function"
    assert four.json()["errorType"] == "Exception"
    assert set(four.json()) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert client.post("/x", json={"mode": "five"}).status_code == 502


def test_response_override_status_from_template():
    gateway = Gateway()
    api = gateway.rest_api("o")
    api.route(
        "GET /x",
        integration=LambdaCustom(
            lambda e, c: {"ok": True},
            integration_responses=[
                {
                    "statusCode": 200,
                    "responseTemplate": "#set($context.responseOverride.status = 444)$input.json('$')",
                }
            ],
        ),
    )
    response = api.deploy("prod").client().get("/x")
    assert (response.status_code, response.json()) == (444, {"ok": True})


def test_template_syntax_error_answers_500_at_request_time_as_aws_does():
    # AWS accepts any template text when the integration is saved; a broken one fails each request.
    api = Gateway().rest_api("bad")
    api.route(
        "GET /x",
        integration=LambdaCustom(lambda e, c: 1, integration_responses=[{"responseTemplate": "#if($a)x"}]),
    )
    response = api.deploy("prod").client().get("/x")
    assert (response.status_code, response.json()) == (500, {"message": "Internal server error"})


def test_template_failure_at_run_time_is_500():
    gateway = Gateway()
    api = gateway.rest_api("bad")
    api.route(
        "POST /x",
        integration=LambdaCustom(
            lambda e, c: 1, request_templates={"application/json": "$util.parseJson($input.body)"}
        ),
    )
    response = (
        api.deploy("prod").client().post("/x", data="not json", headers={"Content-Type": "application/json"})
    )
    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error"}
