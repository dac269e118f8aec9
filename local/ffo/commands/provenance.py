"""`ffo provenance`: read a file's content credentials back and verify them."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ffo.commands.common import Parents, Subparsers, mime_of
from ffo.request_files import project_root


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "provenance",
        help="read a file's content credentials back and verify them",
        description="Reads the C2PA manifest embedded in an image, video or audio file (or the .c2pa sidecar next "
        "to a text file), verifies its signature and hard binding, and prints what it says: actions with the model "
        "as software agent and the digital source type, ingredients (parents of edits, regenerations and "
        "translations), the FlashFusion assertion and the XMP digital source type. Exit code: 0 valid, 1 absent "
        "or invalid, 2 unreadable.",
    )
    parser.add_argument("file")
    parser.add_argument("--sidecar", help="the manifest of a text file (default FILE with .c2pa)")
    parser.add_argument(
        "--trust-anchor", help="PEM of the CA to trust (default: the local development CA under out/.ffo-dev-ca/)"
    )
    parser.add_argument("--json", action="store_true", help="the full report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read a file's content credentials back and verify them."""
    from flashfusion.provenance.credentials import read_credentials

    path = Path(args.file)
    if not path.is_file():
        print(f"ffo provenance: {path} is not a file")
        return 2
    mime = mime_of(path)
    sidecar_path = Path(args.sidecar) if args.sidecar else path.with_suffix(".c2pa")
    sidecar = sidecar_path.read_bytes() if mime.startswith("text/") and sidecar_path.is_file() else None
    root = project_root(args.root)
    anchor_path = Path(args.trust_anchor) if args.trust_anchor else root / "out" / ".ffo-dev-ca" / "ca.pem"
    anchors = anchor_path.read_bytes() if anchor_path.is_file() else None
    try:
        report = read_credentials(path.read_bytes(), mime, sidecar=sidecar, trust_anchors_pem=anchors)
    except ValueError as error:
        print(f"ffo provenance: {path}: {error}")
        return 2
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
        return 0 if report.signature_valid else 1
    if not report.present:
        print(f"{path}: no content credentials" + (" (no sidecar found)" if mime.startswith("text/") else ""))
        return 1
    verdict = (
        "valid and trusted"
        if report.trusted
        else "valid, signer not trusted here"
        if report.signature_valid
        else "INVALID"
    )
    print(f"{path}: content credentials {verdict}")
    print(f"  manifest {report.active_manifest}, signed by {report.signer_subject} ({report.signer_issuer})")
    for action in report.actions:
        agent = f" by {action.software_agent}" if action.software_agent else ""
        source = f" [{action.digital_source_type.rsplit('/', 1)[-1]}]" if action.digital_source_type else ""
        print(f"  action {action.action}{agent}{source}")
    for ingredient in report.ingredients:
        print(f"  ingredient {ingredient.title} ({ingredient.relationship})")
    if report.xmp_digital_source_type:
        print(f"  XMP digital source type: {report.xmp_digital_source_type}")
    for name, value in (report.assertion or {}).items():
        print(f"  {name}: {value}")
    for issue in report.errors:
        print(f"  problem {issue.code}: {issue.explanation or ''}")
    if anchors is None:
        print("  (no trust anchor: pass --trust-anchor, or run the local engine once to create the dev CA)")
    return 0 if report.signature_valid else 1
