"""The reference answer to every state question: replay the log, then fold each item's view.

Its cost grows with the log; the read side answers the same questions from projections and is
tested against this.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.model.consultation import Consultation
from domain.model.decision import Decision
from domain.model.exchange import Exchange
from domain.model.history import Entry, view
from domain.model.item import Item
from domain.model.plain import plain
from domain.model.pledge import Pledge
from domain.model.reform import ReformProposal
from domain.model.roadmap import Roadmap

#: The keys of a state answer, by aggregate.
SECTIONS: dict[type[Item], str] = {
    Pledge: "pledges",
    Consultation: "consultations",
    Decision: "decisions",
    Exchange: "exchanges",
    ReformProposal: "reform_proposals",
}


def public_fields(
    item_id: UUID,
    state: Any,
    *,
    version: int,
    void: bool,
    recorded_at: datetime,
    updated_at: datetime,
    effective_on: date,
) -> dict[str, Any]:
    """The public answer for one item: its state's fields and where it stands in the record."""
    public: dict[str, Any] = {"id": str(item_id), **plain(state)}
    public["version"] = version
    public["void"] = void
    public["recorded_at"] = plain(recorded_at)
    public["updated_at"] = plain(updated_at)
    public["effective_on"] = plain(effective_on)
    return public


def item_public(
    cls: type[Item],
    item_id: UUID,
    entries: list[Entry],
    *,
    as_of: datetime | None = None,
    effective_on: date | None = None,
) -> dict[str, Any] | None:
    """An item's public fields as the record stood (`as_of`) and in effect (`effective_on`)."""
    known = [e for e in entries if as_of is None or e.recorded_at <= as_of]
    if not known:
        return None
    seen = view(entries, as_of=as_of, effective_on=effective_on)
    if not seen.exists:
        return None
    return public_fields(
        item_id,
        cls.fold(seen.entries),
        version=known[-1].version,
        void=seen.void,
        recorded_at=known[0].recorded_at,
        updated_at=known[-1].recorded_at,
        effective_on=seen.entries[0].effective_on,
    )


def roadmap_items(app: Any, roadmap_id: UUID) -> Iterable[Item]:
    """Every item recorded under a roadmap, by scanning the whole log (reference only)."""
    seen: set[UUID] = set()
    for notification in app.notifications():
        if notification.originator_version != 1 or notification.originator_id in seen:
            continue
        event = app.mapper.to_domain_event(notification)
        if getattr(event, "roadmap_id", None) == roadmap_id:
            seen.add(notification.originator_id)
            yield app.repository.get(notification.originator_id)


def state_at(
    app: Any,
    roadmap_id: UUID,
    *,
    as_of: datetime | None = None,
    effective_on: date | None = None,
) -> dict[str, Any] | None:
    """`GET /roadmaps/{id}/state` by replay; None when the roadmap was not yet recorded."""
    position = app.position()
    roadmap = app.get_item(Roadmap, roadmap_id)
    public = item_public(Roadmap, roadmap.id, roadmap.entries, as_of=as_of)
    if public is None:
        return None
    answer: dict[str, Any] = {"roadmap": public, **{key: [] for key in SECTIONS.values()}}
    for item in roadmap_items(app, roadmap_id):
        found = item_public(
            type(item), item.id, item.entries, as_of=as_of, effective_on=effective_on
        )
        if found is not None and not found["void"]:
            answer[SECTIONS[type(item)]].append(found)
    for key in SECTIONS.values():
        answer[key].sort(key=lambda found: (found["recorded_at"], found["id"]))
    answer["as_of"] = plain(as_of)
    answer["effective_on"] = plain(effective_on)
    answer["position"] = position
    return answer
