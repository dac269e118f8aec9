"""ffo.moto_speedups item copies: the copy moto's own ``__deepcopy__`` methods make, value for value."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from moto.dynamodb.models.dynamo_type import DynamoType, Item

from ffo import moto_speedups
from tests.unit.test_moto_speedups import ITEMS


@pytest.fixture
def moto_copies() -> Iterator[None]:
    """moto's own methods (the session fixture may have turned the fast ones on)."""
    saved = DynamoType.__deepcopy__, Item.__deepcopy__
    DynamoType.__deepcopy__, Item.__deepcopy__ = moto_speedups._moto_copies  # type: ignore[method-assign]
    try:
        yield
    finally:
        DynamoType.__deepcopy__, Item.__deepcopy__ = saved  # type: ignore[method-assign]


def _items() -> dict[str, Any]:
    """A table's ``items`` as moto keeps them (hash key -> range key -> Item), one attribute value shared by two
    items and one map holding the same value twice, as an update expression can leave them."""
    items: dict[str, Any] = {}
    for raw in ITEMS:
        attrs = {k: v for k, v in raw.items() if k not in ("PK", "SK")}
        item = Item(DynamoType(raw["PK"]), DynamoType(raw["SK"]), attrs)
        items.setdefault(raw["PK"]["S"], {})[raw["SK"]["S"]] = item
    first, second = items["org#acme"]["kit#1"], items["org#acme"]["kit#2"]
    shared = DynamoType({"S": "shared"})
    first.attrs["same"] = second.attrs["same"] = shared
    second.attrs["m"].value["twice"] = second.attrs["m"].value["again"] = DynamoType({"L": [{"N": "1"}]})
    return items


def _shape(value: Any, seen: dict[int, int]) -> Any:
    """Everything a copy holds, with which parts are one object (numbered in order of meeting)."""
    if isinstance(value, dict):
        return {k: _shape(v, seen) for k, v in value.items()}
    if isinstance(value, Item):
        return ("Item", _shape(value.hash_key, seen), _shape(value.range_key, seen), _shape(dict(value.attrs), seen))
    if isinstance(value, DynamoType):
        number = seen.setdefault(id(value), len(seen))
        inner = value.value
        if isinstance(inner, list):
            inner = [_shape(v, seen) for v in inner]
        elif isinstance(inner, dict):
            inner = {k: _shape(v, seen) for k, v in inner.items()}
        return ("DynamoType", number, value.type, inner, type(inner).__name__)
    return value


def test_the_fast_copies_are_the_copies_moto_makes(moto_copies: None) -> None:
    original = _items()
    theirs = copy.deepcopy(original)
    with moto_speedups.faster_item_copies():
        assert moto_speedups.item_copies_installed()
        ours = copy.deepcopy(original)
    assert not moto_speedups.item_copies_installed()
    assert _shape(ours, {}) == _shape(theirs, {}) == _shape(original, {})
    # the shared value is one object in the copy too, and a new one
    first, second = ours["org#acme"]["kit#1"], ours["org#acme"]["kit#2"]
    assert first.attrs["same"] is second.attrs["same"] is not original["org#acme"]["kit#1"].attrs["same"]
    assert type(first.attrs) is type(original["org#acme"]["kit#1"].attrs)


def test_a_fast_copy_shares_nothing_mutable_with_its_original() -> None:
    original = _items()
    before = _shape(original, {})
    with moto_speedups.faster_item_copies():
        ours = copy.deepcopy(original)
    kit = ours["org#acme"]["kit#2"]
    kit.attrs["ss"].value.append("c")
    kit.attrs["m"].value["inner"].value.append(DynamoType({"S": "more"}))
    kit.attrs["l"].value.append(DynamoType({"S": "x"}))
    kit.hash_key.value = "org#other"
    dict.__setitem__(kit.attrs, "new", DynamoType({"S": "new"}))
    assert _shape(original, {}) == before
