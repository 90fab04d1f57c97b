"""How deeply JSON text nests, measured without recursion (hostile bodies and tokens nest thousands deep).

Imports nothing from the package. ``too_deep`` costs two ``str.count`` calls for text holding fewer opening
brackets than the limit (almost every document), and a pass over the brackets only otherwise.
"""

from __future__ import annotations

import re
from itertools import accumulate

__all__ = ["MAX_DOCUMENT_DEPTH", "MAX_JSON_DEPTH", "too_deep"]

# Deeper than any document a person writes, and far from Python's recursion limit (1,000 frames), which the
# engine's recursive walks (copies, paths, JSONata, schema validation) share with the test's own frames.
MAX_JSON_DEPTH = 128
# A definition's or template's nesting limit, JSON or YAML (``_yaml_limits.MAX_DEPTH``): here, so that
# checking a JSON document does not import the YAML parser.
MAX_DOCUMENT_DEPTH = 200

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when arrays and objects in ``text`` (JSON) nest more than ``limit`` levels deep."""
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_STEP[char] for char in brackets), default=0) > limit
