"""Audit entries as Merkle leaves (DESIGN.md, verifiable audit trail; RFC 9162 hashing)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson
from eventsourcing.utils import resolve_topic

from domain.application.records import _AS_IS, _plain_tag, plain_state, utc_moment_text, utc_text
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


def leaf_bytes(fields: dict[str, Any]) -> bytes:
    """What a leaf commits to: the canonical JSON of the leaf fields (other fields ignored)."""
    return canonical({k: fields[k] for k in LEAF_FIELDS})


def leaf_hash(fields: dict[str, Any]) -> str:
    """SHA-256(0x00 ‖ canonical JSON of the leaf fields), hex."""
    return hashlib.sha256(b"\x00" + leaf_bytes(fields)).hexdigest()


class _NotExactError(Exception):
    """A value orjson would not give back exactly as json does (a float, maybe a big integer
    read as one): the leaf is made the reference way instead."""


def _untagged(value: Any) -> Any:
    """`plain_state`'s object hook applied bottom-up, as json applies it."""
    kind = type(value)
    if kind is dict:
        if len(value) == 2 and "_data_" in value and type(value.get("_type_")) is str:  # noqa: PLR2004
            # A tag (most dicts of a record) whose plain form is its data: no dict to build.
            tag, data = value["_type_"], value["_data_"]
            if tag in _AS_IS or (
                tag == "datetime_iso" and type(data) is str and data.endswith("+00:00")
            ):
                return data if type(data) in _AS_READ else _untagged(data)
        # Strings, integers, booleans and nulls, most of a record, are kept without a call.
        value = {k: v if type(v) in _AS_READ else _untagged(v) for k, v in value.items()}
        return _plain_tag(value) if "_type_" in value else value
    if kind is list:
        return [v if type(v) in _AS_READ else _untagged(v) for v in value]
    if kind is float:
        raise _NotExactError
    return value


_AS_READ = frozenset({str, int, bool, type(None)})


def _fast_state(state: bytes) -> dict[str, Any] | None:
    """`plain_state(state)` through orjson; None where only json reads it exactly (lone
    surrogates, floats, integers beyond 64 bits, anything orjson refuses)."""
    try:
        decoded = _untagged(orjson.loads(state))
    except (orjson.JSONDecodeError, _NotExactError):
        return None
    return decoded if isinstance(decoded, dict) else None


def _fast_canonical(value: dict[str, Any]) -> bytes:
    """`canonical` of a value without floats: orjson writes the same bytes (sorted keys, no
    whitespace, the same escapes); what it refuses (a lone surrogate) goes the reference way."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return canonical(value)


class StoredLeaves:
    """Leaf fields of stored events, from the bytes as stored.

    A leaf commits to the record as it was written, never to what a later release reads it as:
    an upcaster changes the event a release builds, not the record, so every tree head signed
    before an upgrade still verifies after it. Decoding the JSON straight into plain values is
    also several times faster than building each event and flattening it again.
    """

    def __init__(self) -> None:
        self._event_types: dict[str, str] = {}

    def _event_type(self, topic: str) -> str:
        if topic not in self._event_types:
            self._event_types[topic] = resolve_topic(topic).__name__
        return self._event_types[topic]

    def fields(self, stored: Any) -> dict[str, Any]:
        """Raises ValueError when the stored bytes are not an event this release can read."""
        return self._fields(stored, plain_state(stored.state))

    def leaf(self, stored: Any) -> tuple[dict[str, Any], str]:
        """The leaf fields and `leaf_hash` of a stored event, the same as `fields` and
        `leaf_hash` give, several times faster where orjson reads the record exactly."""
        decoded = _fast_state(stored.state)
        if decoded is None:
            fields = self.fields(stored)
            return fields, leaf_hash(fields)
        fields = self._fields(stored, decoded)
        # `_fields` gives exactly LEAF_FIELDS: no copy to make.
        data = _fast_canonical(fields)
        return fields, hashlib.sha256(b"\x00" + data).hexdigest()

    def _fields(self, stored: Any, decoded: dict[str, Any]) -> dict[str, Any]:
        event_type = self._event_type(stored.topic)
        return {
            "stream_id": str(stored.originator_id),
            "stream_version": stored.originator_version,
            "event_type": event_type,
            "recorded_at": utc_moment_text(decoded["timestamp"]),
            "effective_on": decoded["effective_on"],
            "actor": decoded["actor"],
            "actor_party": decoded["actor_party"],
            "data": {
                k: v for k, v in decoded.items() if k not in META_FIELDS and k != "class_version"
            },
        }
