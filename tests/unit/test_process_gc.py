"""The ``ffo`` process's garbage-collector settings: only a process that is the command gets them."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Iterator

import pytest

from ffo import cli
from ffo.process_gc import FULL_EVERY, short_lived_command


@pytest.fixture
def collector_restored() -> Iterator[None]:
    threshold = gc.get_threshold()
    gc.unfreeze()  # nothing frozen before: a test sees only what the code under test froze
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def test_full_collections_rare_inside_and_everything_frozen_after(collector_restored: None) -> None:
    young, middle, _ = gc.get_threshold()
    with short_lived_command():
        assert gc.get_threshold() == (young, middle, FULL_EVERY)
        assert gc.get_freeze_count() == 0
    assert gc.get_freeze_count() > 0


def _parser_seeing(seen: list[tuple[int, int, int]]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ffo")
    parser.add_argument("command")

    def command(args: argparse.Namespace) -> int:
        seen.append(gc.get_threshold())
        return 0

    parser.set_defaults(func=command)
    return parser


@pytest.mark.parametrize(
    ("argv", "process_args", "tuned"),
    [
        (None, ["run"], True),  # the console script: this process is the command
        (["run"], ["pytest"], False),  # called from another program (a test): Python's defaults
        (None, ["serve"], False),  # runs for hours: Python's defaults
    ],
)
def test_only_a_short_command_process_is_tuned(
    monkeypatch: pytest.MonkeyPatch,
    collector_restored: None,
    argv: list[str] | None,
    process_args: list[str],
    tuned: bool,
) -> None:
    seen: list[tuple[int, int, int]] = []
    monkeypatch.setattr(cli, "build_parser", lambda: _parser_seeing(seen))
    monkeypatch.setattr(sys, "argv", ["ffo", *process_args])
    default = gc.get_threshold()

    assert cli.main(argv) == 0

    assert seen == [(default[0], default[1], FULL_EVERY) if tuned else default]
    assert (gc.get_freeze_count() > 0) is tuned
