"""``pytest_serverless._cache``: the one bounded-cache policy of the package (see its docstring)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless._cache import BoundedCache, memoize

PACKAGE = Path(__file__).resolve().parents[1] / "pytest_serverless"


def test_bounded_cache_never_holds_more_than_maxsize():
    cache: BoundedCache[int, str] = BoundedCache(8)
    for number in range(100):
        assert cache.put(number, str(number)) == str(number)
        assert len(cache) <= 8
    assert cache == {number: str(number) for number in range(92, 100)}


def test_bounded_cache_drops_the_older_half_when_full():
    cache: BoundedCache[str, int] = BoundedCache(4)
    for key in "abcd":
        cache.put(key, 1)
    cache.put("a", 2)  # a key already held: nothing is dropped, its value changes
    assert cache == {"a": 2, "b": 1, "c": 1, "d": 1}
    cache.put("e", 1)  # full: a and b (added first) go, c and d stay
    assert list(cache) == ["c", "d", "e"]


def test_bounded_cache_reads_like_a_dict():
    cache: BoundedCache[str, int | None] = BoundedCache(4)
    cache.put("none", None)
    assert cache.get("none", 0) is None
    assert "none" in cache
    assert cache.get("other") is None
    assert repr(cache) == "BoundedCache(1 of 4)"


@pytest.mark.parametrize("maxsize", [0, 1, -5, 2.5, True, "8"])
def test_bounded_cache_refuses_a_size_that_cannot_hold_a_half(maxsize):
    with pytest.raises(ValueError, match="maxsize"):
        BoundedCache(maxsize)


@settings(max_examples=60, deadline=None)
@given(maxsize=st.integers(2, 9), puts=st.lists(st.tuples(st.integers(0, 20), st.integers()), max_size=60))
def test_bounded_cache_follows_its_policy(maxsize, puts):
    """The policy as a model: insertion order kept; a new key in a full cache drops the older half first."""
    cache: BoundedCache[int, int] = BoundedCache(maxsize)
    model: dict[int, int] = {}
    for key, value in puts:
        if key not in model and len(model) >= maxsize:
            model = dict(list(model.items())[len(model) - maxsize // 2 :])
        model[key] = value
        cache.put(key, value)
        assert list(cache.items()) == list(model.items())
        assert len(cache) <= maxsize
        assert cache[key] == value


def test_memoize_calls_once_per_arguments_and_stays_bounded():
    calls = []

    @memoize(4)
    def double(value: int, *, twice: bool = True) -> int:
        """Doubles."""
        calls.append((value, twice))
        return value * 2 if twice else value

    assert [double(3), double(3), double(3, twice=False), double(3, twice=False)] == [6, 6, 3, 3]
    assert calls == [(3, True), (3, False)]
    assert double.__name__ == "double"
    assert double.__doc__ == "Doubles."
    for value in range(20):
        double(value)
    assert len(double.cache) <= 4  # type: ignore[attr-defined]


def test_memoize_remembers_no_error_and_adds_no_context():
    calls = []

    @memoize(4)
    def parse(text: str) -> int:
        calls.append(text)
        return int(text)

    for _ in range(2):
        with pytest.raises(ValueError) as raised:
            parse("x")
        assert raised.value.__context__ is None  # no "during handling of KeyError" in the user's traceback
    assert calls == ["x", "x"]


def test_no_hand_written_clear_when_full_cache_is_left():
    """Every memo uses ``BoundedCache``/``memoize`` (one policy); ``functools.lru_cache`` neither."""
    clear_when_full = re.compile(r"if len\((?P<name>[\w.]+)\) [>=]+ [\d_]+:\n\s+(?P=name)\.clear\(\)")
    assert clear_when_full.search("    if len(_SEEN) >= 4_096:\n        _SEEN.clear()\n")
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        text = path.read_text(encoding="utf-8")
        if clear_when_full.search(text) or "lru_cache" in text:
            found.append(relative)
    assert found == []
