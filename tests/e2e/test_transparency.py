"""Checkpoints, the verifier key, proof bundles and cosignatures over HTTP (issue 10), and an
auditor's session end to end: save a checkpoint, come back later, `verify --since`, fetch a
bundle, check it offline, push to a witness. On both backends."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from projections.audit.bundles import ProofBundle, check
from projections.audit.leaf import leaf_bytes
from projections.audit.notes import Checkpoint, Note, VerifierKey
from projections.audit.signing import load_public_key
from tests.e2e.support import (
    ADMIN,
    AUDITOR,
    CA,
    FR,
    PROBLEM,
    REPORTER,
    Api,
    adopt,
    assert_problem,
    make_pledge,
    running,
    settings_for,
)
from tests.support.witness import Witness, serving

RELEASE = Path(__file__).parents[1] / "fixtures" / "release-0.1"
TEXT = "text/plain; charset=utf-8"
cli_runner = CliRunner()


@dataclass
class Served:
    api: Api
    url: str
    directory: Path
    witness: Witness

    def text(self, path: str, **params: str) -> str:
        answer = self.api.get(path, AUDITOR, params)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == TEXT
        return answer.text

    def entries(self) -> dict[int, dict[str, Any]]:
        page = self.api.get("/audit/entries", AUDITOR, {"limit": "1000"}).json()
        return {e["leaf_index"]: e for e in page["entries"]}

    def cli(self, *args: str) -> Any:
        env = {
            "ROADMAP_DATABASE_URL": self.url,
            "ROADMAP_SIGNING_KEY_FILE": str(self.api.settings.signing_key_file),
            "ROADMAP_WITNESS_KEYS_FILE": str(self.directory / "witnesses"),
        }
        return cli_runner.invoke(cli, list(args), env=env)

    def cosign(self, size: int, line: str) -> Any:
        body = {"tree_size": size, "cosignature": line}
        return self.api.post("/audit/cosignatures", AUDITOR, body)

    def save(self, name: str, text: str) -> Path:
        path = self.directory / name
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[Served]:
    """The app on a fresh store, its own key, a witness it knows (configured before start)."""
    key_file = tmp_path / "signing-key.pem"
    witnesses = tmp_path / "witnesses"
    witnesses.touch()
    settings = settings_for(
        database_url,
        signing_key_file=key_file,
        witness_keys_file=witnesses,
        log_origin="ledger.example.org/roadmap",
        rate_limit_per_minute=10**6,
    )
    with running(settings) as api:
        vkey = api.get("/audit/verifier-key", AUDITOR).text
    witness = Witness("witness.example.org/w1", vkey)
    with serving(witness):
        witnesses.write_text(f"{witness.vkey} {witness.url}\n", encoding="utf-8")
        with running(settings) as api:
            yield Served(api, database_url, tmp_path, witness)


def test_the_checkpoint_is_the_signed_head_as_a_signed_note(served: Served) -> None:
    roadmap = adopt(served.api)
    served.entries()  # waits for the projections: the first event signed alone
    make_pledge(served.api, roadmap)
    served.entries()
    head = served.api.read("/audit/tree-head")
    checkpoint = served.text("/audit/checkpoint")
    assert head["checkpoint"] == checkpoint
    vkey = served.text("/audit/verifier-key")
    assert vkey.endswith("\n")
    key = VerifierKey.parse(vkey)
    assert key.name == "ledger.example.org/roadmap"
    pem = served.api.get("/audit/public-key", AUDITOR).content
    assert key.ed25519.public_bytes_raw() == load_public_key(pem).public_bytes_raw()

    note = Note.parse(checkpoint)
    body = Checkpoint.parse(note.text)
    root = base64.b64encode(bytes.fromhex(head["root_hash"])).decode()
    assert checkpoint == (
        f"ledger.example.org/roadmap\n{head['tree_size']}\n{root}\n\n{note.signatures[0].line()}"
    )
    assert body.size == head["tree_size"]
    assert note.signed_by(key)

    first = served.text("/audit/checkpoint", tree_size="1")
    assert first.startswith("ledger.example.org/roadmap\n1\n")
    assert served.api.read("/audit/tree-head?tree_size=1")["checkpoint"] == first
    missing = assert_problem(served.api.get("/audit/checkpoint", AUDITOR, {"tree_size": "99"}), 404)
    assert missing["code"] == "no-checkpoint"
    assert missing["field"] == "tree_size"
    assert "no checkpoint was signed at tree size 99" in missing["detail"]
    assert (
        assert_problem(served.api.get("/audit/checkpoint", AUDITOR, {"tree_size": "0"}), 422)[
            "field"
        ]
        == "tree_size"
    )


def test_a_bundle_proves_one_entry_against_a_checkpoint(served: Served) -> None:
    roadmap = adopt(served.api)
    served.entries()  # the first event signed alone: a checkpoint of size 1
    for _ in range(4):
        make_pledge(served.api, roadmap)
    entries = served.entries()
    key = VerifierKey.parse(served.text("/audit/verifier-key"))
    size = served.api.read("/audit/tree-head")["tree_size"]
    for index in range(size):
        text = served.text("/audit/proofs/bundle", leaf_index=str(index))
        bundle = ProofBundle.parse(text)
        assert bundle.extra == leaf_bytes(entries[index])
        assert text.endswith("\n\n" + served.text("/audit/checkpoint"))
        proved = check(bundle, key)
        assert (proved.index, proved.checkpoint.size) == (index, size)
    past = ProofBundle.parse(served.text("/audit/proofs/bundle", leaf_index="0", tree_size="1"))
    assert Checkpoint.parse(past.checkpoint.text).size == 1
    assert past.path == ()

    beyond = served.api.get("/audit/proofs/bundle", AUDITOR, {"leaf_index": str(size)})
    assert assert_problem(beyond, 422)["field"] == "leaf_index"
    unsigned = {"leaf_index": "0", "tree_size": str(size + 50)}
    answer = served.api.get("/audit/proofs/bundle", AUDITOR, unsigned)
    assert assert_problem(answer, 404, "no-checkpoint")["field"] == "tree_size"


def test_the_new_audit_resources_are_for_auditors(served: Served) -> None:
    adopt(served.api)
    served.entries()
    for path in ("/audit/checkpoint", "/audit/verifier-key", "/audit/proofs/bundle?leaf_index=0"):
        for who in (FR, CA, REPORTER):
            assert_problem(served.api.get(path, who), 403)
        for who in (AUDITOR, ADMIN):
            assert served.api.get(path, who).status_code == 200
    body = {"tree_size": 1, "cosignature": "— w x"}
    assert_problem(served.api.post("/audit/cosignatures", CA, body), 403)
    assert_problem(served.api.post("/audit/cosignatures", None, body), 401)


def test_a_witness_cosignature_is_kept_only_if_it_verifies(served: Served) -> None:
    adopt(served.api)
    served.entries()
    note = Note.parse(served.text("/audit/checkpoint"))
    size = Checkpoint.parse(note.text).size
    line = served.witness.cosign(note.text)
    stranger = Witness("witness.example.org/w1", served.witness.log_vkey)  # same name, new key
    refused = {
        "another key": stranger.cosign(note.text),
        "another checkpoint": served.witness.cosign(note.text.replace("\n1\n", "\n2\n")),
        "not a line": "witness.example.org/w1 " + line.split(" ")[-1],
        "not base64": "— witness.example.org/w1 ***",
    }
    for what, bad in refused.items():
        answer = served.api.post(
            "/audit/cosignatures", AUDITOR, {"tree_size": size, "cosignature": bad}
        )
        body = assert_problem(answer, 422, "cosignature-refused")
        assert body["field"] == "cosignature", what
    assert_problem(served.cosign(size + 9, line), 404, "no-checkpoint")
    as_text = served.api.client.post(
        "/audit/cosignatures",
        content=json.dumps({"tree_size": size, "cosignature": line}),
        headers={**served.api.headers(AUDITOR), "Content-Type": "text/plain"},
    )
    assert as_text.status_code == 415
    assert as_text.headers["content-type"] == PROBLEM
    assert served.text("/audit/checkpoint").count("\n— ") == 1  # nothing was kept

    kept = served.cosign(size, line)
    assert kept.status_code == 200, kept.text
    answer = kept.json()
    assert (answer["tree_size"], answer["witness"]) == (size, "witness.example.org/w1")
    cosigned = served.text("/audit/checkpoint")
    assert answer["checkpoint"] == cosigned == note.serialize() + line + "\n"
    assert served.api.read("/audit/tree-head")["checkpoint"] == cosigned
    bundle = served.text("/audit/proofs/bundle", leaf_index="0")
    assert bundle.endswith("\n\n" + cosigned)
    again = served.api.post(
        "/audit/cosignatures", AUDITOR, {"tree_size": size, "cosignature": line}
    )
    assert again.status_code == 200
    assert served.text("/audit/checkpoint") == cosigned  # kept once


def test_an_auditors_session(served: Served) -> None:
    """docs/audit.md, "An auditor's session", step by step."""
    roadmap = adopt(served.api)
    make_pledge(served.api, roadmap)
    served.entries()
    # First visit: the log's key, and a checkpoint kept.
    vkey = served.save("roadmap.vkey", served.text("/audit/verifier-key"))
    saved = served.save("2026-03.checkpoint", served.text("/audit/checkpoint"))
    # The record grows.
    for _ in range(3):
        make_pledge(served.api, roadmap)
    entries = served.entries()

    # Back later: has anything been rewritten since?
    result = served.cli("verify", "--verifier-key", str(vkey), "--since", str(saved))
    assert result.exit_code == 0, result.output
    assert "intact: 5 events" in result.stdout
    assert "since: the log extends the checkpoint you saved (ledger.example.org/roadmap, 2 " in (
        result.stdout
    )

    # One entry, proved offline.
    bundle = served.save("entry.tlog-proof", served.text("/audit/proofs/bundle", leaf_index="3"))
    proved = served.cli("verify-proof", str(bundle), "--verifier-key", str(vkey))
    assert proved.exit_code == 0, proved.output
    first, shown = proved.stdout.split("\n", 1)
    assert first == (
        "VALID: leaf 3 is in the checkpoint of 5 leaves signed by ledger.example.org/roadmap; "
        "the entry it proves:"
    )
    assert json.loads(shown) == json.loads(leaf_bytes(entries[3]))
    entry = served.save("entry.json", json.dumps(entries[3]))
    with_entry = served.cli(
        "verify-proof", str(bundle), "--verifier-key", str(vkey), "--entry", str(entry)
    )
    assert with_entry.exit_code == 0, with_entry.output
    forged = served.save("forged.json", json.dumps({**entries[3], "actor": "someone-else"}))
    refused = served.cli(
        "verify-proof", str(bundle), "--verifier-key", str(vkey), "--entry", str(forged)
    )
    assert refused.exit_code == 1
    assert refused.stdout.startswith("INVALID: the inclusion path does not lead from leaf 3")

    # A witness countersigns; the next bundle carries its cosignature, checked offline too.
    pushed = served.cli("witness", "push", served.witness.url)
    assert pushed.exit_code == 0, pushed.output
    assert "witness.example.org/w1 cosigned the checkpoint of 5 leaves" in pushed.stdout
    cosigned = served.save(
        "cosigned.tlog-proof", served.text("/audit/proofs/bundle", leaf_index="3")
    )
    witnesses = served.directory / "witnesses"
    named = served.cli(
        "verify-proof", str(cosigned), "--verifier-key", str(vkey), "--witness-keys", str(witnesses)
    )
    assert named.exit_code == 0, named.output
    assert "; cosigned by witness.example.org/w1 at " in named.stdout.split("\n")[0]

    # The same key under another log's name does not vouch for this log.
    key = VerifierKey.parse(served.witness.log_vkey)
    other = served.save("other.vkey", VerifierKey("example.org/other", key.kind, key.public).text())
    wrong = served.cli("verify-proof", str(bundle), "--verifier-key", str(other))
    assert wrong.exit_code == 1
    assert wrong.stdout.startswith("INVALID: the checkpoint is not signed by the key example.org/")


def test_heads_signed_before_checkpoints_existed(tmp_path: Path) -> None:
    shutil.copy(RELEASE / "store.db", tmp_path / "store.db")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with running(settings_for(url, signing_key_file=tmp_path / "key.pem")) as api:
        api.get("/audit/entries", AUDITOR, {"limit": "1"})
        head = api.read("/audit/tree-head?tree_size=38")
        assert head["checkpoint"] is None
        old = api.get("/audit/checkpoint", AUDITOR, {"tree_size": "38"})
        body = assert_problem(old, 404, "no-checkpoint")
        assert "no checkpoint was signed at tree size 38" in body["detail"]
        assert (
            "no checkpoint is signed yet"
            in assert_problem(api.get("/audit/checkpoint", AUDITOR), 404)["detail"]
        )
        assert api.get("/audit/verifier-key", AUDITOR).status_code == 200
