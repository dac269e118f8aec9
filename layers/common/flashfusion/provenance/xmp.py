"""IPTC digital source type in XMP, embedded into PNG, JPEG, MP4 and WAV without re-encoding the media.

C2PA Content Credentials are the primary marking; XMP is for the many readers (stock sites, DAMs,
social platforms' upload pipelines, exiftool) that know the IPTC ``DigitalSourceType`` property but no
C2PA. Each container gets the packet where the XMP specification (part 3) puts it:

- PNG: an ``iTXt`` chunk with keyword ``XML:com.adobe.xmp``, uncompressed, before the first ``IDAT``;
- JPEG: an ``APP1`` segment starting ``http://ns.adobe.com/xap/1.0/\\0``, after SOI and any JFIF/Exif;
- MP4: a top-level ``uuid`` box BE7ACFCB-97A9-42E8-9C71-999491E3AFAC, appended at the end of the file
  so that no ``stco``/``co64`` chunk offset moves;
- WAV: a RIFF ``_PMX`` chunk appended (RIFF size updated, padded to an even length).

An existing packet is replaced, never duplicated. Embed XMP *before* signing with C2PA: the C2PA hard
binding hashes these bytes, so adding XMP afterwards would invalidate the signature.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator, Mapping
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA = (
    "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
)
HUMAN_EDITS = "http://cv.iptc.org/newscodes/digitalsourcetype/humanEdits"

NS_X = "adobe:ns:meta/"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_XMP = "http://ns.adobe.com/xap/1.0/"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
NS_FFO = "https://flashfusion.dev/ns/provenance/1.0/"
NS_XML = "http://www.w3.org/XML/1998/namespace"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_XMP_KEYWORD = b"XML:com.adobe.xmp"
JPEG_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
JPEG_EXTENDED_XMP_HEADER = b"http://ns.adobe.com/xmp/extension/\x00"
JPEG_MAX_SEGMENT_PAYLOAD = 0xFFFF - 2
MP4_XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
WAV_XMP_CHUNK = b"_PMX"

PNG_MIME = "image/png"
JPEG_MIME = "image/jpeg"
MP4_MIME = "video/mp4"
WAV_MIME = "audio/wav"
# Aliases browsers, S3 and c2pa use for the same containers.
_CONTAINERS: dict[str, str] = {
    "image/png": PNG_MIME,
    "image/jpeg": JPEG_MIME,
    "image/jpg": JPEG_MIME,
    "video/mp4": MP4_MIME,
    "audio/mp4": MP4_MIME,
    "application/mp4": MP4_MIME,
    "video/quicktime": MP4_MIME,
    "audio/wav": WAV_MIME,
    "audio/wave": WAV_MIME,
    "audio/x-wav": WAV_MIME,
    "audio/vnd.wave": WAV_MIME,
}
_PROPERTY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_FORBIDDEN_MARKUP = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class XmpError(ValueError):
    """The media or the packet cannot carry / yield XMP (unknown type, malformed container, bad XML)."""


def container_for(mime_type: str) -> str:
    """The canonical container MIME type for ``mime_type``; XmpError (a ValueError) when unsupported."""
    canonical = _CONTAINERS.get(mime_type.split(";")[0].strip().lower())
    if canonical is None:
        supported = ", ".join(sorted(_CONTAINERS))
        raise XmpError(f"cannot embed XMP in {mime_type!r}: supported media types are {supported}")
    return canonical


# --- the packet ----------------------------------------------------------------------------------


def _lang_alt(tag: str, text: str) -> str:
    return f'<{tag}><rdf:Alt><rdf:li xml:lang="x-default">{escape(text)}</rdf:li></rdf:Alt></{tag}>'


def build_xmp(
    digital_source_type: str,
    *,
    creator_tool: str | None = None,
    title: str | None = None,
    description: str | None = None,
    properties: Mapping[str, str | int | bool] | None = None,
) -> bytes:
    """A minimal XMP packet (UTF-8) with the IPTC digital source type and FlashFusion's ``ffo:`` fields.

    ``properties`` become simple ``ffo:<name>`` elements (requestId, assetId, version, promptSha256...)
    in the namespace ``https://flashfusion.dev/ns/provenance/1.0/``. The output is deterministic (no
    timestamps or random ids), so the same asset version always gets the same bytes.
    """
    if not digital_source_type.strip():
        raise XmpError("digital_source_type must be a non-empty IPTC URI")
    body = [f"<Iptc4xmpExt:DigitalSourceType>{escape(digital_source_type)}</Iptc4xmpExt:DigitalSourceType>"]
    if creator_tool:
        body.append(f"<xmp:CreatorTool>{escape(creator_tool)}</xmp:CreatorTool>")
    if title:
        body.append(_lang_alt("dc:title", title))
    if description:
        body.append(_lang_alt("dc:description", description))
    for name, value in (properties or {}).items():
        if not _PROPERTY_NAME.match(name):
            raise XmpError(f"XMP property name {name!r} is not a valid XML name")
        text = str(value).lower() if isinstance(value, bool) else str(value)
        body.append(f"<ffo:{name}>{escape(text)}</ffo:{name}>")
    fields = "".join(f"\n   {line}" for line in body)
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        f'<x:xmpmeta xmlns:x="{NS_X}">\n'
        f' <rdf:RDF xmlns:rdf="{NS_RDF}">\n'
        f'  <rdf:Description rdf:about="" xmlns:xmp="{NS_XMP}" xmlns:dc="{NS_DC}"'
        f' xmlns:Iptc4xmpExt="{NS_IPTC_EXT}" xmlns:ffo="{NS_FFO}">'
        f"{fields}\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


def _parse(packet: bytes) -> ET.Element:
    # xml.etree does not fetch external entities, but it does expand internal ones (billion laughs):
    # an XMP packet has no business declaring a DTD, so refuse one outright rather than use defusedxml.
    if _FORBIDDEN_MARKUP.search(packet):
        raise XmpError("XMP packet declares a DOCTYPE or ENTITY: refused")
    try:
        return ET.fromstring(packet)  # noqa: S314 - DTDs and entities are refused just above
    except ET.ParseError as exc:
        raise XmpError(f"XMP packet is not well-formed XML: {exc}") from exc


def _descriptions(root: ET.Element) -> Iterator[ET.Element]:
    yield from root.iter(f"{{{NS_RDF}}}Description")


def _property(root: ET.Element, namespace: str, name: str) -> str | None:
    qualified = f"{{{namespace}}}{name}"
    for description in _descriptions(root):
        # XMP allows a simple property as an attribute of rdf:Description (the compact form) ...
        if qualified in description.attrib:
            return description.attrib[qualified].strip()
        # ... or as an element, whose value is its text or, for a URI, an rdf:resource attribute.
        element = description.find(qualified)
        if element is not None:
            resource = element.get(f"{{{NS_RDF}}}resource")
            if resource is not None:
                return resource.strip()
            return (element.text or "").strip()
    return None


def digital_source_type(packet: bytes) -> str | None:
    """The ``Iptc4xmpExt:DigitalSourceType`` URI of an XMP packet, or None when it has none."""
    return _property(_parse(packet), NS_IPTC_EXT, "DigitalSourceType") or None


def creator_tool(packet: bytes) -> str | None:
    """The ``xmp:CreatorTool`` of an XMP packet (the model, for FlashFusion assets)."""
    return _property(_parse(packet), NS_XMP, "CreatorTool") or None


def ffo_properties(packet: bytes) -> dict[str, str]:
    """Every ``ffo:`` property of an XMP packet, by local name."""
    root = _parse(packet)
    found: dict[str, str] = {}
    prefix = f"{{{NS_FFO}}}"
    for description in _descriptions(root):
        for key, value in description.attrib.items():
            if key.startswith(prefix):
                found[key[len(prefix) :]] = value
        for element in description:
            if element.tag.startswith(prefix):
                found[element.tag[len(prefix) :]] = (element.text or "").strip()
    return found


# --- PNG -----------------------------------------------------------------------------------------


def _png_chunks(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    """(start, end, type) of every chunk; XmpError when the stream is not a well-formed PNG."""
    if not data.startswith(PNG_SIGNATURE):
        raise XmpError("not a PNG file: missing the PNG signature")
    offset = len(PNG_SIGNATURE)
    while offset < len(data):
        if offset + 8 > len(data):
            raise XmpError(f"PNG is truncated: incomplete chunk header at byte {offset}")
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(data):
            raise XmpError(f"PNG is truncated: chunk {kind!r} at byte {offset} runs past the end")
        yield offset, end, kind
        offset = end
        if kind == b"IEND":
            return
    raise XmpError("PNG has no IEND chunk")


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png_is_xmp(data: bytes, start: int, kind: bytes) -> bool:
    return kind == b"iTXt" and data[start + 8 :].startswith(PNG_XMP_KEYWORD + b"\x00")


def _png_embed(data: bytes, packet: bytes) -> bytes:
    # iTXt: keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL.
    chunk = _png_chunk(b"iTXt", PNG_XMP_KEYWORD + b"\x00\x00\x00\x00\x00" + packet)
    out = bytearray(data[: len(PNG_SIGNATURE)])
    inserted = False
    for start, end, kind in _png_chunks(data):
        if _png_is_xmp(data, start, kind):
            continue
        if not inserted and kind in (b"IDAT", b"IEND"):
            out += chunk
            inserted = True
        out += data[start:end]
    return bytes(out)


def _png_read(data: bytes) -> bytes | None:
    for start, end, kind in _png_chunks(data):
        if not _png_is_xmp(data, start, kind):
            continue
        payload = data[start + 8 : end - 4]
        rest = payload[len(PNG_XMP_KEYWORD) + 1 :]
        if len(rest) < 2:
            raise XmpError("PNG XMP iTXt chunk is truncated")
        compressed, text = rest[0], rest[2:]
        # Skip the language tag and the translated keyword (two NUL-terminated strings).
        for _ in range(2):
            nul = text.find(b"\x00")
            if nul < 0:
                raise XmpError("PNG XMP iTXt chunk is malformed: missing NUL separator")
            text = text[nul + 1 :]
        return zlib.decompress(text) if compressed else text
    return None


# --- JPEG ----------------------------------------------------------------------------------------

_JPEG_STANDALONE = {0x01, 0xD8, *range(0xD0, 0xD8)}  # TEM, SOI, RST0-7: markers without a length


def _jpeg_segments(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(start, end, marker) of each marker segment up to SOS; the entropy-coded rest is not parsed."""
    if not data.startswith(b"\xff\xd8"):
        raise XmpError("not a JPEG file: missing the SOI marker")
    offset = 2
    while offset < len(data):
        if data[offset] != 0xFF:
            raise XmpError(f"JPEG is malformed: expected a marker at byte {offset}")
        marker_at = offset
        while offset < len(data) and data[offset] == 0xFF:  # fill bytes
            offset += 1
        if offset >= len(data):
            break
        marker = data[offset]
        offset += 1
        if marker in _JPEG_STANDALONE:
            yield marker_at, offset, marker
            continue
        if marker == 0xD9:  # EOI before any scan
            yield marker_at, offset, marker
            return
        if offset + 2 > len(data):
            raise XmpError("JPEG is truncated inside a segment header")
        (length,) = struct.unpack(">H", data[offset : offset + 2])
        end = offset + length
        if length < 2 or end > len(data):
            raise XmpError(f"JPEG segment 0xFF{marker:02X} at byte {marker_at} has a bad length")
        yield marker_at, end, marker
        if marker == 0xDA:  # SOS: what follows is image data
            return
        offset = end
    raise XmpError("JPEG has no image data (no SOS marker)")


def _jpeg_payload(data: bytes, start: int, end: int) -> bytes:
    return data[start + 4 : end]


def _jpeg_embed(data: bytes, packet: bytes) -> bytes:
    payload = JPEG_XMP_HEADER + packet
    if len(payload) > JPEG_MAX_SEGMENT_PAYLOAD:
        raise XmpError(
            f"XMP packet of {len(packet)} bytes does not fit one JPEG APP1 segment "
            f"(max {JPEG_MAX_SEGMENT_PAYLOAD - len(JPEG_XMP_HEADER)}); extended XMP is not supported"
        )
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    segments = list(_jpeg_segments(data))
    out = bytearray(b"\xff\xd8")
    inserted = False
    tail_start = 2
    for start, end, marker in segments:
        tail_start = end
        if marker == 0xD8:
            continue
        body = _jpeg_payload(data, start, end)
        if marker == 0xE1 and (body.startswith(JPEG_XMP_HEADER) or body.startswith(JPEG_EXTENDED_XMP_HEADER)):
            continue  # replaced: the old main packet and any extended-XMP parts that belonged to it
        leading = marker == 0xE0 or (marker == 0xE1 and body.startswith(b"Exif\x00"))
        if not inserted and not leading:
            out += segment
            inserted = True
        out += data[start:end]
    if not inserted:
        out += segment
    out += data[tail_start:]
    return bytes(out)


def _jpeg_read(data: bytes) -> bytes | None:
    for start, end, marker in _jpeg_segments(data):
        body = _jpeg_payload(data, start, end)
        if marker == 0xE1 and body.startswith(JPEG_XMP_HEADER):
            return body[len(JPEG_XMP_HEADER) :]
    return None


# --- MP4 (ISO BMFF) ------------------------------------------------------------------------------


def _bmff_boxes(data: bytes) -> Iterator[tuple[int, int, int, bytes]]:
    """(start, header_size, end, type) of each top-level box; a size-0 box runs to the end of the file."""
    if data[4:8] not in (b"ftyp", b"styp"):
        raise XmpError("not an MP4 file: the first box is not ftyp")
    offset = 0
    while offset < len(data):
        if offset + 8 > len(data):
            raise XmpError(f"MP4 is truncated: incomplete box header at byte {offset}")
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        header = 8
        if size == 1:
            if offset + 16 > len(data):
                raise XmpError(f"MP4 is truncated: incomplete 64-bit box size at byte {offset}")
            (size,) = struct.unpack(">Q", data[offset + 8 : offset + 16])
            header = 16
        elif size == 0:
            size = len(data) - offset
        if size < header or offset + size > len(data):
            raise XmpError(f"MP4 box {kind!r} at byte {offset} has a bad size")
        yield offset, header, offset + size, kind
        offset += size


def _bmff_is_xmp(data: bytes, start: int, header: int, kind: bytes) -> bool:
    return kind == b"uuid" and data[start + header : start + header + 16] == MP4_XMP_UUID


def _mp4_embed(data: bytes, packet: bytes) -> bytes:
    boxes = list(_bmff_boxes(data))
    out = bytearray(data)
    for start, header, end, kind in boxes:
        if _bmff_is_xmp(data, start, header, kind):
            # Turning the old box into `free` of the same size keeps every later byte, and so every
            # chunk offset, where it was; the new packet goes to the end like a first one.
            out[start + header - 4 : start + header] = b"free"
            out[start + header : end] = bytes(end - start - header)
    last_start, _header, last_end, last_kind = boxes[-1]
    if struct.unpack(">I", data[last_start : last_start + 4])[0] == 0:
        # A last box sized "to the end of the file" would swallow the appended box: give it its size.
        if last_end - last_start > 0xFFFFFFFF:
            raise XmpError(f"MP4 last box {last_kind!r} is sized to end of file and too large to fix in place")
        out[last_start : last_start + 4] = struct.pack(">I", last_end - last_start)
    payload = MP4_XMP_UUID + packet
    out += struct.pack(">I4s", 8 + len(payload), b"uuid") + payload
    return bytes(out)


def _mp4_read(data: bytes) -> bytes | None:
    for start, header, end, kind in _bmff_boxes(data):
        if _bmff_is_xmp(data, start, header, kind):
            return data[start + header + 16 : end]
    return None


# --- WAV (RIFF) ----------------------------------------------------------------------------------


def _riff_chunks(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    """(start, end incl. pad byte, id) of each chunk of a RIFF/WAVE file."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise XmpError("not a WAV file: missing the RIFF/WAVE header")
    offset = 12
    while offset + 8 <= len(data):
        kind, size = struct.unpack("<4sI", data[offset : offset + 8])
        end = offset + 8 + size
        if end > len(data):
            raise XmpError(f"WAV chunk {kind!r} at byte {offset} runs past the end of the file")
        end += size & 1
        yield offset, min(end, len(data)), kind
        offset = end


def _wav_embed(data: bytes, packet: bytes) -> bytes:
    out = bytearray(data[:12])
    for start, end, kind in _riff_chunks(data):
        if kind != WAV_XMP_CHUNK:  # WAV has no absolute offsets, so a chunk can simply be dropped
            out += data[start:end]
            if (end - start) & 1:  # a writer that left out the pad byte
                out += b"\x00"
    out += struct.pack("<4sI", WAV_XMP_CHUNK, len(packet)) + packet
    if len(packet) & 1:
        out += b"\x00"
    if len(out) - 8 > 0xFFFFFFFF:
        raise XmpError("WAV with XMP would exceed the 4 GiB RIFF limit")
    out[4:8] = struct.pack("<I", len(out) - 8)
    return bytes(out)


def _wav_read(data: bytes) -> bytes | None:
    for start, _end, kind in _riff_chunks(data):
        if kind == WAV_XMP_CHUNK:
            (size,) = struct.unpack("<I", data[start + 4 : start + 8])
            return data[start + 8 : start + 8 + size]
    return None


# --- public entry points -------------------------------------------------------------------------


def embed_xmp(data: bytes, mime_type: str, packet: bytes) -> bytes:
    """``data`` with ``packet`` embedded (replacing any XMP already there); the media is not re-encoded."""
    _parse(packet)  # never write a packet a reader would choke on
    container = container_for(mime_type)
    if container == PNG_MIME:
        return _png_embed(data, packet)
    if container == JPEG_MIME:
        return _jpeg_embed(data, packet)
    if container == MP4_MIME:
        return _mp4_embed(data, packet)
    return _wav_embed(data, packet)


def read_xmp(data: bytes, mime_type: str) -> bytes | None:
    """The XMP packet embedded in ``data``, or None when there is none."""
    container = container_for(mime_type)
    if container == PNG_MIME:
        return _png_read(data)
    if container == JPEG_MIME:
        return _jpeg_read(data)
    if container == MP4_MIME:
        return _mp4_read(data)
    return _wav_read(data)
