"""The AWS SAM resource types: ``AWS::Serverless::Function`` (and its Api, HttpApi, Schedule and
EventBridgeRule events), ``AWS::Serverless::Api``, ``AWS::Serverless::HttpApi`` and
``AWS::Serverless::StateMachine``.

Routes declared by function and state machine events land on the API they name (``RestApiId``/``ApiId``) or
on the implicit ``ServerlessRestApi`` (stage ``Prod``) / ``ServerlessHttpApi`` (stage ``$default``) that SAM
creates, configured from ``Globals.Api`` / ``Globals.HttpApi``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .cloudformation import Template, merge_globals
from .model import (
    ApiSpec,
    FunctionSpec,
    Integration,
    RouteSpec,
    RuleSpec,
    StateMachineSpec,
    TargetSpec,
    TemplateModel,
)
from .sam_api import read_sam_api

__all__ = [
    "apply_globals",
    "read_function",
    "read_function_events",
    "read_sam_api",
    "read_state_machine_events",
]

_GLOBAL_SECTIONS = {
    "AWS::Serverless::Function": "Function",
    "AWS::Serverless::Api": "Api",
    "AWS::Serverless::HttpApi": "HttpApi",
    "AWS::Serverless::StateMachine": "StateMachine",
    "AWS::Serverless::SimpleTable": "SimpleTable",
}


def apply_globals(t: Template) -> None:
    """Merge the ``Globals`` section into each SAM resource's properties, before anything is resolved."""
    section = t.document.get("Globals") or {}
    if not isinstance(section, Mapping):
        raise t.error("'Globals' must be a mapping", "/Globals")
    for logical_id, resource in list(t.resources.items()):
        name = _GLOBAL_SECTIONS.get(str(resource["Type"]))
        defaults = section.get(name) if name else None
        if isinstance(defaults, Mapping):
            t.set_properties(logical_id, merge_globals(defaults, resource.get("Properties") or {}))


def _pointer(logical_id: str, *parts: str) -> str:
    return "/".join([f"/Resources/{logical_id}/Properties", *parts])


def logical_target(t: Template, raw: Any, expected: tuple[str, ...]) -> str | None:
    """The logical id behind ``!Ref X`` / ``!GetAtt X.Arn`` / a physical id of a resource of ``expected``."""
    if isinstance(raw, Mapping) and len(raw) == 1:
        key, value = next(iter(raw.items()))
        if key == "Ref" and isinstance(value, str):
            return value
        if key == "Fn::GetAtt":
            parts = value.split(".", 1) if isinstance(value, str) else value
            if isinstance(parts, list) and parts and isinstance(parts[0], str):
                return parts[0]
    if isinstance(raw, str):
        if raw in t.resources or raw in t.extra_resources:
            return raw
        for logical_id in t.resources:
            if t.resource_type(logical_id) in expected and raw == t.ref(logical_id, ""):
                return logical_id
    return None


# -- functions ---------------------------------------------------------------------------------------------


def read_function(t: Template, logical_id: str, model: TemplateModel) -> FunctionSpec:
    """``AWS::Serverless::Function`` or ``AWS::Lambda::Function`` (Code.ZipFile, CDK asset folders)."""
    kind = t.resource_type(logical_id)
    props = t.properties(logical_id)
    pointer = f"/Resources/{logical_id}/Properties"
    name = t.physical_name(logical_id)
    arn = t.get_att(logical_id, "Arn", pointer)
    env_pointer = f"{pointer}/Environment"
    environment = t.mapping(
        t.mapping(props.get("Environment"), env_pointer, "Environment").get("Variables"),
        env_pointer + "/Variables",
        "Environment.Variables",
    )
    spec = FunctionSpec(
        logical_id=logical_id,
        name=name,
        arn=arn,
        pointer=pointer,
        handler=props.get("Handler") if isinstance(props.get("Handler"), str) else None,
        runtime=props.get("Runtime") if isinstance(props.get("Runtime"), str) else None,
        timeout=t.number(props.get("Timeout"), pointer + "/Timeout", "Timeout", 3),
        memory_size=int(t.number(props.get("MemorySize"), pointer + "/MemorySize", "MemorySize", 128)),
        environment={str(k): _env_text(v) for k, v in environment.items()},
    )
    if kind == "AWS::Serverless::Function":
        _serverless_function_code(t, spec, props)
    else:
        _lambda_function_code(t, spec, props)
    layers = props.get("Layers")
    if layers is not None:
        spec.layer_dirs = _layer_dirs(t, logical_id, layers, model)
    model.functions[logical_id] = spec
    return spec


def _serverless_function_code(t: Template, spec: FunctionSpec, props: Mapping[str, Any]) -> None:
    """An ``AWS::Serverless::Function``'s code: ``InlineCode``, or the local folder or built .zip of
    ``CodeUri`` (none in S3), or the template's folder when it names neither."""
    if isinstance(props.get("InlineCode"), str):
        spec.inline_code = props["InlineCode"]
    code_uri = props.get("CodeUri")
    if isinstance(code_uri, str) and code_uri.lower().endswith(".zip"):
        # a built package: Python imports from the archive; one not built yet leaves the function
        # without local code (listed in app.unsupported), as a CodeUri in S3 does
        archive = (t.base_dir / code_uri).resolve()
        spec.code_dir = str(archive) if archive.is_file() and not code_uri.startswith("s3://") else None
    elif isinstance(code_uri, str) and not code_uri.startswith("s3://"):
        spec.code_dir = str((t.base_dir / code_uri).resolve())
    elif code_uri is None and spec.inline_code is None:
        spec.code_dir = str(t.base_dir.resolve())


def _lambda_function_code(t: Template, spec: FunctionSpec, props: Mapping[str, Any]) -> None:
    """An ``AWS::Lambda::Function``'s code: ``Code.ZipFile``, or the CDK asset folder its metadata names."""
    code = t.mapping(props.get("Code"), spec.pointer + "/Code", "Code")
    if isinstance(code.get("ZipFile"), str):
        spec.inline_code = code["ZipFile"]
    metadata = t.resources[spec.logical_id].get("Metadata") or {}
    asset = metadata.get("aws:asset:path") if isinstance(metadata, Mapping) else None
    if isinstance(asset, str):
        spec.code_dir = str((t.base_dir / asset).resolve())


_LAYERS = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")


def _layer_dirs(t: Template, logical_id: str, layers: Any, model: TemplateModel) -> tuple[str, ...]:
    """The local folders of the function's ``Layers`` (Globals' first); a layer that is not a local one of
    the template (an ARN of another stack or account, content in S3) is listed in ``app.unsupported``."""
    pointer = _pointer(logical_id, "Layers")
    if not isinstance(layers, list):
        raise t.error(f"Layers must be a list of layer ARNs, got {layers!r}", pointer)
    found: list[str] = []
    for raw in layers:
        target = logical_target(t, raw, _LAYERS)
        folder = _layer_folder(t, target) if target in t.resources else None
        if folder is None:
            what = target if target in t.resources else raw
            model.unsupported.append(
                f"{logical_id}: layer {what} (not a local layer of the template: not on the import path)"
            )
        elif folder not in found:
            found.append(folder)
    return tuple(found)


def _layer_folder(t: Template, logical_id: str) -> str | None:
    """A layer's local content: ``ContentUri`` (a folder or a built .zip), or a CDK asset folder."""
    resource = t.resources[logical_id]
    if t.resource_type(logical_id) == "AWS::Serverless::LayerVersion":
        content = (resource.get("Properties") or {}).get("ContentUri")
        if isinstance(content, str) and not content.startswith("s3://"):
            return str((t.base_dir / content).resolve())
        return None
    metadata = resource.get("Metadata") or {}
    asset = metadata.get("aws:asset:path") if isinstance(metadata, Mapping) else None
    return str((t.base_dir / asset).resolve()) if isinstance(asset, str) else None


def _env_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _events(t: Template, logical_id: str) -> list[tuple[str, str, Any, Mapping[str, Any], Mapping[str, Any]]]:
    """A function's or state machine's ``Events``: (name, pointer, Type, resolved and raw Properties)."""
    events = t.mapping(t.properties(logical_id).get("Events"), _pointer(logical_id, "Events"), "Events")
    raw_events = (t.resources[logical_id].get("Properties") or {}).get("Events")
    found: list[tuple[str, str, Any, Mapping[str, Any], Mapping[str, Any]]] = []
    for name, event in events.items():
        pointer = _pointer(logical_id, "Events", name)
        event = t.mapping(event, pointer, f"event {name}")
        if "Type" not in event:
            raise t.error(f"event {name} needs a 'Type'", pointer + "/Type")
        props = t.mapping(event.get("Properties"), pointer + "/Properties", f"event {name}'s Properties")
        raw_event = raw_events.get(name) if isinstance(raw_events, dict) else None
        raw_props = raw_event.get("Properties") if isinstance(raw_event, dict) else None
        found.append((name, pointer, event["Type"], props, raw_props if isinstance(raw_props, dict) else {}))
    return found


def read_function_events(t: Template, logical_id: str, model: TemplateModel) -> None:
    for name, pointer, kind, props, raw_props in _events(t, logical_id):
        target = Integration("lambda", function=logical_id)
        if kind == "Api":
            _api_event(t, model, props, raw_props, target, pointer, rest=True)
        elif kind == "HttpApi":
            timeout = props.get("TimeoutInMillis")
            where = pointer + "/Properties/TimeoutInMillis"
            target.timeout = t.number(timeout, where, "TimeoutInMillis", 0) / 1000 if timeout else None
            target.payload_format = str(props.get("PayloadFormatVersion", "2.0"))
            _api_event(t, model, props, raw_props, target, pointer, rest=False)
        elif kind in ("Schedule", "ScheduleV2", "EventBridgeRule", "CloudWatchEvent"):
            model.rules.append(
                _rule_from_event(t, logical_id, name, kind, props, TargetSpec(pointer, function=logical_id))
            )
        else:
            model.unsupported.append(f"{logical_id}: event {name} of type {kind} (ignored)")


# -- events shared by functions and state machines -----------------------------------------------------------


def _event_api_id(
    t: Template, model: TemplateModel, raw: Mapping[str, Any], pointer: str, *, rest: bool
) -> str:
    """The logical id of the API an ``Api`` (``rest``) or ``HttpApi`` event names in its raw properties, or
    of SAM's implicit ``ServerlessRestApi``/``ServerlessHttpApi``, read from ``Globals`` on first use."""
    field, api_type, implicit_id, globals_key, defaults = (
        ("RestApiId", "AWS::Serverless::Api", "ServerlessRestApi", "Api", {"StageName": "Prod"})
        if rest
        else ("ApiId", "AWS::Serverless::HttpApi", "ServerlessHttpApi", "HttpApi", {})
    )
    api_id = logical_target(t, raw.get(field), (api_type,)) if field in raw else None
    if api_id is None or (api_id == implicit_id and api_id not in t.resources):
        if field in raw and api_id is None:
            raise t.error(f"{field} names no {api_type} of this template", f"{pointer}/Properties/{field}")
        api_id = implicit_id
        if api_id not in model.apis:
            implicit = t.resolve(
                {**defaults, **((t.document.get("Globals") or {}).get(globals_key) or {})},
                f"/Globals/{globals_key}",
            )
            t.extra_resources[api_id] = api_type
            model.apis[api_id] = read_sam_api(t, api_id, model, implicit, rest=rest)
    return api_id


def _event_api(
    t: Template, model: TemplateModel, raw: Mapping[str, Any], pointer: str, *, rest: bool
) -> tuple[str, ApiSpec]:
    """The logical id and spec of the API an ``Api`` (``rest``) or ``HttpApi`` event names; a TemplateError
    naming the event's ``RestApiId`` / ``ApiId`` when that is not an API of the event's kind."""
    api_id = _event_api_id(t, model, raw, pointer, rest=rest)
    api = model.apis.get(api_id)
    if api is None or (not rest and api.kind != "HTTP"):
        field, api_type = (
            ("RestApiId", "AWS::Serverless::Api") if rest else ("ApiId", "AWS::Serverless::HttpApi")
        )
        raise t.error(f"{field} {api_id!r} is not an {api_type}", f"{pointer}/Properties/{field}")
    return api_id, api


def _api_event(
    t: Template,
    model: TemplateModel,
    props: Mapping[str, Any],
    raw: Mapping[str, Any],
    target: Integration,
    pointer: str,
    *,
    rest: bool,
) -> None:
    """An ``Api`` (``rest``) or ``HttpApi`` event: its route to ``target``, on the API it names."""
    api_id, api = _event_api(t, model, raw, pointer, rest=rest)
    if rest:
        route = _rest_event_route(t, api_id, props, target, pointer)
    else:
        route = _http_event_route(t, props, target, pointer)
    _add_event_route(api, route, rest=rest)


def _rest_event_route(
    t: Template, api_id: str, props: Mapping[str, Any], target: Integration, pointer: str
) -> RouteSpec:
    """An ``Api`` event's route: ``Path`` and ``Method`` (both needed), ``Auth`` and ``RequestModel`` (a
    schema of the API's ``Models``)."""
    for field in ("Path", "Method"):
        if not isinstance(props.get(field), str):
            raise t.error(f"an Api event needs '{field}'", f"{pointer}/Properties/{field}")
    route = RouteSpec(method=props["Method"].upper(), path=props["Path"], integration=target, pointer=pointer)
    _route_auth(route, t.mapping(props.get("Auth"), pointer + "/Properties/Auth", "Auth"))
    request_model = t.mapping(props.get("RequestModel"), pointer + "/Properties/RequestModel", "RequestModel")
    model_name = request_model.get("Model")
    if isinstance(model_name, str):
        schemas = (t.properties(api_id).get("Models") or {}) if api_id in t.resources else {}
        if model_name not in schemas:
            raise t.error(
                f"RequestModel {model_name!r} is not in the API's Models",
                pointer + "/Properties/RequestModel",
            )
        if request_model.get("ValidateBody", True):
            route.request_schema = dict(schemas[model_name])
    return route


def _http_event_route(t: Template, props: Mapping[str, Any], target: Integration, pointer: str) -> RouteSpec:
    """An ``HttpApi`` event's route: the ``$default`` route when it names neither ``Path`` nor ``Method``."""
    path, method = props.get("Path"), props.get("Method")
    if path is None and method is None:
        route = RouteSpec(method="ANY", path="$default", integration=target, pointer=pointer)
    else:
        route = RouteSpec(
            method=str(method or "ANY").upper(), path=str(path or "/"), integration=target, pointer=pointer
        )
    _route_auth(route, t.mapping(props.get("Auth"), pointer + "/Properties/Auth", "Auth"))
    return route


def _add_event_route(api: ApiSpec, route: RouteSpec, *, rest: bool) -> None:
    """SAM's rule for an event's route on an API with an OpenAPI body: on a REST API whose body the user
    wrote (without ``MergeDefinitions``) SAM leaves the body alone, so the event adds only a permission and
    the body's route (if any) answers; otherwise the event's integration goes into the body, replacing the
    body's operation for the same method and path. Never two routes for one key."""
    same = next((index for index, known in enumerate(api.routes) if known.key == route.key), None)
    if rest and api.user_body and not api.merge_definitions:
        return
    if same is not None and api.user_body:
        api.routes[same] = route
    else:
        api.routes.append(route)


def _route_auth(route: RouteSpec, auth: Mapping[str, Any]) -> None:
    if "Authorizer" in auth:
        route.authorizer = str(auth["Authorizer"])
    if "ApiKeyRequired" in auth:
        route.api_key_required = bool(auth["ApiKeyRequired"])
    if isinstance(auth.get("AuthorizationScopes"), list):
        route.scopes = [str(scope) for scope in auth["AuthorizationScopes"]]


def _rule_from_event(
    t: Template, owner: str, name: str, kind: str, props: Mapping[str, Any], target: TargetSpec
) -> RuleSpec:
    pointer = target.pointer
    enabled = (
        props.get("Enabled", True) is not False and str(props.get("State", "ENABLED")).upper() != "DISABLED"
    )
    rule_name = str(props.get("RuleName") or props.get("Name") or f"{t.stack_name}-{owner}{name}")
    rule = RuleSpec(
        logical_id=f"{owner}{name}",
        pointer=pointer,
        enabled=enabled,
        event_bus=_bus_name(props.get("EventBusName")),
        name=rule_name,
    )
    input_value = props.get("Input")
    target.input = (
        input_value if isinstance(input_value, str) or input_value is None else json.dumps(input_value)
    )
    if kind in ("Schedule", "ScheduleV2"):
        schedule = props.get("Schedule") or props.get("ScheduleExpression")
        if not isinstance(schedule, str):
            raise t.error("a Schedule event needs 'Schedule'", pointer + "/Properties/Schedule")
        rule.schedule = schedule
    else:
        pattern = props.get("Pattern")
        if not isinstance(pattern, Mapping):
            raise t.error(f"an {kind} event needs 'Pattern'", pointer + "/Properties/Pattern")
        rule.pattern = dict(pattern)
        target.input_path = props.get("InputPath")
        target.input_transformer = props.get("InputTransformer")
    rule.targets.append(target)
    return rule


def _bus_name(raw: Any) -> str:
    if not isinstance(raw, str) or not raw:
        return "default"
    return raw.rsplit("/", 1)[-1] if raw.startswith("arn:") else raw


# -- state machines ------------------------------------------------------------------------------------------


def read_state_machine(t: Template, logical_id: str, model: TemplateModel) -> StateMachineSpec | None:
    """``AWS::Serverless::StateMachine`` or ``AWS::StepFunctions::StateMachine``."""
    props = t.properties(logical_id)
    pointer = _pointer(logical_id)
    sam = t.resource_type(logical_id) == "AWS::Serverless::StateMachine"
    definition: Any = None
    definition_file: str | None = None
    for field in ("Definition", "DefinitionString", "DefinitionUri", "DefinitionS3Location"):
        if field not in props:
            continue
        value = props[field]
        if field in ("DefinitionUri", "DefinitionS3Location"):
            if not isinstance(value, str) or value.startswith("s3://"):
                # the definition lives in S3 (after `sam package`): this state machine cannot run here, the
                # rest of the template still loads
                model.unsupported.append(
                    f"{logical_id}: {field} in S3 (no local definition: the state machine is left out; point "
                    "it at a local file to run it)"
                )
                return None
            file = (t.base_dir / value).resolve()
            if not file.is_file():
                raise t.error(f"file {str(file)!r} does not exist", f"{pointer}/{field}")
            definition_file = str(file)
            definition = Path(file)
            t.files.append(file)  # an edited definition is read again (cache.py)
        elif field == "DefinitionString" and not isinstance(value, str):
            raise t.error("DefinitionString must resolve to a string", f"{pointer}/{field}")
        else:
            definition = value
        break
    if definition is None:
        raise t.error(
            "a state machine needs Definition, DefinitionString, DefinitionUri or DefinitionS3Location",
            pointer,
        )
    kind = str(props.get("Type" if sam else "StateMachineType", "STANDARD")).upper()
    substitutions = t.mapping(
        props.get("DefinitionSubstitutions"), f"{pointer}/DefinitionSubstitutions", "DefinitionSubstitutions"
    )
    if substitutions:
        substitutions = _literal_placeholders(definition, substitutions)
    name = t.physical_name(logical_id)
    spec = StateMachineSpec(
        logical_id=logical_id,
        name=name,
        arn=t.ref(logical_id, pointer),
        pointer=pointer,
        definition=definition,
        type=kind,
        substitutions=dict(substitutions),
        definition_file=definition_file,
    )
    model.state_machines[logical_id] = spec
    return spec


_PLACEHOLDER = re.compile(r"\$\{([^${}]+)\}")


def _placeholders(value: Any) -> set[str]:
    if isinstance(value, str):
        return set(_PLACEHOLDER.findall(value)) if "${" in value else set()
    if isinstance(value, Mapping):
        return {name for key, item in value.items() for name in _placeholders(key) | _placeholders(item)}
    if isinstance(value, list):
        return {name for item in value for name in _placeholders(item)}
    return set()


def _literal_placeholders(definition: Any, substitutions: Mapping[str, Any]) -> dict[str, Any]:
    """``DefinitionSubstitutions`` plus ``${Name}`` -> ``${Name}`` for each placeholder it has no value for:
    CloudFormation leaves such a placeholder as literal text (a JSONata ``${...}`` or a typo alike)."""
    if isinstance(definition, Path):
        try:
            definition = definition.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # the definition loader reports an unreadable file
            return dict(substitutions)
    found = _placeholders(definition)
    values: dict[str, Any] = {
        name: value if not isinstance(value, bool) else ("true" if value else "false")
        for name, value in substitutions.items()
    }
    for name in sorted(found - set(values)):
        values[name] = "${" + name + "}"
    return values


def read_state_machine_events(t: Template, logical_id: str, model: TemplateModel) -> None:
    for name, pointer, kind, props, raw_props in _events(t, logical_id):
        if kind == "Api":
            target = Integration(
                "sfn",
                state_machine=logical_id,
                request_templates=_start_execution_template(
                    str(t.ref(logical_id, pointer)), unescape=props.get("UnescapeMappingTemplate") is True
                ),
            )
            _api_event(t, model, props, raw_props, target, pointer, rest=True)
        elif kind in _STATE_MACHINE_EVENTS:
            rule_target = TargetSpec(pointer, state_machine=logical_id)
            model.rules.append(_rule_from_event(t, logical_id, name, kind, props, rule_target))
        else:
            close = difflib.get_close_matches(str(kind), _STATE_MACHINE_EVENTS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise t.error(
                f"event {name} has Type {kind!r}: an AWS::Serverless::StateMachine event is one of "
                f"{', '.join(_STATE_MACHINE_EVENTS)} (SAM refuses others){hint}",
                pointer + "/Type",
            )


_STATE_MACHINE_EVENTS = ("Api", "Schedule", "ScheduleV2", "CloudWatchEvent", "EventBridgeRule")


def _start_execution_template(arn: str, *, unescape: bool) -> dict[str, str]:
    """The request template SAM writes for a state machine's Api event: the request body (JSON text
    escaped for JavaScript) is the execution input; ``UnescapeMappingTemplate`` turns ``\\'`` into ``'``."""
    body = "$util.escapeJavaScript($input.json('$'))"
    if unescape:
        body += '.replaceAll("\\\\\'","\'")'
    return {"application/json": '{"input": "' + body + '", "stateMachineArn": "' + arn + '"}'}
