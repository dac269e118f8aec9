"""`ffo serve`: the product's HTTP API on 127.0.0.1, with the local JWT issuer and state kept across restarts."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from ffo.commands.common import Parents, Subparsers, add_outbox_option, add_workflow_timeout_option
from ffo.request_files import DEFAULT_KIT, project_root, read_kit

if TYPE_CHECKING:
    from ffo.local_server import LocalServer

DEFAULT_PORT = 8080
DEFAULT_ORGS = ["acme"]


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "serve",
        parents=[parents.request_files],
        help="serve the HTTP API on 127.0.0.1 (local JWT issuer, state kept across restarts)",
        description="Serves the HTTP API on http://127.0.0.1:PORT through the real API handler, as API Gateway "
        "would: the template's routes, its JWT authorizer (tokens from `ffo token`), payload 2.0 events. Submitted "
        "requests run the real workflow in the background; review decisions resume them; post schedules fire when "
        "due. Presigned S3 URLs the API hands out point at /local-s3/ on the same port. The state (requests, "
        "assets, reviews, campaigns, kits, budgets...) is kept in --state and loaded again at the next start; "
        "workflows still running when the server stops cannot be kept and their requests are failed with "
        "LocalServerStopped. Runs the request files given first. Ctrl-C stops.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks one)")
    parser.add_argument("--state", default="out/state", help="state directory (default out/state)")
    parser.add_argument("--no-state", action="store_true", help="keep nothing: start empty, save nothing")
    parser.add_argument(
        "--org",
        action="append",
        help="organisation to seed the brand kit for, if it has none yet (repeatable; default acme)",
    )
    parser.add_argument("--kit", default=DEFAULT_KIT, help=f"brand kit file to seed (default {DEFAULT_KIT})")
    add_outbox_option(parser)
    parser.add_argument("--seconds", type=float, default=0, help="stop after this many seconds (default: never)")
    add_workflow_timeout_option(parser)
    parser.set_defaults(func=run)


def seed_kit(server: LocalServer, org_ids: list[str], kit: dict[str, Any]) -> list[str]:
    """Store the kit for each organisation that does not have it yet; the organisations seeded."""
    from flashfusion.errors import BrandKitNotFound
    from flashfusion.wiring import get_deps

    seeded = []
    for org_id in org_ids:
        try:
            get_deps().kits.get(org_id, str(kit["kitId"]))
        except BrandKitNotFound:
            server.engine.seed_brand_kit(org_id, kit)
            seeded.append(org_id)
    return seeded


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from ffo.local_server import LocalServer, StateDirectoryBusy
    from ffo.scheduler_clock import run_request

    root = project_root(args.root)
    outbox = Path(args.out) / "outbox"
    state_dir = None if args.no_state else Path(args.state).resolve()
    say = sys.stderr.write
    server = LocalServer(root, state_dir=state_dir, port=args.port, env={"OUTBOX_DIR": str(outbox.resolve())}, log=say)
    try:
        server.start()
    except StateDirectoryBusy as error:
        say(f"ffo serve: {error} (another `ffo serve`?); stop it or pass another --state\n")
        return 2
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    deadline = time.monotonic() + args.seconds if args.seconds else None
    try:
        kit = read_kit(root, args.kit)
        seeded = seed_kit(server, args.org or DEFAULT_ORGS, kit)
        if seeded:
            say(f"ffo serve: brand kit {kit['kitId']} seeded for {', '.join(seeded)}\n")
        say(
            f"ffo serve: API on {server.url} (tokens: ffo token --org ORG --sub USER); "
            f"state in {state_dir or 'memory only'}; posts go to {outbox}; Ctrl-C stops\n"
        )
        for event in args.events:
            run_request(server.engine, Path(event), kit, say, args.timeout)
        while deadline is None or time.monotonic() < deadline:
            server.tick()
            time.sleep(0.5)
    except KeyboardInterrupt:
        say("ffo serve: stopping\n")
    finally:
        server.stop()
        if server.settled:
            say(f"ffo serve: {len(server.settled)} running workflow(s) stopped; their requests failed\n")
        say("ffo serve: stopped" + (f"; state saved in {state_dir}\n" if state_dir else "\n"))
    return 0
