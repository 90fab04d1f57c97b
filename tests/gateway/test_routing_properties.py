"""Route matching against AWS's rule written the plain way: every resource a regular expression, tried from
the most specific (static segment before ``{param}`` before ``{proxy+}``, position by position), for random
route sets and paths. The gateway walks a segment tree instead; both must pick the same route and parameters.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless.gateway.routing import RouteTable, parse_route_key

WORDS = ["a", "b", "orders", "x-y", "%41"]
METHODS = ["GET", "POST", "ANY"]


@st.composite
def resource_paths(draw):
    depth = draw(st.integers(0, 3))
    segments, names = [], 0
    for index in range(depth):
        kind = draw(st.sampled_from(["static", "static", "param", "greedy"]))
        if kind == "greedy" and index == depth - 1:
            segments.append(f"{{p{names}+}}")
        elif kind == "param":
            segments.append(f"{{p{names}}}")
            names += 1
        else:
            segments.append(draw(st.sampled_from(WORDS)))
    return "/" + "/".join(segments)


route_sets = st.dictionaries(
    keys=st.tuples(st.sampled_from(METHODS), resource_paths()), values=st.just(None), min_size=1, max_size=8
).map(lambda d: [f"{method} {path}" for method, path in d])
request_paths = st.lists(st.sampled_from([*WORDS, "c", ""]), min_size=0, max_size=4).map(
    lambda parts: "/" + "/".join(parts)
)


def reference(route_keys, method, path, kind):
    """(route key, parameters) AWS picks, the plain way; None when nothing matches."""
    path = "/" + path.lstrip("/")  # leading slashes collapse (the stage's path is joined on)
    lookup = path.rstrip("/") or "/" if len(path) > 1 else path
    resources = {}
    for key in route_keys:
        parsed = parse_route_key(key, api_kind=kind)
        resources.setdefault(parsed.path, {})[parsed.method] = key
    ranked = []
    for resource in resources:
        parts, rank = [], []
        for segment in resource[1:].split("/") if resource != "/" else []:
            if segment.endswith("+}"):
                parts.append("(.+)")
                rank.append(2)
            elif segment.startswith("{"):
                parts.append("([^/]+)")
                rank.append(1)
            else:
                parts.append(re.escape(segment))
                rank.append(0)
        names = re.findall(r"\{([^}+]+)\+?\}", resource)
        ranked.append((tuple(rank), resource, re.compile("^/" + "/".join(parts) + "$"), names))
    ranked.sort(key=lambda entry: entry[0])
    for _, resource, regex, names in ranked:
        found = regex.match(lookup)
        if found is None:
            continue
        routes = resources[resource]
        key = routes.get(method) or routes.get("ANY")
        if kind == "HTTP" and key is None:
            continue  # an HTTP API looks further for a route that serves the method
        values = [unquote(v) for v in found.groups()] if kind == "HTTP" else list(found.groups())
        return key, dict(zip(names, values, strict=True))
    return None


@settings(max_examples=200, deadline=None)
@given(
    route_sets, st.sampled_from(["GET", "POST", "DELETE"]), request_paths, st.sampled_from(["REST", "HTTP"])
)
def test_the_segment_tree_picks_the_route_the_plain_rule_picks(route_keys, method, path, kind):
    keys = ((parse_route_key(key, api_kind=kind), key) for key in route_keys)
    table = RouteTable(keys, api_kind=kind)
    found = table.match(method, path)
    expected = reference(route_keys, method, path, kind)
    if expected is None:
        assert found is None or found.route is None
    else:
        assert found is not None
        assert (found.route, found.path_parameters) == expected
