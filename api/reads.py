"""Read answers: a facade query plus the log position it reflects (read first: a lower bound)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from fastapi import Response

from domain.application import RoadmapLedger
from domain.errors import NotFoundError
from domain.item import Item
from domain.roadmap import Roadmap

POSITION_HEADER = "X-Roadmap-Position"


def item(ledger: RoadmapLedger, cls: type[Item], item_id: UUID, response: Response) -> Any:
    """`ledger.get_public`, with its version as ETag and the position as a header."""
    position = ledger.position()
    public = ledger.get_public(cls, item_id)
    response.headers["ETag"] = f'"{public["version"]}"'
    response.headers[POSITION_HEADER] = str(position)
    return public


def roadmaps(ledger: RoadmapLedger, response: Response) -> dict[str, Any]:
    """Every roadmap whose adoption was not retracted."""
    position = ledger.position()
    listed = []
    for roadmap_id in ledger.roadmap_ids():
        public = ledger.get_public(Roadmap, roadmap_id)
        if not public["void"]:
            listed.append({k: public[k] for k in ("id", "title", "parties", "adopted_on")})
    response.headers[POSITION_HEADER] = str(position)
    return {"roadmaps": listed, "position": position}


def state(
    ledger: RoadmapLedger,
    roadmap_id: UUID,
    response: Response,
    *,
    as_of: datetime | None,
    effective_on: date | None,
) -> dict[str, Any]:
    """`ledger.get_state`; 404 when the roadmap is unknown or was not yet recorded at `as_of`."""
    answer = ledger.get_state(roadmap_id, as_of=as_of, effective_on=effective_on)
    if answer is None:
        raise NotFoundError(f"roadmap {roadmap_id} was not yet recorded at {as_of}")
    response.headers[POSITION_HEADER] = str(answer["position"])
    return answer
