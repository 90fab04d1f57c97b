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

import yaml

from pytest_serverless._nesting import MAX_DOCUMENT_DEPTH

__all__ = ["MAX_DEPTH", "MAX_NODES", "LimitedSafeLoader", "TooDeep"]

MAX_NODES = 1_000_000
MAX_DEPTH = MAX_DOCUMENT_DEPTH


class TooDeep(yaml.composer.ComposerError):
    """The document nests more than ``max_depth`` levels."""


class LimitedSafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without aliases, with a node budget and a nesting limit."""

    max_nodes = MAX_NODES
    max_depth = MAX_DEPTH

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._nodes = 0
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
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
