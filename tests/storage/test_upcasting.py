"""Events stored by an earlier class version are read by the current one, on both backends.

`Pledge.Fulfilled` is at version 2 (a `reason`): the fulfilment of release 0.1's store reads at
version 2 and keeps its Merkle leaf. The mechanism is also shown on a test-local aggregate whose
creation event is at version 3 (rows of versions 1 and 2 written as an earlier release would have
written them), and on `Pledge.Made` made into a version 2 for the test.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain.application.service import RoadmapLedger
from domain.model.history import Entry
from domain.model.pledge import Pledge
from projections.audit.leaf import StoredLeaves, leaf_hash
from projections.audit.merkle import Frontier
from tests.factories import CA_OFFICIAL, adopt_france_canada, new_pledge, personnel

WRITTEN_AT = datetime(2017, 5, 1, 8, 0, tzinfo=UTC)


class Memo(Aggregate):
    """A note whose creation event gained a language (v2) and tags (v3)."""

    class Written(Aggregate.Created):
        class_version = 3
        text: str
        language: str
        tags: tuple[str, ...]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["language"] = "en"  # before v2, every memo was in English

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["tags"] = ()

        def apply(self, aggregate: Any) -> None:
            aggregate.text = self.text
            aggregate.language = self.language
            aggregate.tags = self.tags

    @classmethod
    def write(cls, text: str, language: str, tags: tuple[str, ...]) -> Memo:
        return cls._create(cls.Written, id=uuid4(), text=text, language=language, tags=tags)


def insert_row(app: RoadmapLedger, topic: str, state: dict[str, Any], item_id: UUID) -> None:
    """A row as an earlier release wrote it: its own state, its own class version (or none)."""
    row = StoredEvent(
        originator_id=item_id,
        originator_version=1,
        topic=topic,
        state=app.mapper.transcoder.encode(state),
    )
    app.recorder.insert_events([row])


def stored_state(app: RoadmapLedger, item_id: UUID, version: int = 1) -> dict[str, Any]:
    (row,) = [r for r in app.recorder.select_events(item_id) if r.originator_version == version]
    state: dict[str, Any] = app.mapper.transcoder.decode(row.state)
    return state


def test_old_memos_are_upcast_on_reading(app: RoadmapLedger, database_url: str) -> None:
    topic, base = (
        get_topic(Memo.Written),
        {"timestamp": WRITTEN_AT, "originator_topic": get_topic(Memo)},
    )
    v1, v2 = uuid4(), uuid4()
    insert_row(app, topic, {**base, "text": "first release"}, v1)
    insert_row(app, topic, {**base, "text": "second", "language": "fr", "class_version": 2}, v2)
    current = Memo.write("third", "fr", ("peacekeeping",))
    app.save(current)
    assert stored_state(app, current.id)["class_version"] == 3
    assert "class_version" not in stored_state(app, v1)

    reader = RoadmapLedger(database_url)
    try:
        memos: dict[UUID, Any] = {m: reader.repository.get(m) for m in (v1, v2, current.id)}
    finally:
        reader.close()
    assert (memos[v1].text, memos[v1].language, memos[v1].tags) == ("first release", "en", ())
    assert (memos[v2].text, memos[v2].language, memos[v2].tags) == ("second", "fr", ())
    assert (memos[current.id].language, memos[current.id].tags) == ("fr", ("peacekeeping",))
    assert memos[v1].created_on == WRITTEN_AT
    assert memos[v1].version == 1


def test_a_pledge_made_before_due_dates_existed(
    app: RoadmapLedger, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    roadmap = adopt_france_canada(app).id
    made = new_pledge(CA_OFFICIAL).pending_events[0]
    old = stored_state_of(app, made)
    del old["due_on"]  # "version 1 of Made" had no due date
    pledge_id = uuid4()
    old["roadmap_id"] = roadmap
    insert_row(app, get_topic(Pledge.Made), old, pledge_id)

    with pytest.raises(KeyError, match="due_on"):
        app.get_item(Pledge, pledge_id)  # the current code cannot read it without an upcaster

    current = Pledge.Made.class_version
    monkeypatch.setattr(Pledge.Made, "class_version", current + 1)
    monkeypatch.setattr(
        Pledge.Made,
        f"upcast_v{current}_v{current + 1}",
        staticmethod(lambda state: state.setdefault("due_on", None)),
        raising=False,
    )
    reader = RoadmapLedger(database_url)
    try:
        pledge = reader.get_item(Pledge, pledge_id)
        assert pledge.state.due_on is None
        assert pledge.state.quantity == personnel(600)
        assert pledge.state.roadmap_id == roadmap
        assert pledge.entries[0].payload["due_on"] is None
        reader.report_pledge_progress(CA_OFFICIAL, pledge_id, delivered=personnel(60))
        assert reader.get_item(Pledge, pledge_id).state.delivered == personnel(60)
        progress = stored_state(reader, pledge_id, 2)
        assert progress["class_version"] == Pledge.ProgressReported.class_version  # not Made's
        fresh = new_pledge(CA_OFFICIAL)
        reader.save(fresh)
        assert stored_state(reader, fresh.id)["class_version"] == current + 1
        assert reader.get_item(Pledge, fresh.id).state == fresh.state
    finally:
        reader.close()


def stored_state_of(app: RoadmapLedger, event: Any) -> dict[str, Any]:
    """The state the current code would store for `event`, as a plain dict."""
    state: dict[str, Any] = app.mapper.transcoder.decode(app.mapper.to_stored_event(event).state)
    return state


RELEASE = Path(__file__).parent.parent / "fixtures" / "release-0.1"


def test_a_fulfilment_of_release_0_1_reads_at_version_2_and_keeps_its_leaf(
    tmp_path: Path,
) -> None:
    """Pledge.Fulfilled gained `reason` (version 2). The store of release 0.1 holds one at
    version 1: it reads with no reason, and its Merkle leaf — computed from the record as
    stored, not from the upcast event — is as release 0.1 made it (`data` {}, not
    {"reason": null}), so its signed heads still verify."""
    shutil.copy(RELEASE / "store.db", tmp_path / "store.db")
    app = RoadmapLedger(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        (stored,) = [n for n in app.notifications() if n.topic.endswith(":Pledge.Fulfilled")]
        assert "class_version" not in app.mapper.transcoder.decode(stored.state)  # version 1
        event = app.mapper.to_domain_event(stored)
        assert isinstance(event, Pledge.Fulfilled)
        assert event.reason is None
        assert Entry.of(event).payload == {"reason": None}  # what this release reads
        assert StoredLeaves().fields(stored)["data"] == {}  # what the record holds
        heads = json.loads((RELEASE / "tree-heads.json").read_text())
        records = StoredLeaves()
        leaves = [bytes.fromhex(leaf_hash(records.fields(n))) for n in app.notifications()]
        for head in heads:  # the roots release 0.1 signed, recomputed from today's leaves
            frontier = Frontier(0, [])
            for leaf in leaves[: head["tree_size"]]:
                frontier.append(leaf)
            assert frontier.root().hex() == head["root_hash"]
        assert app.get_item(Pledge, event.originator_id).state.status == "fulfilled"
    finally:
        app.close()
