"""Audit entries as Merkle leaves (DESIGN.md, verifiable audit trail; RFC 9162 hashing)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from domain.history import Entry
from domain.plain import plain

#: The audit entry fields that a leaf commits to, in DESIGN.md's words.
LEAF_FIELDS = (
    "stream_id",
    "stream_version",
    "event_type",
    "recorded_at",
    "effective_on",
    "actor",
    "actor_party",
    "data",
)


def canonical(value: Any) -> bytes:
    """Canonical JSON: keys sorted, no whitespace, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def utc_text(moment: datetime) -> str:
    """One spelling of a moment, whichever database stored it."""
    return moment.astimezone(UTC).isoformat()


def leaf_entry(stream_id: str, entry: Entry) -> dict[str, Any]:
    return {
        "stream_id": stream_id,
        "stream_version": entry.version,
        "event_type": entry.event_type,
        "recorded_at": utc_text(entry.recorded_at),
        "effective_on": entry.effective_on.isoformat(),
        "actor": entry.actor,
        "actor_party": entry.actor_party,
        "data": plain(entry.payload),
    }


def leaf_hash(fields: dict[str, Any]) -> str:
    """SHA-256(0x00 ‖ canonical JSON of the leaf fields), hex."""
    return hashlib.sha256(b"\x00" + canonical({k: fields[k] for k in LEAF_FIELDS})).hexdigest()
