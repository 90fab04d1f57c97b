"""The CloudFormation intrinsic functions (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join``, ``Fn::If``...),
one function each, in a table ``Template.resolve`` dispatches on."""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_serverless._ids import REGION

if TYPE_CHECKING:
    from pytest_serverless.loaders.cloudformation import Template

__all__ = ["HANDLERS", "NO_VALUE", "escape"]

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()


def escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _fn_ref(t: Template, args: Any, pointer: str) -> Any:
    return t.ref(args, pointer)


def _fn_condition(t: Template, args: Any, pointer: str) -> Any:
    return t.condition(args, pointer)


def _fn_get_att(t: Template, args: Any, pointer: str) -> Any:
    if isinstance(args, str) and "." in args:
        args = args.split(".", 1)
    if not (isinstance(args, list) and len(args) == 2):
        raise t.error(f"Fn::GetAtt takes [LogicalId, Attribute], got {args!r}", pointer)
    logical_id, attribute = args[0], t.resolve(args[1], pointer + "/1")
    if not isinstance(logical_id, str) or not isinstance(attribute, str):
        raise t.error(f"Fn::GetAtt takes [LogicalId, Attribute], got {args!r}", pointer)
    return t.get_att(logical_id, attribute, pointer)


def _stringify(t: Template, value: Any, pointer: str, what: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise t.error(f"{what} needs a string, got {value!r}", pointer)


def _fn_sub(t: Template, args: Any, pointer: str) -> Any:
    variables: dict[str, Any] = {}
    if isinstance(args, list):
        if len(args) != 2 or not isinstance(args[0], str) or not isinstance(args[1], dict):
            raise t.error("Fn::Sub takes a string or [string, {Name: value}]", pointer)
        text = args[0]
        for key, raw in args[1].items():
            variables[key] = t.resolve(raw, f"{pointer}/1/{escape(key)}")
    elif isinstance(args, str):
        text = args
    else:
        raise t.error(f"Fn::Sub takes a string or [string, {{Name: value}}], got {args!r}", pointer)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        name = name.strip()
        if name in variables:
            return _stringify(t, variables[name], pointer, f"${{{name}}}")
        if "." in name and name.split(".", 1)[0] not in t.parameter_values and not name.startswith("AWS::"):
            logical_id, attribute = name.split(".", 1)
            return _stringify(t, t.get_att(logical_id, attribute, pointer), pointer, f"${{{name}}}")
        value = t.ref(name, pointer)
        if isinstance(value, list):
            value = ",".join(value)
        return _stringify(t, value, pointer, f"${{{name}}}")

    return _SUB_VARIABLE.sub(replace, text)


def _fn_join(t: Template, args: Any, pointer: str) -> Any:
    if not (isinstance(args, list) and len(args) == 2):
        raise t.error("Fn::Join takes [delimiter, [values...]]", pointer)
    delimiter = t.resolve(args[0], pointer + "/0")
    values = t.resolve(args[1], pointer + "/1")
    if not isinstance(delimiter, str) or not isinstance(values, list):
        raise t.error("Fn::Join takes [delimiter, [values...]]", pointer)
    return delimiter.join(_stringify(t, value, f"{pointer}/1", "Fn::Join") for value in values)


def _fn_if(t: Template, args: Any, pointer: str) -> Any:
    if not (isinstance(args, list) and len(args) == 3):
        raise t.error("Fn::If takes [ConditionName, value_if_true, value_if_false]", pointer)
    chosen = 1 if t.condition(args[0], pointer + "/0") else 2
    return t.resolve(args[chosen], f"{pointer}/{chosen}")


def _fn_select(t: Template, args: Any, pointer: str) -> Any:
    if not (isinstance(args, list) and len(args) == 2):
        raise t.error("Fn::Select takes [index, [values...]]", pointer)
    index = t.resolve(args[0], pointer + "/0")
    values = t.resolve(args[1], pointer + "/1")
    try:
        position = int(index)
    except (TypeError, ValueError):
        raise t.error(f"Fn::Select index must be a number, got {index!r}", pointer + "/0") from None
    if not isinstance(values, list) or not 0 <= position < len(values):
        raise t.error(f"Fn::Select index {position} is out of range for {values!r}", pointer)
    return values[position]


def _fn_split(t: Template, args: Any, pointer: str) -> Any:
    if not (isinstance(args, list) and len(args) == 2):
        raise t.error("Fn::Split takes [delimiter, string]", pointer)
    delimiter = t.resolve(args[0], pointer + "/0")
    text = t.resolve(args[1], pointer + "/1")
    if not isinstance(delimiter, str) or not isinstance(text, str) or not delimiter:
        raise t.error(f"Fn::Split takes [delimiter, string], got {[delimiter, text]!r}", pointer)
    return text.split(delimiter)


def _fn_find_in_map(t: Template, args: Any, pointer: str) -> Any:
    if not (isinstance(args, list) and len(args) in (3, 4)):
        raise t.error("Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]", pointer)
    default = NO_VALUE
    if len(args) == 4:
        option = args[3]
        if not (isinstance(option, dict) and "DefaultValue" in option):
            raise t.error("the fourth Fn::FindInMap argument must be {DefaultValue: ...}", pointer + "/3")
        default = t.resolve(option["DefaultValue"], pointer + "/3/DefaultValue")
    keys = [t.resolve(arg, f"{pointer}/{index}") for index, arg in enumerate(args[:3])]
    current: Any = t.mappings
    for depth, key in enumerate(keys):
        if not isinstance(current, dict) or str(key) not in current:
            if default is not NO_VALUE:
                return default
            where = "Mappings" if depth == 0 else "/".join(str(k) for k in keys[:depth])
            raise t.error(f"Fn::FindInMap: key {key!r} not found in {where}", pointer)
        current = current[str(key)]
    return t.resolve(current, "/Mappings/" + "/".join(escape(str(k)) for k in keys))


def _fn_equals(t: Template, args: Any, pointer: str) -> Any:
    if not (isinstance(args, list) and len(args) == 2):
        raise t.error("Fn::Equals takes [value1, value2]", pointer)
    left, right = (t.resolve(arg, f"{pointer}/{i}") for i, arg in enumerate(args))
    return _comparable(left) == _comparable(right)


def _comparable(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _boolean_list(t: Template, name: str, args: Any, pointer: str) -> list[bool]:
    if not isinstance(args, list) or not args:
        raise t.error(f"{name} takes a list of conditions", pointer)
    return [t.truth(t.resolve(arg, f"{pointer}/{i}"), f"{pointer}/{i}") for i, arg in enumerate(args)]


def _fn_and(t: Template, args: Any, pointer: str) -> Any:
    return all(_boolean_list(t, "Fn::And", args, pointer))


def _fn_or(t: Template, args: Any, pointer: str) -> Any:
    return any(_boolean_list(t, "Fn::Or", args, pointer))


def _fn_not(t: Template, args: Any, pointer: str) -> Any:
    values = _boolean_list(t, "Fn::Not", args, pointer)
    if len(values) != 1:
        raise t.error("Fn::Not takes a list of exactly one condition", pointer)
    return not values[0]


def _fn_base64(t: Template, args: Any, pointer: str) -> Any:
    text = _stringify(t, t.resolve(args, pointer), pointer, "Fn::Base64")
    return base64.b64encode(text.encode()).decode()


def _fn_get_azs(t: Template, args: Any, pointer: str) -> Any:
    region = t.resolve(args, pointer) or REGION
    return [f"{region}{letter}" for letter in "abc"]


def _fn_import_value(t: Template, args: Any, pointer: str) -> Any:
    name = _stringify(t, t.resolve(args, pointer), pointer, "Fn::ImportValue")
    return f"imported:{name}"


def _fn_length(t: Template, args: Any, pointer: str) -> Any:
    value = t.resolve(args, pointer)
    if not isinstance(value, list):
        raise t.error(f"Fn::Length takes a list, got {value!r}", pointer)
    return len(value)


def _fn_to_json_string(t: Template, args: Any, pointer: str) -> Any:
    return json.dumps(t.resolve(args, pointer), separators=(",", ":"))


def _fn_transform(t: Template, args: Any, pointer: str) -> Any:
    """``AWS::Include`` of a local file (``Location: openapi.yaml``), as ``sam build`` would package it."""
    if not isinstance(args, dict) or args.get("Name") != "AWS::Include":
        raise t.error(
            "Fn::Transform: only {Name: AWS::Include, Parameters: {Location: ...}} is supported", pointer
        )
    location = t.resolve((args.get("Parameters") or {}).get("Location"), pointer + "/Parameters/Location")
    if not isinstance(location, str) or location.startswith("s3://"):
        raise t.error(
            f"AWS::Include Location must be a local file path here (got {location!r})",
            pointer + "/Parameters/Location",
        )
    from pytest_serverless.loaders.yaml_cfn import load_document

    file = (t.base_dir / location).resolve()
    if not file.is_file():
        raise t.error(f"AWS::Include: file {str(file)!r} does not exist", pointer + "/Parameters/Location")
    chain = [Path(t.source).resolve(), *t.including]
    if file in chain:
        names = " -> ".join(str(path) for path in [*chain[chain.index(file) :], file])
        raise t.error(f"AWS::Include: the file includes itself ({names})", pointer + "/Parameters/Location")
    t.files.append(file)
    t.including.append(file)
    try:
        return t.resolve(load_document(file), pointer)
    finally:
        t.including.pop()


def _fn_cidr(t: Template, args: Any, pointer: str) -> Any:
    """``Fn::Cidr: [ipBlock, count, cidrBits]``: the first ``count`` subnets with ``cidrBits`` host bits."""
    values = t.resolve(args, pointer)
    try:
        block, count, bits = values
        network = ipaddress.ip_network(str(block), strict=False)
        subnets = network.subnets(new_prefix=network.max_prefixlen - int(bits))
        found = [str(subnet) for subnet, _ in zip(subnets, range(int(count)), strict=False)]
    except (TypeError, ValueError) as exc:
        raise t.error(f"Fn::Cidr takes [ipBlock, count, cidrBits], got {values!r} ({exc})", pointer) from None
    if len(found) < int(count):
        raise t.error(f"Fn::Cidr: {block} has fewer than {count} subnets of {bits} host bits", pointer)
    return found


HANDLERS: dict[str, Callable[[Template, Any, str], Any]] = {
    "Ref": _fn_ref,
    "Condition": _fn_condition,
    "Fn::GetAtt": _fn_get_att,
    "Fn::Sub": _fn_sub,
    "Fn::Join": _fn_join,
    "Fn::If": _fn_if,
    "Fn::Select": _fn_select,
    "Fn::Split": _fn_split,
    "Fn::FindInMap": _fn_find_in_map,
    "Fn::Equals": _fn_equals,
    "Fn::And": _fn_and,
    "Fn::Or": _fn_or,
    "Fn::Not": _fn_not,
    "Fn::Base64": _fn_base64,
    "Fn::GetAZs": _fn_get_azs,
    "Fn::ImportValue": _fn_import_value,
    "Fn::Length": _fn_length,
    "Fn::ToJsonString": _fn_to_json_string,
    "Fn::Cidr": _fn_cidr,
    "Fn::Transform": _fn_transform,
}

# The property that names a resource, per type.
