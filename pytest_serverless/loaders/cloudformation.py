"""CloudFormation semantics: Parameters, Conditions, Mappings, pseudo parameters and the intrinsic functions.

``Template`` holds one parsed document and resolves values on demand: ``template.properties("Api")`` gives the
resource's ``Properties`` with every ``Ref``/``Fn::*`` evaluated, ``Fn::If`` branches chosen and
``AWS::NoValue`` removed. Resources whose ``Condition`` is false are left out. ``Ref``/``Fn::GetAtt`` on a
resource give the deterministic physical id or ARN this emulator uses for it, so an ARN built with ``!Sub`` in
a state machine definition is the same string the loader registers the function under.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_serverless._ids import ACCOUNT_ID, REGION, execute_api_domain
from pytest_serverless.errors import TemplateError
from pytest_serverless.loaders._depends_on import check_depends_on
from pytest_serverless.loaders.attributes import (
    attribute_value,
    generated_ref,
    generated_resources,
    ref_value,
)
from pytest_serverless.loaders.cfn_functions import HANDLERS, NO_VALUE, escape

__all__ = ["NO_VALUE", "Template", "arn_for", "merge_globals"]


_INTRINSICS = (
    "Ref",
    "Condition",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::If",
    "Fn::Select",
    "Fn::Split",
    "Fn::FindInMap",
    "Fn::Equals",
    "Fn::And",
    "Fn::Or",
    "Fn::Not",
    "Fn::Base64",
    "Fn::GetAZs",
    "Fn::ImportValue",
    "Fn::Cidr",
    "Fn::Length",
    "Fn::ToJsonString",
    "Fn::Transform",
)
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

# Resources that SAM creates implicitly and templates may refer to.
IMPLICIT_RESOURCES = {
    "ServerlessRestApi": "AWS::Serverless::Api",
    "ServerlessHttpApi": "AWS::Serverless::HttpApi",
}


def _suffix(*parts: str, length: int = 12) -> str:
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return "".join(_ALNUM[byte % len(_ALNUM)] for byte in digest[:length])


def _stand_in(name: str, kind: str, spec: Mapping[str, Any]) -> Any:
    """A value for a parameter nobody gave: its first AllowedValue, MinValue or 0 for a Number, a one-item
    list for a list type, else the parameter's name."""
    allowed = spec.get("AllowedValues")
    if isinstance(allowed, list) and allowed:
        return (
            [str(allowed[0])] if kind.startswith("List<") or kind == "CommaDelimitedList" else str(allowed[0])
        )
    if kind == "Number":
        return str(spec.get("MinValue", 0))
    if kind.startswith("List<") or kind == "CommaDelimitedList":
        return [name]
    return name


def arn_for(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT_ID}:{resource}"


def _is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _INTRINSICS


def merge_globals(global_section: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    """SAM Globals: maps merge (the resource wins), lists add up (globals first), scalars are replaced."""
    merged: dict[str, Any] = dict(global_section)
    for key, value in properties.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict) and not _is_intrinsic(value):
            if _is_intrinsic(current):
                merged[key] = value
            else:
                merged[key] = merge_globals(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = [*current, *value]
        else:
            merged[key] = value
    return merged


class Template:
    """One CloudFormation/SAM document with its parameter values, ready to resolve intrinsics."""

    def __init__(
        self,
        document: Any,
        *,
        source: str,
        parameters: Mapping[str, Any] | None = None,
        stack_name: str = "stack",
    ) -> None:
        self.source = source
        self.base_dir = Path(source).parent
        self.stack_name = stack_name
        self.files: list[Path] = []  # other local files read into the template (includes, OpenAPI bodies)
        self.including: list[Path] = []  # the AWS::Include files being resolved, outermost first
        if not isinstance(document, dict):
            raise TemplateError("a template must be a mapping with a 'Resources' section", source=source)
        self.document: dict[str, Any] = document
        resources = document.get("Resources")
        if not isinstance(resources, dict) or not resources:
            raise TemplateError(
                "the template has no 'Resources' section", source=source, pointer="/Resources"
            )
        for logical_id, resource in resources.items():
            pointer = f"/Resources/{logical_id}"
            if not isinstance(resource, dict):
                raise TemplateError(
                    "a resource must be a mapping with a 'Type'", source=source, pointer=pointer
                )
            if not isinstance(resource.get("Type"), str):
                raise TemplateError("the resource has no 'Type'", source=source, pointer=pointer + "/Type")
            if "Properties" in resource and not isinstance(resource["Properties"], dict):
                raise TemplateError(
                    "'Properties' must be a mapping", source=source, pointer=pointer + "/Properties"
                )
        self.extra_resources: dict[str, str] = {}  # implicit SAM resources (logical id -> type)
        self._generated: dict[str, tuple[str, str]] | None = None  # attributes.generated_resources
        self.resources: dict[str, dict[str, Any]] = {}
        self.all_resources: dict[str, dict[str, Any]] = resources
        check_depends_on(
            resources, source=source, sam="AWS::Serverless-2016-10-31" in str(document.get("Transform"))
        )
        self.mappings: dict[str, Any] = self._section("Mappings")
        self.condition_defs: dict[str, Any] = self._section("Conditions")
        self.parameter_values = self._parameter_values(parameters or {})
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()
        self._properties: dict[str, dict[str, Any]] = {}
        self._names: dict[str, str] = {}
        for logical_id, resource in resources.items():
            condition = resource.get("Condition")
            if condition is not None and not self.condition(condition, f"/Resources/{logical_id}/Condition"):
                continue
            self.resources[logical_id] = resource
        self.name_overrides: dict[str, str] = {}
        self.current: str | None = None  # the resource being read (for errors nobody foresaw)

    # -- sections -----------------------------------------------------------------------------------

    def _section(self, name: str) -> dict[str, Any]:
        value = self.document.get(name, {})
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise TemplateError(f"'{name}' must be a mapping", source=self.source, pointer=f"/{name}")
        return value

    def error(self, message: str, pointer: str) -> TemplateError:
        return TemplateError(message, source=self.source, pointer=pointer)

    def number(self, value: Any, pointer: str, what: str, default: float) -> float:
        """``value`` as a number (``default`` when absent); else a TemplateError naming ``what``."""
        if value is None:
            return default
        try:
            if isinstance(value, bool):
                raise TypeError
            return float(value)
        except (TypeError, ValueError):
            shown = json.dumps(value) if isinstance(value, (str, int, float, list)) else repr(value)
            raise self.error(f"{what} must be a number, got {shown[:80]}", pointer) from None

    def listing(self, value: Any, pointer: str, what: str) -> list[Any]:
        """``value`` when it is a list, ``[]`` when absent; else a TemplateError naming ``what``."""
        if value is None:
            return []
        if not isinstance(value, list):
            shown = json.dumps(value) if isinstance(value, (str, int, float, bool, dict)) else repr(value)
            raise self.error(f"{what} must be a list, got {shown[:80]}", pointer)
        return value

    def mapping(self, value: Any, pointer: str, what: str) -> dict[str, Any]:
        """``value`` when it is a mapping, ``{}`` when absent; else a TemplateError naming ``what``."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            shown = json.dumps(value) if isinstance(value, (str, int, float, bool, list)) else repr(value)
            raise self.error(f"{what} must be a mapping, got {shown[:80]}", pointer)
        return value

    stand_ins: list[str]

    def _parameter_values(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        """Each declared parameter's value: the one given, else its Default, else a stand-in (listed in
        ``stand_ins``); given values must name declared parameters."""
        self.stand_ins = []
        declared = self._section("Parameters")
        unknown = sorted(set(overrides) - set(declared))
        if unknown:
            raise self.error(
                f"parameters {unknown} do not exist in the template (declared: {sorted(declared)})",
                "/Parameters",
            )
        return {name: self._parameter_value(name, spec, overrides) for name, spec in declared.items()}

    def _parameter_value(self, name: str, spec: Any, overrides: Mapping[str, Any]) -> Any:
        pointer = f"/Parameters/{name}"
        if not isinstance(spec, dict):
            raise self.error("a parameter must be a mapping with a 'Type'", pointer)
        kind = str(spec.get("Type", "String"))
        if name in overrides:
            raw = overrides[name]
        elif "Default" in spec:
            raw = spec["Default"]
        else:
            # AWS takes the value at deploy time; here the template still loads, with a stand-in value
            # reported in app.unsupported, so one missing value does not stop everything else
            raw = _stand_in(name, kind, spec)
            self.stand_ins.append(
                f"parameter {name} has no Default and no value was given: it is {json.dumps(raw)} here; "
                f"pass load_template(..., parameters={{{name!r}: ...}})"
            )
            return [str(item) for item in raw] if isinstance(raw, list) else str(raw)
        value = self._typed_parameter(name, kind, raw, pointer)
        self._check_allowed(name, spec, value, pointer)
        return value

    def _typed_parameter(self, name: str, kind: str, raw: Any, pointer: str) -> Any:
        """A parameter value as CloudFormation passes it: a list of strings for the list types, else a
        string (a Number must parse as one; booleans spelled ``true`` / ``false``)."""
        if kind in ("CommaDelimitedList", "List<Number>") or kind.startswith("List<"):
            if isinstance(raw, (list, tuple)):
                return [str(item) for item in raw]
            return [item.strip() for item in str(raw).split(",")] if str(raw) else []
        if kind == "Number":
            text = str(raw)
            try:
                float(text)
            except ValueError:
                raise self.error(f"parameter {name!r} is a Number, got {raw!r}", pointer) from None
            return text
        if isinstance(raw, bool):
            return "true" if raw else "false"
        return raw if isinstance(raw, str) else str(raw)

    def _check_allowed(self, name: str, spec: Mapping[str, Any], value: Any, pointer: str) -> None:
        """``AllowedValues`` and ``AllowedPattern`` (checked on single values, not on lists)."""
        allowed = spec.get("AllowedValues")
        if (
            isinstance(allowed, list)
            and not isinstance(value, list)
            and value not in [str(item) for item in allowed]
        ):
            raise self.error(
                f"parameter {name!r} must be one of {[str(item) for item in allowed]}, got {value!r}",
                pointer,
            )
        pattern = spec.get("AllowedPattern")
        if isinstance(pattern, str) and isinstance(value, str) and not re.fullmatch(pattern, value):
            raise self.error(f"parameter {name!r} value {value!r} does not match {pattern!r}", pointer)

    # -- conditions ---------------------------------------------------------------------------------

    def condition(self, name: Any, pointer: str) -> bool:
        if not isinstance(name, str) or name not in self.condition_defs:
            raise self.error(f"unknown condition {name!r} (declared: {sorted(self.condition_defs)})", pointer)
        if name in self._conditions:
            return self._conditions[name]
        if name in self._evaluating:
            raise self.error(f"condition {name!r} refers to itself", f"/Conditions/{name}")
        self._evaluating.add(name)
        result = self.truth(
            self.resolve(self.condition_defs[name], f"/Conditions/{name}"), f"/Conditions/{name}"
        )
        self._evaluating.discard(name)
        self._conditions[name] = result
        return result

    def truth(self, value: Any, pointer: str) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise self.error(f"a condition must evaluate to true or false, got {value!r}", pointer)

    # -- resolution ---------------------------------------------------------------------------------

    def resource_type(self, logical_id: str) -> str | None:
        resource = self.resources.get(logical_id)
        if resource is not None:
            return str(resource["Type"])
        kind = self.extra_resources.get(logical_id)
        if kind is None and logical_id not in self.all_resources:
            generated = generated_resources(self).get(logical_id)
            kind = generated[0] if generated is not None else None
        return kind

    def raw_property(self, logical_id: str, name: str) -> Any:
        """The resource's property ``name`` as written (intrinsics not resolved), or ``None``."""
        return (self.resources[logical_id].get("Properties") or {}).get(name)

    def properties(self, logical_id: str) -> dict[str, Any]:
        """The resource's resolved ``Properties`` (cached)."""
        self.current = f"/Resources/{logical_id}"
        if logical_id not in self._properties:
            raw = self.resources[logical_id].get("Properties") or {}
            resolved = self.resolve(raw, f"/Resources/{logical_id}/Properties")
            self._properties[logical_id] = resolved if isinstance(resolved, dict) else {}
        return self._properties[logical_id]

    def set_properties(self, logical_id: str, properties: dict[str, Any]) -> None:
        """Replace a resource's unresolved properties (SAM Globals are merged in before resolution)."""
        self.resources[logical_id] = {**self.resources[logical_id], "Properties": properties}
        self._properties.pop(logical_id, None)

    def resolve(self, value: Any, pointer: str) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                key = next(iter(value))
                if key in _INTRINSICS:
                    return self._intrinsic(key, value[key], f"{pointer}/{escape(key)}")
            result: dict[str, Any] = {}
            for key, item in value.items():
                resolved = self.resolve(item, f"{pointer}/{escape(str(key))}")
                if resolved is not NO_VALUE:
                    result[key] = resolved
            return result
        if isinstance(value, list):
            items = [self.resolve(item, f"{pointer}/{index}") for index, item in enumerate(value)]
            return [item for item in items if item is not NO_VALUE]
        return value

    def _intrinsic(self, name: str, args: Any, pointer: str) -> Any:
        handler = HANDLERS.get(name)
        if handler is None:
            raise self.error(f"{name} is not supported by pytest_serverless", pointer)
        return handler(self, args, pointer)

    def ref(self, target: Any, pointer: str) -> Any:
        if not isinstance(target, str):
            raise self.error(f"Ref takes a name, got {target!r}", pointer)
        if target in self.parameter_values:
            return self.parameter_values[target]
        pseudo = self._pseudo(target)
        if pseudo is not None:
            return pseudo
        kind = self.resource_type(target)
        if kind is None:
            raise self.error(self._unknown_name(target), pointer)
        return self._physical_ref(target, kind)

    def _unknown_name(self, target: str) -> str:
        if target in self.all_resources:
            return f"resource {target!r} is left out by its Condition, so it cannot be referenced"
        names = sorted({*self.parameter_values, *self.resources})
        close = difflib.get_close_matches(
            target, [*names, *self.extra_resources, *generated_resources(self)], n=1, cutoff=0.75
        )
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return (
            f"unresolved reference {target!r}: no parameter or resource of that name (known: {names}){hint}"
        )

    def _pseudo(self, name: str) -> Any:
        return {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack_name,
            "AWS::StackId": arn_for(
                "cloudformation", f"stack/{self.stack_name}/{_suffix(self.stack_name, length=8).lower()}"
            ),
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }.get(name)

    def physical_name(self, logical_id: str) -> str:
        """The name AWS would give the resource (its name property, else ``stack-LogicalId-SUFFIX``)."""
        if logical_id in self._names:
            return self._names[logical_id]
        if logical_id in self.name_overrides:
            return self.name_overrides[logical_id]
        kind = self.resource_type(logical_id) or ""
        name_property = _NAME_PROPERTIES.get(kind)
        name: str | None = None
        if name_property is not None and logical_id in self.resources:
            self._names[logical_id] = f"{self.stack_name}-{logical_id}"  # guards self-references
            raw = (self.resources[logical_id].get("Properties") or {}).get(name_property)
            if raw is not None:
                resolved = self.resolve(raw, f"/Resources/{logical_id}/Properties/{name_property}")
                if isinstance(resolved, str) and resolved:
                    name = resolved
        if name is None:
            if kind in ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine"):
                name = f"{logical_id}-{_suffix(self.stack_name, logical_id)}"
            else:
                name = f"{self.stack_name}-{logical_id}-{_suffix(self.stack_name, logical_id)}"
        self._names[logical_id] = name
        return name

    def short_id(self, logical_id: str, length: int = 10) -> str:
        return _suffix(self.stack_name, logical_id, "id", length=length).lower()

    def _physical_ref(self, logical_id: str, kind: str) -> Any:
        value = ref_value(self, logical_id, kind)
        if value is not None:
            return value
        if kind in ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine"):
            return arn_for("states", f"stateMachine:{self.physical_name(logical_id)}")
        if kind in ("AWS::SNS::Topic",):
            return arn_for("sns", self.physical_name(logical_id))
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{self.physical_name(logical_id)}"
        if kind == "AWS::Cognito::UserPool":
            return f"{REGION}_{_suffix(self.stack_name, logical_id, length=9)}"
        if kind in (
            "AWS::Serverless::Api",
            "AWS::Serverless::HttpApi",
            "AWS::ApiGateway::RestApi",
            "AWS::ApiGatewayV2::Api",
            "AWS::ApiGateway::Resource",
            "AWS::ApiGateway::Authorizer",
            "AWS::ApiGatewayV2::Authorizer",
            "AWS::ApiGatewayV2::Integration",
            "AWS::ApiGateway::Deployment",
            "AWS::ApiGatewayV2::Route",
            "AWS::Cognito::UserPoolClient",
        ):
            return self.short_id(logical_id, 26 if kind == "AWS::Cognito::UserPoolClient" else 10)
        if kind in ("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"):
            props = (self.resources.get(logical_id) or {}).get("Properties") or {}
            stage = self.resolve(
                props.get("StageName", logical_id), f"/Resources/{logical_id}/Properties/StageName"
            )
            return str(stage)
        if kind == "AWS::ApiGateway::ApiKey":
            return self.short_id(logical_id)
        return self.physical_name(logical_id)

    def get_att(self, logical_id: str, attribute: str, pointer: str) -> Any:
        kind = self.resource_type(logical_id)
        if kind is None:
            raise self.error(self._unknown_name(logical_id).replace("parameter or ", ""), pointer)
        name = self.physical_name(logical_id)
        if attribute in ("Stage", "Deployment", "Alias", "Version") and f"{logical_id}.{attribute}" in (
            generated_resources(self)
        ):
            return generated_ref(self, f"{logical_id}.{attribute}")  # SAM's ${MyApi.Stage} and the like
        if kind in ("AWS::Lambda::Function", "AWS::Serverless::Function"):
            if attribute == "Arn":
                return arn_for("lambda", f"function:{name}")
            return attribute_value(self, logical_id, kind, attribute)
        if kind in ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine"):
            return {"Arn": arn_for("states", f"stateMachine:{name}"), "Name": name}.get(attribute, name)
        if kind in ("AWS::ApiGateway::RestApi", "AWS::Serverless::Api"):
            if attribute == "RootResourceId":
                return _suffix(self.stack_name, logical_id, "root", length=10).lower()
            return self.short_id(logical_id)
        if kind in ("AWS::ApiGatewayV2::Api", "AWS::Serverless::HttpApi"):
            api_id = self.short_id(logical_id)
            if attribute == "ApiEndpoint":
                return f"https://{execute_api_domain(api_id)}"
            return api_id
        if kind == "AWS::Cognito::UserPool":
            pool_id = self.ref(logical_id, pointer)
            return {
                "Arn": arn_for("cognito-idp", f"userpool/{pool_id}"),
                "ProviderName": f"cognito-idp.{REGION}.amazonaws.com/{pool_id}",
                "ProviderURL": f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}",
                "UserPoolId": pool_id,
            }.get(attribute, f"{pool_id}.{attribute}")
        if kind == "AWS::IAM::Role":
            return {"Arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{name}", "RoleId": _suffix(name)}.get(
                attribute, name
            )
        if kind == "AWS::SQS::Queue" and attribute in ("Arn", "QueueName"):
            return {"Arn": arn_for("sqs", name), "QueueName": name}[attribute]
        if kind == "AWS::Events::Rule" and attribute == "Arn":
            return arn_for("events", f"rule/{name}")
        return attribute_value(self, logical_id, kind, attribute)


_NAME_PROPERTIES = {
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::Serverless::StateMachine": "Name",
    "AWS::ApiGateway::RestApi": "Name",
    "AWS::Serverless::Api": "Name",
    "AWS::ApiGatewayV2::Api": "Name",
    "AWS::Serverless::HttpApi": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::Events::EventBus": "Name",
    "AWS::StepFunctions::Activity": "Name",
    "AWS::Kinesis::Stream": "Name",
    "AWS::KinesisFirehose::DeliveryStream": "DeliveryStreamName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::ECS::Cluster": "ClusterName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::Scheduler::Schedule": "Name",
    "AWS::Lambda::LayerVersion": "LayerName",
    "AWS::Serverless::LayerVersion": "LayerName",
    "AWS::IAM::Role": "RoleName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Serverless::SimpleTable": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Cognito::UserPool": "UserPoolName",
    "AWS::ApiGateway::UsagePlan": "UsagePlanName",
    "AWS::ApiGateway::ApiKey": "Name",
}
