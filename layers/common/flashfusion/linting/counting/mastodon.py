"""Mastodon's length of a post (500 by default; an instance may raise it).

Reference: mastodon/mastodon, ``app/validators/status_length_validator.rb`` (``countable_text``) with
``app/lib/extractor.rb`` and ``Account::MENTION_RE`` (``app/models/account.rb``); documented at
https://docs.joinmastodon.org/user/posting/#text:

- every URL with a protocol (``extract_url_without_protocol: false``: ``example.com`` stays text)
  counts as 23 characters, whatever its length; Mastodon's extractor is twitter-text's (the Ruby gem),
  so the URLs are found with the same rules as X's (``x_urls``);
- a mention of a remote account, ``@user@example.social``, counts as ``@user``: the domain is free;
- the rest counts in grapheme clusters (a family emoji is 1, not 7 code points).
"""

from __future__ import annotations

import re

from flashfusion.linting.counting.graphemes import grapheme_count
from flashfusion.linting.counting.x_urls import extract_urls_with_indices

URL_LENGTH = 23
# Account::MENTION_RE: not after "=", "/" or a word character; a username of letters, digits and "_"
# (with inner "." or "-"), then optionally "@" and a domain.
_MENTION = re.compile(
    r"(?<![=/\w])@(?P<user>[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?P<domain>@\w+(?:[.-]+\w+)*)?", re.IGNORECASE
)
# twitter-text's end_mention_match: a mention followed by another "@", a Latin accented letter or "://"
# is no mention.
_NOT_AFTER_MENTION = re.compile("[@\uff20\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f]|://")


def countable_text(text: str) -> str:
    """The text as Mastodon counts it: URLs as 23 "x", remote mentions without their domain."""
    entities: list[tuple[int, int, str]] = [
        (u.start, u.end, "x" * URL_LENGTH) for u in extract_urls_with_indices(text, without_protocol=False)
    ]
    for mention in _MENTION.finditer(text):
        if _NOT_AFTER_MENTION.match(text, mention.end()):
            continue
        entities.append((mention.start(), mention.end(), "@" + mention["user"]))
    if not entities:
        return text
    entities.sort()
    parts: list[str] = []
    position = 0
    for start, end, replacement in entities:
        if start < position:  # Extractor.remove_overlapping_entities: the earlier entity wins
            continue
        parts += [text[position:start], replacement]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def mastodon_length(text: str) -> int:
    return grapheme_count(countable_text(text))
