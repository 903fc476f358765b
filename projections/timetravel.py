"""Time travel from the bitemporal segments: the record as of a moment, in effect on a date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.plain import plain
from domain.replay import SECTIONS
from projections.db import ReadStore
from projections.tables import ITEM_VERSIONS, SEGMENTS, from_db, to_db

_SECTION_OF_KIND = {cls.__name__: key for cls, key in SECTIONS.items()}


def _rows(
    store: ReadStore,
    where: str,
    params: list[Any],
    as_of: datetime | None,
    effective_on: date | None,
) -> list[dict[str, Any]]:
    dialect = store.dialect
    clauses = [where]
    params = list(params)
    if as_of is None:
        clauses += ["s.recorded_to IS NULL", "v.recorded_to IS NULL"]
    elif dialect == "postgres":
        # Range containment, so that the GiST indexes on the periods answer it.
        clauses += [
            "tstzrange(s.recorded_from, s.recorded_to, '[)') @> ?::timestamptz",
            "tstzrange(v.recorded_from, v.recorded_to, '[)') @> ?::timestamptz",
        ]
        params += [as_of, as_of]
    else:
        moment = to_db("ts", as_of.isoformat(), dialect)
        clauses += [
            "s.recorded_from <= ?",
            "(s.recorded_to IS NULL OR s.recorded_to > ?)",
            "v.recorded_from <= ?",
            "(v.recorded_to IS NULL OR v.recorded_to > ?)",
        ]
        params += [moment, moment, moment, moment]
    if effective_on is None:
        clauses.append("s.effective_to IS NULL")
    elif dialect == "postgres":
        clauses.append("daterange(s.effective_from, s.effective_to, '[)') @> ?::date")
        params.append(effective_on)
    else:
        day = to_db("date", effective_on.isoformat(), dialect)
        clauses += ["s.effective_from <= ?", "(s.effective_to IS NULL OR s.effective_to > ?)"]
        params += [day, day]
    with store.transaction() as cursor:
        cursor.execute(
            f"SELECT s.kind, s.public, v.version, v.updated_at FROM {SEGMENTS.name} s "
            f"JOIN {ITEM_VERSIONS.name} v ON v.item_id = s.item_id "
            f"WHERE {' AND '.join(clauses)}",
            params,
        )
        found = []
        for kind, public, version, updated_at in cursor.fetchall():
            answer = from_db("json", public)
            answer["version"] = int(version)
            answer["updated_at"] = from_db("ts", updated_at)
            answer["_kind"] = kind
            found.append(answer)
    return found


#: The kind of item each collection of the HTTP contract holds.
KIND_OF_COLLECTION = {
    "roadmaps": "Roadmap",
    "pledges": "Pledge",
    "consultations": "Consultation",
    "decisions": "Decision",
    "exchanges": "Exchange",
    "reform-proposals": "ReformProposal",
}


def item_at(
    store: ReadStore,
    item_id: str,
    *,
    kind: str = "roadmaps",
    as_of: datetime | None,
    effective_on: date | None,
) -> dict[str, Any] | None:
    """One item of collection `kind` as recorded at `as_of`, in effect on `effective_on`."""
    rows = _rows(
        store,
        "s.item_id = ? AND s.kind = ?",
        [item_id, KIND_OF_COLLECTION[kind]],
        as_of,
        effective_on,
    )
    if not rows:
        return None
    rows[0].pop("_kind")
    return rows[0]


def state_at(
    store: ReadStore,
    roadmap_id: str,
    *,
    as_of: datetime | None,
    effective_on: date | None,
    position: int,
) -> dict[str, Any] | None:
    """`GET /roadmaps/{id}/state` from the segments; None before the roadmap was recorded."""
    roadmap = item_at(store, roadmap_id, as_of=as_of, effective_on=None)
    if roadmap is None:
        return None
    answer: dict[str, Any] = {"roadmap": roadmap, **{k: [] for k in _SECTION_OF_KIND.values()}}
    rows = _rows(
        store,
        "s.roadmap_id = ? AND s.item_id <> ? AND NOT s.void",
        [roadmap_id, roadmap_id],
        as_of,
        effective_on,
    )
    for row in sorted(rows, key=lambda r: (r["recorded_at"], r["id"])):
        answer[_SECTION_OF_KIND[row.pop("_kind")]].append(row)
    answer["as_of"] = plain(as_of)
    answer["effective_on"] = plain(effective_on)
    answer["position"] = position
    return answer
