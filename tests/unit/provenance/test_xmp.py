from __future__ import annotations

import struct

import pytest

from flashfusion.provenance import xmp
from tests.unit.provenance import decode_image, decode_mp4_frames, decode_wav, make_jpeg, make_mp4, make_png, make_wav

AI = xmp.TRAINED_ALGORITHMIC_MEDIA
COMPOSITE = xmp.COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA


def packet(source_type: str = AI, **properties: str | int) -> bytes:
    return xmp.build_xmp(
        source_type,
        creator_tool="ffo-image-standard",
        title="Spring <launch> & more",
        description="LinkedIn visual",
        properties={"requestId": "req-1", "assetId": "ast-1", "version": 2, "promptSha256": "ab" * 32, **properties},
    )


def test_packet_carries_the_fields_and_parses() -> None:
    data = packet()
    assert data.startswith(b"<?xpacket begin=")
    assert data.endswith(b'<?xpacket end="w"?>')
    assert xmp.digital_source_type(data) == AI
    assert xmp.creator_tool(data) == "ffo-image-standard"
    assert xmp.ffo_properties(data) == {
        "requestId": "req-1",
        "assetId": "ast-1",
        "version": "2",
        "promptSha256": "ab" * 32,
    }
    assert b"Spring &lt;launch&gt; &amp; more" in data
    assert packet() == data  # deterministic: no timestamps, no random ids


def test_packet_reads_compact_and_resource_forms() -> None:
    compact = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
        b' Iptc4xmpExt:DigitalSourceType="' + COMPOSITE.encode() + b'"/></rdf:RDF></x:xmpmeta>'
    )
    assert xmp.digital_source_type(compact) == COMPOSITE
    resource = compact.replace(
        b' Iptc4xmpExt:DigitalSourceType="' + COMPOSITE.encode() + b'"/>',
        b'><Iptc4xmpExt:DigitalSourceType rdf:resource="' + AI.encode() + b'"/></rdf:Description>',
    )
    assert xmp.digital_source_type(resource) == AI
    assert xmp.digital_source_type(compact.replace(b"DigitalSourceType", b"Other")) is None


def test_doctype_and_entities_are_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x:xmpmeta xmlns:x="adobe:ns:meta/">&a;</x:xmpmeta>'
    with pytest.raises(xmp.XmpError, match="DOCTYPE or ENTITY"):
        xmp.digital_source_type(bomb)
    with pytest.raises(xmp.XmpError, match="not well-formed"):
        xmp.digital_source_type(b"<x:xmpmeta")


def test_bad_property_name_is_refused() -> None:
    with pytest.raises(xmp.XmpError, match="not a valid XML name"):
        xmp.build_xmp(AI, properties={"bad name": "x"})


def test_png_round_trip_before_idat_and_replace() -> None:
    original = make_png()
    marked = xmp.embed_xmp(original, "image/png", packet())
    assert xmp.read_xmp(marked, "image/png") == packet()
    assert marked.index(b"iTXt") < marked.index(b"IDAT")
    image = decode_image(marked)
    assert image.size == (64, 48)
    assert image.tobytes() == decode_image(original).tobytes()
    assert image.info.get("XML:com.adobe.xmp")  # Pillow sees the packet where readers expect it

    again = xmp.embed_xmp(marked, "image/png", packet(COMPOSITE))
    assert again.count(b"XML:com.adobe.xmp") == 1
    assert xmp.digital_source_type(xmp.read_xmp(again, "image/png") or b"") == COMPOSITE
    assert decode_image(again).tobytes() == image.tobytes()


def test_jpeg_round_trip_after_jfif_and_replace() -> None:
    original = make_jpeg()
    assert original[2:4] == b"\xff\xe0"  # JFIF APP0 first
    marked = xmp.embed_xmp(original, "image/jpeg", packet())
    assert xmp.read_xmp(marked, "image/jpeg") == packet()
    app0_length = struct.unpack(">H", original[4:6])[0]
    assert marked[4 + app0_length : 4 + app0_length + 2] == b"\xff\xe1"  # APP1 right after SOI + APP0
    assert decode_image(marked).tobytes() == decode_image(original).tobytes()

    again = xmp.embed_xmp(marked, "image/jpeg", packet(COMPOSITE))
    assert again.count(xmp.JPEG_XMP_HEADER) == 1
    assert xmp.digital_source_type(xmp.read_xmp(again, "image/jpeg") or b"") == COMPOSITE
    assert len(again) == len(marked) + len(COMPOSITE) - len(AI)


def test_jpeg_too_large_packet_is_refused() -> None:
    with pytest.raises(xmp.XmpError, match="does not fit one JPEG APP1 segment"):
        xmp.embed_xmp(make_jpeg(), "image/jpeg", packet(description="x" * 70_000))


def test_mp4_round_trip_appended_and_replace() -> None:
    original = make_mp4()
    marked = xmp.embed_xmp(original, "video/mp4", packet())
    assert marked[: len(original)] == original  # appended: no byte (no stco chunk offset) moved
    assert marked[len(original) + 4 : len(original) + 8] == b"uuid"
    assert marked[len(original) + 8 : len(original) + 24] == xmp.MP4_XMP_UUID
    assert xmp.read_xmp(marked, "video/mp4") == packet()
    assert decode_mp4_frames(marked) == 6

    again = xmp.embed_xmp(marked, "video/mp4", packet(COMPOSITE))
    assert xmp.digital_source_type(xmp.read_xmp(again, "video/mp4") or b"") == COMPOSITE
    assert again[: len(original)] == original
    assert again[len(original) + 4 : len(original) + 8] == b"free"  # the old box kept its place and size
    assert decode_mp4_frames(again) == 6


def test_mp4_last_box_sized_to_end_of_file_gets_its_size() -> None:
    original = make_mp4()
    boxes = list(xmp._bmff_boxes(original))
    last_start = boxes[-1][0]
    open_ended = original[:last_start] + b"\x00\x00\x00\x00" + original[last_start + 4 :]
    marked = xmp.embed_xmp(open_ended, "video/mp4", packet())
    assert marked[: len(original)] == original
    assert xmp.read_xmp(marked, "video/mp4") == packet()


def test_wav_round_trip_padded_and_replace() -> None:
    original = make_wav()
    odd = packet(requestId="req-odd") if len(packet(requestId="req-odd")) % 2 else packet(requestId="req-odd1")
    assert len(odd) % 2 == 1
    marked = xmp.embed_xmp(original, "audio/wav", odd)
    assert len(marked) % 2 == 0  # word-aligned
    assert struct.unpack("<I", marked[4:8])[0] == len(marked) - 8
    assert xmp.read_xmp(marked, "audio/wav") == odd
    assert decode_wav(marked) == decode_wav(original)

    again = xmp.embed_xmp(marked, "audio/vnd.wave", packet(COMPOSITE))
    assert again.count(b"_PMX") == 1
    assert xmp.digital_source_type(xmp.read_xmp(again, "audio/wav") or b"") == COMPOSITE
    assert decode_wav(again) == decode_wav(original)


def test_no_xmp_reads_none() -> None:
    assert xmp.read_xmp(make_png(), "image/png") is None
    assert xmp.read_xmp(make_jpeg(), "image/jpeg") is None
    assert xmp.read_xmp(make_mp4(), "video/mp4") is None
    assert xmp.read_xmp(make_wav(), "audio/wav") is None


def test_unknown_mime_and_wrong_container_are_clear_errors() -> None:
    with pytest.raises(ValueError, match=r"cannot embed XMP in 'text/plain'"):
        xmp.embed_xmp(b"hello", "text/plain", packet())
    with pytest.raises(ValueError, match="not a PNG file"):
        xmp.embed_xmp(make_jpeg(), "image/png", packet())
    with pytest.raises(ValueError, match="not a JPEG file"):
        xmp.read_xmp(make_png(), "image/jpeg")
    with pytest.raises(ValueError, match="not a WAV file"):
        xmp.read_xmp(make_png(), "audio/wav")
    with pytest.raises(ValueError, match="not an MP4 file"):
        xmp.embed_xmp(make_wav(), "video/mp4", packet())
