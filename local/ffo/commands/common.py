"""What several `ffo` commands share: parent parsers for their common arguments, the types of
``register``, and small helpers (a file's media type, the engine that posts to a local outbox)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ffo.request_files import project_root

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Subparsers = argparse._SubParsersAction

TEXT_SUFFIXES = {".txt": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown"}


@dataclass(frozen=True)
class Parents:
    """Parent parsers (``add_help=False``) holding arguments several commands take, for
    ``subparsers.add_parser(name, parents=[...])``."""

    request_file: argparse.ArgumentParser
    """``event``: one request file (run, route, review)."""
    request_files: argparse.ArgumentParser
    """``EVENT ...``: request files to run before the command's own work (tick, serve)."""

    @classmethod
    def build(cls) -> Parents:
        request_file = argparse.ArgumentParser(add_help=False)
        request_file.add_argument("event", help="request file (see events/)")
        request_files = argparse.ArgumentParser(add_help=False)
        request_files.add_argument("events", nargs="*", metavar="EVENT", help="request files to run first")
        return cls(request_file=request_file, request_files=request_files)


def add_outbox_option(parser: argparse.ArgumentParser) -> None:
    """``--out``: where posts to the local outbox account go (tick, serve)."""
    parser.add_argument("--out", default="out", help="folder of the outbox (default out/)")


def add_workflow_timeout_option(parser: argparse.ArgumentParser) -> None:
    """``--timeout`` for commands that run several workflows (tick, serve)."""
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for each workflow")


def mime_of(path: Path) -> str:
    """The media type of a file from its name ('' when unknown); .txt and .md are text."""
    import mimetypes

    return TEXT_SUFFIXES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or ""


def posting_engine(args: argparse.Namespace) -> tuple[Any, Path]:
    """The local engine, posting to the outbox under ``--out``, and that outbox folder."""
    from ffo.engine import LocalEngine

    outbox = Path(args.out) / "outbox"
    return LocalEngine(project_root(args.root), env={"OUTBOX_DIR": str(outbox.resolve())}), outbox
