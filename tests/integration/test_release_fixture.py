"""The store made by release 0.1 (tests/fixtures/release-0.1) loads, answers and verifies.

Stored events are the record: every later release must read this store exactly as the release
that wrote it did, and every tree head that release signed must still verify.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from domain.adapters.archive import import_events
from domain.application.service import RoadmapLedger
from projections.audit import merkle, proofs
from projections.audit.signing import Signer
from projections.temporal import timetravel
from tests.support.stores import opened, runner_for

RELEASE = Path(__file__).parent.parent / "fixtures" / "release-0.1"
ROADMAP_ID = "97d38cc1-e7a0-5635-a59c-b560d9560415"
#: Sections of the state answer added after release 0.1: empty in its store.
ADDED_SINCE = ("assessments",)
#: Fields of an item's answer added after release 0.1, by section: derived from the fields it
#: had (`over_delivered`: more reported delivered than pledged), not recorded.
DERIVED_SINCE = {"pledges": ("over_delivered",)}


def _answers() -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = json.loads((RELEASE / "answers.json").read_text())
    return answers


def _heads() -> list[dict[str, Any]]:
    heads: list[dict[str, Any]] = json.loads((RELEASE / "tree-heads.json").read_text())
    return heads


def _english(value: Any) -> Any:
    """Texts as release 0.1 answered them: a plain string, which read as English since."""
    if isinstance(value, dict) and value.keys() == {"en", "fr", "lang"}:
        assert (value["lang"], value["fr"]) == ("en", None)  # nothing was translated
        return value["en"]
    if isinstance(value, dict):
        return {k: _english(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_english(v) for v in value]
    return value


def _as_written(state: Any) -> Any:
    """A state as the fixture's answers.json spells it, less the kinds added since (empty)."""
    written = _english(json.loads(json.dumps(state, sort_keys=True, default=str)))
    if isinstance(written, dict):
        for key in ADDED_SINCE:
            assert written.pop(key) == []
        for section, fields in DERIVED_SINCE.items():
            for item in written.get(section, []):
                for field in fields:
                    item.pop(field)
    return written


def _replayed(app: RoadmapLedger, answer: dict[str, Any]) -> Any:
    as_of, day = answer["as_of"], answer["effective_on"]
    return _as_written(
        app.get_state(
            UUID(ROADMAP_ID),
            as_of=None if as_of is None else datetime.fromisoformat(as_of),
            effective_on=None if day is None else date.fromisoformat(day),
        )
    )


@pytest.fixture
def release_copy(tmp_path: Path) -> str:
    shutil.copy(RELEASE / "store.db", tmp_path / "store.db")
    return f"sqlite:///{tmp_path / 'store.db'}"


def test_the_release_store_replays_to_the_same_answers(release_copy: str) -> None:
    app = RoadmapLedger(release_copy)
    try:
        for answer in _answers():
            assert _replayed(app, answer) == answer["state"], (
                answer["as_of"],
                answer["effective_on"],
            )
    finally:
        app.close()


def test_the_release_store_verifies_against_its_own_heads(release_copy: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["verify", "--public-key", str(RELEASE / "public-key.pem")],
        env={"ROADMAP_DATABASE_URL": release_copy},
    )
    assert result.exit_code == 0, result.output
    assert f"intact: 38 events, {len(_heads())} signed tree heads" in result.output


def test_the_release_export_imports_and_reprojects_to_the_signed_roots(
    database_url: str, tmp_path: Path
) -> None:
    with opened(database_url) as (app, store):
        with (RELEASE / "export.jsonl").open(encoding="utf-8") as source:
            assert import_events(app, source) == 38
        for answer in _answers():
            assert _replayed(app, answer) == answer["state"]
        runner_for(app, store, Signer.from_file(tmp_path / "key.pem")).catch_up()
        size = proofs.tree_size(store)
        assert size == 38
        for head in _heads():
            old = head["tree_size"]
            proof = proofs.consistency(store, old, size)
            assert proof["first_root_hash"] == head["root_hash"]
            assert merkle.verify_consistency(
                old,
                size,
                bytes.fromhex(head["root_hash"]),
                bytes.fromhex(proof["second_root_hash"]),
                [bytes.fromhex(p) for p in proof["path"]],
            )
            for index in range(old):
                inclusion = proofs.inclusion(store, index, old)
                assert merkle.verify_inclusion(
                    bytes.fromhex(inclusion["leaf_hash"]),
                    index,
                    old,
                    [bytes.fromhex(p) for p in inclusion["path"]],
                    bytes.fromhex(head["root_hash"]),
                )


def test_the_read_models_built_by_the_release_are_rebuilt_and_answer_the_same(
    release_copy: str, tmp_path: Path
) -> None:
    """Release 0.1 built its read models in another layout: a runner rebuilds those from the
    log on start, keeps the audit trail (same layout) and its heads, and the read side then
    answers what the replay answers."""
    with opened(release_copy) as (_, store), store.transaction() as cursor:
        cursor.execute("SELECT COUNT(*) FROM rm_tree_heads")
        heads_before = cursor.fetchone()[0]
    with opened(release_copy) as (app, store):
        runner_for(app, store, Signer.from_file(tmp_path / "key.pem")).catch_up()
        position = app.position()
        for answer in _answers():
            as_of, day = answer["as_of"], answer["effective_on"]
            read = timetravel.state_at(
                store,
                ROADMAP_ID,
                as_of=None if as_of is None else datetime.fromisoformat(as_of),
                effective_on=None if day is None else date.fromisoformat(day),
                position=position,
            )
            expected = {**answer["state"], "position": position}
            assert _as_written(read) == expected, (as_of, day)
        with store.transaction() as cursor:
            cursor.execute("SELECT COUNT(*) FROM rm_tree_heads")
            assert cursor.fetchone()[0] == heads_before  # nothing re-signed: the trail stayed
            cursor.execute("SELECT title_fr FROM rm_pledges")
            assert {row[0] for row in cursor.fetchall()} == {None}  # the new layout
