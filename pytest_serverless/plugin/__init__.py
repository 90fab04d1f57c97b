"""pytest11 entry point (the only package that imports pytest)."""

from __future__ import annotations
