"""Time travel from the bitemporal segments: the record as of a moment, in effect on a date."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from domain.model.kinds import BY_COLLECTION, BY_NAME, SECTIONED
from domain.model.plain import plain
from projections.runtime.db import Dialect, ReadStore
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
    versions, version_params = _versions_at(dialect, as_of)
    if as_of is None:
        clauses.append("s.recorded_to IS NULL")
    elif dialect == "postgres":
        # Range containment, so that the GiST index on the periods answers it.
        clauses.append("tstzrange(s.recorded_from, s.recorded_to, '[)') @> ?::timestamptz")
        params.append(as_of)
    else:
        moment = to_db("ts", as_of.isoformat(), dialect)
        clauses += ["s.recorded_from <= ?", "(s.recorded_to IS NULL OR s.recorded_to > ?)"]
        params += [moment, moment]
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
            f"SELECT s.kind, {public}, r.version, r.updated_at FROM {SEGMENTS.name} s "
            f"{versions} WHERE {' AND '.join(clauses)} ORDER BY s.created_at, s.item_id{order}",
            [*version_params, *params],
        )
        return [
            (kind, _with_version(restore_json_text(text), int(version), from_db("ts", updated_at)))
            for kind, text, version, updated_at in cursor.fetchall()
        ]


def _versions_at(dialect: Dialect, as_of: datetime | None) -> tuple[str, list[Any]]:
    """The join of each segment to its item's version row at `as_of` (`r`), and its parameters.

    On PostgreSQL, each item's row is its latest one begun by then, found down its primary key:
    with a join on the period, the planner was seen to probe the version rows' GiST index for
    every segment, 2.5 s instead of milliseconds, whenever its statistics were behind. The rows
    of an item follow one another (each ends where the next begins), so the latest begun is
    the one in force; the period's test stays, so a row is answered only where the join would
    answer it.
    """
    at = "r.recorded_to IS NULL"
    params: list[Any] = []
    if as_of is not None:
        at = "r.recorded_from <= ? AND (r.recorded_to IS NULL OR r.recorded_to > ?)"
        moment = as_of if dialect == "postgres" else to_db("ts", as_of.isoformat(), dialect)
        params = [moment, moment]
    if dialect != "postgres":
        return f"JOIN {ITEM_VERSIONS.name} r ON r.item_id = s.item_id AND {at}", params
    return (
        f"JOIN LATERAL (SELECT r.version, r.updated_at FROM {ITEM_VERSIONS.name} r "
        f"WHERE r.item_id = s.item_id AND {at} ORDER BY r.recorded_from DESC LIMIT 1) r ON true",
        params,
    )


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
