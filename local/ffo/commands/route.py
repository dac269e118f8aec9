"""`ffo route`: which model a request would be routed to, and why, without running it."""

from __future__ import annotations

import argparse
from pathlib import Path

from ffo.commands.common import Parents, Subparsers
from ffo.request_files import project_root, read_request_file


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "route",
        parents=[parents.request_file],
        help="show which model a request would be routed to, and why",
        description="Prints the routing decision for a request file without running it: the chosen model, "
        "its estimated cost, the remaining budget, the fallback chain, and why each other model was passed over.",
    )
    parser.add_argument(
        "--budget",
        type=float,
        help="remaining monthly budget in USD (default: the request file's "
        "caller.monthlyBudgetUsd, else the template's DefaultMonthlyBudgetUsd)",
    )
    parser.add_argument(
        "--providers", help="comma-separated enabled providers (default: the template's EnabledProviders)"
    )
    parser.add_argument("--matrix", help="a model matrix file (default: the packaged one)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from ffo.cfn import load_template
    from flashfusion.errors import BudgetExceeded, NoModelAvailable
    from flashfusion.models import AssetSubmission
    from flashfusion.providers.registry import available_providers
    from flashfusion.routing import router
    from flashfusion.routing.matrix import load_matrix_file

    root = project_root(args.root)
    _, body, caller = read_request_file(Path(args.event))
    try:
        submission = AssetSubmission.model_validate(body)
    except ValidationError as error:
        print(f"ffo route: the request is invalid:\n{error}")
        return 2
    params = load_template(root / "template.yaml").get("Parameters", {})
    enabled = args.providers or str(params.get("EnabledProviders", {}).get("Default", "local"))
    providers = available_providers(frozenset(p.strip() for p in enabled.split(",") if p.strip()))
    budget = args.budget if args.budget is not None else caller.get("monthlyBudgetUsd")
    if budget is None:
        budget = float(params.get("DefaultMonthlyBudgetUsd", {}).get("Default", 100))
    matrix = load_matrix_file(args.matrix)
    query = router.query_for(submission, providers, float(budget))
    print(
        f"request: {submission.content_type.value}, tier {submission.tier.value}, {submission.latency.value}, "
        f"prompt {len(submission.prompt)} chars"
    )
    print(f"providers enabled: {', '.join(sorted(providers)) or 'none'}; matrix {matrix.version}")
    print(f"remaining budget: ${float(budget):.4f}")
    try:
        decision = router.route(matrix, query)
    except (BudgetExceeded, NoModelAvailable) as error:
        print(f"no route: {type(error).__name__}: {error}")
        return 1
    print(f"chosen: {decision.model}  estimated ${decision.estimated_cost_usd:.4f}")
    for reason in decision.reasons:
        print(f"  why: {reason}")
    print("fallback chain:" if decision.chain else "fallback chain: (none)")
    for number, model_id in enumerate(decision.chain, 1):
        spec = matrix.get(model_id)
        print(
            f"  {number}. {model_id} ({spec.tier.value}, {spec.latency_class})  "
            f"estimated ${router.estimate(spec, query):.4f}"
        )
    print("passed over:" if decision.passed_over else "passed over: (none)")
    for passed in decision.passed_over:
        print(f"  {passed.model}: {passed.reason}")
    return 0
