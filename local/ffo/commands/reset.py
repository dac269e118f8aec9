"""`ffo reset`: forget the local state `ffo serve` keeps (requests, assets, reviews, kits, budgets...)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ffo.commands.common import Parents, Subparsers


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "reset",
        help="clear the state `ffo serve` keeps",
        description="Deletes the saved state (the snapshot and its files) from --state. Refused while an "
        "`ffo serve` uses that state. The local issuer's key and the development CA are kept.",
    )
    parser.add_argument("--state", default="out/state", help="state directory (default out/state)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ffo.local_server import StateDirectoryBusy, StateLock
    from ffo.state_store import StateStore

    directory = Path(args.state).resolve()
    lock = StateLock(directory)
    try:
        lock.acquire()
    except StateDirectoryBusy as error:
        sys.stderr.write(f"ffo reset: {error}; stop `ffo serve` first\n")
        return 2
    try:
        store = StateStore(directory)
        had = store.exists()
        store.clear()
    finally:
        lock.release()
    sys.stdout.write(f"ffo reset: {'cleared' if had else 'nothing saved in'} {directory}\n")
    return 0
