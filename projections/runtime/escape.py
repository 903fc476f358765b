"""Texts the read-model columns cannot hold, escaped on the way in and restored on the way out.

The log keeps every event exactly as recorded, and the projections apply every one of them, also
texts recorded before the API refused control characters or written below it. Two kinds of
character have no place in a column, though: U+0000, which PostgreSQL's `text` and `jsonb` refuse,
and lone surrogates (U+D800 to U+DFFF), which no UTF-8 column holds on either database. In the
read-model columns only (never in the log, never in a Merkle leaf, never in an answer), each of
them is written as U+E000 (the first private-use character) followed by its code point in four
lower-case hex digits, and U+E000 itself as `U+E000 e000`, so the escaping is undone exactly.
Both databases escape the same way, so a reporting view shows the same text on either.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

MARK = "\ue000"
_MARK_UTF8 = MARK.encode()
_UNSTORABLE = re.compile("[\x00\ud800-\udfff\ue000]")
_ESCAPED = re.compile("\ue000([0-9a-f]{4})")
#: What the JSON of a value holds when one of its texts needs escaping (json.dumps writes
#: non-ASCII characters as \\uXXXX escapes): a cheap test before walking the value.
_JSON_HINTS = ("\\u0000", "\\ud", "\\ue000")


def _mark(found: re.Match[str]) -> str:
    return f"{MARK}{ord(found.group()):04x}"


def _unmark(found: re.Match[str]) -> str:
    return chr(int(found.group(1), 16))


def escape(value: str) -> str:
    """`value` as a column can hold it."""
    if _UNSTORABLE.search(value) is None:
        return value
    return _UNSTORABLE.sub(_mark, value)


def unescape(value: str) -> str:
    """The text `escape` was given."""
    if MARK not in value:
        return value
    return _ESCAPED.sub(_unmark, value)


def _walk(value: Any, change: Any) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {change(k): _walk(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, change) for v in value]
    return value


def dump_json(value: Any) -> str:
    """A plain JSON value as the text of a `json`/`jsonb` column, its texts escaped.

    orjson writes it where that gives the same value back (a catch-up writes one or more an
    event), other characters than json's left unescaped; json writes it where a text needs
    escaping or orjson would not give the value back (a NaN, which it writes as null, an
    integer past 64 bits, a key that is not a text, a lone surrogate)."""
    fast = _fast_json(value)
    if fast is not None:
        return fast
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    if not any(hint in text for hint in _JSON_HINTS):
        return text
    return json.dumps(_walk(value, escape), sort_keys=True, separators=(",", ":"))


def _fast_json(value: Any) -> str | None:
    try:
        fast = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return None
    if _MARK_UTF8 in fast or b"\\u0000" in fast or orjson.loads(fast) != value:
        return None
    return fast.decode()


def restore_json(value: Any) -> Any:
    """A parsed `json`/`jsonb` column value with its texts restored."""
    return _walk(value, unescape)


def load_json(text: str | bytes) -> Any:
    """The value of a `json`/`jsonb` column's text (escaped as SQLite or PostgreSQL writes it)."""
    if isinstance(text, bytes | bytearray | memoryview):
        text = bytes(text).decode()
    value = json.loads(text)
    if MARK in text or "\\ue000" in text:
        return restore_json(value)
    return value


def restore_json_text(text: str) -> str:
    """The text of a `json`/`jsonb` column with its texts restored, itself as JSON text."""
    if MARK not in text and "\\ue000" not in text:
        return text
    return json.dumps(restore_json(json.loads(text)), separators=(",", ":"))
