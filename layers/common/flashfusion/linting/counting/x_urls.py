"""The URLs X finds in a post, which it counts as 23 weighted characters each.

Reference: twitter-text 3 (twitter/twitter-text, Apache-2.0), ``extractUrlsWithIndices`` in its
JavaScript implementation and the regular expressions it is built from (``extractUrl``,
``validDomain``, ``validUrlPath``...), conformance cases ``extract.yml`` (``urls``,
``urls_with_indices``, ``urls_with_directional_markers``, ``tco_urls_with_params``) and ``tlds.yml``.
The rules, in short:

- a URL starts after a character that is not a letter, a digit, ``@``, ``$`` or ``#`` (or after a
  directional mark, or at the start of the text), with ``http://``/``https://`` or with no protocol;
- its host is dot-separated labels ending in a known top-level domain (the TLD list ships with the
  package, ``data/twitter_text_tlds.json``) or a punycode label, each label at most 63 characters once
  punycode-encoded;
- a path or query may follow, but not its trailing punctuation (``example.com/a.`` ends before the dot),
  and parentheses only when balanced;
- without a protocol only an ASCII host counts (``example.com``, not ``例子.com``), and not after
  ``-``, ``_``, ``.`` or ``/``;
- a ``t.co`` link ends at its slug (plus a query), and a slug over 40 characters is no URL.

Indices are code point indices into the text given.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

MAX_URL_LENGTH = 4096
MAX_TCO_SLUG_LENGTH = 40
MAX_DOMAIN_LABEL_LENGTH = 63
DEFAULT_PROTOCOL = "https://"

# Character groups, as the reference defines them (inside a [...] class).
_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
SPACES = _SPACES
"""twitter-text's spaces, as the body of a [...] class: no part of a URL is one (each part's class excludes them or
lists other characters)."""
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066\u2067\u2068\u2069"
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263\u0268\u026f"
    "\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff"

_DOMAIN_CHAR = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
_SUBDOMAIN = f"(?:(?:{_DOMAIN_CHAR}(?:[_-]|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
_DOMAIN_NAME = f"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
_PUNYCODE = r"(?:[xX][nN]--[\-0-9a-zA-Z]+)"
_TLD_END = "(?=[^0-9a-zA-Z@+-]|$)"
_PATH_CHAR = f"[a-zA-Z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_LATIN_ACCENTS}]"
_BALANCED_PARENS = f"\\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*))\\)"
_PATH_END = f"(?:[+\\-a-zA-Z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|(?:{_BALANCED_PARENS}))"
_PATH = f"(?:(?:{_PATH_CHAR}*(?:{_BALANCED_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:@{_PATH_CHAR}+/))"
_QUERY_CHAR = r"[a-zA-Z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END = r"[a-zA-Z0-9\-_&=#/]"
_PRECEDING = f"(?:[^A-Za-z0-9@\uff20$#\uff03{_INVALID}]|[{_DIRECTIONAL}]|^)"
_BAD_BEFORE_BARE_DOMAIN = re.compile(r"[-_./]$")
_DOT_THEN_LETTER = re.compile(r"\.[^\x00-\x40\x5b-\x60\x7b-\x7f]")  # every TLD starts with a letter
DOT_THEN_LETTER = _DOT_THEN_LETTER
# The reference matches case-insensitively (JavaScript's "i" flag); spelled out here instead, since a
# case-insensitive Python pattern is ~4x slower on the large negated classes, and only letters differ.
_PROTOCOL_TEXT = "[hH][tT][tT][pP][sS]?://"


def _alternation(words: list[str]) -> str:
    """A regular expression matching any of ``words``, as a prefix tree: one branch per first letter
    instead of ~1,600 alternatives tried in turn. Longer words come first in each branch, as in the
    reference's reverse-sorted list, so that of two candidates the longer is tried first."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if "" in node:
            branches.append("")  # the word may end here, tried after every longer continuation
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return emit(tree)


@lru_cache(maxsize=1)
def _tld_patterns() -> tuple[str, str]:
    """The generic and the country TLDs as expressions (each ~20 ms to compile: done once per pattern)."""
    data = json.loads(resources.files("flashfusion.linting").joinpath("data/twitter_text_tlds.json").read_text("utf-8"))
    return f"(?i:{_alternation(data['generic'])}){_TLD_END}", f"(?i:{_alternation(data['country'])}){_TLD_END}"


@lru_cache(maxsize=1)
def _extract() -> re.Pattern[str]:
    """The reference's ``extractUrl``: preceding character, protocol, host, port, path, query."""
    gtld, cctld = _tld_patterns()
    domain = f"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}(?:{gtld}|{cctld}|{_PUNYCODE}))"
    return re.compile(
        f"(?P<before>{_PRECEDING})"
        f"(?P<url>(?P<protocol>{_PROTOCOL_TEXT})?(?P<domain>{domain})(?::[0-9]+)?"
        f"(?P<path>/{_PATH}*)?(?:\\?{_QUERY_CHAR}*{_QUERY_END})?)"
    )


@lru_cache(maxsize=1)
def _ascii_domain() -> re.Pattern[str]:
    """The reference's ``validAsciiDomain``: what of a host without a protocol counts."""
    gtld, cctld = _tld_patterns()
    return re.compile(f"(?:(?:[\\-a-zA-Z0-9{_LATIN_ACCENTS}]+)\\.)+(?:{gtld}|{cctld}|{_PUNYCODE})")


_TCO = re.compile(f"^{_PROTOCOL_TEXT}[tT]\\.[cC][oO]/([a-zA-Z0-9]+)(?:\\?{_QUERY_CHAR}*{_QUERY_END})?")


# Where an attempt to match a URL can start: a character the reference accepts before a URL (or the start
# of the text) followed by a character a host (or "http") can start with.
_ATTEMPT = re.compile(f"(?:[^A-Za-z0-9@\uff20$#\uff03{_INVALID}]|^)(?={_DOMAIN_CHAR})")
_HOST_OR_DOT = re.compile(f"[._-]|{_DOMAIN_CHAR}")
_LABEL_RUN = re.compile(f"(?:[_-]|{_DOMAIN_CHAR})*")
_PROTOCOL_TAIL = re.compile("[hH][tT][tT][pP][sS]?$")


_RUN_WINDOW = 256
_HOST_OR_DOT_RUN = re.compile(f"(?:{_HOST_OR_DOT.pattern})*")


def _run_start(text: str, end: int) -> int:
    """The start of the run of host characters and dots that ends at ``end``: matched forwards in the reversed
    text before ``end`` (one regex call instead of one per character), within a window so that a text with many
    dots is not copied whole for each; a run that fills the window is walked on from its start."""
    if end <= 0:
        return 0
    window = text[end - 1 : end - _RUN_WINDOW - 1 if end > _RUN_WINDOW else None : -1]
    start = end - _HOST_OR_DOT_RUN.match(window).end()  # type: ignore[union-attr]  # matches the empty run
    while start > 0 and _HOST_OR_DOT.match(text, start - 1):
        start -= 1
    return start


def _next_after_failure(text: str, attempt_start: int, host_start: int) -> int:
    """Where the next attempt that could succeed begins, after one starting at ``host_start`` failed.

    From every later start inside the same label (the run of host characters up to the next dot) the
    label runs to the same end and the rest reads the same, so those attempts fail too, except: from
    after the label's last "_" it may also be a domain name (which takes no "_"), and "http(s)://" may
    start inside it."""
    label_end = _LABEL_RUN.match(text, host_start).end()  # type: ignore[union-attr]  # can match empty
    following = label_end
    if text.startswith(".", label_end):
        underscore = text.rfind("_", host_start + 1, label_end)
        if underscore > host_start:
            following = underscore  # the attempt whose preceding character is that "_"
    elif text.startswith("://", label_end):
        protocol = _PROTOCOL_TAIL.search(text, host_start + 1, label_end)
        if protocol is not None:
            following = protocol.start() - 1
    return max(following, attempt_start + 1)


def _url_matches(text: str) -> list[re.Match[str]]:
    """What ``_extract().finditer(text)`` finds, attempting far fewer positions.

    The plain scan tries every position, and in CJK text (no spaces) each attempt reads the rest of the
    run: quadratic, ~0.1 s for 1,000 characters. A URL's host ends in "." and a TLD (a letter first)
    and lies in the run of host characters and dots before that dot (or right after "http(s)://"), so
    attempts start only there, and after a failed attempt only where a different outcome is possible
    (``_next_after_failure``).
    """
    matches: list[re.Match[str]] = []
    position = 0
    extract = _extract()
    for candidate in _DOT_THEN_LETTER.finditer(text):
        dot = candidate.start()
        if dot < position:
            continue
        host_start = _run_start(text, dot)
        lowered = text[max(host_start - 8, 0) : host_start].lower()
        if lowered.endswith(("http://", "https://")):  # the attempt from the protocol comes first
            host_start -= 7 if lowered.endswith("http://") else 8
        attempt_at = max(position, host_start - 1)
        while attempt_at < dot:  # an attempt found from attempt_at ends there or later: at the dot, none is left
            attempt = _ATTEMPT.search(text, attempt_at)
            if attempt is None or attempt.end() >= dot:
                break
            match = extract.match(text, attempt.start())
            if match is not None:
                matches.append(match)
                position = attempt_at = match.end()
                continue
            attempt_at = _next_after_failure(text, attempt.start(), attempt.end())
    return matches


class UrlEntity(NamedTuple):
    """A URL and its code point span (a named tuple: a frozen dataclass costs ~1 us more to make, per URL)."""

    url: str
    start: int
    end: int


_IDNA_DOTS = re.compile("[\u3002\uff0e\uff61]")  # what punycode's toASCII also splits a name at


def _punycode_length(label: str) -> int:
    """The label's length once encoded as the reference does (punycode.js ``toASCII``: each non-ASCII
    part becomes ``xn--`` + punycode, no nameprep)."""
    if label.isascii() or len(label) > MAX_DOMAIN_LABEL_LENGTH:
        return len(label)  # punycode never shortens a label (and is quadratic on long ones)
    parts = _IDNA_DOTS.split(label)
    return len(parts) - 1 + sum(len(p) if p.isascii() else 4 + len(p.encode("punycode")) for p in parts)


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _valid_host(url: str, protocol: str, domain: str) -> bool:
    """Every DNS label 1-63 characters once punycode-encoded, and the whole URL within 4,096."""
    if domain[:4] == "xn--" and _ascii_domain().search(domain) is None:
        return False  # a punycode host cannot hold non-ASCII characters
    labels = domain.split(".")
    if domain.isascii():  # an ASCII label is its own encoding
        if "" in labels or max(map(len, labels)) > MAX_DOMAIN_LABEL_LENGTH:
            return False
    elif any(not 1 <= _punycode_length(label) <= MAX_DOMAIN_LABEL_LENGTH for label in labels):
        return False
    return len(protocol) + (len(url) if url.isascii() else _utf16_length(url)) <= MAX_URL_LENGTH  # JS lengths


def may_hold_url(text: str) -> bool:
    """False when ``extract_urls_with_indices(text)`` is surely empty: no "." followed by a letter (where every
    host's TLD starts)."""
    return "." in text and _DOT_THEN_LETTER.search(text) is not None


def extract_urls_with_indices(text: str, *, without_protocol: bool = True) -> list[UrlEntity]:
    """The URLs of ``text`` in order, as twitter-text extracts them (bare domains too unless
    ``without_protocol`` is False, which is what Mastodon does)."""
    if not text or ("." not in text if without_protocol else ":" not in text):
        return []
    # (every host ends in "." and a TLD, which starts with a letter: the scan starts at each such dot, so a text
    # without one is read once, by that scan, and gives nothing)
    urls: list[UrlEntity] = []
    for match in _url_matches(text):
        url, protocol, domain = match["url"], match["protocol"], match["domain"]
        start, end = match.start("url"), match.end("url")
        if not _valid_host(url, protocol or DEFAULT_PROTOCOL, domain):
            continue
        if protocol:
            tco = _TCO.match(url)
            if tco is not None:  # a t.co link ends at its slug and query
                if len(tco[1]) > MAX_TCO_SLUG_LENGTH:
                    continue
                url = tco[0]
                end = start + len(url)
            urls.append(UrlEntity(url, start, end))
            continue
        if not without_protocol or _BAD_BEFORE_BARE_DOMAIN.search(match["before"]):
            continue
        # Without a protocol only ASCII domains count: each one inside the match is a URL, the last
        # one taking the path and query along.
        found = [UrlEntity(m[0], start + m.start(), start + m.end()) for m in _ascii_domain().finditer(domain)]
        if not found:
            continue
        if match["path"]:
            last = found[-1]
            found[-1] = UrlEntity(url.replace(domain, last.url, 1), last.start, end)
        urls += found
    return urls


def extract_urls(text: str) -> list[str]:
    return [entity.url for entity in extract_urls_with_indices(text)]
