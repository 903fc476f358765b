"""Audit entries as Merkle leaves (DESIGN.md, verifiable audit trail; RFC 9162 hashing)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import resolve_topic

from domain.model.history import META_FIELDS, Entry
from domain.model.plain import plain

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
    """Canonical JSON: keys sorted, no whitespace, UTF-8.

    A lone surrogate, which only an event written below the API can hold, is encoded as its
    three bytes (`surrogatepass`): UTF-8 has no spelling for it, and the leaf must still be the
    event's exactly.
    """
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8", "surrogatepass")


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


class FastLeaves:
    """Leaf fields straight from stored bytes, without building domain objects.

    Verification reads every event of the log; decoding the JSON into plain values directly is
    several times faster than building each event and flattening it again. Events whose class
    has been upcast since (class_version > 1) take the slow, exact path.
    """

    def __init__(self, mapper: Any) -> None:
        self.mapper = mapper
        self._decoder = json.JSONDecoder(object_hook=_plain_tag)
        self._event_types: dict[str, str | None] = {}

    def _event_type(self, topic: str) -> str | None:
        if topic not in self._event_types:
            cls = resolve_topic(topic)
            simple = getattr(cls, "class_version", 1) == 1
            self._event_types[topic] = cls.__name__ if simple else None
        return self._event_types[topic]

    def fields(self, stored: Any) -> dict[str, Any]:
        event_type = self._event_type(stored.topic)
        if event_type is None:
            return self._slow(stored)
        try:
            decoded = self._decoder.decode(bytes(stored.state).decode())
        except (_UnknownTagError, UnicodeDecodeError):
            return self._slow(stored)
        if "class_version" in decoded:
            return self._slow(stored)
        return {
            "stream_id": str(stored.originator_id),
            "stream_version": stored.originator_version,
            "event_type": event_type,
            "recorded_at": _utc(decoded["timestamp"]),
            "effective_on": decoded["effective_on"],
            "actor": decoded["actor"],
            "actor_party": decoded["actor_party"],
            "data": {k: v for k, v in decoded.items() if k not in META_FIELDS},
        }

    def _slow(self, stored: Any) -> dict[str, Any]:
        event = self.mapper.to_domain_event(stored)
        return leaf_entry(str(event.originator_id), Entry.of(event))


def _utc(moment: str) -> str:
    """`utc_text` of an ISO moment; the server writes UTC already, so mostly a no-op."""
    return moment if moment.endswith("+00:00") else utc_text(datetime.fromisoformat(moment))


class _UnknownTagError(ValueError):
    pass


def _plain_tag(value: dict[str, Any]) -> Any:
    """The plain form of one transcoded value, as `domain.model.plain.plain` would give it."""
    if len(value) != 2 or "_type_" not in value or "_data_" not in value:  # noqa: PLR2004
        return value
    tag, data = value["_type_"], value["_data_"]
    if tag in ("decimal_str", "date_iso", "tuple", "quantity", "priority"):
        return data
    if tag == "datetime_iso":
        return data if data.endswith("+00:00") else datetime.fromisoformat(data).isoformat()
    if tag == "uuid_hex":
        return str(UUID(data))
    if tag == "enum":
        return data[1]
    raise _UnknownTagError(tag)
