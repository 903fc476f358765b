"""`roadmap witness push` against a witness written from the specification (tests/support).

The witness runs over HTTP in a thread; the log is a real store on each backend.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner, Result

from api.cli import app as cli
from domain.model.values import Quantity
from projections.audit import checkpoints
from projections.audit.notes import Checkpoint, Signature, VerifierKey, cosignature_time
from projections.audit.signing import Signer
from projections.audit.tables import COSIGNATURES
from projections.audit.witness import WitnessConfigError, load_witnesses
from tests.factories import CA_OFFICIAL, adopt_france_canada, make_canada_pledge
from tests.support.stores import opened, runner_for
from tests.support.witness import Witness, serving

runner = CliRunner()


@dataclass
class Setup:
    url: str
    directory: Path
    witness: Witness
    pledge: UUID
    delivered: int = 0

    @property
    def env(self) -> dict[str, str]:
        return {
            "ROADMAP_DATABASE_URL": self.url,
            "ROADMAP_SIGNING_KEY_FILE": str(self.directory / "signing-key.pem"),
            "ROADMAP_WITNESS_KEYS_FILE": str(self.directory / "witnesses"),
        }

    def push(self, *args: str) -> Result:
        return runner.invoke(cli, ["witness", "push", self.witness.url, *args], env=self.env)

    def grow(self, events: int) -> None:
        with opened(self.url) as (app, store):
            for _ in range(events):
                self.delivered += 10
                app.report_pledge_progress(
                    CA_OFFICIAL,
                    self.pledge,
                    delivered=Quantity(Decimal(self.delivered), "personnel"),
                )
            runner_for(app, store, Signer.from_file(self.directory / "signing-key.pem")).catch_up()

    def size(self) -> int:
        with opened(self.url) as (_, store):
            note = checkpoints.stored_checkpoint(store)
        assert note is not None
        return Checkpoint.parse(note.text).size

    def cosigned_sizes(self) -> list[int]:
        with opened(self.url) as (_, store), store.transaction() as cursor:
            cursor.execute(f"SELECT tree_size FROM {COSIGNATURES.name} ORDER BY tree_size")
            return [int(row[0]) for row in cursor.fetchall()]


@pytest.fixture
def setup(database_url: str, tmp_path: Path) -> Iterator[Setup]:
    signer = Signer.from_file(tmp_path / "signing-key.pem")
    with opened(database_url) as (app, store):
        roadmap = adopt_france_canada(app)
        pledge = make_canada_pledge(app, roadmap.id).id
        runner_for(app, store, signer).catch_up()
        origin = checkpoints.log_origin(store)
    assert origin is not None
    witness = Witness("witness.test/w1", signer.verifier_key(origin).text())
    with serving(witness):
        (tmp_path / "witnesses").write_text(
            f"# the test witness\n\n{witness.vkey} {witness.url}\n", encoding="utf-8"
        )
        yield Setup(database_url, tmp_path, witness, pledge)


def test_a_witness_cosigns_each_checkpoint_consistent_with_the_last(setup: Setup) -> None:
    first = setup.push()
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith(
        "witness.test/w1 cosigned the checkpoint of 2 leaves (consistent with the 0 it had "
        "cosigned before):\n— witness.test/w1 "
    )
    assert setup.witness.requests[-1].startswith(b"old 0\n\n")
    setup.grow(5)
    second = setup.push("--witness", "witness.test/w1")
    assert second.exit_code == 0, second.output
    assert "the checkpoint of 7 leaves (consistent with the 2 it had" in second.stdout
    proof, checkpoint = setup.witness.requests[-1].decode().split("\n\n", 1)
    assert proof.split("\n")[0] == "old 2"
    assert len(proof.split("\n")) > 1  # a consistency proof from 2 to 7
    origin = VerifierKey.parse(setup.witness.log_vkey).name
    assert checkpoint.startswith(f"{origin}\n7\n")
    assert setup.cosigned_sizes() == [2, 7]

    key = VerifierKey.parse(setup.witness.vkey)
    with opened(setup.url) as (_, store):
        served = checkpoints.cosigned(store, 7, [key])
        unknown = checkpoints.cosigned(store, 7, [])
    assert served is not None
    assert unknown is not None
    assert len(served.signatures) == 2
    assert len(unknown.signatures) == 1  # a witness no longer configured is not served
    assert cosignature_time(served.text, served.signatures[1], key) is not None


def test_a_witness_that_knows_another_size_answers_409_and_the_push_resumes(
    setup: Setup,
) -> None:
    assert setup.push().exit_code == 0
    setup.grow(3)
    with opened(setup.url) as (_, store), store.transaction(write=True) as cursor:
        cursor.execute(f"DELETE FROM {COSIGNATURES.name}")  # the log forgot what it was told
    result = setup.push()
    assert result.exit_code == 0, result.output
    assert "the checkpoint of 5 leaves (consistent with the 2 it had" in result.stdout
    old_lines = [r.split(b"\n", 1)[0] for r in setup.witness.requests]
    assert old_lines == [b"old 0", b"old 0", b"old 2"]


def test_a_witness_refuses_a_checkpoint_inconsistent_with_what_it_saw(setup: Setup) -> None:
    origin = VerifierKey.parse(setup.witness.log_vkey).name
    setup.witness.state[origin] = (1, hashlib.sha256(b"another history").digest())
    result = setup.push()
    assert result.exit_code == 1
    assert "refused the consistency proof" in result.stderr
    assert "(HTTP 422" in result.stderr
    assert setup.cosigned_sizes() == []

    setup.witness.state[origin] = (40, hashlib.sha256(b"a longer history").digest())
    ahead = setup.push()
    assert ahead.exit_code == 1
    assert "the witness has cosigned a tree of 40 leaves, larger than this log's 2" in ahead.stderr


def test_a_witness_that_does_not_know_the_log_or_is_not_configured(setup: Setup) -> None:
    setup.witness.log_vkey = Signer.from_file(setup.directory / "x.pem").verifier_key("x").text()
    unknown = setup.push()
    assert unknown.exit_code == 1
    assert "does not know this log's origin (HTTP 404" in unknown.stderr

    (setup.directory / "witnesses").write_text("", encoding="utf-8")
    none = setup.push()
    assert none.exit_code == 2
    assert "no witness at" in none.stderr
    bad = runner.invoke(cli, ["witness", "push", "ftp://example.org"], env=setup.env)
    assert bad.exit_code == 2


def test_the_witness_keys_file_is_checked_line_by_line(tmp_path: Path) -> None:
    log_key = Signer.from_file(tmp_path / "k.pem").verifier_key("example.org/log")
    witness = Witness("w.example", log_key.text())
    path = tmp_path / "witnesses"
    path.write_text(f"{witness.vkey}\n# comment\n{witness.vkey} https://w.example/\n")
    loaded = load_witnesses(path)
    assert [(w.key.name, w.url) for w in loaded] == [
        ("w.example", None),
        ("w.example", "https://w.example/"),
    ]
    for text, message in (
        (f"{log_key.text()}\n", "line 1: a witness key is of type 0x04"),
        ("\nnot-a-key\n", "line 2: a verifier key is"),
        (f"{witness.vkey} https://a https://b\n", "line 1: expected"),
    ):
        path.write_text(text)
        with pytest.raises(WitnessConfigError, match=message):
            load_witnesses(path)
    with pytest.raises(WitnessConfigError, match="cannot read"):
        load_witnesses(tmp_path / "absent")


def test_a_stored_cosignature_line_that_was_edited_is_not_served(setup: Setup) -> None:
    assert setup.push().exit_code == 0
    key = VerifierKey.parse(setup.witness.vkey)
    with opened(setup.url) as (_, store):
        with store.transaction(write=True) as cursor:
            cursor.execute(f"SELECT line FROM {COSIGNATURES.name}")
            signature = Signature.parse(cursor.fetchone()[0])
            edited = Signature(
                signature.name,
                signature.key_id,
                signature.payload[:-1] + bytes([signature.payload[-1] ^ 1]),
            ).line()
            cursor.execute(f"UPDATE {COSIGNATURES.name} SET line = ?", [edited.rstrip("\n")])
        served = checkpoints.cosigned(store, 2, [key])
    assert served is not None
    assert len(served.signatures) == 1
