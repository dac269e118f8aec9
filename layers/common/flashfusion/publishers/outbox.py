"""The embedded default publisher: each post becomes a JSON file (and its media file) under out/.

Layout: ``<outbox_dir>/<org or account>/<YYYY-MM-DD>/<post id>.json`` with the media beside it as
``<post id>.<ext>``; the owner directory is account.settings["orgId"] when set, else the account id.
The post id is derived from the idempotency key, and an existing file for that id (any date) is the
answer to a repeat, so retrying a publish never writes a second post. Files are written to a temporary
name in the same directory and moved into place with ``os.replace`` (atomic on one filesystem), the
media before the JSON, so a reader never sees a half-written post. The result URL is the file:// URI.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from flashfusion.errors import PublishUnavailable
from flashfusion.publishers.base import PublishContent, PublishResult
from flashfusion.publishers.http import Clock, utc_now
from flashfusion.scheduling.models import PlatformAccount

PLATFORM = "outbox"
DEFAULT_OUTBOX_DIR = Path("out") / "outbox"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def outbox_post_id(content: PublishContent, account: PlatformAccount) -> str:
    """Deterministic per idempotency key (or, without one, per account and content)."""
    if content.idempotency_key:
        seed = f"key:{content.idempotency_key}"
    else:
        media_hash = hashlib.sha256(content.media).hexdigest() if content.media is not None else ""
        seed = f"content:{account.account_id}:{content.text}:{media_hash}:{content.media_url or ''}"
    return "ob-" + hashlib.sha256(seed.encode()).hexdigest()[:32]


def _write_atomically(path: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _extension(content: PublishContent) -> str:
    if content.media_name and Path(content.media_name).suffix:
        return _UNSAFE.sub("", Path(content.media_name).suffix.lower()) or ".bin"
    guessed = mimetypes.guess_extension(content.media_mime_type or "") if content.media_mime_type else None
    return guessed or ".bin"


class OutboxPublisher:
    platform = PLATFORM

    def __init__(self, outbox_dir: Path | str | None = None, *, clock: Clock = utc_now) -> None:
        self._root = Path(outbox_dir) if outbox_dir else DEFAULT_OUTBOX_DIR
        self._clock = clock

    def publish(self, account: PlatformAccount, credentials: dict[str, str], content: PublishContent) -> PublishResult:
        owner = _UNSAFE.sub("_", account.settings.get("orgId") or account.account_id)
        post_id = outbox_post_id(content, account)
        try:
            existing = self._existing(owner, post_id)
            if existing is not None:
                return existing
            now = self._clock()
            directory = self._root / owner / now.date().isoformat()
            directory.mkdir(parents=True, exist_ok=True)
            media: dict[str, Any] | None = None
            if content.media is not None:
                media_path = directory / f"{post_id}{_extension(content)}"
                _write_atomically(media_path, content.media)
                media = {
                    "file": media_path.name,
                    "mimeType": content.media_mime_type,
                    "sha256": hashlib.sha256(content.media).hexdigest(),
                    "url": content.media_url,
                }
            elif content.media_url:
                media = {"file": None, "mimeType": content.media_mime_type, "sha256": None, "url": content.media_url}
            record = {
                "postId": post_id,
                "platform": account.platform,
                "accountId": account.account_id,
                "handle": account.handle,
                "text": content.text,
                "altText": content.alt_text,
                "media": media,
                "idempotencyKey": content.idempotency_key,
                "publishedAt": now.isoformat().replace("+00:00", "Z"),
            }
            path = directory / f"{post_id}.json"
            _write_atomically(path, json.dumps(record, indent=2, ensure_ascii=False).encode())
        except OSError as error:
            raise PublishUnavailable(f"outbox could not write the post: {error}", platform=PLATFORM) from error
        return PublishResult(platform_post_id=post_id, url=path.resolve().as_uri(), raw=record)

    def _existing(self, owner: str, post_id: str) -> PublishResult | None:
        for path in sorted((self._root / owner).glob(f"*/{post_id}.json")):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # unreadable: write a fresh one (same name, replaced atomically)
            return PublishResult(platform_post_id=post_id, url=path.resolve().as_uri(), raw=record)
        return None
