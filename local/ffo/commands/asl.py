"""`ffo asl`: write the state machine definitions from their builder, or check them for drift."""

from __future__ import annotations

import argparse

from ffo.commands.common import Parents, Subparsers
from ffo.request_files import project_root


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "asl",
        help="write statemachine/*.asl.json from local/ffo/asl/, or --check them",
        description="The state machine definitions are generated from a small Python builder (named retry "
        "policies, key formats from flashfusion.storage.keys) and committed, because SAM deploys the file. "
        "Without --check this writes them; with --check it exits 1 when a committed file differs from the build.",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed definition is out of date")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ffo.asl.__main__ import main

    root = project_root(args.root)
    return main(["--root", str(root), *(["--check"] if args.check else [])])
