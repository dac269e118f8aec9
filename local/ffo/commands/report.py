"""`ffo report`: the operating numbers (flashfusion.metrics.definitions) over the local state or a deployed stack.

The records are the same either way: the local state's snapshot (what `ffo serve` and `examples/workload.py`
keep in --state, so runs accumulate) or the stack's table read through boto3 (--stack NAME: the table is
the stack's AppTable resource). Every organisation is counted unless --org names one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ffo.commands.common import Parents, Subparsers

TABLE_RESOURCE = "AppTable"


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "report",
        help="the five operating numbers (latency, compliance, retries, cost, intervention) and their context",
        description="Generation latency P50/P95/P99 per model, brand compliance rate (first lint), retry rate, "
        "cost per asset and human intervention rate, with requests, failures, fallbacks, spend against budget "
        "and the review backlog, over the requests created in [--since, --until). Reads the local state "
        "(--state, default out/state) or a deployed stack's table (--stack NAME).",
    )
    parser.add_argument("--since", help="ISO 8601 instant with Z or an offset (inclusive)")
    parser.add_argument("--until", help="ISO 8601 instant with Z or an offset (exclusive)")
    parser.add_argument("--group-by", choices=["model", "medium", "campaign", "tier"], help="figures per group too")
    parser.add_argument("--org", help="only this organisation")
    parser.add_argument("--json", action="store_true", help="the report as JSON (the shape of GET /v1/metrics)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--state", default="out/state", help="local state directory (default out/state)")
    source.add_argument("--stack", help="a deployed stack's name: read its AppTable through boto3")
    parser.add_argument("--region", help="the stack's region (default: the AWS configuration's)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from flashfusion.app.metrics_view import compute
    from flashfusion.modelbase import parse_instant
    from flashfusion.storage.metrics_records import facts_from_items

    try:
        since = parse_instant(args.since) if args.since else None
        until = parse_instant(args.until) if args.until else None
    except ValueError as error:
        sys.stderr.write(f"ffo report: --since/--until: {error}\n")
        return 2
    try:
        items = list(stack_items(args.stack, args.region) if args.stack else state_items(Path(args.state)))
    except LookupError as error:
        sys.stderr.write(f"ffo report: {error}\n")
        return 2
    if args.org:
        items = [i for i in items if i.get("PK") == f"ORG#{args.org}"]
    report = compute(facts_from_items(items), since, until, args.group_by)
    if args.json:
        sys.stdout.write(json.dumps(report.model_dump(mode="json", exclude_none=True), indent=2) + "\n")
    else:
        sys.stdout.write(render(report))
    return 0


def state_items(directory: Path) -> Iterator[dict[str, Any]]:
    """Every item of the local state's tables, as the product reads them (plain values)."""
    from boto3.dynamodb.types import TypeDeserializer

    from ffo.state_store import StateStore, _decode_item
    from flashfusion.storage.dynamo import from_item

    snapshot = StateStore(directory.resolve()).read()
    if snapshot is None:
        raise LookupError(f"no saved state in {directory} (run `ffo serve` or examples/workload.py first)")
    deserialize = TypeDeserializer().deserialize
    for items in snapshot.tables.values():
        for item in items:
            yield from_item({k: deserialize(v) for k, v in _decode_item(item).items()})


def stack_items(stack: str, region: str | None) -> Iterator[dict[str, Any]]:
    """Every item of a deployed stack's AppTable (read-only: DescribeStackResource, then Scan)."""
    import boto3

    from flashfusion.storage.metrics_records import table_items

    session = boto3.session.Session(region_name=region)
    try:
        resource = session.client("cloudformation").describe_stack_resource(
            StackName=stack, LogicalResourceId=TABLE_RESOURCE
        )
    except Exception as error:  # botocore's ClientError: the stack or its table is not there
        raise LookupError(f"stack {stack!r} has no {TABLE_RESOURCE}: {error}") from error
    name = resource["StackResourceDetail"]["PhysicalResourceId"]
    yield from table_items(session.resource("dynamodb").Table(name))


def _share(rate: Any) -> str:
    if rate.value is None:
        return "n/a (0 counted)"
    return f"{rate.value * 100:.1f} % ({rate.numerator}/{rate.denominator})"


def _usd(value: float | None) -> str:
    return "n/a" if value is None else f"${value:,.4f}"


def _ms(value: int | None) -> str:
    return "-" if value is None else f"{value:,} ms"


def render_figures(f: Any, indent: str = "") -> list[str]:
    lines = [
        f"requests            {f.requests}  (succeeded {f.succeeded}, failed {f.failed}, cancelled {f.cancelled}, "
        f"rejected {f.rejected}, review expired {f.review_expired}, queued {f.queued}, in progress {f.in_progress})",
        f"vendor calls        {f.vendor_calls}  (failed {f.failed_calls}), fallbacks {f.fallbacks}",
        f"brand compliance    {_share(f.brand_compliance_rate)}  first lint",
        f"retry rate          {_share(f.retry_rate)}",
        f"human intervention  {_share(f.human_intervention_rate)}  (human-edited assets {f.human_edited})",
        f"cost per asset      {_usd(f.cost_per_asset_usd)}  (spend {_usd(f.spend_usd)} / {f.assets} assets)",
        "generation latency (vendor time, successful calls)",
    ]
    lines += [
        f"  {x.model:<36} n={x.calls:<4} p50 {_ms(x.p50_ms):>10}  p95 {_ms(x.p95_ms):>10}  p99 {_ms(x.p99_ms):>10}"
        for x in f.generation_latency
    ] or ["  (no successful calls)"]
    lines.append("cost per asset by model")
    lines += [
        f"  {c.model:<36} {_usd(c.usd_per_asset):>10} per asset  (spend {_usd(c.spend_usd)} / {c.assets} assets)"
        for c in f.cost_per_asset_by_model
    ] or ["  (no spend, no assets)"]
    return [indent + line for line in lines]


def render(report: Any) -> str:
    def when(moment: datetime | None, default: str) -> str:
        return moment.isoformat() if moment else default

    lines = [
        f"FlashFusion report: requests created {when(report.since, 'any time')} .. {when(report.until, 'now')}",
        "",
        *render_figures(report.total),
    ]
    for group in report.groups:
        lines += ["", f"[{report.group_by} = {group.key}]", *render_figures(group.figures, "  ")]
    lines += ["", "spend against budget"]
    lines += [
        f"  {b.org_id:<20} {b.month}  spent {_usd(b.spent_usd)} + held {_usd(b.reserved_usd)} of {_usd(b.limit_usd)}"
        + ("" if b.used_share is None else f"  ({b.used_share * 100:.1f} %)")
        for b in report.budgets
    ] or ["  (no budget months in the window)"]
    backlog = report.review_backlog
    age = "" if backlog.oldest_age_seconds is None else f", oldest {backlog.oldest_age_seconds / 60:.1f} min"
    lines += [f"review backlog      {backlog.pending} pending{age}", ""]
    return "\n".join(lines)
