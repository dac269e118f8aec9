"""`ffo signing-cert`: a certificate chain for the stack's KMS signing key, stored as its signing secret."""

from __future__ import annotations

import argparse
from pathlib import Path

from ffo.commands.common import Parents, Subparsers


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "signing-cert",
        help="create the certificate chain for the stack's KMS signing key and store it as the signing secret",
        description="Reads the public key of the stack's KMS key (kms:GetPublicKey; the private key never leaves "
        "KMS), creates an organisation CA and a C2PA-profile certificate for the key, and stores the chain "
        "(leaf, then CA) as the signing secret (SigningSecretName). The CA's private key is written to --ca-dir "
        "(mode 0600): keep it offline. Uses your AWS credentials (AWS_PROFILE, AWS_REGION). Run it once after "
        "the first deploy with SigningMode=kms; until then every request fails at ValidateRequest saying so.",
    )
    parser.add_argument("--key-id", required=True, help="the KMS key id or ARN (stack resource ContentSigningKey)")
    parser.add_argument("--secret-name", required=True, help="the stack's SigningSecretName")
    parser.add_argument("--organization", required=True, help="your organisation's name, in both certificates")
    parser.add_argument("--ca-dir", default="signing-ca", help="where to write the CA certificate and key")
    parser.add_argument("--region", help="AWS region (default: from your AWS configuration)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import boto3

    from ffo.signing_setup import issue_chain_for_kms_key, store_chain, write_ca

    session = boto3.session.Session(region_name=args.region)
    try:
        issued = issue_chain_for_kms_key(session.client("kms"), args.key_id, args.organization)
    except ValueError as error:
        print(f"ffo signing-cert: {error}")
        return 2
    outcome = store_chain(session.client("secretsmanager"), args.secret_name, issued.chain_pem)
    cert_path, key_path = write_ca(issued.ca, Path(args.ca_dir))
    print(f"signing secret {args.secret_name} {outcome} with the chain for KMS key {args.key_id}")
    print(f"CA certificate (give it to readers as their trust anchor): {cert_path}")
    print(f"CA private key (keep it offline; it issues the next certificate): {key_path}")
    return 0
