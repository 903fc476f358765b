"""Stable SQL views for reporting jobs (documented in docs/reporting.md).

Reporting jobs read these, never the rm_* tables: the tables may change shape between releases
or be swapped by a rebuild, the views keep their names and columns.
"""

from __future__ import annotations

from domain.model.kinds import KINDS, Kind
from projections.partnership.tables import columns_of
from projections.runtime.db import Cursor


def _item_view(kind: Kind) -> str:
    """Every column of the kind's table but its internals (public JSON, folded state, void)."""
    ids = "id" if kind.section is None else "id, roadmap_id"
    columns = ", ".join(c.name for c in columns_of(kind))
    return (
        f"SELECT {ids}, {columns}, version, recorded_at, updated_at "
        f"FROM {kind.table} WHERE NOT void"
    )


def _open_items() -> str:
    """Decisions awaiting endorsement, pledges past their due date, and each kind's `awaiting`."""
    parts = [
        "SELECT roadmap_id, 'decision' AS item_kind, id, text AS title, "
        "'awaiting endorsement' AS reason, CAST(NULL AS DATE) AS due_on FROM rm_decisions "
        "WHERE NOT void AND status = 'proposed'",
        "SELECT roadmap_id, 'pledge', id, title, 'past its due date', due_on "
        "FROM rm_pledges WHERE NOT void AND status = 'active' AND due_on < CURRENT_DATE",
    ]
    parts += [
        f"SELECT roadmap_id, '{kind.noun}', id, title, '{kind.awaiting.reason}', NULL "
        f"FROM {kind.table} WHERE NOT void AND status = '{kind.awaiting.status}'"
        for kind in KINDS
        if kind.awaiting is not None
    ]
    return " UNION ALL ".join(parts)


VIEWS: dict[str, str] = {
    **{f"v_{kind.table.removeprefix('rm_')}": _item_view(kind) for kind in KINDS},
    "v_priorities": "SELECT roadmap_id, code, title, title_en, title_fr, ord FROM rm_priorities",
    "v_item_priorities": "SELECT item_id, item_kind, code FROM rm_item_priorities",
    "v_item_parties": "SELECT item_id, role, party FROM rm_item_parties",
    "v_audit_trail": (
        "SELECT position, leaf_index, recorded_at, effective_on, actor, actor_party, stream_id, "
        "stream_version, event_type, item_kind, roadmap_id, summary, data, hash FROM rm_audit"
    ),
    "v_pledge_fulfilment": (
        "SELECT p.roadmap_id, p.party, ip.code AS priority, p.unit, COUNT(*) AS pledges, "
        "SUM(CASE WHEN p.status = 'fulfilled' THEN 1 ELSE 0 END) AS fulfilled, "
        "SUM(CASE WHEN p.status = 'active' THEN 1 ELSE 0 END) AS active, "
        "SUM(CASE WHEN p.status = 'withdrawn' THEN 1 ELSE 0 END) AS withdrawn, "
        "SUM(p.amount) AS pledged, SUM(p.delivered) AS delivered, "
        "SUM(CASE WHEN CAST(p.delivered AS NUMERIC) > CAST(p.amount AS NUMERIC) THEN 1 ELSE 0 "
        "END) AS over_delivered "
        "FROM rm_pledges p JOIN rm_item_priorities ip ON ip.item_id = p.id "
        "WHERE NOT p.void GROUP BY p.roadmap_id, p.party, ip.code, p.unit"
    ),
    "v_activity_by_priority_year": (
        "SELECT a.roadmap_id, ip.code AS priority, a.effective_year AS year, "
        "COUNT(*) AS events FROM rm_audit a JOIN rm_item_priorities ip ON ip.item_id = a.stream_id "
        "GROUP BY a.roadmap_id, ip.code, a.effective_year"
    ),
    "v_open_items": _open_items(),
}


def create_views(cursor: Cursor) -> None:
    """(Re)creates every view; run after the tables exist and after a rebuild's swap."""
    for name in VIEWS:
        cursor.execute(f"DROP VIEW IF EXISTS {name}")
    for name, query in VIEWS.items():
        cursor.execute(f"CREATE VIEW {name} AS {query}")
