"""Signing keys for C2PA Content Credentials: a PEM key (from Secrets Manager) or an AWS KMS key.

c2pa signs through a callback (``c2pa.Signer.from_callback``): it hands us the COSE ``Sig_structure``
bytes and expects the signature back in COSE form. For ECDSA, COSE (RFC 9053 §2.1) uses the raw
fixed-width ``r || s`` encoding (IEEE P1363, 64 bytes for P-256), not the ASN.1 DER ``SEQUENCE {r, s}``
that ``cryptography`` and KMS return, so every key here converts DER to ``r || s`` before returning.

Keys are passed in; this module reads no environment and creates no AWS clients (the KMS client is
injected), so the same code signs in Lambda, in the local engine (moto KMS) and in tests.
"""

from __future__ import annotations

import json
from typing import Any, Protocol, runtime_checkable

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

ES256 = "es256"
_P256_COORDINATE_BYTES = 32


class SigningKeyError(ValueError):
    """A signing key or its certificate chain is unusable (malformed secret, wrong curve, mismatch)."""


@runtime_checkable
class SigningKey(Protocol):
    """What the C2PA signer needs: an algorithm name, the chain it embeds, and a signing function."""

    @property
    def algorithm(self) -> str:
        """The c2pa algorithm name, e.g. ``"es256"``."""
        ...

    @property
    def certificate_chain_pem(self) -> bytes:
        """PEM certificates, leaf first, then intermediates (the root is optional and usually left out)."""
        ...

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` (SHA-256 is applied here) and return the COSE signature (raw ``r || s``)."""
        ...


def der_to_raw_ecdsa(der_signature: bytes, coordinate_bytes: int = _P256_COORDINATE_BYTES) -> bytes:
    """DER ``SEQUENCE {r, s}`` → fixed-width ``r || s`` (what COSE / c2pa expect for ES256)."""
    try:
        r, s = decode_dss_signature(der_signature)
    except ValueError as exc:
        raise SigningKeyError(f"ECDSA signature is not valid DER: {exc}") from exc
    return r.to_bytes(coordinate_bytes, "big") + s.to_bytes(coordinate_bytes, "big")


def raw_to_der_ecdsa(raw_signature: bytes) -> bytes:
    """Fixed-width ``r || s`` → DER, for verifying a COSE signature with ``cryptography``."""
    if len(raw_signature) % 2:
        raise SigningKeyError(f"raw ECDSA signature has odd length {len(raw_signature)}")
    half = len(raw_signature) // 2
    return encode_dss_signature(
        int.from_bytes(raw_signature[:half], "big"), int.from_bytes(raw_signature[half:], "big")
    )


def load_chain(chain_pem: bytes | str) -> list[x509.Certificate]:
    """Parse a PEM chain (leaf first); a clear error when it is empty or not PEM."""
    data = chain_pem.encode() if isinstance(chain_pem, str) else chain_pem
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise SigningKeyError(f"certificate chain is not valid PEM: {exc}") from exc
    if not certificates:
        raise SigningKeyError("certificate chain is empty: expected the leaf certificate first")
    return certificates


def require_p256(public_key: Any, what: str) -> ec.EllipticCurvePublicKey:
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or not isinstance(public_key.curve, ec.SECP256R1):
        raise SigningKeyError(f"{what} must be an EC P-256 key for es256, got {type(public_key).__name__}")
    return public_key


def verify_raw_signature(public_key: ec.EllipticCurvePublicKey, data: bytes, raw_signature: bytes) -> bool:
    """True when ``raw_signature`` (``r || s``) is a valid ES256 signature of ``data``."""
    try:
        public_key.verify(raw_to_der_ecdsa(raw_signature), data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, SigningKeyError):
        return False
    return True


class CertifiedKey:
    """What every ES256 signing key shares: its certificate chain (leaf first), loaded and checked once."""

    algorithm = ES256

    def __init__(self, certificate_chain_pem: bytes | str) -> None:
        self._chain = load_chain(certificate_chain_pem)
        self._leaf_public = require_p256(self._chain[0].public_key(), "the leaf certificate's public key")
        self._chain_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self._chain)

    @property
    def certificate_chain_pem(self) -> bytes:
        return self._chain_pem

    @property
    def certificate(self) -> x509.Certificate:
        return self._chain[0]


class PemSigningKey(CertifiedKey):
    """An ES256 key held as PEM (in production: a Secrets Manager JSON secret; locally: the dev CA)."""

    def __init__(self, private_key_pem: bytes | str, certificate_chain_pem: bytes | str) -> None:
        key_bytes = private_key_pem.encode() if isinstance(private_key_pem, str) else private_key_pem
        try:
            private_key = serialization.load_pem_private_key(key_bytes, password=None)
        except (ValueError, TypeError) as exc:
            # The message of cryptography's error never contains key material; ours names the field only.
            raise SigningKeyError("privateKeyPem is not an unencrypted PEM private key") from exc
        if not isinstance(private_key, ec.EllipticCurvePrivateKey) or not isinstance(private_key.curve, ec.SECP256R1):
            raise SigningKeyError("privateKeyPem must be an EC P-256 private key (es256)")
        super().__init__(certificate_chain_pem)
        if self._leaf_public.public_numbers() != private_key.public_key().public_numbers():
            raise SigningKeyError("the leaf certificate (first in certificateChainPem) is not for privateKeyPem")
        self._private_key = private_key

    @classmethod
    def from_secret(cls, secret_string: str) -> PemSigningKey:
        """Build from the Secrets Manager JSON ``{"privateKeyPem": ..., "certificateChainPem": ...}``."""
        try:
            secret = json.loads(secret_string)
        except (json.JSONDecodeError, TypeError) as exc:
            # Never echo the secret: the decoder's message quotes no input, and we add none.
            raise SigningKeyError(
                'signing secret is not JSON: expected {"privateKeyPem": ..., "certificateChainPem": ...}'
            ) from exc
        if not isinstance(secret, dict):
            raise SigningKeyError("signing secret must be a JSON object with privateKeyPem and certificateChainPem")
        missing = [f for f in ("privateKeyPem", "certificateChainPem") if not isinstance(secret.get(f), str)]
        if missing:
            raise SigningKeyError(f"signing secret is missing string field(s): {', '.join(missing)}")
        return cls(secret["privateKeyPem"], secret["certificateChainPem"])

    def sign(self, data: bytes) -> bytes:
        der = self._private_key.sign(data, ec.ECDSA(hashes.SHA256()))
        return der_to_raw_ecdsa(der)

    def __repr__(self) -> str:
        # Never show the key; the subject is enough to tell keys apart in logs.
        return f"PemSigningKey(subject={self._chain[0].subject.rfc4514_string()!r})"
