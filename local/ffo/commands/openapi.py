"""`ffo openapi`: write docs/openapi.json from the API function's resolver, or check it for drift."""

from __future__ import annotations

import argparse
import sys

from ffo.commands.common import Parents, Subparsers
from ffo.request_files import project_root


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "openapi",
        help="write docs/openapi.json from the API's routes and models, or --check it",
        description="The OpenAPI 3.1 document is generated from the API function (functions/api/app.py: its "
        "Powertools resolver, routers and pydantic models) and committed. Without --check this writes it; "
        "with --check it exits 1 when the committed file differs from what the app generates.",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/openapi.json is out of date")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ffo.openapi import DOCUMENT, REGENERATE, drift, write

    root = project_root(args.root)
    if args.check:
        if drift(root):
            print(f"{DOCUMENT} is out of date; regenerate with: {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    print(f"wrote {DOCUMENT}" if write(root) else f"{DOCUMENT} unchanged")
    return 0
