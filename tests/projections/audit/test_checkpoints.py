"""Checkpoints beside the signed heads, the log's origin, and `roadmap verify` (issue 10).

Each behaviour on both backends, through the real projection and the real command line.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit
from uuid import UUID

import psycopg
import pytest
from typer.testing import CliRunner, Result

from api.cli import app as cli
from domain.application.service import RoadmapLedger
from domain.model.pledge import Pledge
from domain.model.values import Quantity
from projections.audit import checkpoints, proofs
from projections.audit import verify as verifying
from projections.audit.notes import Checkpoint, Note, VerifierKey
from projections.audit.signing import Signer
from projections.audit.tables import CHECKPOINTS, IDENTITY
from projections.audit.verify import existing_tables
from projections.catalog import rebuild
from projections.runtime.db import ReadStore
from tests import pg
from tests.factories import CA_OFFICIAL, adopt_france_canada, make_canada_pledge
from tests.support.rawlog import RawLog
from tests.support.stores import on_postgres, opened, runner_for

RELEASE = Path(__file__).parents[2] / "fixtures" / "release-0.1"
runner = CliRunner()


@dataclass(frozen=True)
class Log:
    url: str
    directory: Path
    pledge: UUID

    @property
    def key_file(self) -> Path:
        return self.directory / "signing-key.pem"

    @property
    def signer(self) -> Signer:
        return Signer.from_file(self.key_file)

    def grow(self, events: int, batch_size: int = 3) -> None:
        """More progress on the pledge, projected `batch_size` events a batch (one head each)."""
        with opened(self.url) as (app, store):
            start = int(_delivered(app, self.pledge))
            for delivered in range(start + 1, start + 1 + events):
                app.report_pledge_progress(
                    CA_OFFICIAL, self.pledge, delivered=Quantity(Decimal(delivered), "personnel")
                )
            runner_for(app, store, self.signer, batch_size=batch_size).catch_up()

    def verifier_key(self) -> VerifierKey:
        with opened(self.url) as (_, store):
            origin = checkpoints.log_origin(store)
        assert origin is not None
        return self.signer.verifier_key(origin)


def _delivered(app: RoadmapLedger, pledge: UUID) -> Decimal:
    return app.get_item(Pledge, pledge).state.delivered.amount


@pytest.fixture
def log(database_url: str, tmp_path: Path) -> Log:
    """A roadmap and a pledge (two events), projected one batch each: checkpoints of 1 and 2."""
    with opened(database_url) as (app, store):
        roadmap = adopt_france_canada(app)
        signer = Signer.from_file(tmp_path / "signing-key.pem")
        runner_for(app, store, signer).catch_up()
        pledge = make_canada_pledge(app, roadmap.id).id
        runner_for(app, store, signer).catch_up()
    return Log(database_url, tmp_path, pledge)


def _notes(url: str) -> dict[int, Note]:
    with opened(url) as (_, store), store.transaction() as cursor:
        cursor.execute(f"SELECT tree_size, note FROM {CHECKPOINTS.name} ORDER BY tree_size")
        return {int(size): Note.parse(note) for size, note in cursor.fetchall()}


def test_every_signed_head_is_also_a_checkpoint_of_the_same_root(log: Log) -> None:
    log.grow(7, batch_size=3)
    key = log.verifier_key()
    assert key.name.startswith("roadmap-ledger/")
    notes = _notes(log.url)
    with opened(log.url) as (_, store):
        heads = {int(h["tree_size"]): h for h in proofs.tree_heads(store)}
    assert sorted(notes) == sorted(heads) == [1, 2, 5, 8, 9]
    for size, note in notes.items():
        checkpoint = Checkpoint.parse(note.text)
        assert (checkpoint.origin, checkpoint.size) == (key.name, size)
        assert checkpoint.root.hex() == heads[size]["root_hash"]
        assert note.signed_by(key)
        assert [s.name for s in note.signatures] == [key.name]


def test_the_origin_is_chosen_once_and_survives_a_rebuild(log: Log) -> None:
    origin = log.verifier_key().name
    with opened(log.url) as (app, store):
        rebuild(app, store)
        assert checkpoints.establish_origin(store, None) == origin
        with pytest.raises(checkpoints.OriginConflictError, match="never changes"):
            checkpoints.establish_origin(store, "ledger.example.org/other")
    log.grow(1)
    assert Checkpoint.parse(_notes(log.url)[3].text).origin == origin


def test_the_origin_setting_names_a_new_log_and_cannot_rename_it(
    database_url: str, tmp_path: Path
) -> None:
    env = {
        "ROADMAP_DATABASE_URL": database_url,
        "ROADMAP_SIGNING_KEY_FILE": str(tmp_path / "key.pem"),
        "ROADMAP_LOG_ORIGIN": "ledger.example.org/roadmap",
    }
    assert runner.invoke(cli, ["demo"], env=env).exit_code == 0
    result = runner.invoke(cli, ["audit", "verifier-key"], env=env)
    assert result.exit_code == 0, result.output
    key = VerifierKey.parse(result.stdout)
    assert key.name == "ledger.example.org/roadmap"
    assert key.public == Signer.from_file(tmp_path / "key.pem").verifier_key("x").public
    checkpoint = runner.invoke(cli, ["audit", "checkpoint"], env=env)
    with opened(database_url) as (app, _):
        events = app.position()
    assert checkpoint.exit_code == 0, checkpoint.output
    assert checkpoint.stdout.startswith(f"ledger.example.org/roadmap\n{events}\n")
    assert Note.parse(checkpoint.stdout).signed_by(key)

    renamed = runner.invoke(cli, ["audit"], env={**env, "ROADMAP_LOG_ORIGIN": "example.org/x"})
    assert renamed.exit_code == 2
    assert "this store's log is 'ledger.example.org/roadmap'" in renamed.stderr
    spaced = runner.invoke(cli, ["audit"], env={**env, "ROADMAP_LOG_ORIGIN": "a log"})
    assert spaced.exit_code == 2
    assert "ROADMAP_LOG_ORIGIN is printable, without spaces" in spaced.stderr


# --- roadmap verify ----------------------------------------------------------------------------


def _verify(log: Log, *args: str, **env: str) -> Result:
    return runner.invoke(
        cli,
        ["verify", *args],
        env={"ROADMAP_DATABASE_URL": log.url, "ROADMAP_SIGNING_KEY_FILE": str(log.key_file), **env},
    )


def test_verify_names_the_store_what_it_checked_and_the_latest_root(log: Log) -> None:
    log.grow(4)
    result = _verify(log)
    assert result.exit_code == 0, result.output
    with opened(log.url) as (_, store):
        head = proofs.tree_head(store)
    assert head is not None
    lines = result.stdout.splitlines()
    assert lines[0] == "intact: 6 events, 4 signed tree heads and 4 checkpoints verified"
    assert lines[1] == f"store: {log.url}"
    assert lines[2] == f"latest: tree size 6, root {head['root_hash']}"


def test_verify_reads_everything_a_page_at_a_time(
    log: Log, monkeypatch: pytest.MonkeyPatch
) -> None:
    log.grow(7, batch_size=1)
    monkeypatch.setattr(verifying, "PAGE", 2)
    result = _verify(log)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("intact: 9 events, 9 signed tree heads and 9 checkpoints")


def test_verify_with_a_key_given_never_touches_the_local_signing_key(log: Log) -> None:
    pem = log.directory / "server.pem"
    pem.write_text(log.signer.public_pem(), encoding="utf-8")
    vkey = log.directory / "log.vkey"
    vkey.write_text(log.verifier_key().text() + "\n", encoding="utf-8")
    absent = log.directory / "nowhere" / "key.pem"
    garbage = log.directory / "garbage.pem"
    garbage.write_bytes(b"not a key: reading it would fail")
    for args in (
        ["--public-key", str(pem)],
        ["--verifier-key", str(vkey)],
        ["--verifier-key", log.verifier_key().text()],
        ["--public-key", str(pem), "--verifier-key", str(vkey)],
    ):
        for local in (absent, garbage):
            result = _verify(log, *args, ROADMAP_SIGNING_KEY_FILE=str(local))
            assert result.exit_code == 0, (args, result.output)
            assert "2 signed tree heads and 2 checkpoints verified" in result.stdout
    assert not absent.parent.exists()
    assert garbage.read_bytes() == b"not a key: reading it would fail"

    other = Signer.from_file(log.directory / "other.pem")
    wrong = _verify(log, "--verifier-key", other.verifier_key(log.verifier_key().name).text())
    assert wrong.exit_code == 1
    assert "the signature of the tree head at size 1 is not valid" in wrong.stdout
    mixed = _verify(log, "--public-key", str(pem), "--verifier-key", other.verifier_key("x").text())
    assert mixed.exit_code == 2
    assert "not the same key" in mixed.stderr


def test_a_forged_or_altered_checkpoint_is_named(log: Log) -> None:
    log.grow(3)
    note = _notes(log.url)[2]
    checkpoint = Checkpoint.parse(note.text)
    other_root = Checkpoint(checkpoint.origin, 2, bytes(32)).text()
    forgeries = {
        "altered": Note(other_root, note.signatures).serialize(),
        "re-signed": Note(
            other_root,
            (Signer.from_file(log.directory / "x.pem").sign_note(other_root, checkpoint.origin),),
        ).serialize(),
        "renamed": Note(
            Checkpoint("example.org/x", 2, checkpoint.root).text(), note.signatures
        ).serialize(),
    }
    for what, forged in forgeries.items():
        with opened(log.url) as (_, store), store.transaction(write=True) as cursor:
            cursor.execute(f"UPDATE {CHECKPOINTS.name} SET note = ? WHERE tree_size = 2", [forged])
        result = _verify(log)
        assert result.exit_code == 1, (what, result.output)
        assert result.stdout.startswith("ALTERED at position 2 (leaf 1): "), result.output
        assert "checkpoint at size 2" in result.stdout, (what, result.output)

    # Signed by the log's own key over another root: only the recomputed root catches it.
    signed = Note(other_root, (log.signer.sign_note(other_root, checkpoint.origin),))
    with opened(log.url) as (_, store), store.transaction(write=True) as cursor:
        cursor.execute(
            f"UPDATE {CHECKPOINTS.name} SET note = ? WHERE tree_size = 2", [signed.serialize()]
        )
    result = _verify(log)
    assert result.exit_code == 1
    assert "differs from the signed checkpoint" in result.stdout


def test_verify_since_a_saved_checkpoint(log: Log) -> None:
    saved = log.directory / "saved.checkpoint"
    saved.write_text(_notes(log.url)[2].serialize(), encoding="utf-8")
    log.grow(5)
    result = _verify(log, "--since", str(saved))
    assert result.exit_code == 0, result.output
    origin = log.verifier_key().name
    assert f"since: the log extends the checkpoint you saved ({origin}, 2 leaves)" in result.stdout

    # Rewritten since: the second event altered, the audit trail and tree rebuilt to match, and
    # the heads and checkpoints deleted — the saved checkpoint alone still tells.
    log_rows = RawLog(log.url)
    made = next(e for e in log_rows.events() if e.position == 2)
    log_rows.set_state(2, made.state.replace(b'"600"', b'"900"'))
    with opened(log.url) as (app, store):
        rebuild(app, store)
        with store.transaction(write=True) as cursor:
            cursor.execute(f"DELETE FROM {CHECKPOINTS.name}")
            cursor.execute("DELETE FROM rm_tree_heads")
    assert _verify(log).exit_code == 0  # nothing signed is left to contradict the log
    result = _verify(log, "--since", str(saved))
    assert result.exit_code == 1
    assert result.stdout.startswith("ALTERED at position 2 (leaf 1): the log's root at size 2")
    assert "differs from the checkpoint you saved" in result.stdout


def test_verify_since_refuses_a_checkpoint_it_cannot_trust(log: Log) -> None:
    note = _notes(log.url)[2]
    checkpoint = Checkpoint.parse(note.text)
    later = Checkpoint(checkpoint.origin, 40, checkpoint.root).text()
    cases = {
        "beyond": Note(later, (log.signer.sign_note(later, checkpoint.origin),)),
        "unsigned": Note(later, note.signatures),
    }
    for what, forged in cases.items():
        saved = log.directory / f"{what}.checkpoint"
        saved.write_text(forged.serialize(), encoding="utf-8")
        result = _verify(log, "--since", str(saved))
        assert result.exit_code == 1, (what, result.output)
        if what == "beyond":
            assert "a checkpoint you saved covers 40 leaves" in result.stdout, result.output
            assert "events were deleted" in result.stdout
        else:
            assert "error: the saved checkpoint (log " in result.stderr, result.output
            assert "is not signed by this log's key" in result.stderr
    garbage = log.directory / "garbage.checkpoint"
    garbage.write_text("not a note", encoding="utf-8")
    assert _verify(log, "--since", str(garbage)).exit_code == 2


# --- roadmap verify where there is nothing to verify --------------------------------------------


def _empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("ROADMAP_SIGNING_KEY_FILE", raising=False)
    monkeypatch.delenv("ROADMAP_DATABASE_URL", raising=False)
    return folder


def test_verify_in_an_empty_folder_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _empty_folder(tmp_path, monkeypatch)
    pem = tmp_path / "server.pem"
    pem.write_text(Signer.from_file(tmp_path / "k.pem").public_pem(), encoding="utf-8")
    for args in ([], ["--public-key", str(pem)]):
        result = runner.invoke(cli, ["verify", *args])
        assert result.exit_code != 0, result.output
        assert list(folder.iterdir()) == [], result.output
    result = runner.invoke(cli, ["verify", "--public-key", str(pem)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: no store at sqlite:///roadmap.db: no database file {folder / 'roadmap.db'} "
        "(set ROADMAP_DATABASE_URL to the store to verify)\n"
    )


@pytest.fixture
def empty_store(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A store that exists and holds nothing: an empty SQLite file, or an empty schema."""
    if on_postgres(database_url):
        yield database_url
        return
    path = tmp_path / "empty.db"
    path.touch()
    yield f"sqlite:///{path}"


def _tables(url: str) -> set[str]:
    store = ReadStore(url, pool_size=1)
    try:
        return existing_tables(store)
    finally:
        store.close()


def test_verify_of_an_empty_store_is_an_error_and_creates_nothing(
    empty_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _empty_folder(tmp_path, monkeypatch)
    pem = tmp_path / "server.pem"
    pem.write_text(Signer.from_file(tmp_path / "k.pem").public_pem(), encoding="utf-8")
    before = _tables(empty_store)
    result = runner.invoke(
        cli, ["verify", "--public-key", str(pem)], env={"ROADMAP_DATABASE_URL": empty_store}
    )
    assert result.exit_code == 1, result.output
    assert f"error: the store at {empty_store} holds no events: nothing to verify" in result.stderr
    assert _tables(empty_store) == before == set()
    assert list(folder.iterdir()) == []


def test_verify_of_a_missing_postgres_schema_or_database_creates_neither(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _empty_folder(tmp_path, monkeypatch)
    pem = tmp_path / "server.pem"
    pem.write_text(Signer.from_file(tmp_path / "k.pem").public_pem(), encoding="utf-8")
    base = pg.base_url()
    schema = "t_never_made"
    parts = urlsplit(base)
    user = parts.username or "postgres"
    secret = parts._replace(
        netloc=f"{user}:s3cret@{parts.hostname}:{parts.port or 5432}", path="/no_such_database"
    ).geturl()
    for url, named in (
        (pg.with_schema(base, schema), "no schema 't_never_made'"),
        (secret, 'database "no_such_database"'),
    ):
        result = runner.invoke(
            cli, ["verify", "--public-key", str(pem)], env={"ROADMAP_DATABASE_URL": url}
        )
        assert result.exit_code == 1, result.output
        assert named in result.stderr, result.stderr
        assert "s3cret" not in result.stderr
    with psycopg.connect(parts._replace(query="").geturl()) as connection:
        found = connection.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = %s", [schema]
        ).fetchall()
        databases = connection.execute(
            "SELECT datname FROM pg_database WHERE datname = 'no_such_database'"
        ).fetchall()
    assert found == databases == []
    del postgres_url


# --- a store signed by release 0.1 ---------------------------------------------------------------


def test_heads_of_release_0_1_have_no_checkpoint_until_the_next_event(tmp_path: Path) -> None:
    shutil.copy(RELEASE / "store.db", tmp_path / "store.db")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    signer = Signer.from_file(tmp_path / "key.pem")
    with opened(url) as (app, store):
        runner_for(app, store, signer).catch_up()
        assert checkpoints.stored_checkpoint(store) is None
        assert checkpoints.cosigned(store, 38, []) is None
        with store.transaction() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {IDENTITY.name}")
            assert cursor.fetchone()[0] == 0  # no origin until a checkpoint needs one
    old = runner.invoke(
        cli,
        ["verify", "--public-key", str(RELEASE / "public-key.pem")],
        env={"ROADMAP_DATABASE_URL": url},
    )
    assert old.exit_code == 0, old.output
    assert "intact: 38 events, 4 signed tree heads and 0 checkpoints verified" in old.stdout

    with opened(url) as (app, store):
        pledge = make_canada_pledge(app, app.roadmap_ids()[0])
        runner_for(app, store, signer).catch_up()
        note = checkpoints.stored_checkpoint(store)
    assert note is not None
    assert Checkpoint.parse(note.text).size == pledge.position == 39
    assert note.signed_by(signer.verifier_key(Checkpoint.parse(note.text).origin))
