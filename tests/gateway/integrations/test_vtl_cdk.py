"""CDK's stock ``StepFunctionsRestApi`` mapping templates, end to end through the Step Functions integration.

The request template and the integration responses below are aws-cdk-lib's (Apache-2.0), copied verbatim as
test data: ``aws-apigateway/lib/integrations/stepfunctions.vtl`` and ``integrationResponse()`` in
``stepfunctions.ts``. ``cdk_request_template`` fills the ``%PLACEHOLDERS%`` as CDK's ``templateString`` does.
"""

# ruff: noqa: E501, W293 (the CDK template is kept verbatim, long lines and trailing blanks included)

from __future__ import annotations

import json

from pytest_serverless import Gateway, LambdaAuthorizer, StateMachine
from pytest_serverless.gateway import StepFunctionsExecution

CDK_REQUEST_TEMPLATE = r"""## Velocity Template used for API Gateway request mapping template
##
## This template forwards the request body, header, path, and querystring
## to the execution input of the state machine.
##
## "@@" is used here as a placeholder for '"' to avoid using escape characters.

#set($inputString = '')
#set($includeHeaders = %INCLUDE_HEADERS%)
#set($headerNames = [%HEADER_NAMES%])
#set($includeQueryString = %INCLUDE_QUERYSTRING%)
#set($includePath = %INCLUDE_PATH%)
#set($includeAuthorizer = %INCLUDE_AUTHORIZER%)
#set($allParams = $input.params())
{
    "stateMachineArn": "%STATEMACHINE%",

    #set($inputString = "$inputString,@@body@@: $input.body")

    #if ($includeHeaders)
        #set($inputString = "$inputString, @@header@@:{")
        ## When $headerNames is non-empty, only forward headers whose lowercased
        ## name is in the list. The comma is emitted before every entry except the
        ## first, because $foreach.hasNext does not account for skipped headers.
        #set($firstHeader = true)
        #foreach($paramName in $allParams.header.keySet())
            #if($headerNames.isEmpty() || $headerNames.contains($paramName.toLowerCase()))
                #if(!$firstHeader)
                    #set($inputString = "$inputString,")
                #end
                #set($inputString = "$inputString @@$paramName@@: @@$util.escapeJavaScript($allParams.header.get($paramName))@@")
                #set($firstHeader = false)
            #end
        #end
        #set($inputString = "$inputString }")

    #end

    #if ($includeQueryString)
        #set($inputString = "$inputString, @@querystring@@:{")
        #foreach($paramName in $allParams.querystring.keySet())
            #set($inputString = "$inputString @@$paramName@@: @@$util.escapeJavaScript($allParams.querystring.get($paramName))@@")
            #if($foreach.hasNext)
                #set($inputString = "$inputString,")
            #end
        #end
        #set($inputString = "$inputString }")
    #end

    #if ($includePath)
        #set($inputString = "$inputString, @@path@@:{")
        #foreach($paramName in $allParams.path.keySet())
            #set($inputString = "$inputString @@$paramName@@: @@$util.escapeJavaScript($allParams.path.get($paramName))@@")
            #if($foreach.hasNext)
                #set($inputString = "$inputString,")
            #end
        #end
        #set($inputString = "$inputString }")
    #end
    
    #if ($includeAuthorizer)
        #set($inputString = "$inputString, @@authorizer@@:{")
        #foreach($paramName in $context.authorizer.keySet())
            #set($inputString = "$inputString @@$paramName@@: @@$util.escapeJavaScript($context.authorizer.get($paramName))@@")
            #if($foreach.hasNext)
                #set($inputString = "$inputString,")
            #end
        #end
        #set($inputString = "$inputString }")
    #end

    #set($requestContext = "%REQUESTCONTEXT%")
    ## Check if the request context should be included as part of the execution input
    #if($requestContext && !$requestContext.empty)
        #set($inputString = "$inputString,")
        #set($inputString = "$inputString @@requestContext@@: $requestContext")
    #end

    #set($inputString = "$inputString}")
    #set($inputString = $inputString.replaceAll("@@",'"'))
    #set($len = $inputString.length() - 1)
    "input": "{$util.escapeJavaScript($inputString.substring(1,$len)).replaceAll("\\'","'")}"
}
"""

CDK_INTEGRATION_RESPONSES = [
    {
        "statusCode": "200",
        "responseTemplates": {
            "application/json": "\n".join(
                [
                    "#set($inputRoot = $input.path('$'))",
                    "#if($input.path('$.status').toString().equals(\"FAILED\"))",
                    "#set($context.responseOverride.status = 500)",
                    "{",
                    '"error": "$input.path(\'$.error\')",',
                    '"cause": "$input.path(\'$.cause\')"',
                    "}",
                    "#else",
                    "$input.path('$.output')",
                    "#end",
                ]
            ),
        },
    },
    {
        "selectionPattern": "4\\d{2}",
        "statusCode": "400",
        "responseTemplates": {
            "application/json": """{
            "error": "Bad request!"
          }""",
        },
    },
    {
        "selectionPattern": "5\\d{2}",
        "statusCode": "500",
        "responseTemplates": {
            "application/json": """{
          "error": "$input.path('$.error')"
        }""",
        },
    },
]

ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:Orders"
ECHO = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "OrderError", "Cause": "no stock"}}}
CONTEXT_FIELDS = {
    "requestId": "$context.requestId",
    "httpMethod": "$context.httpMethod",
    "stage": "$context.stage",
}


def cdk_request_template(
    *, headers=False, header_names=(), querystring=True, path=True, authorizer=False, request_context=None
):
    """What CDK's ``templateString`` renders for ``StepFunctionsIntegration.startExecution(sm, options)``."""
    context = json.dumps(request_context).replace('"', "@@") if request_context else ""
    return (
        CDK_REQUEST_TEMPLATE.replace("%STATEMACHINE%", ARN)
        .replace("%INCLUDE_HEADERS%", "true" if headers or header_names else "false")
        .replace("%HEADER_NAMES%", ", ".join(f"'{name.lower()}'" for name in header_names))
        .replace("%INCLUDE_QUERYSTRING%", "true" if querystring else "false")
        .replace("%INCLUDE_PATH%", "true" if path else "false")
        .replace("%INCLUDE_AUTHORIZER%", "true" if authorizer else "false")
        .replace("%REQUESTCONTEXT%", context)
    )


def cdk_api(definition=ECHO, *, route="POST /orders/{id}", authorizer=None, authorizer_flag=False, **options):
    gateway = Gateway()
    machine = StateMachine(definition, name="Orders", type="EXPRESS", clock=gateway.clock)
    api = gateway.rest_api("cdk")
    if authorizer is not None:
        api.authorizer("custom", authorizer)
    api.route(
        route,
        integration=StepFunctionsExecution(
            machine,
            sync=True,
            request_templates={
                "application/json": cdk_request_template(authorizer=authorizer_flag, **options)
            },
            integration_responses=CDK_INTEGRATION_RESPONSES,
        ),
        authorizer="custom" if authorizer is not None else None,
    )
    return api.deploy("prod").client()


# request template: the execution input CDK builds


def test_cdk_default_template_passes_body_querystring_and_path():
    client = cdk_api()
    response = client.post(
        "/orders/42", params={"expand": "items", "q": "a b"}, json={"sku": "X-1", "qty": 2}
    )
    assert response.status_code == 200
    assert response.json() == {
        "body": {"sku": "X-1", "qty": 2},
        "querystring": {"expand": "items", "q": "a b"},
        "path": {"id": "42"},
    }


def test_cdk_template_keeps_quotes_apostrophes_slashes_and_unicode_in_the_body():
    client = cdk_api()
    body = {"note": 'it\'s "quoted" / back\\slash', "name": "Zoë ✓", "emoji": "🙂", "lines": "a\nb\tc"}
    response = client.post("/orders/o-1", params={"q": "fine"}, json=body)
    assert response.status_code == 200
    assert response.json() == {"body": body, "querystring": {"q": "fine"}, "path": {"id": "o-1"}}


def test_cdk_template_breaks_on_an_apostrophe_in_a_parameter_as_in_aws():
    # The value is escaped twice ($util.escapeJavaScript inside and around $inputString); the final
    # replaceAll("\\'", "'") leaves \' behind, so the execution input is not JSON and Step Functions
    # refuses it (400), which CDK's 4XX integration response answers as "Bad request!".
    response = cdk_api().post("/orders/1", params={"q": "it's"}, json={})
    assert (response.status_code, response.json()) == (400, {"error": "Bad request!"})


def test_cdk_template_with_headers_forwards_every_header():
    client = cdk_api(headers=True)
    response = client.post("/orders/1", json={}, headers={"X-Trace": "t-1", "X-Quote": 'say "hi"'})
    execution_input = response.json()
    assert response.status_code == 200
    assert execution_input["header"]["X-Trace"] == "t-1"
    assert execution_input["header"]["X-Quote"] == 'say "hi"'
    assert "Content-Type" in execution_input["header"]


def test_cdk_template_with_header_names_forwards_only_those_case_insensitively():
    client = cdk_api(header_names=["x-trace", "X-Tenant"])
    response = client.post(
        "/orders/1", json={"a": 1}, headers={"X-Trace": "t-1", "x-tenant": "acme", "Authorization": "secret"}
    )
    assert response.status_code == 200
    assert response.json()["header"] == {"X-Trace": "t-1", "x-tenant": "acme"}


def test_cdk_template_without_querystring_and_path_sends_the_body_only():
    client = cdk_api(querystring=False, path=False)
    response = client.post("/orders/1", params={"q": "1"}, json=[1, 2, {"k": None}])
    assert (response.status_code, response.json()) == (200, {"body": [1, 2, {"k": None}]})


def test_cdk_template_with_request_context_renders_context_variables():
    client = cdk_api(request_context=CONTEXT_FIELDS)
    response = client.post("/orders/1", json={})
    context = response.json()["requestContext"]
    assert response.status_code == 200
    assert (context["httpMethod"], context["stage"]) == ("POST", "prod")
    assert context["requestId"] == response.headers["x-amzn-RequestId"]


def test_cdk_template_with_authorizer_passes_lambda_authorizer_context_as_strings():
    def authorize(event, context):
        statement = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}
        return {
            "principalId": "user-7",
            "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
            "context": {"tenant": "acme", "tier": 3, "admin": True},
        }

    client = cdk_api(authorizer=LambdaAuthorizer(authorize, type="TOKEN", ttl=0), authorizer_flag=True)
    response = client.post("/orders/1", json={}, headers={"Authorization": "token"})
    assert response.status_code == 200
    assert response.json()["authorizer"] == {
        "principalId": "user-7",
        "tenant": "acme",
        "tier": "3",
        "admin": "true",
    }


def test_cdk_template_with_an_empty_body_is_refused_by_step_functions_as_aws_does():
    # "body": followed by nothing is not JSON: StartSyncExecution answers 400, CDK's 4XX response maps it.
    client = cdk_api()
    response = client.post("/orders/1", data="", headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (400, {"error": "Bad request!"})


# response templates: CDK's integrationResponse()


def test_cdk_response_template_returns_the_execution_output():
    done = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Result": {"orderId": "o-1", "ok": True}, "End": True}},
    }
    response = cdk_api(done).post("/orders/1", json={})
    assert (response.status_code, response.json()) == (200, {"orderId": "o-1", "ok": True})


def test_cdk_response_template_turns_a_failed_execution_into_500_with_error_and_cause():
    response = cdk_api(FAIL).post("/orders/1", json={})
    assert response.status_code == 500
    assert response.json() == {"error": "OrderError", "cause": "no stock"}
