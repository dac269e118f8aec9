"""The content-credentials signing key in AWS KMS: a ``SigningKey`` whose private key never leaves KMS."""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from flashfusion.provenance.signing import ES256, der_to_raw_ecdsa, load_chain, require_p256


class KmsSigningKey:
    """An ES256 key in AWS KMS (KeySpec ECC_NIST_P256, KeyUsage SIGN_VERIFY): the private key never leaves KMS.

    The certificate chain is issued out of band for the key's public key (``kms.get_public_key``).
    The digest is computed here and sent as ``MessageType="DIGEST"`` so the 4 KiB KMS message limit
    never applies, whatever c2pa asks us to sign.
    """

    algorithm = ES256

    def __init__(self, kms_client: Any, key_id: str, certificate_chain_pem: bytes | str) -> None:
        chain = load_chain(certificate_chain_pem)
        require_p256(chain[0].public_key(), "the leaf certificate's public key")
        self._kms = kms_client
        self._key_id = key_id
        self._chain = chain
        self._chain_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def certificate_chain_pem(self) -> bytes:
        return self._chain_pem

    @property
    def certificate(self) -> x509.Certificate:
        return self._chain[0]

    def sign(self, data: bytes) -> bytes:
        digest = hashlib.sha256(data).digest()
        response = self._kms.sign(
            KeyId=self._key_id,
            Message=digest,
            MessageType="DIGEST",
            SigningAlgorithm="ECDSA_SHA_256",
        )
        return der_to_raw_ecdsa(response["Signature"])

    def __repr__(self) -> str:
        return f"KmsSigningKey(key_id={self._key_id!r})"
