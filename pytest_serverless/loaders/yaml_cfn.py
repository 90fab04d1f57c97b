"""Reading template files: JSON, or YAML with CloudFormation's short-form intrinsics.

``!Ref X`` becomes ``{"Ref": "X"}``, ``!GetAtt A.B`` becomes ``{"Fn::GetAtt": ["A", "B"]}``, ``!Sub ...``
becomes ``{"Fn::Sub": ...}`` and so on, so everything after this module sees the long (JSON) form only. Dates
stay strings (``AWSTemplateFormatVersion: 2010-09-09``). A key given twice in one mapping keeps its last
value, as CloudFormation's reader does, with a ``DuplicateKeyWarning`` naming the file, key and line.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import yaml

from pytest_serverless._nesting import too_deep
from pytest_serverless._yaml_limits import MAX_DEPTH, LimitedSafeLoader
from pytest_serverless.errors import TemplateError

__all__ = ["MAX_FILE_BYTES", "SHORT_FORMS", "DuplicateKeyWarning", "load_document", "parse_text"]

MAX_FILE_BYTES = 1024 * 1024  # "Template body size in an Amazon S3 object: 1 MB" (CloudFormation quotas)


class DuplicateKeyWarning(UserWarning):
    """A template mapping gives one key twice: the last value is used (as CloudFormation does)."""


# tag -> long-form key
SHORT_FORMS: dict[str, str] = {
    "Ref": "Ref",
    "Condition": "Condition",
    "GetAtt": "Fn::GetAtt",
    "Sub": "Fn::Sub",
    "Join": "Fn::Join",
    "If": "Fn::If",
    "Select": "Fn::Select",
    "Split": "Fn::Split",
    "FindInMap": "Fn::FindInMap",
    "Equals": "Fn::Equals",
    "And": "Fn::And",
    "Or": "Fn::Or",
    "Not": "Fn::Not",
    "Base64": "Fn::Base64",
    "GetAZs": "Fn::GetAZs",
    "ImportValue": "Fn::ImportValue",
    "Cidr": "Fn::Cidr",
    "Length": "Fn::Length",
    "ToJsonString": "Fn::ToJsonString",
    "Transform": "Fn::Transform",
}


class _CfnLoader(LimitedSafeLoader):
    """SafeLoader with the intrinsic tags, no timestamp conversion; no aliases and bounded size and depth
    (``_yaml_limits``); duplicate keys are noted in ``duplicates`` (the last value wins)."""

    duplicates: list[str]


# Copy the implicit resolvers without the timestamp one: '2010-09-09' stays a string.
_CfnLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _mark(node: yaml.Node) -> str:
    return f"line {node.start_mark.line + 1}, column {node.start_mark.column + 1}"


def _construct_mapping(loader: _CfnLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"a mapping key must be a scalar ({_mark(key_node)})", key_node.start_mark
            )
        if key in result:
            if not hasattr(loader, "duplicates"):
                loader.duplicates = []
            loader.duplicates.append(f"duplicate key {key!r} ({_mark(key_node)})")
            del result[key]  # the last value wins, in the last position
        result[key if isinstance(key, str) else str(key)] = loader.construct_object(value_node, deep=True)
    return result


def _make_constructor(tag: str, long_form: str) -> Any:
    def construct(loader: _CfnLoader, node: yaml.Node) -> dict[str, Any]:
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if tag == "GetAtt" and isinstance(value, str):
                logical_id, _, attribute = value.partition(".")
                if not attribute:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"!GetAtt needs 'LogicalId.Attribute', got {value!r} ({_mark(node)})",
                        node.start_mark,
                    )
                value = [logical_id, attribute]
            elif tag == "GetAZs" and value == "":
                value = ""
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            assert isinstance(node, yaml.MappingNode)
            value = _construct_mapping(loader, node)
        return {long_form: value}

    return construct


_CfnLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
for _tag, _long in SHORT_FORMS.items():
    _CfnLoader.add_constructor(f"!{_tag}", _make_constructor(_tag, _long))


def parse_text(text: str, *, source: str | None = None, json_only: bool = False) -> Any:
    """Parse template text (JSON first, then YAML with intrinsics); errors are ``TemplateError``."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")) or json_only:
        if too_deep(text, MAX_DEPTH):
            raise TemplateError(f"the document nests more than {MAX_DEPTH} levels deep", source=source)
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            if json_only:
                raise TemplateError(
                    f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", source=source
                ) from None
            # JSON is YAML; let the YAML parser try (it accepts trailing commas no better, but reports well).
    try:
        loader = _CfnLoader(text)
        try:
            document = loader.get_single_data()
        finally:
            loader.dispose()
        for duplicate in getattr(loader, "duplicates", ()):
            where = f"{source}: " if source else ""
            warnings.warn(
                DuplicateKeyWarning(f"{where}{duplicate}: the last value is used, as CloudFormation does"),
                stacklevel=2,
            )
        return document
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = exc.problem or exc.context or "unreadable YAML"
        if "!GetAtt" in problem or "mapping key" in problem:
            where = ""
        raise TemplateError(f"not valid YAML: {problem}{where}", source=source) from None
    except yaml.YAMLError as exc:
        raise TemplateError(f"not valid YAML: {exc}", source=source) from None


def load_document(path: str | Path) -> Any:
    """Read a template (or an ASL / OpenAPI file it points to) from disk.

    Only regular files of at most ``MAX_FILE_BYTES`` (CloudFormation's largest template, 1 MB): a device
    such as ``/dev/zero`` or a pipe would never end.
    """
    file = Path(path)
    try:
        if not file.is_file():
            if not file.exists():
                raise TemplateError("file not found", source=str(file))
            raise TemplateError("not a regular file (a directory, device or pipe)", source=str(file))
        with file.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise TemplateError(f"cannot read the file: {exc.strerror}", source=str(file)) from None
    if len(data) > MAX_FILE_BYTES:
        raise TemplateError(
            f"the file is larger than {MAX_FILE_BYTES:,} bytes, CloudFormation's largest template",
            source=str(file),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise TemplateError("the file is not UTF-8 text", source=str(file)) from None
    return parse_text(text, source=str(file), json_only=file.suffix.lower() == ".json")
