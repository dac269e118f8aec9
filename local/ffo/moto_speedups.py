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

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from moto.core import serialize
from moto.core.utils import MISSING
from moto.core.utils import get_value as moto_get_value

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
