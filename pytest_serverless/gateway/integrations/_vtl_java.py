"""The Java values API Gateway's Velocity hands to mapping templates, as Python types with Java-named methods.

AWS runs mapping templates on Apache Velocity, so every value a template touches is a Java object:
``$s.substring(1, 3)``, ``$s.equals("x")``, ``$list.size()``, ``$map.keySet()``, ``$map.empty`` (a bean
property: ``isEmpty()``) and ``"$flag"`` rendering ``true``. These subclasses of ``str``, ``int``, ``float``,
``list`` and ``dict`` carry those methods, and render themselves as Java's ``toString()`` does
(``{a=1, b=x}``, ``[1, 2]``, ``1.0E20``). Strings expose only Java's methods to templates: a Python-only name
such as ``$s.upper()`` resolves to nothing and renders as written, as an unknown method does in Velocity.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, ClassVar

__all__ = [
    "JavaBoolean",
    "JavaDouble",
    "JavaInteger",
    "JavaList",
    "JavaMap",
    "JavaString",
    "java_str",
    "to_java",
]

_JAVA_GROUP = re.compile(r"\$(\d+|\{\w+\})|\\(.)")


def java_str(value: Any) -> str:
    """Java's ``String.valueOf``: ``true``, ``null``, ``1.0E20``, ``{a=1}``, ``[1, 2]``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not isinstance(value, JavaDouble):
        return str(JavaDouble(value))
    if isinstance(value, dict) and not isinstance(value, JavaMap):
        return str(JavaMap(value))
    if isinstance(value, list) and not isinstance(value, JavaList):
        return str(JavaList(value))
    return str(value)


def to_java(value: Any) -> Any:
    """A JSON-like Python value as the Java objects a template sees (deeply; already converted ones kept)."""
    if isinstance(value, (JavaString, JavaInteger, JavaBoolean, JavaDouble)) or value is None:
        return value
    if isinstance(value, str):
        return JavaString(value)
    if isinstance(value, bool):
        return JavaBoolean(value)
    if isinstance(value, int):
        return JavaInteger(value)
    if isinstance(value, float):
        return JavaDouble(value)
    if isinstance(value, Mapping):
        return value if isinstance(value, JavaMap) else JavaMap(value)
    if isinstance(value, (list, tuple)):
        return value if isinstance(value, JavaList) else JavaList(value)
    return value


def _java_regex(pattern: str) -> re.Pattern[str]:
    """Java's regex dialect is close enough to Python's for the patterns templates use."""
    return re.compile(str(pattern))


def _java_replacement(replacement: str) -> Callable[[re.Match[str]], str]:
    """Java's ``replaceAll`` replacement: ``$1`` / ``${name}`` are groups, ``\\x`` is a literal ``x``."""

    def expand(match: re.Match[str]) -> str:
        def one(found: re.Match[str]) -> str:
            if found.group(2) is not None:
                return found.group(2)
            group = found.group(1).strip("{}")
            text = match.group(int(group) if group.isdigit() else group)
            return text or ""

        return _JAVA_GROUP.sub(one, str(replacement))

    return expand


class _JavaObject:
    """Shared by the Java types: ``equals``, ``toString``, bean properties (``$x.empty`` -> ``isEmpty()``)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        """Velocity 1.7: every value but ``null`` and ``false`` is true (``""``, ``0`` and ``[]`` too)."""
        return True

    def equals(self, other: Any) -> JavaBoolean:
        return JavaBoolean(_java_equal(self, other))

    def toString(self) -> JavaString:  # noqa: N802 (Java's name)
        return JavaString(str(self))

    def hashCode(self) -> JavaInteger:  # noqa: N802
        return JavaInteger(hash(self) & 0x7FFFFFFF)

    def __getattr__(self, name: str) -> Any:
        """Velocity's property lookup: ``$x.empty`` calls ``isEmpty()``, ``$x.class`` stays unresolved."""
        if not name.startswith("_") and name[:1].islower():
            capital = name[0].upper() + name[1:]
            for prefix in ("get", "is"):
                getter = getattr(type(self), prefix + capital, None)
                if callable(getter):
                    return getter(self)
        raise AttributeError(name)


def _java_equal(left: Any, right: Any) -> bool:
    if right is None or left is None:
        return left is right
    if isinstance(left, str) != isinstance(right, str):
        return False
    return bool(left == right)


class JavaString(_JavaObject, str):
    """``java.lang.String``: templates see only Java's methods (``$s.upper()`` stays unresolved)."""

    __slots__ = ()
    _PYTHON_ONLY: ClassVar[frozenset[str]] = frozenset()

    def __getattribute__(self, name: str) -> Any:
        if name[:1] != "_" and name in JavaString._PYTHON_ONLY:
            raise AttributeError(name)  # a str method Java's String does not have
        return object.__getattribute__(self, name)

    def __eq__(self, other: object) -> bool:
        if other is None or isinstance(other, str):
            return str.__eq__(self, other) is True
        # Velocity compares values of different classes by their toString()
        return str.__eq__(self, java_str(other)) is True

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__

    def __add__(self, other: Any) -> JavaString:
        """Velocity's ``+`` joins a string with anything (``$s + 1`` is ``"s1"``)."""
        return JavaString(self._plain() + java_str(other))

    def __radd__(self, other: Any) -> JavaString:
        return JavaString(java_str(other) + self._plain())

    def length(self) -> JavaInteger:
        return JavaInteger(len(self))

    def isEmpty(self) -> JavaBoolean:  # noqa: N802
        return JavaBoolean(len(self) == 0)

    def charAt(self, index: int) -> JavaString:  # noqa: N802
        return JavaString(self._plain()[self._index(index, len(self) - 1)])

    def substring(self, begin: int, end: int | None = None) -> JavaString:
        text = self._plain()
        stop = len(text) if end is None else int(end)
        start = int(begin)
        if start < 0 or stop > len(text) or start > stop:
            raise IndexError(f"String index out of range: begin {start}, end {stop}, length {len(text)}")
        return JavaString(text[start:stop])

    def indexOf(self, needle: Any, start: int = 0) -> JavaInteger:  # noqa: N802
        return JavaInteger(self._plain().find(java_str(needle), max(0, int(start))))

    def lastIndexOf(self, needle: Any) -> JavaInteger:  # noqa: N802
        return JavaInteger(self._plain().rfind(java_str(needle)))

    def contains(self, needle: Any) -> JavaBoolean:
        return JavaBoolean(java_str(needle) in self._plain())

    def startsWith(self, prefix: Any) -> JavaBoolean:  # noqa: N802
        return JavaBoolean(self._plain().startswith(java_str(prefix)))

    def endsWith(self, suffix: Any) -> JavaBoolean:  # noqa: N802
        return JavaBoolean(self._plain().endswith(java_str(suffix)))

    def equalsIgnoreCase(self, other: Any) -> JavaBoolean:  # noqa: N802
        return JavaBoolean(other is not None and self._plain().lower() == java_str(other).lower())

    def compareTo(self, other: Any) -> JavaInteger:  # noqa: N802
        text, against = self._plain(), java_str(other)
        return JavaInteger((text > against) - (text < against))

    def toLowerCase(self) -> JavaString:  # noqa: N802
        return JavaString(self._plain().lower())

    def toUpperCase(self) -> JavaString:  # noqa: N802
        return JavaString(self._plain().upper())

    def trim(self) -> JavaString:
        return JavaString(self._plain().strip("".join(chr(code) for code in range(33))))

    def concat(self, other: Any) -> JavaString:
        return JavaString(self._plain() + java_str(other))

    def replace(self, old: Any, new: Any) -> JavaString:  # type: ignore[override]
        return JavaString(self._plain().replace(java_str(old), java_str(new)))

    def replaceAll(self, pattern: Any, replacement: Any) -> JavaString:  # noqa: N802
        regex = _java_regex(java_str(pattern))
        return JavaString(regex.sub(_java_replacement(java_str(replacement)), self._plain()))

    def replaceFirst(self, pattern: Any, replacement: Any) -> JavaString:  # noqa: N802
        regex = _java_regex(java_str(pattern))
        return JavaString(regex.sub(_java_replacement(java_str(replacement)), self._plain(), count=1))

    def matches(self, pattern: Any) -> JavaBoolean:
        return JavaBoolean(_java_regex(java_str(pattern)).fullmatch(self._plain()) is not None)

    def split(self, pattern: Any, limit: int = 0) -> JavaList:  # type: ignore[override]
        """Java's ``split(regex)``: trailing empty strings go (limit 0), a leading empty match is dropped."""
        text = self._plain()
        if not text:
            return JavaList([JavaString("")])
        regex = _java_regex(java_str(pattern))
        parts: list[str] = []
        position = 0
        for found in regex.finditer(text):
            if 0 < int(limit) <= len(parts) + 1:
                break
            if found.end() == 0:
                continue  # a zero-width match at the start gives no leading empty string
            if found.start() == found.end() and found.start() >= len(text):
                break
            parts.append(text[position : found.start()])
            position = found.end()
        parts.append(text[position:])
        if int(limit) == 0:
            while len(parts) > 1 and parts[-1] == "":
                parts.pop()
            if parts == [""]:
                parts = []
        return JavaList(parts)

    def toCharArray(self) -> JavaList:  # noqa: N802
        return JavaList(list(self._plain()))

    def _plain(self) -> str:
        return str.__str__(self)

    @staticmethod
    def _index(index: int, last: int) -> int:
        if not 0 <= int(index) <= last:
            raise IndexError(f"String index out of range: {index}")
        return int(index)


class JavaInteger(_JavaObject, int):
    """``java.lang.Integer`` / ``Long`` from JSON or a template's arithmetic."""

    __slots__ = ()

    def intValue(self) -> JavaInteger:  # noqa: N802
        return self

    longValue = intValue

    def doubleValue(self) -> JavaDouble:  # noqa: N802
        return JavaDouble(float(self))

    def compareTo(self, other: Any) -> JavaInteger:  # noqa: N802
        return JavaInteger((self > other) - (self < other))


class JavaBoolean(_JavaObject, int):
    """``java.lang.Boolean``: renders ``true``/``false`` and is truthy as the boolean it holds."""

    __slots__ = ()

    def __new__(cls, value: Any) -> JavaBoolean:
        return int.__new__(cls, 1 if value else 0)

    def __bool__(self) -> bool:
        return int(self) != 0

    def __str__(self) -> str:
        return "true" if int(self) else "false"

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (bool, JavaBoolean)):
            return bool(self) == bool(other)
        if isinstance(other, str):
            return str(self) == other
        return False

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = int.__hash__

    def booleanValue(self) -> JavaBoolean:  # noqa: N802
        return self


class JavaDouble(_JavaObject, float):
    """``java.lang.Double``: renders as Java does (``10.0``, ``1.0E20``, ``1.0E-4``)."""

    __slots__ = ()

    def __str__(self) -> str:
        value = float(self)
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value == 0 or 1e-3 <= abs(value) < 1e7:
            return repr(value)  # Python's shortest digits, plain notation in this range, "10.0" as Java
        sign, digits, exponent = Decimal(repr(value)).as_tuple()
        text = "".join(map(str, digits)).rstrip("0") or "0"
        power = len(digits) - 1 + int(exponent)
        return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{power}"

    __repr__ = __str__

    def intValue(self) -> JavaInteger:  # noqa: N802
        return JavaInteger(int(self))

    longValue = intValue

    def doubleValue(self) -> JavaDouble:  # noqa: N802
        return self


class JavaList(_JavaObject, list[Any]):
    """``java.util.List``: ``size()``, ``get(i)``, ``isEmpty()``, ``contains(x)``, ``add(x)``."""

    __slots__ = ()

    def __init__(self, items: Iterable[Any] = ()) -> None:
        list.__init__(self, (to_java(item) for item in items))

    def __str__(self) -> str:
        return "[" + ", ".join(java_str(item) for item in self) + "]"

    def size(self) -> JavaInteger:
        return JavaInteger(len(self))

    def isEmpty(self) -> JavaBoolean:  # noqa: N802
        return JavaBoolean(len(self) == 0)

    def get(self, index: int) -> Any:
        if not 0 <= int(index) < len(self):
            raise IndexError(f"Index {index} out of bounds for length {len(self)}")
        return self[int(index)]

    def contains(self, value: Any) -> JavaBoolean:
        return JavaBoolean(any(_java_equal(item, value) for item in self))

    def indexOf(self, value: Any) -> JavaInteger:  # noqa: N802
        for position, item in enumerate(self):
            if _java_equal(item, value):
                return JavaInteger(position)
        return JavaInteger(-1)

    def add(self, value: Any) -> JavaBoolean:
        self.append(to_java(value))
        return JavaBoolean(True)

    def set(self, index: int, value: Any) -> Any:
        previous = self.get(index)
        self[int(index)] = to_java(value)
        return previous


class JavaMap(_JavaObject, dict[Any, Any]):
    """``java.util.Map`` (insertion order): ``get``, ``keySet()``, ``containsKey``, ``put``, ``isEmpty()``."""

    __slots__ = ()

    def __init__(self, items: Mapping[Any, Any] | None = None) -> None:
        dict.__init__(self)
        for key, value in (items or {}).items():
            dict.__setitem__(self, to_java(key), to_java(value))

    def __str__(self) -> str:
        return "{" + ", ".join(f"{java_str(k)}={java_str(v)}" for k, v in self.items()) + "}"

    def size(self) -> JavaInteger:
        return JavaInteger(len(self))

    def isEmpty(self) -> JavaBoolean:  # noqa: N802
        return JavaBoolean(len(self) == 0)

    def keySet(self) -> JavaList:  # noqa: N802
        return JavaList(self.keys())

    def entrySet(self) -> JavaList:  # noqa: N802
        return JavaList(JavaMap({"key": key, "value": value}) for key, value in self.items())

    def containsKey(self, key: Any) -> JavaBoolean:  # noqa: N802
        return JavaBoolean(key in self)

    def containsValue(self, value: Any) -> JavaBoolean:  # noqa: N802
        return JavaBoolean(any(_java_equal(item, value) for item in self.values()))

    def put(self, key: Any, value: Any) -> Any:
        previous = dict.get(self, key)
        self[to_java(key)] = to_java(value)
        return previous

    def putAll(self, other: Mapping[Any, Any]) -> None:  # noqa: N802
        for key, value in other.items():
            self.put(key, value)

    def remove(self, key: Any) -> Any:
        return self.pop(key, None)


JavaString._PYTHON_ONLY = frozenset(
    name
    for name in dir(str)
    if not name.startswith("_") and not hasattr(_JavaObject, name) and name not in vars(JavaString)
)
