"""Read answers from the read models, each with the log position it reflects.

A reader that wants its own writes passes `min_position` (the `position` a command answered);
the read waits for the projections up to `read_wait_seconds`, then answers 503 + Retry-After.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

from fastapi import Response

from api.auth import require_auditor
from api.language import DEFAULT, Language
from api.localize import localize, summarized
from api.problems import ProblemError
from api.readside import ReadSide
from api.settings import Settings
from domain.model.errors import NotFoundError
from domain.model.kinds import BY_COLLECTION
from domain.model.values import Actor
from projections.audit.queries import AuditFilter
from projections.temporal import timetravel

POSITION_HEADER = "X-Roadmap-Position"


def settle(
    side: ReadSide, settings: Settings, min_position: int | None, name: str = "partnership"
) -> int:
    """Waits for `min_position` if asked; answers the position the read will reflect."""
    if min_position is not None and min_position > side.ledger.last_recorded():
        msg = f"min_position {min_position} is beyond the last recorded event"
        raise ProblemError(422, "position-not-recorded", msg, field="min_position")
    if min_position is not None and not side.models.wait_for(
        min_position, settings.read_wait_seconds, name
    ):
        stuck = next((s for s in side.models.stuck() if s.name == name), None)
        if stuck is not None and stuck.position <= min_position:
            msg = f"the {name} read model is {stuck.line()}: it cannot reach {min_position}"
            raise ProblemError(503, "projection-stuck", msg, headers={"Retry-After": "60"})
        msg = f"the read models have not reached position {min_position} yet; retry shortly"
        raise ProblemError(503, "projection-behind", msg, headers={"Retry-After": "1"})
    return side.models.position(name)


def _positioned(response: Response, position: int) -> int:
    response.headers[POSITION_HEADER] = str(position)
    return position


def item(
    side: ReadSide,
    settings: Settings,
    collection: str,
    item_id: UUID,
    response: Response,
    *,
    actor: Actor,
    min_position: int | None = None,
    as_of: datetime | None = None,
    effective_on: date | None = None,
    lang: Language = DEFAULT,
) -> dict[str, Any]:
    """One item now, or as recorded at `as_of` / in effect on `effective_on` (auditors)."""
    if as_of is not None or effective_on is not None:
        require_auditor(actor)
        position = _positioned(response, settle(side, settings, min_position, "temporal"))
        public = timetravel.item_at(
            side.store, str(item_id), kind=collection, as_of=as_of, effective_on=effective_on
        )
    else:
        position = _positioned(response, settle(side, settings, min_position))
        public = side.models.item(collection, str(item_id))
    if public is None:
        when = "" if as_of is None and effective_on is None else " at that time"
        noun = BY_COLLECTION[collection].noun
        raise NotFoundError(f"no {noun} {item_id}{when} (log position {position})")
    response.headers["ETag"] = f'"{public["version"]}"'
    localized: dict[str, Any] = localize(public, lang)
    return localized


def roadmaps(
    side: ReadSide,
    settings: Settings,
    response: Response,
    min_position: int | None,
    lang: Language = DEFAULT,
) -> dict[str, Any]:
    """Every roadmap whose adoption was not retracted."""
    position = _positioned(response, settle(side, settings, min_position))
    listed = [
        localize({k: public[k] for k in ("id", "title", "parties", "adopted_on")}, lang)
        for public in side.models.roadmaps()
    ]
    return {"roadmaps": listed, "position": position}


def state(
    side: ReadSide,
    settings: Settings,
    roadmap_id: UUID,
    *,
    min_position: int | None,
    as_of: datetime | None,
    effective_on: date | None,
    lang: Language = DEFAULT,
) -> Response:
    """The roadmap's state as JSON; 404 when unknown or not yet recorded at `as_of`.

    The items' JSON comes from the read models as text; it is parsed once to give each text in
    the caller's language, and not re-validated: a state holds thousands of items.
    """
    position = settle(side, settings, min_position, "temporal")
    answer = timetravel.state_json(
        side.store, str(roadmap_id), as_of=as_of, effective_on=effective_on, position=position
    )
    if answer is None:
        when = "" if as_of is None else f" at {as_of.isoformat()}"
        raise NotFoundError(f"no roadmap {roadmap_id} was recorded{when}")
    localized = localize(json.loads(answer), lang)
    try:
        body = json.dumps(localized, ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate, written below the API: as a JSON escape
        body = json.dumps(localized).encode()
    headers = {POSITION_HEADER: str(position), "Content-Language": lang}
    return Response(body, media_type="application/json", headers=headers)


def audit(
    side: ReadSide,
    settings: Settings,
    response: Response,
    where: AuditFilter,
    *,
    after: int,
    limit: int,
    min_position: int | None,
    lang: Language = DEFAULT,
    newest_first: bool = False,
) -> dict[str, Any]:
    """One page of the audit trail; `next_cursor` is the `after` of the next page. Each entry's
    `data` is the record as it was written; its summary is given in the caller's language."""
    settle(side, settings, min_position, "audit")
    page = side.models.audit(where, after=after, limit=limit, newest_first=newest_first)
    _positioned(response, page.position)
    entries = [summarized(entry, lang) for entry in page.entries]
    return {"entries": entries, "next_cursor": page.next_cursor, "position": page.position}
