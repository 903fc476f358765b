"""What the server serves, checked by Go's reference implementation (issue 10).

golang.org/x/mod/sumdb/note opens every served checkpoint with the served verifier key and
refuses each one altered by a byte; golang.org/x/mod/sumdb/tlog checks every served inclusion
proof (in tlog-proof bundles) and consistency proof, for every tree size up to 72. The Go side
is tests/projections/audit/gocheck/main.go, run with `go run` in GOPATH mode over the source
that Debian's golang-golang-x-mod-dev installs. Without Go the test is skipped, saying why; on
CI (`CI=true`) it fails instead: there it must run (.ci/run installs Go).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.model.values import Quantity
from projections.audit import proofs
from projections.audit.checkpoints import cosigned
from projections.audit.notes import Note, Signature
from projections.audit.signing import Signer
from projections.audit.witness import load_witnesses
from tests.e2e.support import AUDITOR, Api, running, settings_for
from tests.factories import CA_OFFICIAL, adopt_france_canada, make_canada_pledge
from tests.support.stores import opened, runner_for
from tests.support.witness import Witness

GOCHECK = Path(__file__).parent / "gocheck" / "main.go"
GOPATH = Path(os.environ.get("ROADMAP_TEST_GOPATH", "/usr/share/gocode"))
X_MOD_NOTE = GOPATH / "src" / "golang.org" / "x" / "mod" / "sumdb" / "note" / "note.go"
SIZES = 72

pytestmark = pytest.mark.filterwarnings(
    "ignore::jwt.warnings.InsecureKeyLengthWarning",
    "ignore:Using `httpx` with `starlette.testclient`",
)


def _missing_go() -> str | None:
    if shutil.which("go") is None:
        return "no `go` on PATH (Debian: apt-get install golang-go golang-golang-x-mod-dev)"
    if not X_MOD_NOTE.is_file():
        return (
            f"no golang.org/x/mod source under {GOPATH} (Debian: golang-golang-x-mod-dev; "
            "or set ROADMAP_TEST_GOPATH)"
        )
    return None


@pytest.fixture(scope="session")
def go_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    reason = _missing_go()
    if reason is not None:
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"{reason}: required on CI", pytrace=False)
        pytest.skip(reason)
    return {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": str(GOPATH),
        "GOCACHE": str(tmp_path_factory.mktemp("gocache")),
        "GOFLAGS": "",
    }


def _gocheck(env: dict[str, str], payload: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    go = shutil.which("go")
    assert go is not None
    return subprocess.run(  # noqa: S603 - our own program, with our own input
        [go, "run", str(GOCHECK)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


@dataclass(frozen=True)
class Served:
    vkey: str
    #: size → the checkpoint as GET /audit/checkpoint?tree_size= serves it.
    checkpoints: dict[int, str]
    bundles: list[str]
    consistency: list[dict[str, Any]]


def _text(api: Api, path: str, **params: str) -> str:
    answer = api.get(path, AUDITOR, params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    return answer.text


def _b64(path: list[str]) -> list[str]:
    return [base64.b64encode(bytes.fromhex(h)).decode() for h in path]


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Served:
    """A log of 72 events signed one by one, a witness's cosignature on the last checkpoint,
    and every checkpoint, bundle and consistency proof of it.

    Over HTTP for every checkpoint and a sample of the proofs; the whole matrix of proofs
    (every leaf of every size, every pair of sizes) from the functions those routes answer
    with, each sampled answer being the same text (thousands of requests would take long).
    """
    key_file = tmp_path / "signing-key.pem"
    with opened(database_url) as (app, store):
        roadmap = adopt_france_canada(app)
        pledge = make_canada_pledge(app, roadmap.id).id
        for delivered in range(1, SIZES - 1):
            app.report_pledge_progress(
                CA_OFFICIAL, pledge, delivered=Quantity(Decimal(delivered), "personnel")
            )
        runner_for(app, store, Signer.from_file(key_file), batch_size=1).catch_up()
        assert app.position() == SIZES
    witness_file = tmp_path / "witnesses"
    witness_file.touch()
    settings = settings_for(
        database_url,
        rate_limit_per_minute=10**9,
        signing_key_file=key_file,
        witness_keys_file=witness_file,
    )
    with running(settings) as api:
        vkey = _text(api, "/audit/verifier-key")
    witness = Witness("witness.test/w1", vkey)
    witness_file.write_text(witness.vkey + "\n", encoding="utf-8")
    with running(settings) as api, opened(database_url) as (_, store):
        latest = Note.parse(_text(api, "/audit/checkpoint"))
        body = {"tree_size": SIZES, "cosignature": witness.cosign(latest.text)}
        assert api.post("/audit/cosignatures", AUDITOR, body).status_code == 200
        sizes = range(1, SIZES + 1)
        checkpoints = {n: _text(api, "/audit/checkpoint", tree_size=str(n)) for n in sizes}
        keys = [w.key for w in load_witnesses(witness_file)]
        notes: dict[int, Note] = {}
        for n in sizes:
            note = cosigned(store, n, keys)
            assert note is not None
            assert note.serialize() == checkpoints[n]
            notes[n] = note
        bundles = {(i, n): proofs.bundle(store, i, notes[n]) for n in sizes for i in range(n)}
        consistency = {
            (m, n): _b64(proofs.consistency(store, m, n)["path"])
            for n in sizes
            for m in range(1, n)
        }
        for n in (1, 2, 3, 5, 8, 36, SIZES - 1, SIZES):
            for i in range(n):
                query = {"leaf_index": str(i), "tree_size": str(n)}
                assert _text(api, "/audit/proofs/bundle", **query) == bundles[(i, n)]
            for m in range(1, n):
                answer = api.get(
                    "/audit/proofs/consistency", AUDITOR, {"first": str(m), "second": str(n)}
                )
                assert _b64(answer.json()["path"]) == consistency[(m, n)]
    return Served(
        vkey,
        checkpoints,
        list(bundles.values()),
        [{"first": m, "second": n, "proof": p} for (m, n), p in consistency.items()],
    )


def _flipped(served: str) -> list[str]:
    """The checkpoint altered by one bit of each byte it signs, and of each signature byte."""
    note = Note.parse(served)
    text = note.text.encode()
    altered = [
        Note(bytes(text[:i] + bytes([text[i] ^ 1]) + text[i + 1 :]).decode(), note.signatures)
        for i in range(len(text))
    ]
    log = note.signatures[0]
    signed = log.key_id + log.payload
    for i in range(len(signed)):
        flipped = signed[:i] + bytes([signed[i] ^ 1]) + signed[i + 1 :]
        forged = Signature(log.name, flipped[:4], flipped[4:])
        altered.append(Note(note.text, (forged, *note.signatures[1:])))
    return [a.serialize() for a in altered]


def test_go_opens_every_checkpoint_and_checks_every_proof(
    served: Served, go_env: dict[str, str]
) -> None:
    latest = served.checkpoints[SIZES]
    assert latest.count("\n— ") == 2  # the log's signature and the witness's cosignature
    tampered = _flipped(latest)
    assert len(tampered) > 100
    checkpoints = list(served.checkpoints.values())
    payload = {
        "vkey": served.vkey,
        "checkpoints": checkpoints,
        "tampered": tampered,
        "bundles": served.bundles,
        "consistency": served.consistency,
    }
    result = _gocheck(go_env, payload)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"ok: {SIZES} checkpoints opened, {len(tampered)} tampered refused, "
        f"{SIZES * (SIZES + 1) // 2} bundles, {SIZES * (SIZES - 1) // 2} consistency proofs\n"
    )

    # The Go side can fail: a flipped proof hash, a checkpoint left untouched among the
    # tampered ones and a proof of other sizes are each reported.
    proof_part, checkpoint = served.bundles[-1].split("\n\n", 1)
    lines = proof_part.split("\n")
    hashed = base64.b64decode(lines[3])
    lines[3] = base64.b64encode(bytes([hashed[0] ^ 1]) + hashed[1:]).decode()
    last, other = served.consistency[-1], served.consistency[-2]
    for wrong, expected in (
        ({"bundles": ["\n".join(lines) + "\n\n" + checkpoint]}, "bundle refused"),
        ({"tampered": [latest]}, "accepted a tampered checkpoint"),
        ({"consistency": [{**last, "proof": other["proof"]}]}, "tlog.CheckTree refused"),
    ):
        result = _gocheck(go_env, {"vkey": served.vkey, "checkpoints": checkpoints, **wrong})
        assert result.returncode == 1, result.stdout
        assert expected in result.stderr, result.stderr
