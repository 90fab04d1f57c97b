"""API Gateway resources and OpenAPI bodies of every shape the loader reads: what each integration type,
extension, authorizer and stage becomes in the model, and the TemplateError (resource and property) for a
malformed one. Small plain-CloudFormation templates, loaded through ``load_template``."""

from __future__ import annotations

import json
import warnings

import pytest

from pytest_serverless.errors import TemplateError
from pytest_serverless.gateway.integrations.aws_service import SUBTYPES
from pytest_serverless.loaders import UnsupportedResourceWarning, load_template
from pytest_serverless.loaders.model import Integration, StageSpec

LAMBDA_URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:orders/invocations"
)
MACHINE = {
    "Type": "AWS::StepFunctions::StateMachine",
    "Properties": {"DefinitionString": '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}'},
}


@pytest.fixture
def load(tmp_path):
    """The loaded app of a template holding ``resources`` (closed at teardown)."""
    apps = []

    def _load(resources):
        path = tmp_path / "template.json"
        path.write_text(json.dumps({"Resources": resources}))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnsupportedResourceWarning)
            app = load_template(path)
        apps.append(app)
        return app

    yield _load
    for app in apps:
        app.close()


@pytest.fixture
def error_of(tmp_path):
    """The TemplateError loading a template holding ``resources`` raises, as (pointer, reason)."""

    def _error_of(resources):
        path = tmp_path / "template.json"
        path.write_text(json.dumps({"Resources": resources}))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnsupportedResourceWarning)
            with pytest.raises(TemplateError) as info:
                load_template(path)
        assert info.value.source == str(path)
        return info.value.pointer, info.value.reason

    return _error_of


def rest(integration=None, **method):
    """A RestApi with one GET / method whose Integration is ``integration``."""
    properties = {
        "RestApiId": {"Ref": "Api"},
        "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
        "HttpMethod": "GET",
        "AuthorizationType": "NONE",
        **method,
    }
    if integration is not None:
        properties["Integration"] = integration
    return {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "api"}},
        "Get": {"Type": "AWS::ApiGateway::Method", "Properties": properties},
    }


def http(**integration):
    """An HTTP API with one GET /x route to an AWS::ApiGatewayV2::Integration of ``integration``."""
    return {
        "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "api", "ProtocolType": "HTTP"}},
        "Int": {
            "Type": "AWS::ApiGatewayV2::Integration",
            "Properties": {"ApiId": {"Ref": "Api"}, **integration},
        },
        "Route": {
            "Type": "AWS::ApiGatewayV2::Route",
            "Properties": {
                "ApiId": {"Ref": "Api"},
                "RouteKey": "GET /x",
                "Target": {"Fn::Join": ["/", ["integrations", {"Ref": "Int"}]]},
            },
        },
    }


def openapi(body, kind="AWS::ApiGateway::RestApi"):
    return {"Api": {"Type": kind, "Properties": {"Body": body}}}


def route_integration(app):
    (route,) = app.model.apis["Api"].routes
    return route.integration


INTEGRATION = "/Resources/Get/Properties/Integration"


# section: integration types (loaders/uris.py)


def test_integration_timeout_that_is_not_a_number(error_of):
    resources = rest({"Type": "AWS_PROXY", "Uri": LAMBDA_URI, "TimeoutInMillis": "soon"})
    assert error_of(resources) == (
        INTEGRATION,
        "the integration timeout must be a number of milliseconds, got 'soon'",
    )


def test_integration_request_parameters_that_are_not_a_mapping(error_of):
    resources = rest({"Type": "AWS_PROXY", "Uri": LAMBDA_URI, "RequestParameters": ["a"]})
    assert error_of(resources) == (INTEGRATION, "request parameters must be a mapping, got ['a']")


def test_integration_request_templates_that_are_not_a_mapping(error_of):
    resources = rest({"Type": "AWS", "Uri": LAMBDA_URI, "RequestTemplates": ["{}"]})
    assert error_of(resources) == (
        INTEGRATION,
        "request templates must map a content type to a template, got ['{}']",
    )


def test_mock_integration_ignores_request_templates_of_any_shape(load):
    app = load(rest({"Type": "MOCK", "RequestTemplates": ["ignored"]}))
    assert route_integration(app) == Integration("mock", mock={"statusCode": 200, "body": ""})


def test_http_integration_without_a_uri(error_of):
    assert error_of(rest({"Type": "HTTP_PROXY"})) == (INTEGRATION, "an HTTP integration needs a uri")


@pytest.mark.parametrize(
    ("uri", "what"),
    [
        ("arn:aws:elasticloadbalancing:us-east-1:1:listener/app/x", "a load balancer or Cloud Map service"),
        ("ftp://files.example", "'ftp://files.example'"),
    ],
)
def test_http_integration_to_a_private_backend_is_unsupported(load, uri, what):
    app = load(rest({"Type": "HTTP_PROXY", "Uri": uri, "TimeoutInMillis": 2500}))
    assert route_integration(app) == Integration(
        "unsupported", feature=f"HTTP integration to {what} (private integration)", timeout=2.5
    )


def test_http_non_proxy_integration_keeps_templates_and_responses(load):
    app = load(
        rest(
            {
                "Type": "HTTP",
                "Uri": "https://backend.example/orders",
                "RequestTemplates": {"application/json": '{"id": 1}'},
                "IntegrationResponses": [{"StatusCode": "201", "SelectionPattern": "2\\d{2}"}],
            }
        )
    )
    assert route_integration(app) == Integration(
        "http",
        url="https://backend.example/orders",
        proxy=False,
        request_templates={"application/json": '{"id": 1}'},
        responses=[{"statusCode": "201", "selectionPattern": "2\\d{2}"}],
    )


def test_stage_variable_http_proxy_integration(load):
    app = load(rest({"Type": "HTTP_PROXY", "Uri": "${stageVariables.backend}/orders"}))
    assert route_integration(app) == Integration("http", url="${stageVariables.backend}/orders")


@pytest.mark.parametrize("kind", ["AWS_PROXY", ""])
def test_lambda_proxy_integration_without_a_uri(error_of, kind):
    assert error_of(rest({"Type": kind})) == (INTEGRATION, "a AWS_PROXY integration needs a uri")


def test_aws_integration_without_a_uri(error_of):
    assert error_of(rest({"Type": "AWS"})) == (INTEGRATION, "a AWS integration needs a uri")


def test_aws_service_as_a_proxy_integration_is_unsupported(load):
    app = load(rest({"Type": "AWS_PROXY", "Uri": "arn:aws:apigateway:us-east-1:sqs:path/1/queue"}))
    assert route_integration(app) == Integration(
        "unsupported",
        feature="AWS_PROXY integration sqs:path/1/queue (AWS service integrations are type AWS)",
    )


def test_aws_service_integration_keeps_its_request(load):
    app = load(
        rest(
            {
                "Type": "AWS",
                "Uri": "arn:aws:apigateway:us-east-1:states:action/StopExecution",
                "IntegrationHttpMethod": "post",
                "RequestParameters": {"integration.request.header.X": "'1'"},
            }
        )
    )
    assert route_integration(app) == Integration(
        "aws",
        url="arn:aws:apigateway:us-east-1:states:action/StopExecution",
        proxy=False,
        responses=[],
        request_parameters={"integration.request.header.X": "'1'"},
        http_method="POST",
    )


def test_step_functions_action_other_than_a_start_as_a_proxy_is_unsupported(load):
    app = load(rest({"Type": "AWS_PROXY", "Uri": "arn:aws:apigateway:us-east-1:states:action/StopExecution"}))
    assert route_integration(app) == Integration(
        "unsupported", feature="Step Functions action StopExecution as an AWS_PROXY integration"
    )


def test_step_functions_start_naming_no_state_machine_is_unsupported(load):
    app = load(
        rest(
            {
                "Type": "AWS_PROXY",
                "Uri": "arn:aws:apigateway:us-east-1:states:action/StartExecution",
                "RequestTemplates": {"application/json": '{"input": "$input.body"}'},
            }
        )
    )
    assert route_integration(app) == Integration(
        "unsupported",
        feature="Step Functions StartExecution integration whose request template names no state machine "
        "of the template",
    )


def test_step_functions_start_sync_names_the_template_machine(load):
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:Orders"
    template = {"application/json": json.dumps({"stateMachineArn": arn})}
    resources = rest(
        {
            "Type": "AWS",
            "Uri": "arn:aws:apigateway:us-east-1:states:action/StartSyncExecution",
            "RequestTemplates": template,
            "IntegrationResponses": {"default": {"StatusCode": 200}},
        }
    )
    app = load(
        {
            **resources,
            "Machine": {**MACHINE, "Properties": {**MACHINE["Properties"], "StateMachineName": "Orders"}},
        }
    )
    assert route_integration(app) == Integration(
        "sfn",
        state_machine="Machine",
        sync=True,
        request_templates=template,
        responses=[{"statusCode": 200}],
    )


def test_aws_integration_to_a_url_is_unsupported(load):
    app = load(rest({"Type": "AWS", "Uri": "https://backend.example"}))
    assert route_integration(app) == Integration(
        "unsupported", feature="AWS integration https://backend.example"
    )


def test_http_api_lambda_integration_keeps_its_payload_format(load):
    app = load(http(IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA_URI, PayloadFormatVersion="1.0"))
    assert route_integration(app) == Integration(
        "lambda", function="arn:aws:lambda:us-east-1:123456789012:function:orders", payload_format="1.0"
    )


def test_integration_subtype_that_is_not_a_string(error_of):
    assert error_of(http(IntegrationType="AWS_PROXY", IntegrationSubtype=5)) == (
        "/Resources/Int/Properties",
        "IntegrationSubtype must be a string, got 5",
    )


def test_integration_subtype_aws_does_not_know(error_of):
    assert error_of(http(IntegrationType="AWS_PROXY", IntegrationSubtype="SQS-Send")) == (
        "/Resources/Int/Properties",
        f"IntegrationSubtype 'SQS-Send' is not one AWS knows (subtypes: {', '.join(SUBTYPES)})",
    )


def test_step_functions_subtype_without_a_state_machine(error_of):
    resources = http(
        IntegrationType="AWS_PROXY",
        IntegrationSubtype="StepFunctions-StartExecution",
        RequestParameters={"Input": "$request.body"},
    )
    assert error_of(resources) == (
        "/Resources/Int/Properties",
        "integration subtype StepFunctions-StartExecution needs RequestParameters.StateMachineArn naming a "
        "state machine",
    )


def test_aws_service_subtype_keeps_its_parameters_as_text(load):
    resources = http(
        IntegrationType="AWS_PROXY",
        IntegrationSubtype="SQS-SendMessage",
        RequestParameters={"QueueUrl": "https://sqs.example/q", "MessageBody": "$request.body"},
        TimeoutInMillis=3000,
    )
    assert route_integration(load(resources)) == Integration(
        "aws",
        url="SQS-SendMessage",
        timeout=3.0,
        request_parameters={"QueueUrl": "https://sqs.example/q", "MessageBody": "$request.body"},
    )


# section: OpenAPI bodies (loaders/openapi.py)


def operation(**extra):
    return {"x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": LAMBDA_URI}, **extra}


def test_openapi_body_that_is_not_a_mapping(error_of):
    assert error_of(openapi("paths: {}")) == (
        "/Resources/Api/Properties/Body",
        "an OpenAPI body must be a mapping",
    )


def test_openapi_body_without_a_version_field(error_of):
    assert error_of(openapi({"paths": {}})) == (
        "/Resources/Api/Properties/Body",
        "an OpenAPI body needs an 'openapi: 3.0.x' or 'swagger: \"2.0\"' field",
    )


def test_openapi_paths_that_are_not_a_mapping(error_of):
    assert error_of(openapi({"openapi": "3.0.1", "paths": ["/x"]})) == (
        "/Resources/Api/Properties/Body/paths",
        "'paths' must be a mapping",
    )


def test_openapi_rest_extensions(load):
    policy = {"Version": "2012-10-17", "Statement": []}
    body = {
        "openapi": "3.0.1",
        "x-amazon-apigateway-binary-media-types": ["image/png", "application/octet-stream"],
        "x-amazon-apigateway-policy": policy,
        "x-amazon-apigateway-api-key-source": "AUTHORIZER",
        "x-amazon-apigateway-gateway-responses": {
            "DEFAULT_4XX": {"statusCode": 418, "responseTemplates": {"application/json": "{}"}}
        },
        "paths": {"/x": {"get": operation()}},
    }
    app = load(openapi(body))
    api = app.model.apis["Api"]
    assert api.binary_media_types == ["image/png", "application/octet-stream"]
    assert api.policy == policy
    assert api.api_key_source == "AUTHORIZER"
    assert api.gateway_responses == {
        "DEFAULT_4XX": {
            "status": 418,
            "parameters": None,
            "templates": {"application/json": "{}"},
            "pointer": "/Resources/Api/Properties/Body/x-amazon-apigateway-gateway-responses/DEFAULT_4XX",
        }
    }
    assert app.model.unsupported == []


def test_openapi_gateway_response_that_is_not_a_mapping(error_of):
    body = {
        "openapi": "3.0.1",
        "x-amazon-apigateway-gateway-responses": {"DEFAULT/4XX": "teapot"},
        "paths": {},
    }
    assert error_of(openapi(body)) == (
        "/Resources/Api/Properties/Body/x-amazon-apigateway-gateway-responses/DEFAULT~14XX",
        "gateway response 'DEFAULT/4XX' must be a mapping",
    )


def test_openapi_extensions_an_http_api_does_not_emulate_are_listed(load):
    body = {
        "openapi": "3.0.1",
        "x-amazon-apigateway-minimum-compression-size": 1024,
        "x-amazon-apigateway-policy": {"Version": "2012-10-17"},
        "x-amazon-apigateway-gateway-responses": {"DEFAULT_4XX": {"statusCode": 400}},
        "x-amazon-apigateway-endpoint-configuration": {"disableExecuteApiEndpoint": True},
        "paths": {"/x": {"get": operation()}},
    }
    app = load(openapi(body, "AWS::ApiGatewayV2::Api"))
    assert app.model.apis["Api"].policy is None
    assert app.model.apis["Api"].gateway_responses == {}
    assert app.model.unsupported == [
        "Api: OpenAPI x-amazon-apigateway-minimum-compression-size, x-amazon-apigateway-policy, "
        "x-amazon-apigateway-gateway-responses, x-amazon-apigateway-endpoint-configuration "
        "disableExecuteApiEndpoint (not emulated)"
    ]


def test_openapi_operations_without_an_integration_are_skipped(load):
    body = {
        "swagger": "2.0",
        "paths": {
            "/notes": "see elsewhere",
            "/x": {
                "parameters": [{"name": "id", "in": "query"}],
                "summary": "x",
                "get": {"responses": {}},
                "post": "not an operation",
                "x-amazon-apigateway-any-method": operation(),
            },
        },
    }
    (route,) = load(openapi(body)).model.apis["Api"].routes
    assert (route.method, route.path, route.pointer) == (
        "ANY",
        "/x",
        "/Resources/Api/Properties/Body/paths/~1x/x-amazon-apigateway-any-method",
    )


def test_openapi_security_schemes_that_are_not_authorizers(load):
    body = {
        "openapi": "3.0.1",
        "components": {
            "securitySchemes": {
                "broken": "not a scheme",
                "oauth": {"type": "oauth2", "flows": {}},
                "key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
                "sigv4": {"type": "apiKey", "x-amazon-apigateway-authtype": "awsSigv4"},
            }
        },
        "paths": {"/x": {"get": operation(security=["not a requirement", {"key": []}, {"sigv4": []}])}},
    }
    api = load(openapi(body)).model.apis["Api"]
    assert sorted(api.authorizers) == ["sigv4"]
    (route,) = api.routes
    assert (route.authorizer, route.api_key_required, route.scopes) == ("sigv4", True, None)


def test_openapi_security_scopes_must_be_a_list(error_of):
    body = {
        "openapi": "3.0.1",
        "components": {
            "securitySchemes": {
                "jwt": {
                    "type": "oauth2",
                    "x-amazon-apigateway-authorizer": {
                        "type": "jwt",
                        "jwtConfiguration": {"issuer": "https://issuer.example"},
                    },
                }
            }
        },
        "paths": {"/x": {"get": operation(security=[{"jwt": "read"}])}},
    }
    assert error_of(openapi(body, "AWS::ApiGatewayV2::Api")) == (
        "/Resources/Api/Properties/Body/paths/~1x/get/security",
        "scopes must be a list, got 'read'",
    )


def test_openapi_request_validator_that_is_not_declared(error_of):
    body = {
        "openapi": "3.0.1",
        "x-amazon-apigateway-request-validator": "all",
        "paths": {"/x": {"get": operation()}},
    }
    assert error_of(openapi(body)) == (
        "/Resources/Api/Properties/Body/paths/~1x/get",
        "request validator 'all' is not declared in x-amazon-apigateway-request-validators",
    )


def test_openapi_operation_validator_and_cache_keys(load):
    body = {
        "swagger": "2.0",
        "x-amazon-apigateway-request-validators": {
            "params": {"validateRequestParameters": True},
            "none": {},
        },
        "x-amazon-apigateway-request-validator": "none",
        "paths": {
            "/x/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True}],
                "get": {
                    "x-amazon-apigateway-request-validator": "params",
                    "parameters": [{"name": "q", "in": "query", "required": True}],
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy",
                        "uri": LAMBDA_URI,
                        "cacheKeyParameters": ["method.request.querystring.q"],
                    },
                },
                "put": operation(),
            }
        },
    }
    get, put = load(openapi(body)).model.apis["Api"].routes
    assert get.required_parameters == ["path.id", "querystring.q"]
    assert get.cache_key_parameters == ["method.request.querystring.q"]
    assert (put.required_parameters, put.request_schema, put.cache_key_parameters) == ([], None, [])


# section: CloudFormation REST API resources (loaders/apigateway.py)


def test_rest_api_policy_and_binary_media_types(load):
    policy = {"Version": "2012-10-17", "Statement": []}
    resources = rest({"Type": "MOCK"})
    resources["Api"]["Properties"].update(Policy=policy, BinaryMediaTypes=["image/png"])
    api = load(resources).model.apis["Api"]
    assert (api.policy, api.binary_media_types, api.api_key_source) == (policy, ["image/png"], "HEADER")


def test_rest_method_without_an_integration(error_of):
    assert error_of(rest()) == (
        INTEGRATION,
        "the method has no Integration (API Gateway refuses to deploy a method without one)",
    )


def test_rest_cognito_authorizer_without_provider_arns(error_of):
    resources = {
        **rest({"Type": "MOCK"}),
        "Auth": {
            "Type": "AWS::ApiGateway::Authorizer",
            "Properties": {"RestApiId": {"Ref": "Api"}, "Type": "COGNITO_USER_POOLS", "Name": "pool"},
        },
    }
    assert error_of(resources) == (
        "/Resources/Auth/Properties/ProviderARNs",
        "a COGNITO_USER_POOLS authorizer needs ProviderARNs",
    )


def test_rest_method_request_models_by_name_and_by_reference(load):
    schema = {"type": "object", "required": ["id"]}
    resources = {
        **rest(
            {"Type": "MOCK", "CacheKeyParameters": ["method.request.path.id"]},
            RequestValidatorId={"Ref": "Validator"},
            RequestModels={"application/json": "Order", "text/plain": {"Ref": "Plain"}},
        ),
        "Validator": {
            "Type": "AWS::ApiGateway::RequestValidator",
            "Properties": {"RestApiId": {"Ref": "Api"}, "ValidateRequestBody": True},
        },
        "OrderModel": {
            "Type": "AWS::ApiGateway::Model",
            "Properties": {"RestApiId": {"Ref": "Api"}, "Name": "Order", "Schema": schema},
        },
        "Plain": {
            "Type": "AWS::ApiGateway::Model",
            "Properties": {"RestApiId": {"Ref": "Api"}, "Schema": "text"},
        },
    }
    (route,) = load(resources).model.apis["Api"].routes
    assert route.request_schema == schema
    assert route.cache_key_parameters == ["method.request.path.id"]
    assert route.required_parameters == []


def test_rest_deployment_stage_description_and_existing_stage(load):
    resources = {
        **rest({"Type": "MOCK"}),
        "Prod": {
            "Type": "AWS::ApiGateway::Stage",
            "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "prod", "Variables": {"v": 1}},
        },
        "ProdDeployment": {
            "Type": "AWS::ApiGateway::Deployment",
            "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "prod"},
        },
        "DevDeployment": {
            "Type": "AWS::ApiGateway::Deployment",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "StageName": "dev",
                "StageDescription": {
                    "ThrottlingRateLimit": 5,
                    "ThrottlingBurstLimit": 2,
                    "Variables": {"a": "b"},
                },
            },
        },
    }
    prod, dev = load(resources).model.apis["Api"].stages
    assert prod == StageSpec(name="prod", variables={"v": "1"})
    assert (dev.name, dev.variables, dev.throttle) == ("dev", {"a": "b"}, (5.0, 2.0))


# section: CloudFormation HTTP API resources (loaders/apigateway.py)


def test_http_api_of_another_protocol_is_listed(load):
    resources = {
        "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "a", "ProtocolType": "GRPC"}}
    }
    app = load(resources)
    assert app.model.apis == {}
    assert app.model.unsupported == ["Api: AWS::ApiGatewayV2::Api with ProtocolType GRPC"]


@pytest.mark.parametrize(
    ("route_key", "method", "path"), [(None, "ANY", "$default"), ("POST /orders", "POST", "/orders")]
)
def test_http_api_quick_create(load, route_key, method, path):
    properties = {"Name": "a", "ProtocolType": "HTTP", "Target": LAMBDA_URI}
    if route_key:
        properties["RouteKey"] = route_key
    api = load({"Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": properties}}).model.apis["Api"]
    (route,) = api.routes
    assert (route.method, route.path, route.pointer) == (method, path, "/Resources/Api/Properties/Target")
    assert route.integration == Integration(
        "lambda", function="arn:aws:lambda:us-east-1:123456789012:function:orders"
    )
    assert api.stages == [StageSpec(name="$default")]


def authorizer(**properties):
    return {
        "Type": "AWS::ApiGatewayV2::Authorizer",
        "Properties": {"ApiId": {"Ref": "Api"}, "Name": "auth", **properties},
    }


def test_http_jwt_authorizer_without_an_issuer(error_of):
    resources = {
        **http(IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA_URI),
        "Auth": authorizer(AuthorizerType="JWT"),
    }
    assert error_of(resources) == (
        "/Resources/Auth/Properties/JwtConfiguration",
        "a JWT authorizer needs JwtConfiguration.Issuer",
    )


def test_http_request_authorizer_without_a_uri(error_of):
    resources = {
        **http(IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA_URI),
        "Auth": authorizer(AuthorizerType="REQUEST"),
    }
    assert error_of(resources) == (
        "/Resources/Auth/Properties/AuthorizerUri",
        "a REQUEST authorizer needs AuthorizerUri",
    )


def test_http_request_authorizer(load):
    resources = {
        **http(IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA_URI),
        "Auth": authorizer(
            AuthorizerType="REQUEST",
            AuthorizerUri=LAMBDA_URI,
            IdentitySource=["$request.header.X"],
            AuthorizerResultTtlInSeconds=60,
            EnableSimpleResponses=True,
        ),
    }
    resources["Route"]["Properties"].update(AuthorizationType="CUSTOM", AuthorizerId={"Ref": "Auth"})
    api = load(resources).model.apis["Api"]
    spec = api.authorizers["auth"]
    assert (spec.kind, spec.lambda_type, spec.identity_source, spec.ttl) == (
        "lambda",
        "REQUEST",
        ["$request.header.X"],
        60,
    )
    assert (spec.payload_version, spec.simple_responses) == ("2.0", True)
    assert api.routes[0].authorizer == "auth"


def test_http_route_target_that_is_not_an_integration(error_of):
    resources = http(IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA_URI)
    resources["Route"]["Properties"]["Target"] = "lambda/orders"
    assert error_of(resources) == (
        "/Resources/Route/Properties/Target",
        "Target must be integrations/<Ref of an AWS::ApiGatewayV2::Integration>",
    )


@pytest.mark.parametrize(
    ("target", "feature"),
    [
        (None, "a route with no integration (no Target)"),
        ("integrations/abc123", "an integration outside the template (integrations/abc123)"),
    ],
)
def test_http_route_without_an_integration_of_the_template(load, target, feature):
    resources = http(IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA_URI)
    del resources["Route"]["Properties"]["Target"]
    if target:
        resources["Route"]["Properties"]["Target"] = target
    assert route_integration(load(resources)) == Integration("unsupported", feature=feature)


# section: resource types the reader lists (loaders/reader.py)


def test_custom_and_unsupported_resources_are_listed(load):
    resources = {
        "Seed": {"Type": "Custom::Seed", "Properties": {"ServiceToken": "arn:aws:lambda:x"}},
        "Other": {"Type": "AWS::CloudFormation::CustomResource", "Properties": {"ServiceToken": "x"}},
        "Domain": {"Type": "AWS::ApiGateway::DomainName", "Properties": {"DomainName": "a.example"}},
        "Link": {"Type": "AWS::ApiGatewayV2::VpcLink", "Properties": {"Name": "l", "SubnetIds": []}},
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
    }
    assert load(resources).model.unsupported == [
        "Seed: Custom::Seed (custom resources do not run here)",
        "Other: AWS::CloudFormation::CustomResource (custom resources do not run here)",
        "Domain: AWS::ApiGateway::DomainName",
        "Link: AWS::ApiGatewayV2::VpcLink",
        "Queue: AWS::SQS::Queue",
    ]


def test_user_pool_client_of_a_pool_outside_the_template(load):
    resources = {
        "Client": {"Type": "AWS::Cognito::UserPoolClient", "Properties": {"UserPoolId": "us-east-1_abc"}},
        "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {}},
        "PoolClient": {"Type": "AWS::Cognito::UserPoolClient", "Properties": {"UserPoolId": {"Ref": "Pool"}}},
    }
    app = load(resources)
    assert app.model.user_pool_clients == {app.template.ref("Pool", ""): app.template.ref("PoolClient", "")}


def test_events_rule_with_an_invalid_pattern(error_of):
    resources = {
        "Rule": {
            "Type": "AWS::Events::Rule",
            "Properties": {"EventPattern": {"source": "orders"}, "Targets": []},
        }
    }
    assert error_of(resources) == (
        "/Resources/Rule/Properties/EventPattern/source",
        'invalid event pattern: a match value must be inside a list: use ["orders"]',
    )


# section: OpenAPI authorizers (loaders/openapi.py)

SCHEME = "/Resources/Api/Properties/Body/components/securitySchemes/auth/x-amazon-apigateway-authorizer"


def with_authorizer(config):
    scheme = {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "x-amazon-apigateway-authorizer": config,
    }
    body = {
        "openapi": "3.0.1",
        "components": {"securitySchemes": {"auth": scheme}},
        "paths": {"/x": {"get": operation(security=[{"auth": []}])}},
    }
    return openapi(body)


@pytest.mark.parametrize(
    ("config", "pointer", "reason"),
    [
        (
            {"type": "token", "authorizerUri": LAMBDA_URI, "authorizerResultTtlInSeconds": "soon"},
            SCHEME + "/authorizerResultTtlInSeconds",
            "authorizerResultTtlInSeconds must be a number of seconds",
        ),
        ({"type": "cognito_user_pools"}, SCHEME, "a cognito_user_pools authorizer needs providerARNs"),
        ({"type": "jwt", "jwtConfiguration": {}}, SCHEME, "a jwt authorizer needs jwtConfiguration.issuer"),
        ({"type": "request"}, SCHEME, "a request authorizer needs authorizerUri"),
        ({"type": "saml"}, SCHEME, "authorizer type 'saml' is not supported"),
    ],
)
def test_openapi_authorizer_errors(error_of, config, pointer, reason):
    assert error_of(with_authorizer(config)) == (pointer, reason)


@pytest.mark.parametrize(
    ("identity_source", "expected"),
    [
        (None, ["method.request.header.Authorization"]),
        (
            "method.request.header.A, method.request.header.B",
            ["method.request.header.A", "method.request.header.B"],
        ),
        (["method.request.header.A"], ["method.request.header.A"]),
        (7, ["7"]),
    ],
)
def test_openapi_token_authorizer(load, identity_source, expected):
    config = {"type": "token", "authorizerUri": LAMBDA_URI, "authorizerResultTtlInSeconds": 60}
    if identity_source is not None:
        config["identitySource"] = identity_source
    spec = load(with_authorizer(config)).model.apis["Api"].authorizers["auth"]
    assert (spec.kind, spec.lambda_type, spec.ttl, spec.identity_source) == (
        "lambda",
        "TOKEN",
        60.0,
        expected,
    )
    assert (spec.pointer, spec.payload_version, spec.simple_responses) == (SCHEME, "1.0", False)
    assert spec.function == "arn:aws:lambda:us-east-1:123456789012:function:orders"


def test_openapi_jwt_authorizer(load):
    jwt = {"type": "jwt", "jwtConfiguration": {"issuer": "https://issuer.example", "audience": "shop"}}
    spec = load(with_authorizer(jwt)).model.apis["Api"].authorizers["auth"]
    assert (spec.kind, spec.issuer, spec.audiences, spec.identity_source) == (
        "jwt",
        "https://issuer.example",
        ["shop"],
        [],
    )


def test_openapi_cognito_authorizer(load):
    pool = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc"
    cognito = {
        "type": "cognito_user_pools",
        "providerARNs": [pool],
        "identitySource": "method.request.header.T",
    }
    spec = load(with_authorizer(cognito)).model.apis["Api"].authorizers["auth"]
    assert (spec.kind, spec.issuer, spec.identity_source) == (
        "cognito",
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
        ["method.request.header.T"],
    )
