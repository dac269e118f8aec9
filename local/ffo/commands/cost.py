"""`ffo cost`: the monthly AWS bill and vendor spend for N assets a month (ffo.cost_model)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ffo.commands.common import Parents, Subparsers
from ffo.request_files import DEFAULT_KIT, project_root, read_kit, read_request_file


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "cost",
        help="estimate the monthly AWS bill and vendor spend for N assets a month",
        description="Runs one sample request per medium of the mix through the local workflow, measures what "
        "it used (state transitions, Lambda invocations and durations at the template's memory, DynamoDB, S3, "
        "events, logs, metrics), and prices N assets a month with the unit prices in ffo/data/aws_prices.json "
        "(printed with their date and source); vendor spend from the model matrix.",
    )
    parser.add_argument("--assets-per-month", type=int, required=True, metavar="N", help="assets generated a month")
    parser.add_argument(
        "--mix",
        help="share of each medium, e.g. text=0.6,image=0.3,video=0.05,music=0.05 (the default, the sample mix); "
        "counts work too, they are normalised",
    )
    parser.add_argument("--json", action="store_true", help="print the estimate as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ffo import cost_model
    from ffo.cfn import load_template
    from ffo.engine import LocalEngine

    if args.assets_per_month < 0:
        raise SystemExit("ffo cost: --assets-per-month cannot be negative")
    try:
        mix = cost_model.parse_mix(args.mix)
    except ValueError as error:
        raise SystemExit(f"ffo cost: --mix: {error}") from error
    root = project_root(args.root)
    prices = cost_model.load_prices()
    template = load_template(root / "template.yaml")
    resources = template["Resources"].values()
    alarms = sum(1 for r in resources if r["Type"] == "AWS::CloudWatch::Alarm")
    dashboards = sum(1 for r in resources if r["Type"] == "AWS::CloudWatch::Dashboard")
    profiles: dict[str, cost_model.AssetProfile] = {}
    with LocalEngine(root) as engine:
        for medium in mix:
            _, body, caller = read_request_file(root / cost_model.SAMPLE_REQUESTS[medium])
            engine.seed_brand_kit(str(caller.get("orgId", "acme")), read_kit(root, DEFAULT_KIT))
            profiles[medium] = cost_model.measure(engine, medium, body, caller, prices)
    aws = cost_model.monthly_bill(profiles, mix, args.assets_per_month, prices, alarms, dashboards)
    vendors = cost_model.vendor_spend(profiles, mix, args.assets_per_month)
    aws_total = sum(line.usd for line in aws)
    vendor_total = sum(line.usd for line in vendors)
    if args.json:
        print(json.dumps(_as_json(args.assets_per_month, mix, prices, aws, vendors, profiles), indent=2))
        return 0
    per_1000 = 1000 / args.assets_per_month if args.assets_per_month else 0.0
    print(
        f"ffo cost: {args.assets_per_month:,} assets a month, mix " + ", ".join(f"{m} {s:.0%}" for m, s in mix.items())
    )
    print(f"\nAWS ({prices['region']}, list prices as of {prices['asOf']}, free tiers ignored)")
    for line in aws:
        print(f"  {line.service:<22} {line.what:<62} ${line.usd:>12,.2f}")
    print(f"  {'AWS total':<85} ${aws_total:>12,.2f}")
    print("\nVendors (the router's estimate on the model it would pick among the matrix's vendor models)")
    for line in vendors:
        print(f"  {line.what:<85} ${line.usd:>12,.2f}")
    print(f"  {'vendor total':<85} ${vendor_total:>12,.2f}")
    print(f"\n  {'month total':<85} ${aws_total + vendor_total:>12,.2f}")
    if per_1000:
        print(f"  per 1,000 assets: AWS ${aws_total * per_1000:,.2f} + vendors ${vendor_total * per_1000:,.2f}")
    print("\nPer asset, measured on the local engine (one sample request per medium):")
    waits = prices["assumptions"]["vendorWaitSeconds"]
    for medium, profile in profiles.items():
        print(
            f"  {medium:<6} {profile.transitions} transitions, {profile.lambda_invocations} Lambda invocations, "
            f"{profile.lambda_gb_seconds:.2f} GB-s (vendor wait {waits[medium]} s), "
            f"{profile.count('dynamodb', cost_model.WRITES) + profile.state_machine_dynamodb_writes} DynamoDB writes, "
            f"{profile.count('dynamodb', cost_model.READS)} reads, {profile.log_bytes / 1024:.0f} KiB logs"
        )
    print(f"\nUnit prices assumed ({cost_model.PRICES_FILE.name}, as of {prices['asOf']}):")
    for name, entry in prices["prices"].items():
        print(f"  {name:<34} ${entry['usd']:<14g} {entry['source']}")
    print("Assumptions: " + json.dumps({k: v for k, v in prices["assumptions"].items() if k != "comment"}))
    return 0


def _as_json(
    assets: int,
    mix: dict[str, float],
    prices: dict[str, Any],
    aws: list[Any],
    vendors: list[Any],
    profiles: dict[str, Any],
) -> dict[str, Any]:
    return {
        "assetsPerMonth": assets,
        "mix": mix,
        "pricesAsOf": prices["asOf"],
        "region": prices["region"],
        "aws": [{"service": x.service, "what": x.what, "usd": round(x.usd, 4)} for x in aws],
        "vendors": [{"what": x.what, "usd": round(x.usd, 4)} for x in vendors],
        "awsTotalUsd": round(sum(x.usd for x in aws), 4),
        "vendorTotalUsd": round(sum(x.usd for x in vendors), 4),
        "perAsset": {
            m: {
                "transitions": p.transitions,
                "lambdaInvocations": p.lambda_invocations,
                "lambdaGbSeconds": round(p.lambda_gb_seconds, 4),
                "vendorModel": p.vendor_model,
                "vendorUsd": round(p.vendor_usd, 6),
            }
            for m, p in profiles.items()
        },
        "unitPrices": prices["prices"],
        "assumptions": prices["assumptions"],
        "pricesFile": str(Path("local/ffo/data") / "aws_prices.json"),
    }
