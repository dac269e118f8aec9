"""moto's response serialiser, the same output for less work: its key look-ups remembered per shape.

moto 5.2 serialises every response by walking the operation's output shape, and for each member of each
structure it asks six alias providers which keys to try on the Python value (``AttributePicker``), then
tries them one by one. For a DynamoDB item that is ten members per attribute value (``S``, ``N``, ``M``,
``L``...), so a scan of a few dozen items costs ~50 ms of CPU, most of it in that question, asked again
for every value with the same answer.

For a plain ``dict`` value the answer depends only on the member's name, its shape and the shape's parent
(the providers look at the shape's name, serialisation name and siblings, at the value's class name, and
at a ``Meta`` attribute a dict never has), so here it is worked out once per (name, shape, parent) and
kept. Values of any other type, and pickers with response transformers, go through moto's own code.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from moto.core import serialize
from moto.core.utils import MISSING
from moto.core.utils import get_value as moto_get_value
from moto.dynamodb.models.dynamo_type import DDBType, DynamoType, Item, LimitedSizeDict

_original_get_value = serialize.ResponseSerializer.get_value
_CANDIDATES: dict[tuple[str, Any, Any], tuple[str, ...]] = {}
"""(member name, shape, its parent) -> the keys moto's picker tries on a dict, in its order. The key holds
the shapes themselves, so an id is never reused while it is remembered (botocore caches them anyway)."""
_LOCK = threading.Lock()


def _candidates(
    picker: serialize.XFormedAttributePicker, value: dict[str, Any], key: str, shape: Any
) -> tuple[str, ...]:
    memo_key = (key, shape, getattr(shape, "parent", None))
    found = _CANDIDATES.get(memo_key)
    if found is None:
        context = serialize.AttributePickerContext(obj=value, key=key, shape=shape)
        found = tuple(picker.get_possible_keys(context))
        with _LOCK:
            _CANDIDATES[memo_key] = found
    return found


def get_value(self: serialize.ResponseSerializer, value: Any, key: str, shape: Any) -> Any:
    """``ResponseSerializer.get_value`` for a dict under moto's default picker: the same keys tried in the same
    order, the first one present wins, else None (as ``AttributePicker.__call__``)."""
    picker = self._value_picker
    if type(value) is not dict or type(picker) is not serialize.XFormedAttributePicker or picker.response_transformers:
        return _original_get_value(self, value, key, shape)
    for possible_key in _candidates(picker, value, key, shape):
        # a dotted key is a path (moto's get_value walks it); plain keys are a dict look-up
        found = (
            moto_get_value(value, possible_key, MISSING) if "." in possible_key else value.get(possible_key, MISSING)
        )
        if found is not MISSING:
            return found
    return None


def installed() -> bool:
    return serialize.ResponseSerializer.get_value is get_value


@contextmanager
def faster_serialisation() -> Iterator[None]:
    """moto serialises responses with the remembered key look-ups while active."""
    if installed():
        yield
        return
    with mock.patch.object(serialize.ResponseSerializer, "get_value", get_value):
        yield


# DynamoDB item copies --------------------------------------------------------------------------------------
# moto copies items whole on every UpdateItem (twice: the response's old image and the backend's undo copy),
# every table a TransactWriteItems touches, and the engine's world_state keeps and restores copies. moto's
# own __deepcopy__ methods go back through copy.deepcopy for every attribute value (its memo, dispatch and
# keep-alive bookkeeping), which is most of the cost; these do the same copy in one recursion.

_moto_copies = (DynamoType.__deepcopy__, Item.__deepcopy__)
"""moto's own methods, for the tests that compare against them."""
_SETS = frozenset((DDBType.STRING_SET, DDBType.NUMBER_SET, DDBType.BINARY_SET))


def _copy_value(value: DynamoType, memo: dict[int, Any]) -> DynamoType:
    """``DynamoType.__deepcopy__``: the same copy (lists and maps copied value by value, sets as a new list,
    scalars shared), a value met twice copied once, as with moto's memo."""
    known = memo.get(id(value))
    if known is not None:
        return known
    result = object.__new__(type(value))
    memo[id(value)] = result
    kind = result.type = value.type
    inner = value.value
    if kind == DDBType.LIST:
        result.value = [_copy_value(v, memo) if type(v) is DynamoType else copy.deepcopy(v, memo) for v in inner]
    elif kind == DDBType.MAP:
        result.value = {
            k: _copy_value(v, memo) if type(v) is DynamoType else copy.deepcopy(v, memo) for k, v in inner.items()
        }
    elif kind in _SETS:
        result.value = list(inner)
    else:
        result.value = inner
    return result


def _copy_item(item: Item, memo: dict[int, Any]) -> Item:
    """``Item.__deepcopy__``: keys and attributes copied, the attributes' size check skipped as moto skips it."""
    known = memo.get(id(item))
    if known is not None:
        return known
    result = object.__new__(type(item))
    memo[id(item)] = result
    result.hash_key = copy.deepcopy(item.hash_key, memo)
    result.range_key = copy.deepcopy(item.range_key, memo)
    attrs = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.__init__(attrs)
    for key, value in item.attrs.items():
        copied = _copy_value(value, memo) if type(value) is DynamoType else copy.deepcopy(value, memo)
        dict.__setitem__(attrs, key, copied)
    result.attrs = attrs
    return result


def item_copies_installed() -> bool:
    return DynamoType.__deepcopy__ is _copy_value


@contextmanager
def faster_item_copies() -> Iterator[None]:
    """moto copies DynamoDB items with ``_copy_value`` and ``_copy_item`` while active."""
    if item_copies_installed():
        yield
        return
    with (
        mock.patch.object(DynamoType, "__deepcopy__", _copy_value),
        mock.patch.object(Item, "__deepcopy__", _copy_item),
    ):
        yield


@contextmanager
def faster_moto() -> Iterator[None]:
    """Every speed-up of this module while active (each one left as it is if already on)."""
    with faster_serialisation(), faster_item_copies():
        yield
