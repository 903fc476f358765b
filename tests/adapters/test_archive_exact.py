"""An export in format 2 imports to the very same record: Merkle leaves, replayed states, export.

The leaves are what tree heads sign: if an import changed one byte of any leaf, every signed head
of the source would fail to verify against the copy.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain.adapters.archive import export_events, import_events
from domain.application.service import RoadmapLedger
from domain.model.history import Entry
from domain.model.pledge import Pledge
from projections.audit.leaf import StoredLeaves, canonical, leaf_entry, leaf_hash
from tests import pg
from tests.factories import assert_exact
from tests.storage.test_roundtrip import Record, event_types

RELEASE = Path(__file__).parent.parent / "fixtures" / "release-0.1"

Opener = Callable[[], RoadmapLedger]


@pytest.fixture
def fresh(database_url: str, tmp_path: Path) -> Iterator[Opener]:
    """Opens another empty store on the backend of `database_url`; the first one is that."""
    with ExitStack() as stack:
        opened: list[RoadmapLedger] = []

        def opener() -> RoadmapLedger:
            n = len(opened)
            url = database_url if n == 0 else _another(stack, database_url, tmp_path, n)
            opened.append(stack.enter_context(closing(RoadmapLedger(url))))
            return opened[-1]

        yield opener


def _another(stack: ExitStack, database_url: str, tmp_path: Path, n: int) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path}/store-{n}.db"
    base = pg.base_url()
    schema = pg.create_schema(base)
    stack.callback(pg.drop_schema, base, schema)
    return pg.with_schema(base, schema)


def _export(app: RoadmapLedger) -> str:
    out = io.StringIO()
    export_events(app, out)
    return out.getvalue()


def _import(app: RoadmapLedger, text: str) -> int:
    return import_events(app, io.StringIO(text))


def _leaves(app: RoadmapLedger) -> list[bytes]:
    """Each event's leaf fields, canonical, from the record as stored. For a record made at its
    class's current version, the event this release builds from it gives the same leaf."""
    records = StoredLeaves()
    leaves = []
    for stored in app.notifications():
        fields = records.fields(stored)
        event = app.mapper.to_domain_event(stored)
        current: int = getattr(type(event), "class_version", 1)
        if b'"class_version":%d' % current in stored.state:
            built = leaf_entry(str(event.originator_id), Entry.of(event))
            assert leaf_hash(fields) == leaf_hash(built)
        leaves.append(canonical(fields))
    return leaves


def _without_positions(export: str) -> list[dict[str, Any]]:
    lines = (json.loads(line) for line in export.splitlines())
    return [{k: v for k, v in line.items() if k != "position"} for line in lines]


def _states(app: RoadmapLedger, midway: datetime) -> list[Any]:
    """Every roadmap, now, as it stood midway, and in effect on two dates."""
    answers = []
    for roadmap_id in app.roadmap_ids():
        answers += [
            app.get_state(roadmap_id),
            app.get_state(roadmap_id, as_of=midway),
            app.get_state(roadmap_id, effective_on=date(2016, 9, 1)),
            app.get_state(roadmap_id, as_of=midway, effective_on=date(2016, 10, 26)),
        ]
    return answers


def test_every_event_type_survives_export_and_import(fresh: Opener) -> None:
    source, target = fresh(), fresh()
    items = Record().everything()
    recorded = [type(e) for item in items for e in item.pending_events]
    source.save(*items)
    assert set(recorded) == event_types()  # corrections and retractions of every aggregate too
    export = _export(source)

    assert _import(target, export) == len(recorded)

    assert _leaves(target) == _leaves(source)
    midway = vars(source.mapper.to_domain_event(list(source.notifications())[20]))["timestamp"]
    assert _states(target, midway) == _states(source, midway)
    assert _without_positions(_export(target)) == _without_positions(export)
    for original, copy in zip(source.notifications(), target.notifications(), strict=True):
        assert_exact(
            vars(source.mapper.to_domain_event(original)),
            vars(target.mapper.to_domain_event(copy)),
            f"position {original.id}",
        )
        assert copy.state == original.state  # the stored bytes, even their key order


def test_amounts_and_times_come_back_exactly(fresh: Opener) -> None:
    source, target = fresh(), fresh()
    items = Record().everything()
    source.save(*items)
    line = next(
        json.loads(line)
        for line in _export(source).splitlines()
        if json.loads(line)["event_type"] == "Pledge.Made"
    )
    line["data"]["quantity"]["amount"] = "600"
    line["recorded_at"] = "2026-03-02T09:30:00.000001+00:00"
    line["position"], line["stream_version"] = 1, 1

    _import(target, json.dumps(line) + "\n")

    pledge = target.get_item(Pledge, UUID(line["stream_id"]))
    assert str(pledge.state.quantity.amount) == "600"  # not 600.0, nor 6E+2
    assert pledge.entries[0].recorded_at.isoformat() == "2026-03-02T09:30:00.000001+00:00"
    assert json.loads(_export(target))["data"] == line["data"]


def test_release_fixture_reexported_gives_the_same_leaves(fresh: Opener, tmp_path: Path) -> None:
    shutil.copy(RELEASE / "store.db", tmp_path / "release.db")
    with closing(RoadmapLedger(f"sqlite:///{tmp_path / 'release.db'}")) as release:
        expected = _leaves(release)
    from_release, from_format_2 = fresh(), fresh()
    with (RELEASE / "export.jsonl").open(encoding="utf-8") as old:
        assert import_events(from_release, old) == 38
    export = _export(from_release)

    assert _import(from_format_2, export) == 38

    assert _leaves(from_release) == expected
    assert _leaves(from_format_2) == expected
    assert _export(from_format_2) == export
    answers = json.loads((RELEASE / "answers.json").read_text())
    midway = datetime.fromisoformat(next(a["as_of"] for a in answers if a["as_of"]))
    assert _states(from_format_2, midway) == _states(from_release, midway)


def test_an_older_class_version_is_kept_as_recorded_and_read_upcast(
    fresh: Opener, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, target = fresh(), fresh()
    source.save(*Record().everything()[:3])
    lines = [json.loads(line) for line in _export(source).splitlines()]
    made = next(line for line in lines if line["event_type"] == "Pledge.Made")
    del made["data"]["due_on"]  # as if version 1 of Made had no due date
    current = Pledge.Made.class_version
    monkeypatch.setattr(Pledge.Made, "class_version", current + 1)
    monkeypatch.setattr(
        Pledge.Made,
        f"upcast_v{current}_v{current + 1}",
        staticmethod(lambda state: state.setdefault("due_on", None)),
        raising=False,
    )

    _import(target, "".join(json.dumps(line) + "\n" for line in lines))

    pledge = target.get_item(Pledge, UUID(made["stream_id"]))
    assert pledge.entries[0].payload["due_on"] is None  # read through the upcaster
    reexported = next(
        json.loads(line) for line in _export(target).splitlines() if '"Pledge.Made"' in line
    )
    # The record itself is not rewritten: its version, as it was exported, leaf and all.
    assert reexported == made
    stored = next(n for n in target.notifications() if n.originator_id == pledge.id)
    assert b'"class_version":%d' % current in stored.state
