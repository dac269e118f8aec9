"""`ffo tick`: run request files, then fire the post schedules due by a time."""

from __future__ import annotations

import argparse
from pathlib import Path

from ffo.commands.common import Parents, Subparsers, add_outbox_option, add_workflow_timeout_option, posting_engine
from ffo.request_files import DEFAULT_KIT, project_root, read_kit


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "tick",
        parents=[parents.request_files],
        help="run request files, then fire the post schedules due by a time",
        description="Runs each request file (see 'ffo run'; a body with 'schedule' gets its posts scheduled, "
        "to the caller's 'accounts' and a local outbox account 'outbox-main'), then fires every EventBridge "
        "Scheduler schedule due by --until through the real publish handler (retry policy, dead-letter queue, "
        "deleted after completion), printing each fire. Posts go to OUT/outbox unless a platform is enabled.",
    )
    parser.add_argument("--until", required=True, metavar="TIME", help="ISO 8601 time, 'now', or +30m / +2h / +7d")
    add_outbox_option(parser)
    add_workflow_timeout_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ffo.scheduler_clock import parse_time, run_request, run_tick

    root = project_root(args.root)
    kit = read_kit(root, DEFAULT_KIT)
    engine, outbox = posting_engine(args)
    with engine:
        say = engine.stream.fallback.write
        ok = all(run_request(engine, Path(event), kit, say, args.timeout) for event in args.events)
        fired = run_tick(engine, parse_time(args.until), say)
        say(f"outbox: {outbox}\n")
    return 0 if ok and all(f.ok for f in fired) else 1
