"""`ffo serve`: the local stack as a server (moto on 127.0.0.1), firing post schedules in real time."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ffo.commands.common import Parents, Subparsers, add_outbox_option, add_workflow_timeout_option, posting_engine
from ffo.request_files import DEFAULT_KIT, project_root, read_kit


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "serve",
        parents=[parents.request_files],
        help="run the local stack as a server and fire post schedules in real time",
        description="Starts moto's server on 127.0.0.1:PORT (MOTO_PORT and AWS_ENDPOINT_URL point there, so "
        "the engine, the handlers and any other AWS client reach it), runs the request files given, and then "
        "fires each post schedule when it falls due, printing what it does, until Ctrl-C.",
    )
    parser.add_argument("--port", type=int, default=5000, help="moto server port (default 5000)")
    add_outbox_option(parser)
    parser.add_argument("--seconds", type=float, default=0, help="stop after this many seconds (default: never)")
    add_workflow_timeout_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import logging
    import os

    from moto.server import ThreadedMotoServer

    from ffo.scheduler_clock import run_request, serve

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    os.environ["MOTO_PORT"] = str(args.port)
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{args.port}"
    root = project_root(args.root)
    kit = read_kit(root, DEFAULT_KIT)
    deadline = time.monotonic() + args.seconds if args.seconds else None
    try:
        engine, outbox = posting_engine(args)
        with engine:
            say = engine.stream.fallback.write
            say(f"ffo serve: AWS endpoint {os.environ['AWS_ENDPOINT_URL']}; posts go to {outbox}; Ctrl-C stops\n")
            for event in args.events:
                run_request(engine, Path(event), kit, say, args.timeout)
            serve(engine, say, stop=lambda: deadline is not None and time.monotonic() > deadline)
    except KeyboardInterrupt:
        print("ffo serve: stopped")
    finally:
        server.stop()
    return 0
