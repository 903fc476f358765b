"""An item's recorded events as plain entries, and the view of them at a point in time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from domain.model.texts import as_text

CORRECTED = "Corrected"
RETRACTED = "Retracted"
TRANSLATED = "Translated"
#: Events about other events of the item: they change what is in force, not the item itself.
AMENDMENTS = (CORRECTED, RETRACTED, TRANSLATED)
CREATION_VERSION = 1

#: Event attributes that are metadata, not the payload an action carries.
META_FIELDS = frozenset(
    {
        "originator_id",
        "originator_version",
        "originator_topic",
        "timestamp",
        "effective_on",
        "actor",
        "actor_party",
        "authority",
        "note",
    }
)


@dataclass(frozen=True)
class Entry:
    """One recorded event of an item, with both of its times."""

    version: int
    event_type: str
    recorded_at: datetime
    effective_on: date
    actor: str
    actor_party: str | None
    authority: str | None
    note: str | None
    payload: dict[str, Any]

    @classmethod
    def of(cls, event: Any) -> Entry:
        """The event as an entry (as this release reads it: leaves come from the record)."""
        return cls(
            version=event.originator_version,
            event_type=type(event).__name__,
            recorded_at=event.timestamp,
            effective_on=event.effective_on,
            actor=event.actor,
            actor_party=event.actor_party,
            authority=event.authority,
            note=event.note,
            payload={k: v for k, v in vars(event).items() if k not in META_FIELDS},
        )

    def amended(self, changes: dict[str, Any]) -> Entry:
        payload = {**self.payload, **{k: v for k, v in changes.items() if k != "effective_on"}}
        return replace(
            self, payload=payload, effective_on=changes.get("effective_on", self.effective_on)
        )


@dataclass(frozen=True)
class View:
    """The entries in force, corrections applied, and whether the item was voided."""

    entries: list[Entry]
    void: bool

    @property
    def exists(self) -> bool:
        return bool(self.entries) and self.entries[0].version == CREATION_VERSION


def view(
    entries: list[Entry], *, as_of: datetime | None = None, effective_on: date | None = None
) -> View:
    """The record as it stood at `as_of`, in effect on `effective_on` (DESIGN.md, time travel).

    Corrections, translations and retractions count from the moment they were recorded
    (`as_of`), in the order they were; a corrected event keeps its place in the stream and takes
    the corrected effective date, if any. A translation adds a language to one text of an
    event; a later correction of that text replaces it, translation and all.
    """
    known = [e for e in entries if as_of is None or e.recorded_at <= as_of]
    by_version = {e.version: e for e in known}
    changes: dict[int, dict[str, Any]] = {}
    retracted: set[int] = set()
    for entry in known:
        target: int = entry.payload.get("target_version", 0)
        if entry.event_type == CORRECTED:
            changes.setdefault(target, {}).update(entry.payload["changes"])
        elif entry.event_type == TRANSLATED and target in by_version:
            amended = changes.setdefault(target, {})
            field = entry.payload["field"]
            current = amended.get(field, by_version[target].payload.get(field))
            if current is not None:
                amended[field] = as_text(current).translated(
                    entry.payload["lang"], entry.payload["text"]
                )
        elif entry.event_type == RETRACTED:
            retracted.add(target)
    in_force: list[Entry] = []
    for entry in known:
        if entry.event_type in AMENDMENTS:
            continue
        if entry.version in retracted and entry.version != CREATION_VERSION:
            continue
        in_force.append(
            entry.amended(changes[entry.version]) if entry.version in changes else entry
        )
    if effective_on is not None:
        if not in_force or in_force[0].effective_on > effective_on:
            return View([], void=CREATION_VERSION in retracted)
        in_force = [e for e in in_force if e.effective_on <= effective_on]
    return View(in_force, void=CREATION_VERSION in retracted)
