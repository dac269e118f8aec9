"""Fixtures every publisher test shares: a mocked network, a fixed clock, a tiny PNG."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
import respx

# Every reset header in the tests is computed against this instant.
NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
NOW_EPOCH = int(NOW.timestamp())


def fixed_clock() -> datetime:
    return NOW


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x1e\x90\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PNG = tiny_png()
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x01" * 40


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """Every HTTP call is answered by the routes a test mocks; anything else fails the test."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


class Sleeps:
    """An injectable sleep that records instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def multipart_parts(request: httpx.Request) -> dict[str, tuple[str | None, str | None, bytes]]:
    """name -> (filename, content type, bytes) of a multipart/form-data request body."""
    import email.parser
    import email.policy

    content_type = request.headers["content-type"]
    raw = b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.content
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    parts: dict[str, tuple[str | None, str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition")
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        ctype = part.get("content-type")
        parts[str(name)] = (str(filename) if filename else None, str(ctype) if ctype else None, payload)
    return parts
