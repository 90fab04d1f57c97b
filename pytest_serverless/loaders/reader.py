"""From a template file to a ``TemplateModel``: dispatch on resource types, in dependency order.

Functions and state machines are read first (so ARNs in integrations and rule targets can be traced back to
them), then APIs, then the events that add routes and rules. Resource types that only matter in AWS (IAM,
logs, permissions, CDK metadata...) are skipped silently; any other type is listed in ``model.unsupported``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_serverless.errors import ServerlessError, TemplateError

from .apigateway import read_rest_resources, read_v2_resources
from .cloudformation import IMPLICIT_RESOURCES, Template
from .eventbridge import pattern_problems
from .language_extensions import expand_for_each
from .model import RuleSpec, TargetSpec, TemplateModel
from .sam import (
    apply_globals,
    logical_target,
    read_function,
    read_function_events,
    read_sam_api,
    read_state_machine,
    read_state_machine_events,
)
from .websocket import read_websocket_resources
from .yaml_cfn import load_document

__all__ = ["read_template", "stack_name_for"]

_FUNCTIONS = ("AWS::Serverless::Function", "AWS::Lambda::Function")
_STATE_MACHINES = ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine")
_HANDLED = (
    *_FUNCTIONS,
    *_STATE_MACHINES,
    "AWS::Serverless::Api",
    "AWS::Serverless::HttpApi",
    "AWS::Events::Rule",
    "AWS::Scheduler::Schedule",
)
_HANDLED_PREFIXES = ("AWS::ApiGateway::", "AWS::ApiGatewayV2::")
# Types with no behaviour to emulate in a test: accepted silently.
_INERT = (
    "AWS::IAM::",
    "AWS::Logs::",
    "AWS::CDK::Metadata",
    "AWS::Lambda::Permission",
    "AWS::Lambda::Version",
    "AWS::Lambda::Alias",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::Lambda::LayerVersion",
    "AWS::Serverless::LayerVersion",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolDomain",
    "AWS::Cognito::UserPoolGroup",
    "AWS::Cognito::UserPoolResourceServer",
    "AWS::CloudWatch::",
    "AWS::Events::EventBus",
    "AWS::SSM::Parameter",
    "AWS::KMS::",
    "AWS::XRay::",
    "AWS::CloudFormation::WaitConditionHandle",
    "AWS::ApplicationInsights::",
)
_SAM_TYPES = (
    "AWS::Serverless::Api",
    "AWS::Serverless::Application",
    "AWS::Serverless::Connector",
    "AWS::Serverless::Function",
    "AWS::Serverless::GraphQLApi",
    "AWS::Serverless::HttpApi",
    "AWS::Serverless::LayerVersion",
    "AWS::Serverless::SimpleTable",
    "AWS::Serverless::StateMachine",
)
_UNSUPPORTED_V2 = (
    "AWS::ApiGatewayV2::DomainName",
    "AWS::ApiGatewayV2::ApiMapping",
    "AWS::ApiGatewayV2::VpcLink",
)
_UNSUPPORTED_V1 = (
    "AWS::ApiGateway::DomainName",
    "AWS::ApiGateway::BasePathMapping",
    "AWS::ApiGateway::VpcLink",
)


def stack_name_for(path: Path) -> str:
    """``MyStack.template.json`` (CDK) -> ``MyStack``; ``app/template.yaml`` -> ``app``."""
    if path.name.endswith(".template.json"):
        return path.name[: -len(".template.json")]
    name = path.resolve().parent.name or "stack"
    return "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in name).strip("-") or "stack"


def _of(t: Template, kinds: tuple[str, ...]) -> list[str]:
    return [logical_id for logical_id in t.resources if t.resource_type(logical_id) in kinds]


def read_template(path: Path, parameters: Mapping[str, Any] | None = None) -> tuple[Template, TemplateModel]:
    source = str(path)
    document = load_document(path)
    transform = document.get("Transform") if isinstance(document, dict) else None
    transforms = transform if isinstance(transform, list) else [transform] if transform else []
    if "AWS::LanguageExtensions" in transforms:
        document = expand_for_each(document, parameters or {}, source=source)
    t = Template(document, source=source, parameters=parameters, stack_name=stack_name_for(path))
    not_expanded: list[str] = []
    for item in transforms:
        if item == "AWS::Include":
            raise t.error(
                f"Transform {item!r} is not supported (only AWS::Serverless-2016-10-31)", "/Transform"
            )
        if item not in ("AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"):
            # a macro (AWS::SecretsManager-2020-07-23, AWS::CodeDeployBlueGreen, a custom one) is not run:
            # the template loads as written, and says so
            name = item if isinstance(item, str) else json.dumps(item)[:80]
            not_expanded.append(f"Transform {name} (not expanded: the template is read as written)")
    try:
        template, model = t, _read_model(t)
        model.unsupported[:0] = not_expanded
        return template, model
    except ServerlessError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        what = f"resource {t.current.rsplit('/', 1)[-1]}" if t.current else "the template"
        raise TemplateError(
            f"cannot read {what} (an unexpected shape?): {type(exc).__name__}: {exc}",
            source=source,
            pointer=t.current,
        ) from None


def _read_model(t: Template) -> TemplateModel:
    apply_globals(t)
    _register_implicit_apis(t)
    model = TemplateModel()
    model.unsupported.extend(t.stand_ins)
    for logical_id, resource in t.resources.items():
        _list_resource_type(t, model, logical_id, str(resource["Type"]))
    _read_user_pool_clients(t, model)
    for logical_id in _of(t, _FUNCTIONS):
        read_function(t, logical_id, model)
    for logical_id in _of(t, _STATE_MACHINES):
        read_state_machine(t, logical_id, model)
    _read_apis(t, model)
    _read_events_and_rules(t, model)
    for rule in model.rules:
        _check_rule(t, rule)
    return model


def _list_resource_type(t: Template, model: TemplateModel, logical_id: str, kind: str) -> None:
    """List a resource of a type the library does not emulate in ``model.unsupported``; a misspelt SAM type
    is a TemplateError."""
    if kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource":
        model.unsupported.append(f"{logical_id}: {kind} (custom resources do not run here)")
    elif kind in _UNSUPPORTED_V1 or kind in _UNSUPPORTED_V2:
        model.unsupported.append(f"{logical_id}: {kind}")
    elif kind in _HANDLED or kind.startswith(_HANDLED_PREFIXES) or kind.startswith(_INERT):
        return
    elif kind.startswith("AWS::Serverless::") and kind not in _SAM_TYPES:
        close = difflib.get_close_matches(kind, _SAM_TYPES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise t.error(
            f"{kind} is not a SAM resource type (SAM has {', '.join(_SAM_TYPES)}){hint}",
            f"/Resources/{logical_id}/Type",
        )
    else:
        model.unsupported.append(f"{logical_id}: {kind}")


def _read_user_pool_clients(t: Template, model: TemplateModel) -> None:
    """The client id of each user pool of the template that has a client (``app.token_issuer`` uses it)."""
    for logical_id in _of(t, ("AWS::Cognito::UserPoolClient",)):
        pool = logical_target(t, (t.resources[logical_id].get("Properties") or {}).get("UserPoolId"), ())
        if pool is not None and pool in t.resources:
            model.user_pool_clients.setdefault(str(t.ref(pool, "")), str(t.ref(logical_id, "")))


def _read_apis(t: Template, model: TemplateModel) -> None:
    """SAM APIs, then the API Gateway resources (REST, WebSocket, HTTP)."""
    for logical_id in _of(t, ("AWS::Serverless::Api",)):
        model.apis[logical_id] = read_sam_api(t, logical_id, model, rest=True)
    for logical_id in _of(t, ("AWS::Serverless::HttpApi",)):
        model.apis[logical_id] = read_sam_api(t, logical_id, model, rest=False)
    read_rest_resources(t, model)
    model.websocket_apis = read_websocket_resources(t, model)
    read_v2_resources(t, model)


def _read_events_and_rules(t: Template, model: TemplateModel) -> None:
    """The events of SAM functions and state machines (routes, rules), EventBridge rules and schedules."""
    for logical_id in _of(t, ("AWS::Serverless::Function",)):
        read_function_events(t, logical_id, model)
    for logical_id in _of(t, ("AWS::Serverless::StateMachine",)):
        read_state_machine_events(t, logical_id, model)
    for logical_id in _of(t, ("AWS::Events::Rule",)):
        model.rules.append(_read_rule(t, logical_id, model))
    for logical_id in _of(t, ("AWS::Scheduler::Schedule",)):
        schedule = _read_schedule(t, logical_id, model)
        if schedule is not None:
            model.rules.append(schedule)


def _check_rule(t: Template, rule: RuleSpec) -> None:
    """A rule's event pattern must be one EventBridge accepts (a TemplateError names the first problem);
    a rule with no ARN gets one."""
    if rule.pattern is not None:
        problems = pattern_problems(rule.pattern)
        if problems:
            pointer, message = problems[0]
            if t.resource_type(rule.logical_id) == "AWS::Events::Rule":
                where = f"/Resources/{rule.logical_id}/Properties/EventPattern"
            else:
                where = rule.pointer + "/Properties/Pattern"
            raise t.error(f"invalid event pattern: {message}", where + pointer)
    if not rule.arn:
        rule.arn = f"arn:aws:events:us-east-1:123456789012:rule/{rule.name}"


def _register_implicit_apis(t: Template) -> None:
    """``ServerlessRestApi`` / ``ServerlessHttpApi`` exist (and can be referenced) once an event uses them."""
    for resource in t.resources.values():
        if resource["Type"] not in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            continue
        events = (resource.get("Properties") or {}).get("Events") or {}
        for event in events.values() if isinstance(events, dict) else ():
            if not isinstance(event, dict):
                continue
            props = event.get("Properties") or {}
            if not isinstance(props, dict):
                continue  # reported when the events are read
            if event.get("Type") == "Api" and "RestApiId" not in props:
                t.extra_resources.setdefault("ServerlessRestApi", IMPLICIT_RESOURCES["ServerlessRestApi"])
            if event.get("Type") == "HttpApi" and "ApiId" not in props:
                t.extra_resources.setdefault("ServerlessHttpApi", IMPLICIT_RESOURCES["ServerlessHttpApi"])


def _read_schedule(t: Template, logical_id: str, model: TemplateModel) -> RuleSpec | None:
    """An EventBridge Scheduler ``AWS::Scheduler::Schedule`` whose target is a template state machine or
    function, as a scheduled rule (the same clock-driven firing); another target is listed, not run."""
    props = t.properties(logical_id)
    pointer = f"/Resources/{logical_id}/Properties"
    expression = props.get("ScheduleExpression")
    if not isinstance(expression, str):
        raise t.error("a schedule needs a ScheduleExpression", pointer + "/ScheduleExpression")
    target = t.mapping(props.get("Target"), pointer + "/Target", "Target")
    arn = target.get("Arn")
    if not isinstance(arn, str):
        raise t.error("a schedule's Target needs an Arn", pointer + "/Target/Arn")
    spec = TargetSpec(pointer + "/Target")
    spec.state_machine = model.state_machine_for_arn(arn)
    spec.function = None if spec.state_machine else model.function_for_arn(arn)
    if spec.state_machine is None and spec.function is None:
        model.unsupported.append(f"{logical_id}: schedule target {arn} (not run)")
        return None
    raw_input = target.get("Input")
    spec.input = raw_input if isinstance(raw_input, str) or raw_input is None else json.dumps(raw_input)
    zone = props.get("ScheduleExpressionTimezone")
    if zone not in (None, "UTC", "Etc/UTC"):
        model.unsupported.append(
            f"{logical_id}: ScheduleExpressionTimezone {zone} (the schedule runs on UTC)"
        )
    return RuleSpec(
        logical_id=logical_id,
        pointer=pointer,
        schedule=expression,
        enabled=str(props.get("State", "ENABLED")).upper() == "ENABLED",
        name=t.physical_name(logical_id),
        arn=t.get_att(logical_id, "Arn", pointer),
        targets=[spec],
    )


def _read_rule(t: Template, logical_id: str, model: TemplateModel) -> RuleSpec:
    props = t.properties(logical_id)
    pointer = f"/Resources/{logical_id}/Properties"
    pattern = props.get("EventPattern")
    if isinstance(pattern, str):
        try:
            pattern = json.loads(pattern)
        except json.JSONDecodeError as exc:
            raise t.error(f"EventPattern is not valid JSON: {exc.msg}", pointer + "/EventPattern") from None
    schedule = props.get("ScheduleExpression")
    if pattern is None and schedule is None:
        raise t.error("a rule needs an EventPattern or a ScheduleExpression", pointer)
    bus = props.get("EventBusName")
    rule = RuleSpec(
        logical_id=logical_id,
        pointer=pointer,
        pattern=pattern if isinstance(pattern, dict) else None,
        schedule=schedule if isinstance(schedule, str) else None,
        # ENABLED and ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS both deliver
        enabled=str(props.get("State", "ENABLED")).upper().startswith("ENABLED"),
        event_bus=str(bus).rsplit("/", 1)[-1] if isinstance(bus, str) and bus else "default",
        name=t.physical_name(logical_id),
        arn=t.get_att(logical_id, "Arn", pointer),
    )
    if pattern is not None and not isinstance(pattern, dict):
        raise t.error("EventPattern must be a JSON object", pointer + "/EventPattern")
    for index, target in enumerate(t.listing(props.get("Targets"), pointer + "/Targets", "Targets")):
        where = f"{pointer}/Targets/{index}"
        arn = target.get("Arn") if isinstance(target, Mapping) else None
        if not isinstance(arn, str):
            raise t.error("a target needs an Arn", where + "/Arn")
        spec = TargetSpec(where)
        machine = model.state_machine_for_arn(arn)
        function = model.function_for_arn(arn)
        if machine is not None:
            spec.state_machine = machine
        elif function is not None:
            spec.function = function
        else:
            model.unsupported.append(f"{logical_id}: target {target.get('Id', index)} ({arn})")
            continue
        raw_input = target.get("Input")
        spec.input = raw_input if isinstance(raw_input, str) or raw_input is None else json.dumps(raw_input)
        spec.input_path = target.get("InputPath")
        spec.input_transformer = target.get("InputTransformer")
        rule.targets.append(spec)
    return rule
