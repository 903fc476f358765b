"""`roadmap verify` (the whole record) and `roadmap verify-proof` (one proof, offline).

`verify` reads and never writes: it creates no database, schema, table or key, so that run in
the wrong folder or against the wrong URL it says so instead of verifying an empty store it made.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli.common import BAD_USAGE, FAILED, fail, load_settings, redacted, utf8

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from api.settings import Settings
    from domain.application.service import RoadmapLedger
    from projections.audit.notes import Note, VerifierKey
    from projections.audit.verify import Verdict
    from projections.runtime.db import ReadStore

# The store's and the audit's modules are imported by the commands that use them: `roadmap
# --help` and the quick commands do not pay for them.


PublicKeyOption = Annotated[
    Path | None,
    typer.Option(exists=True, dir_okay=False, help="The server's public key (PEM)."),
]
VerifierKeyOption = Annotated[
    str | None,
    typer.Option(
        help="The log's signed-note verifier key (name+key ID+key, as GET /audit/verifier-key "
        "serves it), or a file holding it."
    ),
]


def _verifier_key(value: str) -> VerifierKey:
    from projections.audit.notes import (
        NoteError,
        VerifierKey,
    )

    path = Path(value)
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else value
        return VerifierKey.parse(text)
    except (OSError, UnicodeDecodeError, NoteError) as error:
        fail(
            f"--verifier-key: not a verifier key (name+key ID+key) nor a file of one: {error}",
            BAD_USAGE,
        )


def _public_key(path: Path) -> Ed25519PublicKey:
    from projections.audit.signing import load_public_key

    try:
        return load_public_key(path.read_bytes())
    except (OSError, TypeError, ValueError) as error:
        fail(f"--public-key: {path} is not an Ed25519 public key (PEM): {error}", BAD_USAGE)


def _keys(
    settings: Settings, public_key: Path | None, verifier_key: str | None
) -> tuple[Ed25519PublicKey, VerifierKey | None]:
    """The key to check against: given (then the local signing key is not read), or local."""
    from projections.audit.notes import raw_public
    from projections.audit.signing import Signer

    log_key = _verifier_key(verifier_key) if verifier_key is not None else None
    if public_key is not None:
        key = _public_key(public_key)
        if log_key is not None and raw_public(key) != log_key.public:
            fail("--public-key and --verifier-key are not the same key", BAD_USAGE)
        return key, log_key
    if log_key is not None:
        return log_key.ed25519, log_key
    try:
        return Signer.from_file(settings.signing_key_file, create=False).public, None
    except FileNotFoundError:
        fail(
            f"no signing key at {settings.signing_key_file}; pass --public-key or --verifier-key",
            BAD_USAGE,
        )


def _saved(path: Path) -> Note:
    from projections.audit.notes import (
        Note,
        NoteError,
    )

    try:
        return Note.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, NoteError) as error:
        fail(f"--since: {path} is not a saved checkpoint (signed note): {error}", BAD_USAGE)


@contextmanager
def _existing(settings: Settings) -> Iterator[tuple[RoadmapLedger, ReadStore]]:
    """The store as it is, or exit 1 naming what is missing: nothing is created."""
    from eventsourcing.persistence import PersistenceError

    from domain.application.service import RoadmapLedger
    from projections.runtime.db import (
        ReadStore,
        missing_store,
    )

    url = settings.database_url
    where = redacted(url)
    missing = missing_store(url)
    if missing is not None:
        fail(f"no store at {where}: {missing} (set ROADMAP_DATABASE_URL to the store to verify)")
    try:
        # CREATE_TABLE off: the library would otherwise make the event tables it finds missing.
        app = RoadmapLedger(url, env={"CREATE_TABLE": "n"})
    except (ValueError, PersistenceError) as error:
        fail(f"cannot open the store at {where}: {error}")
    try:
        try:
            events = app.recorder.max_notification_id() or 0
        except PersistenceError:
            events = 0
        if events == 0:
            fail(f"the store at {where} holds no events: nothing to verify")
        store = ReadStore(url, pool_size=1)
        try:
            yield app, store
        finally:
            store.close()
    except PersistenceError as error:
        fail(f"the store at {where} failed: {error}")
    finally:
        app.close()


def verify(
    public_key: PublicKeyOption = None,
    verifier_key: VerifierKeyOption = None,
    since: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="A checkpoint you saved earlier (GET /audit/checkpoint): today's log must "
            "extend it.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            envvar="ROADMAP_VERIFY_WORKERS",
            help="Processes that recompute the leaves (default: one per core; 1: this one).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Recompute every leaf from the stored events; check every signed head and checkpoint."""
    from projections.audit.verify import SavedCheckpointError
    from projections.audit.verify import verify as verify_record

    settings = load_settings()
    key, log_key = _keys(settings, public_key, verifier_key)
    saved = _saved(since) if since is not None else None
    with _existing(settings) as (app, store):
        total = app.position()

        def progress(done: int) -> None:
            if sys.stderr.isatty():
                sys.stderr.write(f"\r{done:>10,} / {total:,} events verified")
                sys.stderr.flush()

        try:
            verdict = verify_record(
                app, store, key, progress, log_key=log_key, since=saved, workers=workers
            )
        except SavedCheckpointError as error:
            fail(str(error))
        if sys.stderr.isatty():
            sys.stderr.write("\n")
    _summary(verdict, settings, saved)
    if not verdict.ok:
        raise typer.Exit(FAILED)


def _summary(verdict: Verdict, settings: Settings, saved: Note | None) -> None:
    typer.echo(verdict.line())
    typer.echo(f"store: {redacted(settings.database_url)}")
    if not verdict.ok:
        return
    typer.echo(f"latest: tree size {verdict.events}, root {verdict.root}")
    if saved is not None and verdict.since is not None:
        origin = saved.text.split("\n", 1)[0]
        typer.echo(
            f"since: the log extends the checkpoint you saved ({origin}, {verdict.since} leaves)"
        )


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        fail(f"cannot read the {what} {path}: {error}", BAD_USAGE)
    if not isinstance(loaded, dict):
        fail(f"the {what} {path} is not a JSON object", BAD_USAGE)
    return loaded


def _hashes(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def _verdict(ok: bool, what: str) -> None:
    typer.echo(("VALID: " if ok else "INVALID: ") + what)
    if not ok:
        raise typer.Exit(FAILED)


def verify_proof(
    proof: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="The proof: a tlog-proof bundle (GET /audit/proofs/bundle) or a JSON proof.",
        ),
    ],
    *,
    verifier_key: VerifierKeyOption = None,
    witness_keys: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="For a bundle: witnesses' verifier keys, one a line; their cosignatures are "
            "checked and named.",
        ),
    ] = None,
    head: Annotated[
        Path | None,
        typer.Option(
            exists=True, dir_okay=False, help="For a JSON proof: a signed tree head you kept."
        ),
    ] = None,
    public_key: PublicKeyOption = None,
    old_head: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="For a consistency proof: the older head."),
    ] = None,
    entry: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="For an inclusion proof or a bundle: the audit entry (JSON) you hold.",
        ),
    ] = None,
) -> None:
    """Check a proof bundle, or an inclusion or consistency proof, without the server."""
    from projections.audit.bundles import HEADER
    from projections.audit.signing import signature_valid

    try:
        text = proof.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read the proof {proof}: {error}", BAD_USAGE)
    if text.startswith(HEADER + "\n"):
        if verifier_key is None:
            fail("a proof bundle is checked with --verifier-key (the log's key)", BAD_USAGE)
        _bundle(text, _verifier_key(verifier_key), witness_keys, entry)
        return
    if head is None or public_key is None:
        fail("a JSON proof is checked with --head and --public-key", BAD_USAGE)
    key = _public_key(public_key)
    answer = _read_json(proof, "proof")
    heads = [_read_json(head, "head")] + ([_read_json(old_head, "old head")] if old_head else [])
    for signed in heads:
        if not signature_valid(key, signed):
            _verdict(False, f"the head of size {signed.get('tree_size')} is not signed by this key")
    new = heads[0]
    try:
        if "leaf_index" in answer:
            ok, what = _inclusion(answer, new, entry)
        elif old_head is not None:
            ok, what = _consistency(answer, heads[1], new)
        else:
            fail("a consistency proof needs --old-head", BAD_USAGE)
    except (KeyError, TypeError, ValueError) as error:
        fail(f"malformed proof or head: {error}", BAD_USAGE)
    _verdict(ok, what)


def _bundle(text: str, log_key: VerifierKey, witness_keys: Path | None, entry: Path | None) -> None:
    from projections.audit.bundles import (
        BundleError,
        ProofBundle,
        check,
    )
    from projections.audit.leaf import leaf_bytes
    from projections.audit.witness import (
        WitnessConfigError,
        load_witnesses,
    )

    try:
        witnesses = [w.key for w in load_witnesses(witness_keys)]
    except WitnessConfigError as error:
        fail(str(error), BAD_USAGE)
    leaf = leaf_bytes(_read_json(entry, "entry")) if entry is not None else None
    try:
        proved = check(ProofBundle.parse(text), log_key, witnesses, leaf)
    except BundleError as error:
        _verdict(False, str(error))
        return
    checkpoint = proved.checkpoint
    cosigned = "".join(
        f"; cosigned by {name} at {datetime.fromtimestamp(at, UTC).isoformat()}"
        for name, at in proved.cosigners
    )
    _verdict(
        True,
        f"leaf {proved.index} is in the checkpoint of {checkpoint.size} leaves signed by "
        f"{checkpoint.origin}{cosigned}; the entry it proves:",
    )
    with utf8(sys.stdout) as out:
        try:
            shown = json.dumps(json.loads(proved.leaf), indent=2, ensure_ascii=False)
        except ValueError:
            shown = proved.leaf.decode("utf-8", errors="replace")
        out.write(shown + "\n")


def _inclusion(proof: dict[str, Any], head: dict[str, Any], entry: Path | None) -> tuple[bool, str]:
    from projections.audit import merkle
    from projections.audit.leaf import leaf_hash

    size, index = int(proof["tree_size"]), int(proof["leaf_index"])
    if size != int(head["tree_size"]):
        return False, f"the proof is for tree size {size}, the head for {head['tree_size']}"
    leaf = proof["leaf_hash"]
    if entry is not None:
        recomputed = leaf_hash(_read_json(entry, "entry"))
        if recomputed != leaf:
            return False, f"the entry hashes to {recomputed}, not to the proof's leaf {leaf}"
    ok = merkle.verify_inclusion(
        bytes.fromhex(leaf), index, size, _hashes(proof["path"]), bytes.fromhex(head["root_hash"])
    )
    what = f"leaf {index} is in the signed tree of {size} leaves"
    if entry is None:
        what += (
            " — checked with the leaf hash the server gave, not with an entry: pass --entry to "
            "check the entry itself"
        )
    return ok, what


def _consistency(
    proof: dict[str, Any], old: dict[str, Any], new: dict[str, Any]
) -> tuple[bool, str]:
    from projections.audit import merkle

    first, second = int(proof["first"]), int(proof["second"])
    if (first, second) != (int(old["tree_size"]), int(new["tree_size"])):
        return False, "the proof's sizes are not those of the two heads"
    ok = merkle.verify_consistency(
        first,
        second,
        bytes.fromhex(old["root_hash"]),
        bytes.fromhex(new["root_hash"]),
        _hashes(proof["path"]),
    )
    return ok, f"the log of {second} leaves extends the signed log of {first} leaves"
