"""``Ref`` and ``Fn::GetAtt`` values of AWS's shape for resource types the loader only names, and the
resources SAM generates that templates refer to (``MyApi.Stage``, ``MyApiProdStage``, ``MyFunction.Alias``,
``MyFunction.Version``, ``MyFunctionRole``, ``MyFunctionUrl``...).

An ARN keeps its slashes and colons (``arn:aws:dynamodb:...:table/Orders/stream/...``), a URL is an https URL,
so ``Fn::Split`` / ``Fn::Select`` over them give what they give in AWS.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pytest_serverless._ids import ACCOUNT_ID, REGION
from pytest_serverless.errors import ServerlessError

if TYPE_CHECKING:
    from pytest_serverless.loaders.cloudformation import Template

__all__ = ["attribute_value", "generated_resources", "generated_ref", "ref_value"]

_STREAM_LABEL = "2024-01-01T00:00:00.000"


def _arn(service: str, resource: str, *, region: str = REGION, account: str = ACCOUNT_ID) -> str:
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def _lambda_arn(t: Template, function_id: str) -> str:
    return _arn("lambda", f"function:{t.physical_name(function_id)}")


def _function_of(t: Template, logical_id: str) -> str:
    """A Lambda Version / Alias / Url's ``FunctionName`` as an unqualified function ARN."""
    raw = (t.resources.get(logical_id, {}).get("Properties") or {}).get("FunctionName")
    if raw is None:
        raw = (t.resources.get(logical_id, {}).get("Properties") or {}).get("TargetFunctionArn")
    value = t.resolve(raw, f"/Resources/{logical_id}/Properties/FunctionName") if raw is not None else None
    if not isinstance(value, str) or not value:
        return _arn("lambda", f"function:{logical_id}")
    if value.startswith("arn:"):
        return ":".join(value.split(":")[:7])
    return _arn("lambda", f"function:{value}")


def ref_value(t: Template, logical_id: str, kind: str) -> str | None:
    """What ``Ref`` gives for ``kind`` when it is not the physical name; None: the physical name."""
    if logical_id in generated_resources(t):
        return generated_ref(t, logical_id)
    name = t.physical_name(logical_id)
    if kind == "AWS::StepFunctions::Activity":
        return _arn("states", f"activity:{name}")
    if kind == "AWS::Lambda::Version":
        return f"{_function_of(t, logical_id)}:1"
    if kind == "AWS::Lambda::Alias":
        alias = (t.resources[logical_id].get("Properties") or {}).get("Name")
        alias = t.resolve(alias, f"/Resources/{logical_id}/Properties/Name") if alias is not None else "live"
        return f"{_function_of(t, logical_id)}:{alias}"
    if kind in ("AWS::Lambda::LayerVersion", "AWS::Serverless::LayerVersion"):
        return _arn("lambda", f"layer:{name}:1")
    if kind == "AWS::SecretsManager::Secret":
        return _arn("secretsmanager", f"secret:{name}-{t.short_id(logical_id, 6)}")
    if kind == "AWS::ECS::TaskDefinition":
        return _arn("ecs", f"task-definition/{name}:1")
    if kind == "AWS::KMS::Key":
        return _uuid(t, logical_id)
    if kind.startswith("AWS::EC2::"):
        prefix = _EC2_PREFIXES.get(kind.rsplit("::", 1)[-1], kind.rsplit("::", 1)[-1].lower()[:6])
        return f"{prefix}-{t.short_id(logical_id, 17)}"
    return None


def _uuid(t: Template, logical_id: str) -> str:
    text = t.short_id(logical_id, 32)
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:32]}"


_EC2_PREFIXES = {
    "VPC": "vpc",
    "Subnet": "subnet",
    "SecurityGroup": "sg",
    "InternetGateway": "igw",
    "NatGateway": "nat",
    "RouteTable": "rtb",
    "VPCEndpoint": "vpce",
    "EIP": "eipalloc",
    "Instance": "i",
}

Attribute = Callable[["Template", str, str], Any]


def _table_stream(t: Template, logical_id: str, name: str) -> str:
    return _arn("dynamodb", f"table/{name}/stream/{_STREAM_LABEL}")


_ATTRIBUTES: dict[str, dict[str, Attribute]] = {
    "AWS::StepFunctions::Activity": {
        "Name": lambda t, lid, name: name,
        "Arn": lambda t, lid, name: _arn("states", f"activity:{name}"),
    },
    "AWS::DynamoDB::Table": {
        "Arn": lambda t, lid, name: _arn("dynamodb", f"table/{name}"),
        "StreamArn": _table_stream,
    },
    "AWS::DynamoDB::GlobalTable": {
        "Arn": lambda t, lid, name: _arn("dynamodb", f"table/{name}"),
        "StreamArn": _table_stream,
        "TableId": lambda t, lid, name: _uuid(t, lid),
    },
    "AWS::Serverless::SimpleTable": {
        "Arn": lambda t, lid, name: _arn("dynamodb", f"table/{name}"),
        "StreamArn": _table_stream,
    },
    "AWS::Kinesis::Stream": {"Arn": lambda t, lid, name: _arn("kinesis", f"stream/{name}")},
    "AWS::KinesisFirehose::DeliveryStream": {
        "Arn": lambda t, lid, name: _arn("firehose", f"deliverystream/{name}")
    },
    "AWS::S3::Bucket": {
        "Arn": lambda t, lid, name: f"arn:aws:s3:::{name}",
        "DomainName": lambda t, lid, name: f"{name}.s3.amazonaws.com",
        "RegionalDomainName": lambda t, lid, name: f"{name}.s3.{REGION}.amazonaws.com",
        "DualStackDomainName": lambda t, lid, name: f"{name}.s3.dualstack.{REGION}.amazonaws.com",
        "WebsiteURL": lambda t, lid, name: f"http://{name}.s3-website-{REGION}.amazonaws.com",
    },
    "AWS::SNS::Topic": {
        "TopicArn": lambda t, lid, name: _arn("sns", name),
        "TopicName": lambda t, lid, name: name,
    },
    "AWS::SQS::Queue": {
        "QueueUrl": lambda t, lid, name: f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{name}",
    },
    "AWS::Events::EventBus": {
        "Arn": lambda t, lid, name: _arn("events", f"event-bus/{name}"),
        "Name": lambda t, lid, name: name,
    },
    "AWS::Events::Connection": {
        "Arn": lambda t, lid, name: _arn("events", f"connection/{name}/{_uuid(t, lid)}"),
        "SecretArn": lambda t, lid, name: _arn("secretsmanager", f"secret:events!connection/{name}"),
    },
    "AWS::Events::ApiDestination": {
        "Arn": lambda t, lid, name: _arn("events", f"api-destination/{name}/{_uuid(t, lid)}"),
    },
    "AWS::Scheduler::Schedule": {"Arn": lambda t, lid, name: _arn("scheduler", f"schedule/default/{name}")},
    "AWS::Logs::LogGroup": {"Arn": lambda t, lid, name: _arn("logs", f"log-group:{name}:*")},
    "AWS::ECS::Cluster": {"Arn": lambda t, lid, name: _arn("ecs", f"cluster/{name}")},
    "AWS::KMS::Key": {
        "Arn": lambda t, lid, name: _arn("kms", f"key/{_uuid(t, lid)}"),
        "KeyId": lambda t, lid, name: _uuid(t, lid),
    },
    "AWS::Lambda::Url": {
        "FunctionUrl": lambda t, lid, name: f"https://{t.short_id(lid, 32)}.lambda-url.{REGION}.on.aws/",
        "FunctionArn": lambda t, lid, name: _function_of(t, lid),
    },
    "AWS::Lambda::Version": {"Version": lambda t, lid, name: "1"},
    "AWS::Lambda::LayerVersion": {},
    "AWS::SecretsManager::Secret": {},
    "AWS::AppSync::GraphQLApi": {
        "GraphQLUrl": lambda t, lid, name: (
            f"https://{t.short_id(lid, 26)}.appsync-api.{REGION}.amazonaws.com/graphql"
        ),
        "ApiId": lambda t, lid, name: t.short_id(lid, 26),
        "Arn": lambda t, lid, name: _arn("appsync", f"apis/{t.short_id(lid, 26)}"),
    },
    "AWS::CloudFront::Distribution": {
        "DomainName": lambda t, lid, name: f"d{t.short_id(lid, 13)}.cloudfront.net",
    },
}


def attribute_value(t: Template, logical_id: str, kind: str, attribute: str) -> Any:
    """``Fn::GetAtt`` of a type the loader only names: AWS's shape for known attributes, else an ARN for
    ``...Arn``, an https URL for ``...Url`` / ``...Endpoint``, else ``name.Attribute``."""
    name = t.physical_name(logical_id)
    table = _ATTRIBUTES.get(kind, {})
    if attribute in table:
        return table[attribute](t, logical_id, name)
    service = kind.split("::")[1].lower() if kind.count("::") == 2 else "unknown"
    resource = _kebab(kind.rsplit("::", 1)[-1])
    if attribute == "Arn" or attribute.endswith("Arn"):
        if attribute == "Arn" and kind == "AWS::SNS::Topic":
            return _arn("sns", name)
        return _arn(service, f"{resource}/{name}")
    if attribute.lower().endswith(("url", "endpoint", "endpointaddress")):
        return f"https://{t.short_id(logical_id)}.{service}.{REGION}.amazonaws.com"
    if attribute in ("Name", f"{kind.rsplit('::', 1)[-1]}Name"):
        return name
    if attribute.endswith("Id"):
        return t.short_id(logical_id)
    return f"{name}.{attribute}"


def _kebab(text: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z][a-z])", "-", text).lower()


# -- SAM generated resources -------------------------------------------------------------------------------

_API_TYPES = ("AWS::Serverless::Api", "AWS::Serverless::HttpApi")


def generated_resources(t: Template) -> dict[str, tuple[str, str]]:
    """SAM's generated logical ids (and ``Owner.Stage``-style references) -> (type, owner logical id)."""
    cached = t._generated
    if cached is not None:
        return cached
    t._generated = {}  # while computing: a reference met on the way sees none (no recursion)
    found: dict[str, tuple[str, str]] = {}
    owners = [(lid, str(r["Type"])) for lid, r in t.resources.items()]
    owners += list(t.extra_resources.items())
    for owner, kind in owners:
        props = (t.resources.get(owner) or {}).get("Properties") or {}
        if not isinstance(props, dict):
            continue
        if kind == "AWS::Serverless::Api":
            found[f"{owner}.Stage"] = ("AWS::ApiGateway::Stage", owner)
            found[f"{owner}.Deployment"] = ("AWS::ApiGateway::Deployment", owner)
            try:
                stage = _api_stage(t, owner)
            except ServerlessError:  # an unresolvable StageName is reported where the API is read
                stage = ""
            if stage:
                found[f"{owner}{re.sub(r'[^A-Za-z0-9]', '', stage)}Stage"] = ("AWS::ApiGateway::Stage", owner)
        elif kind == "AWS::Serverless::HttpApi":
            found[f"{owner}.Stage"] = ("AWS::ApiGatewayV2::Stage", owner)
            found[f"{owner}ApiGatewayDefaultStage"] = ("AWS::ApiGatewayV2::Stage", owner)
        elif kind == "AWS::Serverless::Function":
            found[f"{owner}.Alias"] = ("AWS::Lambda::Alias", owner)
            found[f"{owner}.Version"] = ("AWS::Lambda::Version", owner)
            alias = props.get("AutoPublishAlias")
            if isinstance(alias, str):
                found[f"{owner}Alias{alias}"] = ("AWS::Lambda::Alias", owner)
            if "Role" not in props:
                found[f"{owner}Role"] = ("AWS::IAM::Role", owner)
            if "FunctionUrlConfig" in props:
                found[f"{owner}Url"] = ("AWS::Lambda::Url", owner)
        elif kind == "AWS::Serverless::StateMachine" and "Role" not in props:
            found[f"{owner}Role"] = ("AWS::IAM::Role", owner)
    found = {key: value for key, value in found.items() if key not in t.resources}
    t._generated = found
    return found


def _api_stage(t: Template, api_id: str) -> str:
    props = (t.resources.get(api_id) or {}).get("Properties") or {}
    raw = props.get("StageName")
    if raw is None:
        globals_api = (t.document.get("Globals") or {}).get("Api") or {}
        raw = globals_api.get("StageName") if isinstance(globals_api, dict) else None
    if raw is None:
        return "Prod" if api_id == "ServerlessRestApi" else "$default"
    value = t.resolve(raw, f"/Resources/{api_id}/Properties/StageName")
    return str(value)


def generated_ref(t: Template, logical_id: str) -> str:
    kind, owner = generated_resources(t)[logical_id]
    if kind == "AWS::ApiGateway::Stage":
        return _api_stage(t, owner)
    if kind == "AWS::ApiGatewayV2::Stage":
        props = (t.resources.get(owner) or {}).get("Properties") or {}
        raw = props.get("StageName")
        return str(t.resolve(raw, f"/Resources/{owner}/Properties/StageName")) if raw else "$default"
    if kind == "AWS::Lambda::Alias":
        props = (t.resources.get(owner) or {}).get("Properties") or {}
        raw = props.get("AutoPublishAlias")
        alias = t.resolve(raw, f"/Resources/{owner}/Properties/AutoPublishAlias") if raw else "live"
        return f"{_lambda_arn(t, owner)}:{alias}"
    if kind == "AWS::Lambda::Version":
        return f"{_lambda_arn(t, owner)}:1"
    if kind == "AWS::Lambda::Url":
        return f"{_lambda_arn(t, owner)}"
    if kind == "AWS::IAM::Role":
        return t.physical_name(logical_id)
    return t.short_id(logical_id)
