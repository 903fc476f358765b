"""Every event as JSON Lines, and back: backups, and moving a ledger from SQLite to PostgreSQL.

A line is `{"position", "stream_id", "stream_version", "topic", "state"}`, where `state` is the
stored state bytes read as a JSON object: re-encoded the way the transcoder writes them, they give
the same bytes back, so ids, versions, payloads and timestamps are reproduced exactly. An import
writes only into an empty store, and only after the whole file has passed validation. Positions
are renumbered by the target store: the order is kept, gaps in the source's positions are not.
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
from eventsourcing.utils import resolve_topic

from domain.application.service import RoadmapLedger

PAGE = 1000
KEYS = ("position", "stream_id", "stream_version", "topic", "state")


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


class InexactStateError(ArchiveError):
    """A stored state is not plain JSON (compressed, encrypted): it cannot be exported exactly."""


def _state_bytes(state: dict[str, Any]) -> bytes:
    """The bytes the ledger's transcoder writes for this JSON object."""
    text = json.dumps(state, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def export_events(app: RoadmapLedger, out: TextIO) -> int:
    """Write every event in log order, one JSON object a line; answer how many."""
    count = 0
    for notification in app.notifications():  # pages of 1,000: constant memory
        try:
            state = json.loads(notification.state)
        except ValueError:
            state = None
        if not isinstance(state, dict) or _state_bytes(state) != notification.state:
            msg = f"the event at position {notification.id} is not stored as plain JSON"
            raise InexactStateError(msg)
        line = {
            "position": notification.id,
            "stream_id": str(notification.originator_id),
            "stream_version": notification.originator_version,
            "topic": notification.topic,
            "state": state,
        }
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        count += 1
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


class _LineError(Exception):
    """What is wrong with one line; becomes an InvalidArchiveLineError naming the line."""


def _parse(raw: str) -> dict[str, Any]:
    """One line as a JSON object with the keys and types of an exported event."""
    if not raw.strip():
        raise _LineError("empty line")
    try:
        line = json.loads(raw)
    except ValueError as error:
        raise _LineError(f"not JSON ({error})") from None
    if not isinstance(line, dict):
        raise _LineError("not a JSON object")
    missing = [key for key in KEYS if key not in line]
    if missing:
        raise _LineError(f"missing {', '.join(missing)}")
    extra = sorted(set(line) - set(KEYS))
    if extra:
        raise _LineError(f"unexpected {', '.join(extra)}")
    for name in ("position", "stream_version"):
        value = line[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _LineError(f"{name} must be a positive integer, not {value!r}")
    try:
        line["stream_id"] = UUID(line["stream_id"])
    except (TypeError, ValueError, AttributeError):
        raise _LineError(f"stream_id {line['stream_id']!r} is not a UUID") from None
    if not isinstance(line["topic"], str):
        raise _LineError("topic must be a string")
    if not isinstance(line["state"], dict):
        raise _LineError("state must be a JSON object")
    if {"originator_id", "originator_version"} & set(line["state"]):
        raise _LineError("state must not repeat the stream's id or version")
    return line


def _decode(app: RoadmapLedger, stored: StoredEvent) -> None:
    """Check that the stored event reads back as a complete domain event of its topic."""
    try:
        cls = resolve_topic(stored.topic)
    except Exception:  # any failure to resolve means the same to the user
        raise _LineError(f"unknown topic {stored.topic!r}") from None
    if not (
        isinstance(cls, type) and issubclass(cls, DomainEvent) and dataclasses.is_dataclass(cls)
    ):
        raise _LineError(f"topic {stored.topic!r} is not a domain event")
    try:
        event = app.mapper.to_domain_event(stored)
    except Exception as error:
        raise _LineError(f"state is not a {cls.__qualname__} event ({error})") from None
    fields = {f.name for f in dataclasses.fields(cls)}
    have = set(vars(event))
    problems = []
    if absent := sorted(fields - have):
        problems.append(f"missing {', '.join(absent)}")
    if unknown := sorted(have - fields):
        problems.append(f"unknown {', '.join(unknown)}")
    if problems:
        raise _LineError(f"state does not match {cls.__qualname__}: {'; '.join(problems)}")
    timestamp = getattr(event, "timestamp", None)
    if not isinstance(timestamp, datetime) or timestamp.utcoffset() is None:
        raise _LineError("state has no time-zone-aware timestamp")


def _validated(app: RoadmapLedger, source: TextIO) -> Iterator[StoredEvent]:
    """The source's events in order; raises on the first bad line."""
    last_position = 0
    versions: dict[UUID, int] = {}
    for number, raw in enumerate(source, start=1):
        try:
            line = _parse(raw)
            stream_id, position = line["stream_id"], line["position"]
            stored = StoredEvent(
                stream_id, line["stream_version"], line["topic"], _state_bytes(line["state"])
            )
            _decode(app, stored)
        except _LineError as error:
            raise InvalidArchiveLineError(number, str(error)) from None
        if position <= last_position:
            msg = f"position {position} does not follow position {last_position}"
            raise InvalidArchiveLineError(number, msg)
        expected = versions.get(stream_id, 0) + 1
        if stored.originator_version != expected:
            msg = (
                f"stream {stream_id} has version {stored.originator_version} where {expected} "
                "was expected (versions run 1, 2, 3... in each stream)"
            )
            raise InvalidArchiveLineError(number, msg)
        last_position, versions[stream_id] = position, expected
        yield stored


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
