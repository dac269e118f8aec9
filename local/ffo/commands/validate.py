"""`ffo validate`: check template.yaml and every state machine definition."""

from __future__ import annotations

import argparse
from pathlib import Path

from ffo.commands.common import Parents, Subparsers
from ffo.request_files import project_root


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check template.yaml and every state machine definition",
        description="Checks that template.yaml's references resolve, every function's handler exists, and "
        "each state machine definition is valid ASL (moto's parser) whose substitutions are all defined, "
        "whose transitions all lead to existing states, whose states are all reachable, and whose custom "
        "error names are flashfusion.errors classes. Exit code 1 on any problem.",
    )
    parser.add_argument("--template", help="template file (default ROOT/template.yaml)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ffo.validate import check_template

    root = project_root(args.root)
    problems = check_template(root, Path(args.template) if args.template else None)
    for problem in problems:
        print(f"error: {problem}")
    if problems:
        print(f"ffo validate: {len(problems)} problem(s)")
        return 1
    print("ffo validate: template.yaml and every state machine definition are consistent")
    return 0
