"""`ffo plan`: the posting plan the planner proposes for a campaign file."""

from __future__ import annotations

import argparse
from pathlib import Path

from ffo.commands.common import Parents, Subparsers


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="print the posting plan the planner proposes for a campaign file",
        description="CAMPAIGN_FILE (JSON or YAML) holds a campaign as POST /v1/campaigns takes it (name, brandKitId, "
        "startsAt, endsAt, timeZone, targets, cadence) plus 'assets' ([{assetId, platforms}]) and optionally 'now'. "
        "Prints each slot in the campaign's time zone with its reason, and what could not be placed and why.",
    )
    parser.add_argument("campaign", metavar="CAMPAIGN_FILE")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from ffo.scheduler_clock import plan_file

    try:
        print(plan_file(Path(args.campaign)))
    except (ValidationError, ValueError) as error:
        print(f"ffo plan: {args.campaign} is not a valid campaign file:\n{error}")
        return 2
    return 0
