"""Reports for reporting jobs: exact (Decimal) sums over the partnership read model."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.model.kinds import KINDS
from projections.runtime.db import ReadStore
from projections.runtime.escape import unescape
from projections.runtime.tables import from_db


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    description: str
    columns: tuple[str, ...]
    query: Callable[[ReadStore, date], list[dict[str, Any]]]


def _rows(store: ReadStore, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """The rows of a query, texts restored (escape.py)."""
    with store.transaction() as cursor:
        cursor.execute(sql, params or [])
        return [
            tuple(unescape(v) if isinstance(v, str) else v for v in row)
            for row in cursor.fetchall()
        ]


def _fulfilment(store: ReadStore, today: date) -> list[dict[str, Any]]:
    del today
    totals: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for roadmap_id, party, priority, unit, status, amount, delivered in _rows(
        store,
        "SELECT p.roadmap_id, p.party, ip.code, p.unit, p.status, p.amount, p.delivered "
        "FROM rm_pledges p JOIN rm_item_priorities ip ON ip.item_id = p.id WHERE NOT p.void",
    ):
        key = (roadmap_id, party, priority, unit)
        row = totals.setdefault(
            key,
            {
                "roadmap_id": roadmap_id,
                "party": party,
                "priority": priority,
                "unit": unit,
                "pledges": 0,
                "active": 0,
                "fulfilled": 0,
                "withdrawn": 0,
                "pledged": Decimal(0),
                "delivered": Decimal(0),
                "over_delivered": 0,
            },
        )
        row["pledges"] += 1
        row[status] += 1
        if status != "withdrawn":
            row["pledged"] += Decimal(str(amount))
            row["delivered"] += Decimal(str(delivered))
        if Decimal(str(delivered)) > Decimal(str(amount)):
            row["over_delivered"] += 1  # accepted, and flagged (PledgeState.derived)
    answer = []
    for key in sorted(totals):
        row = totals[key]
        pledged, delivered = row["pledged"], row["delivered"]
        row["delivered_share"] = (
            str((delivered / pledged).quantize(Decimal("0.0001"))) if pledged else None
        )
        row["pledged"], row["delivered"] = str(pledged), str(delivered)
        answer.append(row)
    return answer


def _activity(store: ReadStore, today: date) -> list[dict[str, Any]]:
    del today
    return [
        {"roadmap_id": r[0], "priority": r[1], "year": int(r[2]), "events": int(r[3])}
        for r in _rows(
            store,
            "SELECT a.roadmap_id, ip.code, a.effective_year, COUNT(*) FROM rm_audit a "
            "JOIN rm_item_priorities ip ON ip.item_id = a.stream_id "
            "GROUP BY a.roadmap_id, ip.code, a.effective_year "
            "ORDER BY a.roadmap_id, ip.code, a.effective_year",
        )
    ]


def _open_items(store: ReadStore, today: date) -> list[dict[str, Any]]:
    endorsed: dict[str, set[str]] = {}
    for item_id, party in _rows(
        store, "SELECT item_id, party FROM rm_item_parties WHERE role = 'endorsements'"
    ):
        endorsed.setdefault(item_id, set()).add(party)
    answer: list[dict[str, Any]] = []
    for roadmap_id, item_id, public in _rows(
        store,
        "SELECT roadmap_id, id, public FROM rm_decisions "
        "WHERE NOT void AND status = 'proposed' ORDER BY recorded_at, id",
    ):
        fields = from_db("json", public)
        parties, text = fields["parties"], fields["text"]
        missing = sorted(set(parties) - endorsed.get(item_id, set()))
        answer.append(
            {
                "roadmap_id": roadmap_id,
                "item_kind": "decision",
                "id": item_id,
                "title": text,
                "reason": "awaiting endorsement",
                "waiting_for": " ".join(missing),
                "due_on": None,
            }
        )
    for kind in KINDS:
        if kind.awaiting is None:
            continue
        waiting = kind.awaiting
        for roadmap_id, item_id, public, party in _rows(
            store,
            f"SELECT roadmap_id, id, public, {waiting.party_field} FROM {kind.table} "
            "WHERE NOT void AND status = ? ORDER BY recorded_at, id",
            [waiting.status],
        ):
            title = from_db("json", public)["title"]
            answer.append(
                {
                    "roadmap_id": roadmap_id,
                    "item_kind": kind.noun,
                    "id": item_id,
                    "title": title,
                    "reason": waiting.reason,
                    "waiting_for": party,
                    "due_on": None,
                }
            )
    for roadmap_id, item_id, public, party, due_on in _rows(
        store,
        "SELECT roadmap_id, id, public, party, due_on FROM rm_pledges "
        "WHERE NOT void AND status = 'active' AND due_on IS NOT NULL ORDER BY due_on, id",
    ):
        due = from_db("date", due_on)
        if due < today.isoformat():
            answer.append(
                {
                    "roadmap_id": roadmap_id,
                    "item_kind": "pledge",
                    "id": item_id,
                    "title": from_db("json", public)["title"],
                    "reason": "past its due date",
                    "waiting_for": party,
                    "due_on": due,
                }
            )
    return answer


REPORTS: dict[str, Report] = {
    report.name: report
    for report in (
        Report(
            "pledge-fulfilment",
            "Pledge fulfilment by party and priority",
            "Pledges, their status, and pledged vs delivered amounts (withdrawn pledges excluded "
            "from the sums), per roadmap, party, priority and unit; `over_delivered` counts the "
            "pledges with more delivered than pledged.",
            (
                "roadmap_id",
                "party",
                "priority",
                "unit",
                "pledges",
                "active",
                "fulfilled",
                "withdrawn",
                "pledged",
                "delivered",
                "delivered_share",
                "over_delivered",
            ),
            _fulfilment,
        ),
        Report(
            "activity-by-priority",
            "Activity by priority and year",
            "Recorded events per priority and effective year.",
            ("roadmap_id", "priority", "year", "events"),
            _activity,
        ),
        Report(
            "open-items",
            "Open items",
            "Decisions awaiting endorsement, pledges past their due date, and items awaiting "
            "another party (exchanges to agree, assessments to acknowledge).",
            ("roadmap_id", "item_kind", "id", "title", "reason", "waiting_for", "due_on"),
            _open_items,
        ),
    )
}


def as_csv(
    report: Report, rows: list[dict[str, Any]], headers: dict[str, str] | None = None
) -> Iterator[str]:
    """The report as CSV, a line at a time (streamed over HTTP); `headers` names the columns
    in the reader's language (the column names by default)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=report.columns, lineterminator="\r\n", extrasaction="ignore"
    )
    writer.writerow({c: (headers or {}).get(c, c) for c in report.columns})
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue()
