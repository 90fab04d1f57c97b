"""``AWS::LanguageExtensions``' ``Fn::ForEach``, expanded before the template is read.

``"Fn::ForEach::Loop": [Identifier, Collection, {OutputKey: OutputValue}]`` in ``Conditions``, ``Resources``,
``Outputs`` or any mapping inside them becomes one ``OutputKey: OutputValue`` per item of ``Collection`` (a
list, or a ``Ref`` to a ``CommaDelimitedList`` parameter), with ``${Identifier}`` and ``&{Identifier}`` (the
item without its non-alphanumeric characters) replaced in keys and values, and ``{"Ref": Identifier}``
replaced by the item. Loops nest. (``Fn::Length`` and ``Fn::ToJsonString`` are ordinary intrinsics.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pytest_serverless.errors import TemplateError

__all__ = ["expand_for_each"]

_PREFIX = "Fn::ForEach::"
_SECTIONS = ("Conditions", "Resources", "Outputs")


def expand_for_each(document: Any, parameters: Mapping[str, Any], *, source: str) -> Any:
    """``document`` with every ``Fn::ForEach`` loop of its Conditions, Resources and Outputs expanded."""
    if not isinstance(document, dict) or not any(_PREFIX in key for key in _keys(document)):
        return document
    expanded = dict(document)
    for section in _SECTIONS:
        if isinstance(document.get(section), dict):
            expanded[section] = _expand(document[section], document, parameters, source, f"/{section}")
    return expanded


def _keys(value: Any) -> list[str]:
    """Every mapping key in ``value`` (to tell cheaply whether a document has loops at all)."""
    found: list[str] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.extend(str(key) for key in node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _expand(node: Any, document: Any, parameters: Mapping[str, Any], source: str, pointer: str) -> Any:
    if isinstance(node, list):
        return [_expand(item, document, parameters, source, f"{pointer}/{i}") for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        where = f"{pointer}/{key}"
        if not (isinstance(key, str) and key.startswith(_PREFIX)):
            result[key] = _expand(value, document, parameters, source, where)
            continue
        if not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)):
            raise TemplateError(
                f"{key} takes [Identifier, Collection, {{OutputKey: OutputValue}}]",
                source=source,
                pointer=where,
            )
        identifier, collection, fragment = value
        items = _collection(collection, document, parameters, source, where + "/1")
        if not isinstance(fragment, dict):
            raise TemplateError(
                "the third item of Fn::ForEach must be a mapping {OutputKey: OutputValue}",
                source=source,
                pointer=where + "/2",
            )
        for item in items:
            produced = _expand(
                _replace(fragment, identifier, item), document, parameters, source, where + "/2"
            )
            for out_key, out_value in produced.items():
                if out_key in result or out_key in node:
                    raise TemplateError(
                        f"{key} produces {out_key!r}, which already exists", source=source, pointer=where
                    )
                result[out_key] = out_value
    return result


def _collection(
    raw: Any, document: Any, parameters: Mapping[str, Any], source: str, pointer: str
) -> list[str]:
    if isinstance(raw, dict) and set(raw) == {"Ref"} and isinstance(raw["Ref"], str):
        name = raw["Ref"]
        declared = (document.get("Parameters") or {}).get(name)
        value = parameters.get(name, declared.get("Default") if isinstance(declared, dict) else None)
        if value is None:
            raise TemplateError(
                f"Fn::ForEach collection Ref {name!r} names no parameter with a value",
                source=source,
                pointer=pointer,
            )
        raw = value if isinstance(value, list) else [part.strip() for part in str(value).split(",")]
    if not isinstance(raw, list) or not all(isinstance(item, (str, int, float)) for item in raw):
        raise TemplateError(
            "an Fn::ForEach collection is a list of strings or a Ref to a CommaDelimitedList parameter",
            source=source,
            pointer=pointer,
        )
    return [str(item) for item in raw]


def _replace(node: Any, identifier: str, item: str) -> Any:
    if isinstance(node, str):
        plain = re.sub(r"[^A-Za-z0-9]", "", item)
        return node.replace("${" + identifier + "}", item).replace("&{" + identifier + "}", plain)
    if isinstance(node, list):
        return [_replace(child, identifier, item) for child in node]
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] == identifier:
            return item
        return {
            _replace(key, identifier, item): _replace(value, identifier, item) for key, value in node.items()
        }
    return node
