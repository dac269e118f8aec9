"""The media types the orchestrator stores, and their file extensions: one table for every module."""

from __future__ import annotations

EXTENSIONS = {
    "text/plain": "txt",
    "text/markdown": "md",
    "image/png": "png",
    "image/jpeg": "jpg",
    "video/mp4": "mp4",
    "audio/wav": "wav",
}
"""Base media type -> extension of what the workflow makes and what a reviewer may upload."""
_BY_EXTENSION = {ext: mime for mime, ext in EXTENSIONS.items()} | {"jpeg": "image/jpeg"}


def base_type(mime_type: str) -> str:
    """``text/plain; charset=utf-8`` -> ``text/plain``."""
    return mime_type.split(";")[0].strip().lower()


def extension_for(mime_type: str, fallback: str = "bin") -> str:
    return EXTENSIONS.get(base_type(mime_type), fallback)


def mime_for_key(key: str) -> str:
    """The media type of a stored object by its extension (text is stored as UTF-8)."""
    mime = _BY_EXTENSION.get(key.rsplit(".", 1)[-1].lower(), "application/octet-stream")
    return f"{mime}; charset=utf-8" if mime.startswith("text/") else mime
