"""The reference answer to every state question: replay the log, then fold each item's view.

Its cost grows with the log; the read side answers the same questions from projections and is
tested against this.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.model.item import Item
from domain.model.kinds import ROADMAP, SECTIONED, kind_of
from domain.model.plain import plain
from domain.model.public import item_public


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
    roadmap = app.get_item(ROADMAP.aggregate, roadmap_id)
    public = item_public(ROADMAP.aggregate, roadmap.id, roadmap.entries, as_of=as_of)
    if public is None:
        return None
    answer: dict[str, Any] = {"roadmap": public, **{str(k.section): [] for k in SECTIONED}}
    for item in roadmap_items(app, roadmap_id):
        found = item_public(
            type(item), item.id, item.entries, as_of=as_of, effective_on=effective_on
        )
        if found is not None and not found["void"]:
            answer[str(kind_of(type(item)).section)].append(found)
    for kind in SECTIONED:
        answer[str(kind.section)].sort(key=lambda found: (found["recorded_at"], found["id"]))
    answer["as_of"] = plain(as_of)
    answer["effective_on"] = plain(effective_on)
    answer["position"] = position
    return answer
