"""`roadmap verify` and `roadmap verify-proof` (issue 6) through the real projection.

Tampering is done as someone with write access to the database would: on PostgreSQL as a
superuser with the append-only triggers bypassed (`session_replication_role = replica`).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from typer.testing import CliRunner, Result

from api.cli import app as cli
from domain.application.running import Meta
from domain.model.pledge import Pledge
from domain.model.values import PledgeKind, Quantity
from projections.audit import proofs
from projections.audit.queries import AuditFilter
from projections.audit.signing import Signer
from projections.audit.tables import TREE_HEADS
from projections.catalog import rebuild
from projections.partnership.queries import ReadModels
from tests.factories import CA_OFFICIAL, FR_OFFICIAL, adopt_france_canada, make_canada_pledge
from tests.support.rawlog import RawLog
from tests.support.stores import opened, runner_for, signer_in

runner = CliRunner()


@dataclass(frozen=True)
class Record:
    url: str
    key: Path
    events: int
    #: Positions of two pledges' creations (same event type, so their states can be swapped).
    pledges_made: tuple[int, int]
    heads: tuple[int, ...]


def _record(url: str, directory: Path) -> Record:
    """A small record, projected three events a batch: a signed head every three leaves."""
    with opened(url) as (app, store):
        roadmap = adopt_france_canada(app)
        first = make_canada_pledge(app, roadmap.id, meta=Meta(effective_on=date(2016, 8, 26)))
        for delivered in (100, 250):
            app.report_pledge_progress(
                CA_OFFICIAL, first.id, delivered=Quantity(Decimal(delivered), "personnel")
            )
        second = app.make_pledge(
            FR_OFFICIAL,
            roadmap.id,
            party="FR",
            title="Train 300 French-speaking police officers",
            kind=PledgeKind.TRAINING,
            quantity=Quantity(Decimal(300), "personnel"),
            priorities=["operations-support"],
        )
        app.correct(
            CA_OFFICIAL,
            Pledge,
            first.id,
            target_version=1,
            changes={"title": "Deploy up to 600 soldiers"},
            reason="typo",
        )
        for delivered in (320, 400, 600):
            app.report_pledge_progress(
                CA_OFFICIAL, first.id, delivered=Quantity(Decimal(delivered), "personnel")
            )
        app.fulfil_pledge(CA_OFFICIAL, first.id)
        runner_for(app, store, signer_in(directory), batch_size=3).catch_up()
        heads = tuple(int(h["tree_size"]) for h in proofs.tree_heads(store))
        return Record(
            url,
            directory / "signing-key.pem",
            app.position(),
            (first.position, second.position),
            heads,
        )


@pytest.fixture
def record(database_url: str, tmp_path: Path) -> Record:
    return _record(database_url, tmp_path)


def _verify(record: Record) -> Result:
    return runner.invoke(
        cli,
        ["verify"],
        env={"ROADMAP_DATABASE_URL": record.url, "ROADMAP_SIGNING_KEY_FILE": str(record.key)},
    )


def _altered(result: Result, position: int) -> None:
    assert result.exit_code != 0, result.output
    assert f"ALTERED at position {position} " in result.output, result.output


def test_an_untouched_record_is_intact(record: Record) -> None:
    assert record.events == 10
    assert record.heads == (3, 6, 9, 10)
    result = _verify(record)
    assert result.exit_code == 0, result.output
    assert f"intact: {record.events} events, {len(record.heads)} signed tree heads" in result.output


def test_an_event_altered_in_the_database_is_named(record: Record) -> None:
    log = RawLog(record.url)
    made = next(e for e in log.events() if e.position == record.pledges_made[0])
    assert b'"600"' in made.state
    log.set_state(made.position, made.state.replace(b'"600"', b'"900"'))
    _altered(_verify(record), made.position)


def test_an_event_altered_and_reprojected_is_caught_by_the_signed_heads(record: Record) -> None:
    log = RawLog(record.url)
    made = next(e for e in log.events() if e.position == record.pledges_made[0])
    log.set_state(made.position, made.state.replace(b'"600"', b'"900"'))
    with opened(record.url) as (app, store):
        rebuild(app, store)  # the audit trail and the tree now agree with the forged log
    result = _verify(record)
    assert result.exit_code != 0, result.output
    assert "ALTERED" in result.output
    assert "differs from the signed tree head" in result.output


def test_an_event_deleted_in_the_database_is_named(record: Record) -> None:
    RawLog(record.url).delete(5)
    _altered(_verify(record), 5)


def test_the_last_event_deleted_in_the_database_is_named(record: Record) -> None:
    RawLog(record.url).delete(record.events)
    _altered(_verify(record), record.events)


def test_the_last_event_and_its_tree_head_deleted_are_found(record: Record) -> None:
    """The audit trail still holds an entry for the deleted event: the record is not intact."""
    RawLog(record.url).delete(record.events)
    with opened(record.url) as (_, store), store.transaction(write=True) as cursor:
        cursor.execute(f"DELETE FROM {TREE_HEADS.name} WHERE tree_size = ?", [record.events])
    _altered(_verify(record), record.events)


def test_an_event_inserted_in_the_database_is_named(record: Record) -> None:
    log = RawLog(record.url)
    copied = next(e for e in log.events() if e.position == record.pledges_made[1])
    log.insert(5, uuid4(), copied.topic, copied.state)
    assert len(log.events()) == record.events + 1
    _altered(_verify(record), 5)


def test_two_events_swapped_in_place_are_named(record: Record) -> None:
    log = RawLog(record.url)
    log.swap_positions(4, 7)
    _altered(_verify(record), 4)


def test_two_events_with_swapped_states_are_named(record: Record) -> None:
    log = RawLog(record.url)
    first, second = (e for e in log.events() if e.position in record.pledges_made)
    assert first.topic == second.topic
    log.set_state(first.position, second.state)
    log.set_state(second.position, first.state)
    _altered(_verify(record), first.position)


def test_a_tree_head_with_an_altered_signature_is_named(record: Record) -> None:
    with opened(record.url) as (_, store), store.transaction(write=True) as cursor:
        cursor.execute(f"SELECT signature FROM {TREE_HEADS.name} WHERE tree_size = 6")
        signature = base64.b64decode(cursor.fetchone()[0])
        forged = base64.b64encode(bytes([signature[0] ^ 1]) + signature[1:]).decode()
        cursor.execute(f"UPDATE {TREE_HEADS.name} SET signature = ? WHERE tree_size = 6", [forged])
    result = _verify(record)
    assert result.exit_code != 0, result.output
    assert "ALTERED at position 6 " in result.output
    assert "the signature of the tree head at size 6 is not valid" in result.output


# --- roadmap verify-proof ----------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    """What an auditor kept: heads, the server's public key, proofs, an audit entry."""

    directory: Path
    public_key: Path
    old_head: dict[str, Any]
    head: dict[str, Any]
    inclusion: dict[str, Any]
    consistency: dict[str, Any]
    entry: dict[str, Any]

    def write(self, name: str, value: Any) -> Path:
        path = self.directory / name
        path.write_text(json.dumps(value), encoding="utf-8")
        return path


@pytest.fixture
def saved(record: Record, tmp_path: Path) -> Saved:
    with opened(record.url) as (_, store):
        head = proofs.tree_head(store)
        old_head = proofs.tree_head(store, 3)
        assert head is not None
        assert old_head is not None
        size = int(head["tree_size"])
        entry = next(
            e
            for e in ReadModels(store).audit(AuditFilter(), limit=100).entries
            if e["leaf_index"] == 4
        )
        answer = Saved(
            directory=tmp_path,
            public_key=tmp_path / "server.pem",
            old_head=old_head,
            head=head,
            inclusion=proofs.inclusion(store, 4, size),
            consistency=proofs.consistency(store, 3, size),
            entry=entry,
        )
    answer.public_key.write_text(Signer.from_file(record.key).public_pem(), encoding="utf-8")
    return answer


def _verify_proof(saved: Saved, proof: dict[str, Any], head: dict[str, Any], *more: str) -> Result:
    return runner.invoke(
        cli,
        [
            "verify-proof",
            str(saved.write("proof.json", proof)),
            "--head",
            str(saved.write("head.json", head)),
            "--public-key",
            str(saved.public_key),
            *more,
        ],
    )


def _valid(result: Result) -> None:
    assert result.exit_code == 0, result.output
    assert result.output.startswith("VALID"), result.output


def _invalid(result: Result) -> None:
    assert result.exit_code != 0, result.output
    assert result.output.startswith("INVALID"), result.output


def _flip(proof: dict[str, Any]) -> dict[str, Any]:
    path = list(proof["path"])
    path[0] = f"{int(path[0][0], 16) ^ 1:x}{path[0][1:]}"
    return {**proof, "path": path}


def test_an_inclusion_proof_verifies_against_a_saved_head(saved: Saved) -> None:
    server_hash_only = _verify_proof(saved, saved.inclusion, saved.head)
    _valid(server_hash_only)
    assert "checked with the leaf hash the server gave, not with an entry" in (
        server_hash_only.stdout
    )
    entry = str(saved.write("entry.json", saved.entry))
    with_entry = _verify_proof(saved, saved.inclusion, saved.head, "--entry", entry)
    _valid(with_entry)
    assert with_entry.stdout == "VALID: leaf 4 is in the signed tree of 10 leaves\n"

    forged = {**saved.entry, "data": {**saved.entry["data"], "delivered": {"amount": "1"}}}
    _invalid(
        _verify_proof(
            saved, saved.inclusion, saved.head, "--entry", str(saved.write("forged.json", forged))
        )
    )
    _invalid(_verify_proof(saved, _flip(saved.inclusion), saved.head))
    _invalid(_verify_proof(saved, {**saved.inclusion, "leaf_index": 5}, saved.head))


def test_a_consistency_proof_verifies_between_two_saved_heads(saved: Saved) -> None:
    old = str(saved.write("old-head.json", saved.old_head))
    _valid(_verify_proof(saved, saved.consistency, saved.head, "--old-head", old))
    _invalid(_verify_proof(saved, _flip(saved.consistency), saved.head, "--old-head", old))


def test_a_head_signed_by_another_key_is_refused(saved: Saved, tmp_path: Path) -> None:
    other = Signer.from_file(tmp_path / "other-key.pem")
    forged = {**saved.head, "key_id": other.key_id}
    forged["signature"] = other.sign(forged)
    _invalid(_verify_proof(saved, saved.inclusion, forged))

    old = str(saved.write("old-head.json", saved.old_head))
    _invalid(_verify_proof(saved, saved.consistency, forged, "--old-head", old))

    saved.public_key.write_text(other.public_pem(), encoding="utf-8")  # the wrong key
    _invalid(_verify_proof(saved, saved.inclusion, saved.head))
