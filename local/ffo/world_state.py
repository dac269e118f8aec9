"""What a test left in moto's world, read from moto's own backends without an API call.

``LocalEngine.reset_world`` runs before every engine test. Emptying every table, bucket, queue and
state machine through the API costs ~40 calls (~0.15 s of CPU) even when the test touched one table;
these readers tell it which resources hold anything, so it resets only those. They read moto's
in-memory models (moto is pinned in requirements-dev.txt); if a reader cannot (moto changed its
models), it answers "touched", and the reset falls back to doing everything through the API.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ffo.cfn import ACCOUNT_ID


def _backend(name: str, region: str) -> Any:
    if name == "s3":
        from moto.s3.models import s3_backends

        return s3_backends[ACCOUNT_ID]["aws"]
    if name == "stepfunctions":  # the engine runs executions: moto's parser backend holds them
        from moto.stepfunctions.parser.models import stepfunctions_parser_backends

        return stepfunctions_parser_backends[ACCOUNT_ID][region]
    module = __import__(f"moto.{name}.models", fromlist=[f"{name}_backends"])
    return getattr(module, f"{name}_backends")[ACCOUNT_ID][region]


def _safely(read: Callable[[], set[str]], every: Iterable[str]) -> set[str]:
    try:
        return read()
    except Exception:  # moto's internals moved: treat everything as touched
        return set(every)


def tables_with_items(region: str, names: Iterable[str]) -> set[str]:
    names = list(names)

    def read() -> set[str]:
        tables = _backend("dynamodb", region).tables
        return {name for name in names if name not in tables or tables[name].items}

    return _safely(read, names)


def buckets_with_objects(names: Iterable[str]) -> set[str]:
    names = list(names)

    def read() -> set[str]:
        buckets = _backend("s3", "").buckets
        return {name for name in names if name not in buckets or len(buckets[name].keys)}

    return _safely(read, names)


def queues_with_messages(region: str, urls: dict[str, str]) -> set[str]:
    """Logical ids of queues holding messages (visible, in flight or delayed) or gone."""

    def read() -> set[str]:
        queues = _backend("sqs", region).queues
        by_name = {url.rsplit("/", 1)[1]: logical_id for logical_id, url in urls.items()}
        held = {logical_id for name, logical_id in by_name.items() if name not in queues}
        return held | {logical_id for name, logical_id in by_name.items() if name in queues and queues[name]._messages}

    return _safely(read, urls)


def state_machines_with_executions(region: str, arns: dict[str, str]) -> set[str]:
    """Logical ids of state machines that ran anything (their executions go only with the machine)."""

    def read() -> set[str]:
        machines = {m.arn: m for m in _backend("stepfunctions", region).state_machines}
        return {logical_id for logical_id, arn in arns.items() if arn not in machines or machines[arn].executions}

    return _safely(read, arns)


def running_executions(region: str, arn: str) -> list[str] | None:
    """ARNs of the state machine's executions still running (none if the machine is gone); None if
    moto's models cannot be read."""
    try:
        machines = [m for m in _backend("stepfunctions", region).state_machines if m.arn == arn]
        return [e.execution_arn for m in machines for e in m.executions if e.status == "RUNNING"]
    except Exception:  # moto's internals moved: the caller asks the API
        return None


def anything_else(
    region: str, tables: Iterable[str], buckets: Iterable[str], groups: Iterable[str], secrets: Iterable[str]
) -> bool:
    """Whether the test made a table or bucket of its own, any schedule or schedule group, or a secret
    beside the engine's own: the reset then lists and removes them through the API."""
    try:
        if set(_backend("dynamodb", region).tables) - set(tables):
            return True
        if set(_backend("s3", "").buckets) - set(buckets):
            return True
        present = _backend("scheduler", region).schedule_groups
        if set(present) - {"default", *groups} or any(group.schedules for group in present.values()):
            return True
        names = {secret.name for secret in _backend("secretsmanager", region).secrets.values()}
        return bool(names - set(secrets))
    except Exception:  # moto's internals moved: let the reset look for itself
        return True


@dataclass(frozen=True)
class Snapshot:
    """Every item of the stack's tables and every object of its buckets, as moto holds them."""

    items: dict[str, Any]
    objects: list[tuple[str, str, bytes, dict[str, str], str | None, str | None]]


def snapshot(region: str, tables: Iterable[str], buckets: Iterable[str]) -> Snapshot | None:
    """What the world holds now, copied; None if moto's models cannot be read (the caller seeds instead)."""
    try:
        backend = _backend("dynamodb", region).tables
        items = {name: copy.deepcopy(backend[name].items) for name in tables}
        s3 = _backend("s3", "").buckets
        objects = [
            (bucket, name, key.value, dict(key.metadata), key.encryption, key.kms_key_id)
            for bucket in buckets
            for name, key in s3[bucket].keys.items()
        ]
    except Exception:  # moto's internals moved
        return None
    return Snapshot(items, objects)


def restore(region: str, saved: Snapshot) -> bool:
    """Put a snapshot back into an empty world (tables and buckets as ``reset_world`` leaves them)."""
    try:
        tables = _backend("dynamodb", region).tables
        for name, items in saved.items.items():
            tables[name].items = copy.deepcopy(items)
        s3 = _backend("s3", "")
        for bucket, name, value, metadata, encryption, kms_key_id in saved.objects:
            key = s3.put_object(bucket, name, value, encryption=encryption, kms_key_id=kms_key_id)
            key.set_metadata(dict(metadata))
    except Exception:  # moto's internals moved
        return False
    return True


def empty_tables(region: str, names: Iterable[str]) -> set[str]:
    """Drop every item of these tables in place; the names it could not empty (gone, or moto changed)."""
    left = set(names)
    try:
        tables = _backend("dynamodb", region).tables
        for name in list(left):
            if name in tables:
                tables[name].items.clear()
                left.discard(name)
    except Exception:  # moto's internals moved: the caller resets what is left through the API
        return left
    return left


def empty_buckets(names: Iterable[str]) -> set[str]:
    """Drop every object (every version) of these buckets in place; the names it could not empty."""
    left = set(names)
    try:
        buckets = _backend("s3", "").buckets
        for name in list(left):
            if name in buckets and not buckets[name].multiparts:
                for key in buckets[name].keys.values():
                    key.dispose()
                buckets[name].keys.clear()
                left.discard(name)
    except Exception:  # moto's internals moved: the caller resets what is left through the API
        return left
    return left
