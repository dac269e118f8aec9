"""`ffo token`: a JWT from the local issuer, accepted by `ffo serve` as API Gateway accepts the real issuer's."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ffo.commands.common import Parents, Subparsers
from ffo.request_files import project_root


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "token",
        help="print a JWT for `ffo serve` (local issuer)",
        description="Prints a token signed by the local issuer (an RS256 key created once under "
        "out/.ffo-issuer, readable only by you), with the claims the deployed API reads: the organisation "
        "(template parameter OrgIdClaim, default org_id), the user (sub) and the groups (GroupsClaim, default "
        "cognito:groups), audience JwtAudience. Use it as `Authorization: Bearer <token>`.",
    )
    parser.add_argument("--org", required=True, help="organisation id")
    parser.add_argument("--sub", required=True, help="user id (the token's subject)")
    parser.add_argument("--groups", default="", help="comma-separated groups, e.g. reviewers,admins")
    parser.add_argument("--ttl", type=int, default=3600, help="seconds the token is valid (default 3600)")
    parser.add_argument("--issuer-dir", help="where the issuer key lives (default out/.ffo-issuer)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ffo.cfn import load_template
    from ffo.local_issuer import AuthorizerConfig, LocalIssuer, default_directory

    root = project_root(args.root)
    issuer = LocalIssuer(Path(args.issuer_dir) if args.issuer_dir else default_directory(root))
    config = AuthorizerConfig.from_template(load_template(root / "template.yaml"))
    groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    token = issuer.mint(config, org_id=args.org, subject=args.sub, groups=groups, ttl_seconds=args.ttl)
    sys.stdout.write(token + "\n")
    return 0
