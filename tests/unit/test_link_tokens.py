"""Shared review link tokens: what is signed verifies, anything else (another key, one changed character, a
MAC of the same payload for another purpose, an overlong or malformed token) does not."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from flashfusion.app import link_tokens
from flashfusion.app.link_tokens import BadLinkToken, LinkClaims, sign, verify

KEY = b"0123456789abcdef" * 4
CLAIMS = LinkClaims("acme", "req-1-v1", "0190abcd12345678", datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))


def test_a_signed_token_verifies_to_its_claims() -> None:
    token = sign(KEY, CLAIMS)
    assert verify(KEY, token) == CLAIMS
    assert token.isascii()
    assert "=" not in token  # URL-safe, unpadded: it sits in a path and in a URL fragment


def test_every_changed_character_is_refused() -> None:
    token = sign(KEY, CLAIMS)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for index, char in enumerate(token):
        if char == ".":
            continue
        other = alphabet[(alphabet.index(char) + 1) % len(alphabet)]
        changed = token[:index] + other + token[index + 1 :]
        if changed == token:
            continue
        with pytest.raises(BadLinkToken):  # the MAC covers the payload's text; the signature has one spelling
            verify(KEY, changed)


def test_other_keys_other_purposes_and_garbage_are_refused() -> None:
    token = sign(KEY, CLAIMS)
    payload = token.split(".")[0]
    bare_mac = hmac.new(KEY, payload.encode(), hashlib.sha256).digest()  # no context: made for something else
    unrelated = f"{payload}.{base64.urlsafe_b64encode(bare_mac).decode().rstrip('=')}"
    for bad in (unrelated, "", ".", "a.b.c", payload, "é.é", "x" * (link_tokens.MAX_TOKEN_CHARS + 1)):
        with pytest.raises(BadLinkToken):
            verify(KEY, bad)
    with pytest.raises(BadLinkToken):
        verify(b"another key that is long enough!", token)
    with pytest.raises(ValueError, match="32 bytes"):
        sign(b"short", CLAIMS)
