"""``DependsOn`` checked as CloudFormation checks it before creating anything.

- every name must be a resource of the template ("Template format error: Unresolved resource dependencies
  [X] in the Resources block of the template"); in a SAM template a name may also be a resource SAM
  generates from one of the template's resources (``MyFunctionRole``, ``ServerlessRestApi``...), whose name
  starts with that resource's logical id;
- the dependencies may not form a cycle ("Circular dependency between resources: [A, B]").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_serverless.errors import TemplateError

__all__ = ["check_depends_on"]

_SAM_IMPLICIT = ("ServerlessRestApi", "ServerlessHttpApi")


def _names(resource: Mapping[str, Any], logical_id: str, source: str) -> list[str]:
    value = resource.get("DependsOn")
    if value is None:
        return []
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise TemplateError(
            f"DependsOn must be a resource name or a list of resource names, got {value!r}",
            source=source,
            pointer=f"/Resources/{logical_id}/DependsOn",
        )
    return names


def check_depends_on(resources: Mapping[str, Mapping[str, Any]], *, source: str, sam: bool) -> None:
    """Raise ``TemplateError`` for a dangling or circular ``DependsOn``."""
    graph: dict[str, list[str]] = {}
    for logical_id, resource in resources.items():
        names = _names(resource, logical_id, source)
        if not names:
            continue
        unresolved = [
            name
            for name in names
            if name not in resources
            and not (sam and (name.startswith(_SAM_IMPLICIT) or any(name.startswith(r) for r in resources)))
        ]
        if unresolved:
            raise TemplateError(
                f"Unresolved resource dependencies [{', '.join(unresolved)}] in the Resources block of the "
                "template (DependsOn names a resource the template does not declare)",
                source=source,
                pointer=f"/Resources/{logical_id}/DependsOn",
            )
        graph[logical_id] = [name for name in names if name in resources]
    # iterative depth-first search: a hostile template may chain thousands of resources
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for start in graph:
        if state.get(start):
            continue
        path = [start]
        stack = [iter(graph.get(start, ()))]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            seen = state.get(following)
            if seen == 1:
                cycle = path[path.index(following) :]
                raise TemplateError(
                    f"Circular dependency between resources: [{', '.join(sorted(cycle))}] "
                    f"(DependsOn: {' -> '.join([*cycle, following])})",
                    source=source,
                    pointer=f"/Resources/{cycle[0]}/DependsOn",
                )
            if seen is None:
                state[following] = 1
                path.append(following)
                stack.append(iter(graph.get(following, ())))
