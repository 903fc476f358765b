"""Time travel from the bitemporal segments: the record as of a moment, in effect on a date."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from domain.model.kinds import BY_COLLECTION, BY_NAME, SECTIONED
from domain.model.plain import plain
from projections.runtime.db import ReadStore
from projections.runtime.escape import restore_json_text
from projections.runtime.tables import from_db, to_db
from projections.temporal.tables import ITEM_VERSIONS, SEGMENTS


def _rows(
    store: ReadStore,
    where: str,
    params: list[Any],
    as_of: datetime | None,
    effective_on: date | None,
) -> list[tuple[str, str]]:
    """(kind, public JSON text with version and updated_at) of the segments in force."""
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
    public = "s.public::text" if dialect == "postgres" else "s.public"
    # Ids in code-point order, as the replay sorts them, whatever the database's collation.
    order = ' COLLATE "C"' if dialect == "postgres" else ""
    with store.transaction() as cursor:
        cursor.execute(
            f"SELECT s.kind, {public}, v.version, v.updated_at FROM {SEGMENTS.name} s "
            f"JOIN {ITEM_VERSIONS.name} v ON v.item_id = s.item_id "
            f"WHERE {' AND '.join(clauses)} ORDER BY s.created_at, s.item_id{order}",
            params,
        )
        return [
            (kind, _with_version(restore_json_text(text), int(version), from_db("ts", updated_at)))
            for kind, text, version, updated_at in cursor.fetchall()
        ]


def _with_version(public: str, version: int, updated_at: str) -> str:
    """The stored public JSON with what changes at every event, spliced in as text."""
    return f'{{"version":{version},"updated_at":"{updated_at}",{public.lstrip()[1:]}'


def item_at(
    store: ReadStore,
    item_id: str,
    *,
    kind: str = "roadmaps",
    as_of: datetime | None,
    effective_on: date | None,
) -> dict[str, Any] | None:
    """One item of collection `kind` as recorded at `as_of`, in effect on `effective_on`."""
    text = item_json(store, item_id, kind=kind, as_of=as_of, effective_on=effective_on)
    return None if text is None else dict(json.loads(text))


def item_json(
    store: ReadStore,
    item_id: str,
    *,
    kind: str,
    as_of: datetime | None,
    effective_on: date | None,
) -> str | None:
    where, params = "s.item_id = ? AND s.kind = ?", [item_id, BY_COLLECTION[kind].name]
    rows = _rows(store, where, params, as_of, effective_on)
    return rows[0][1] if rows else None


def state_json(
    store: ReadStore,
    roadmap_id: str,
    *,
    as_of: datetime | None,
    effective_on: date | None,
    position: int,
) -> str | None:
    """`GET /roadmaps/{id}/state` as JSON text, built without parsing a single item."""
    roadmap = item_json(store, roadmap_id, kind="roadmaps", as_of=as_of, effective_on=None)
    if roadmap is None:
        return None
    sections: dict[str, list[str]] = {str(k.section): [] for k in SECTIONED}
    where = "s.roadmap_id = ? AND s.item_id <> ? AND NOT s.void"
    for kind, text in _rows(store, where, [roadmap_id, roadmap_id], as_of, effective_on):
        sections[str(BY_NAME[kind].section)].append(text)
    parts = [f'"roadmap":{roadmap}']
    parts += [f'"{key}":[{",".join(items)}]' for key, items in sections.items()]
    parts += [
        f'"as_of":{json.dumps(plain(as_of))}',
        f'"effective_on":{json.dumps(plain(effective_on))}',
        f'"position":{position}',
    ]
    return "{" + ",".join(parts) + "}"


def state_at(
    store: ReadStore,
    roadmap_id: str,
    *,
    as_of: datetime | None,
    effective_on: date | None,
    position: int,
) -> dict[str, Any] | None:
    """The same answer as a dict (the replay reference is compared with this)."""
    text = state_json(store, roadmap_id, as_of=as_of, effective_on=effective_on, position=position)
    return None if text is None else dict(json.loads(text))
