"""A SafeLoader that refuses what CloudFormation refuses and bounds the work a document can ask for.

- Aliases (``*name``) are refused, as CloudFormation refuses them in templates: with aliases a few hundred
  bytes expand into billions of nodes (the "billion laughs" document), and nothing AWS reads needs them.
- At most ``MAX_NODES`` nodes (a 1 MB template, CloudFormation's largest, holds far fewer) and at most
  ``MAX_DEPTH`` levels of nesting (PyYAML composes and constructs recursively; deeper documents would
  overflow Python's stack).

Imports nothing from the package but ``_nesting`` (the depth limit); ``loaders`` (templates) and ``asl``
(definitions) both subclass it.
"""

from __future__ import annotations

from typing import Any

import yaml

from pytest_serverless._nesting import MAX_DOCUMENT_DEPTH

__all__ = ["MAX_DEPTH", "MAX_NODES", "LimitedSafeLoader", "TooDeep"]

MAX_NODES = 1_000_000
MAX_DEPTH = MAX_DOCUMENT_DEPTH


class TooDeep(yaml.composer.ComposerError):
    """The document nests more than ``max_depth`` levels."""


class _PythonEvents(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python event parser (when PyYAML was built without libyaml)."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


# The events come from libyaml's parser when PyYAML has it (its wheels do): reading, scanning and parsing are
# most of a load's time, 40x faster in C (a template loads 6x faster). Composing (where the limits below
# apply) and constructing stay PyYAML's Python code, so documents load to the same values.
_Events: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None) or _PythonEvents


class LimitedSafeLoader(
    yaml.composer.Composer,
    _Events,  # type: ignore[misc]  # the parser class found at import
    yaml.constructor.SafeConstructor,
    yaml.resolver.Resolver,
):
    """``yaml.SafeLoader`` without aliases, with a node budget and a nesting limit."""

    max_nodes = MAX_NODES
    max_depth = MAX_DEPTH

    def __init__(self, stream: str) -> None:
        _Events.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self._nodes = 0
        self._depth = 0

    def get_single_node(self) -> yaml.Node | None:
        try:
            return super().get_single_node()
        except yaml.MarkedYAMLError as error:
            # libyaml's parser has a nesting limit of its own (deeper than ours): the same error either way
            if "maximum nesting depth" not in str(error.problem or ""):
                raise
            raise TooDeep(
                None, None, f"the document nests more than {self.max_depth} levels deep", error.problem_mark
            ) from None

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        mark: yaml.error.Mark | None = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                f"YAML aliases are not allowed in CloudFormation templates (*{event.anchor}); "
                "`sam build` and `aws cloudformation package` expand them: load the template they write",
                mark,
            )
        self._nodes += 1
        if self._nodes > self.max_nodes:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"the document has more than {self.max_nodes:,} nodes",
                mark,
            )
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise TooDeep(
                    None,
                    None,
                    f"the document nests more than {self.max_depth} levels deep",
                    mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
