"""Which language an answer is in: RFC 4647 lookup over `Accept-Language` (RFC 9110 §12.5.4).

The record keeps texts in English and French. A caller's ranges are tried by preference (q),
each shortened from the right until it names one of ours (`fr-CA` → `fr`); `*` takes the
default. A header that cannot be read counts as absent: language never makes a request fail.
"""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")
DEFAULT: Language = "en"

_RANGE = re.compile(r"^(\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$")
_Q = re.compile(r"^[qQ]=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")


def _ranges(header: str) -> list[tuple[float, int, str]]:
    """(q, order, range) of every well-formed range; a malformed one is skipped."""
    found: list[tuple[float, int, str]] = []
    for order, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0] or not _RANGE.match(pieces[0]):
            continue
        q = 1.0
        params = [p for p in pieces[1:] if p]
        if params:
            weight = _Q.match(params[0])
            if weight is None:
                continue
            q = float(weight.group(1))
        if q > 0:
            found.append((q, order, pieces[0].lower()))
    return found


def _lookup(language_range: str) -> Language | None:
    if language_range == "*":
        return DEFAULT
    tags = language_range.split("-")
    while tags:
        candidate = "-".join(tags)
        if candidate in LANGUAGES:
            return candidate
        tags.pop()
    return None


def negotiate(header: str | None, default: Language = DEFAULT) -> Language:
    if not header or len(header) > 1000:  # noqa: PLR2004 - a sane bound on a request header
        return default
    for _, _, language_range in sorted(_ranges(header), key=lambda r: (-r[0], r[1])):
        found = _lookup(language_range)
        if found is not None:
            return found
    return default


def content_language(header: str | None) -> Language | None:
    """The language a request body is written in (`Content-Language`): ours, or None if not."""
    if header is None:
        return DEFAULT
    tags = [t.strip().lower() for t in header.split(",") if t.strip()]
    if len(tags) != 1:
        return None
    return _lookup(tags[0]) if _RANGE.match(tags[0]) and tags[0] != "*" else None
