"""The certificate chain for the stack's KMS signing key, so content credentials can be signed in AWS.

A fresh stack creates the key (``ContentSigningKey``) but cannot create a certificate for it. This makes
an organisation CA (EC P-256, self-signed) and an end-entity certificate with the C2PA profile for the
key's public key (read with ``kms:GetPublicKey``: the private key never leaves KMS), and stores the chain
(leaf, then CA) as the stack's signing secret. The CA's private key is written to a local file, 0600,
for the operator to keep offline (it issues the next certificate when the leaf expires); it is never
printed or uploaded. To use a real CA instead, issue a certificate for the same public key with the
profile described in the README and store the chain PEM in the secret yourself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ffo.devcert import DevChain, create_ca, issue_leaf


@dataclass(frozen=True)
class IssuedChain:
    chain_pem: bytes
    """The leaf certificate, then the CA certificate: what the signing secret holds in kms mode."""
    ca: DevChain


def kms_public_key(kms: Any, key_id: str) -> ec.EllipticCurvePublicKey:
    answer = kms.get_public_key(KeyId=key_id)
    spec = answer.get("KeySpec") or answer.get("CustomerMasterKeySpec")  # the older name, still sent by some
    if spec != "ECC_NIST_P256" or answer.get("KeyUsage") != "SIGN_VERIFY":
        raise ValueError(
            f"KMS key {key_id} is {spec}/{answer.get('KeyUsage')}; "
            "content credentials need ECC_NIST_P256 / SIGN_VERIFY (es256)"
        )
    public = serialization.load_der_public_key(answer["PublicKey"])
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise ValueError(f"KMS key {key_id} has no EC public key")
    return public


def issue_chain_for_kms_key(kms: Any, key_id: str, organization: str) -> IssuedChain:
    public = kms_public_key(kms, key_id)
    ca = create_ca(f"{organization} Content Credentials CA", organization)
    leaf = issue_leaf(ca, public, subject_cn=f"{organization} content credentials signer", organization=organization)
    return IssuedChain(chain_pem=leaf + ca.certificate_pem, ca=ca)


def store_chain(secrets: Any, secret_name: str, chain_pem: bytes) -> str:
    """Create the secret, or add the chain as its new current version. Returns 'created' or 'updated'."""
    text = chain_pem.decode("ascii")
    try:
        secrets.put_secret_value(SecretId=secret_name, SecretString=text)
    except secrets.exceptions.ResourceNotFoundException:
        secrets.create_secret(Name=secret_name, SecretString=text)
        return "created"
    return "updated"


def write_ca(ca: DevChain, directory: Path) -> tuple[Path, Path]:
    """The CA certificate and its private key (0600) under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "signing-ca.pem", directory / "signing-ca-key.pem"
    cert_path.write_bytes(ca.certificate_pem)
    key_pem = ca.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_path.touch(mode=0o600, exist_ok=True)
    key_path.chmod(0o600)
    key_path.write_bytes(key_pem)
    return cert_path, key_path
