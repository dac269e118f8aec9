"""`ffo`: the FlashFusion Orchestrator's local command line. Each command is a module of
``ffo.commands``; this one builds the parser from them and runs the command asked for."""

from __future__ import annotations

import argparse
import sys
from typing import Protocol

from ffo.commands import (
    asl,
    cost,
    lint,
    openapi,
    plan,
    provenance,
    report,
    reset,
    review,
    route,
    run,
    serve,
    signing_cert,
    tick,
    token,
    validate,
)
from ffo.commands.common import Parents, Subparsers


class Command(Protocol):
    def register(self, subparsers: Subparsers, parents: Parents) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


COMMANDS: tuple[Command, ...] = (
    run,
    route,
    lint,
    plan,
    tick,
    serve,
    token,
    reset,
    review,
    provenance,
    report,
    validate,
    asl,
    openapi,
    signing_cert,
    cost,
)
"""In the order ``ffo --help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ffo",
        description="FlashFusion Orchestrator, locally: runs the real workflow offline (moto executes the "
        "state machine, the handlers run in this process, built-in generators stand in for AI vendors).",
    )
    parser.add_argument("--root", help="project root (default: the folder holding template.yaml)")
    subparsers = parser.add_subparsers(dest="command", required=True)
    parents = Parents.build()
    for command in COMMANDS:
        command.register(subparsers, parents)
    return parser


LONG_RUNNING = {"serve"}
"""Commands that run until stopped: they keep the collector's defaults (see ``ffo.process_gc``)."""


def main(argv: list[str] | None = None) -> int:
    """Run the command ``argv`` asks for (default: this process's arguments, and then this process is the
    command: ``ffo.process_gc`` tunes the garbage collector for it)."""
    args = build_parser().parse_args(argv)
    if argv is not None or args.command in LONG_RUNNING:
        code: int = args.func(args)
        return code
    from ffo.process_gc import short_lived_command

    with short_lived_command():
        code = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
