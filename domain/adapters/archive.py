"""Every event as JSON Lines, and back: backups, and moving a ledger from SQLite to PostgreSQL.

An export is written in format 2 (domain/adapters/archive_format.py, docs/export.md): events by
stable name, values as plain JSON. An import also reads release 0.1's lines, whose `state` is the
stored state verbatim and is written back byte for byte. A file has no header: a line's keys say
its format, and every line of a file must be in the same one. An import writes only into an empty
store, and only after the whole file has passed validation. Positions are renumbered by the
target store: the order is kept, gaps in the source's positions are not.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO
from uuid import UUID

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from domain.adapters.archive_format import (
    KEYS,
    FormatError,
    event_of,
    is_older,
    line_of,
    older_state,
)
from domain.application.service import RoadmapLedger

PAGE = 1000
#: Release 0.1's line: the stored topic and state.
LEGACY_KEYS = ("position", "stream_id", "stream_version", "topic", "state")
CURRENT, LEGACY = "format 2", "the release 0.1 format"


class ArchiveError(Exception):
    """An export or import was refused; nothing was recorded."""


class StoreNotEmptyError(ArchiveError):
    """An import goes only into an empty store: events are never merged into a log."""


class InvalidArchiveLineError(ArchiveError):
    """A line of the input is not a valid event; names the line (1-based) and the problem."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


class UnexportableEventError(ArchiveError):
    """A stored event cannot be read, or the format has no name for it: no line would import."""


# --- export --------------------------------------------------------------------------------


def export_events(app: RoadmapLedger, out: TextIO) -> int:
    """Write every event in log order, one JSON object a line; answer how many."""
    count = 0
    for notification in app.notifications():  # pages of 1,000: constant memory
        where = f"the event at position {notification.id}"
        try:
            app.mapper.to_domain_event(notification)  # a record this release can read
        except Exception as error:  # undecodable, unknown topic, failed upcast: all unreadable
            raise UnexportableEventError(f"{where} cannot be read ({error})") from None
        try:
            line = line_of(notification.id, notification)
        except FormatError as error:
            raise UnexportableEventError(f"{where}: {error}") from None
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        count += 1
    return count


# --- import --------------------------------------------------------------------------------


def import_events(app: RoadmapLedger, source: TextIO) -> int:
    """Validate the whole input, then record it into an empty store; answer how many events."""
    _require_empty(app)
    stream, start, spooled = _rewindable(source)
    try:
        count = sum(1 for _ in _validated(app, stream))
        _require_empty(app)  # nobody wrote while we validated
        stream.seek(start)
        batch: list[StoredEvent] = []
        for stored in _validated(app, stream):
            batch.append(stored)
            if len(batch) == PAGE:
                app.recorder.insert_events(batch)
                batch = []
        if batch:
            app.recorder.insert_events(batch)
    finally:
        if spooled:
            stream.close()
    return count


def _require_empty(app: RoadmapLedger) -> None:
    position = app.position()
    if position:
        msg = f"the store holds events up to position {position}: import into an empty store"
        raise StoreNotEmptyError(msg)


def _rewindable(source: TextIO) -> tuple[TextIO, int, bool]:
    """The source and where it starts, spooled to a temporary file if it cannot seek (stdin)."""
    if source.seekable():
        return source, source.tell(), False
    spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed by the caller
    shutil.copyfileobj(source, spool)
    spool.seek(0)
    return spool, 0, True


def _validated(app: RoadmapLedger, source: TextIO) -> Iterator[StoredEvent]:
    """The source's events in order; raises on the first bad line."""
    reader = _Reader(app)
    for number, raw in enumerate(source, start=1):
        try:
            yield reader.read(raw)
        except FormatError as error:
            raise InvalidArchiveLineError(number, str(error)) from None


class _Reader:
    """Reads lines in order, checking each against those before it."""

    def __init__(self, app: RoadmapLedger) -> None:
        self.app = app
        self.last_position = 0
        # Each stream's event classes by version: a correction's changes are typed by its target's.
        self.streams: dict[UUID, list[type]] = {}
        self.format: str | None = None

    def read(self, raw: str) -> StoredEvent:
        line = _object(raw)
        line_format = _format(line)
        self.format = self.format or line_format
        if line_format != self.format:
            msg = f"a line in {line_format} after lines in {self.format}: one format a file"
            raise FormatError(msg)
        _require_keys(line, KEYS if line_format == CURRENT else LEGACY_KEYS)
        stream_id, position = _place(line)
        if position <= self.last_position:
            raise FormatError(f"position {position} does not follow position {self.last_position}")
        earlier = self.streams.setdefault(stream_id, [])
        if line["stream_version"] != len(earlier) + 1:
            raise FormatError(
                f"stream {stream_id} has version {line['stream_version']} where "
                f"{len(earlier) + 1} was expected (versions run 1, 2, 3... in each stream)"
            )
        if line_format == CURRENT and is_older(line):
            cls, state = older_state(line, earlier)
            topic = get_topic(cls)
            stored = StoredEvent(
                stream_id, line["stream_version"], topic, self.app.mapper.transcoder.encode(state)
            )
            _decoded_class(self.app, stored)  # reads back, upcast, as a complete event
        elif line_format == CURRENT:
            event = event_of(line, stream_id, earlier)
            stored, cls = self.app.mapper.to_stored_event(event), type(event)
        else:
            stored, cls = _legacy(self.app, line, stream_id)
        earlier.append(cls)
        self.last_position = position
        return stored


def _object(raw: str) -> dict[str, Any]:
    if not raw.strip():
        raise FormatError("empty line")
    try:
        line = json.loads(raw)
    except ValueError as error:
        raise FormatError(f"not JSON ({error})") from None
    if not isinstance(line, dict):
        raise FormatError("not a JSON object")
    return line


def _format(line: dict[str, Any]) -> str:
    """Release 0.1's format if the line has its keys; else the current one, missing keys named."""
    return LEGACY if {"topic", "state"} & line.keys() and "data" not in line else CURRENT


def _require_keys(line: dict[str, Any], keys: tuple[str, ...]) -> None:
    missing = [key for key in keys if key not in line]
    if missing:
        raise FormatError(f"missing {', '.join(missing)}")
    extra = sorted(set(line) - set(keys))
    if extra:
        raise FormatError(f"unexpected {', '.join(extra)}")


def _place(line: dict[str, Any]) -> tuple[UUID, int]:
    """The line's stream id and position, once its position and version are checked numbers."""
    for name in ("position", "stream_version"):
        value = line[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise FormatError(f"{name} must be a positive integer, not {value!r}")
    try:
        return UUID(line["stream_id"]), line["position"]
    except (TypeError, ValueError, AttributeError):
        raise FormatError(f"stream_id {line['stream_id']!r} is not a UUID") from None


# --- release 0.1 lines ---------------------------------------------------------------------


def _legacy(app: RoadmapLedger, line: dict[str, Any], stream_id: UUID) -> tuple[StoredEvent, type]:
    """The stored event a release 0.1 line holds, checked to read back as a complete event."""
    if not isinstance(line["topic"], str):
        raise FormatError("topic must be a string")
    if not isinstance(line["state"], dict):
        raise FormatError("state must be a JSON object")
    if {"originator_id", "originator_version"} & set(line["state"]):
        raise FormatError("state must not repeat the stream's id or version")
    stored = StoredEvent(
        stream_id, line["stream_version"], line["topic"], _state_bytes(line["state"])
    )
    return stored, _decoded_class(app, stored)


def _state_bytes(state: dict[str, Any]) -> bytes:
    """The bytes the ledger's transcoder writes for this JSON object."""
    text = json.dumps(state, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def _decoded_class(app: RoadmapLedger, stored: StoredEvent) -> type:
    """The class of the stored event, once it reads back as a complete event of its topic."""
    try:
        cls = resolve_topic(stored.topic)
    except Exception:  # any failure to resolve means the same to the user
        raise FormatError(f"unknown topic {stored.topic!r}") from None
    if not (
        isinstance(cls, type) and issubclass(cls, DomainEvent) and dataclasses.is_dataclass(cls)
    ):
        raise FormatError(f"topic {stored.topic!r} is not a domain event")
    try:
        event = app.mapper.to_domain_event(stored)
    except Exception as error:
        raise FormatError(f"state is not a {cls.__qualname__} event ({error})") from None
    fields = {f.name for f in dataclasses.fields(cls)}
    have = set(vars(event))
    problems = []
    if absent := sorted(fields - have):
        problems.append(f"missing {', '.join(absent)}")
    if unknown := sorted(have - fields):
        problems.append(f"unknown {', '.join(unknown)}")
    if problems:
        raise FormatError(f"state does not match {cls.__qualname__}: {'; '.join(problems)}")
    timestamp = getattr(event, "timestamp", None)
    if not isinstance(timestamp, datetime) or timestamp.utcoffset() is None:
        raise FormatError("state has no time-zone-aware timestamp")
    return cls
