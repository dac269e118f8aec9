"""The content-credentials signing key in AWS KMS: a ``SigningKey`` whose private key never leaves KMS."""

from __future__ import annotations

import hashlib
from typing import Any

from flashfusion.provenance.signing import CertifiedKey, der_to_raw_ecdsa


class KmsSigningKey(CertifiedKey):
    """An ES256 key in AWS KMS (KeySpec ECC_NIST_P256, KeyUsage SIGN_VERIFY): the private key never leaves KMS.

    The certificate chain is issued out of band for the key's public key (``kms.get_public_key``).
    The digest is computed here and sent as ``MessageType="DIGEST"`` so the 4 KiB KMS message limit
    never applies, whatever c2pa asks us to sign.
    """

    def __init__(self, kms_client: Any, key_id: str, certificate_chain_pem: bytes | str) -> None:
        super().__init__(certificate_chain_pem)
        self._kms = kms_client
        self._key_id = key_id

    @property
    def key_id(self) -> str:
        return self._key_id

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
