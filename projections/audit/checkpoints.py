"""The log's origin, its signed checkpoints and the witnesses' cosignatures, as stored.

The origin names the log in every checkpoint and is the name of its signing key: it is chosen
once per store (ROADMAP_LOG_ORIGIN, or generated) and kept in the store, so that it never changes
under an auditor — a rebuild of the read models does not touch it (tables.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from projections.audit.notes import (
    Checkpoint,
    Note,
    NoteError,
    Signature,
    VerifierKey,
    cosignature_time,
    valid_name,
)
from projections.audit.signing import Signer
from projections.audit.tables import CHECKPOINTS, COSIGNATURES, IDENTITY
from projections.runtime.db import Cursor, ReadStore

ORIGIN = "origin"


class OriginConflictError(ValueError):
    """ROADMAP_LOG_ORIGIN names another log than the one this store's checkpoints name."""


class CosignatureError(ValueError):
    """A cosignature that is malformed, from no configured witness, or that does not verify."""


def generated_origin() -> str:
    """A default origin no other store will have: the store's checkpoints are not another's."""
    return f"roadmap-ledger/{secrets.token_hex(8)}"


def check_origin(origin: str) -> str:
    """An origin is also the key name of signed notes: no spaces, no '+', printable."""
    if not valid_name(origin):
        msg = f"{origin!r} cannot be a log origin: printable, without spaces or '+'"
        raise ValueError(msg)
    return origin


def _stored_origin(cursor: Cursor) -> str | None:
    cursor.execute(f"SELECT value FROM {IDENTITY.name} WHERE name = ?", [ORIGIN])
    row = cursor.fetchone()
    return None if row is None else str(row[0])


def origin_of(cursor: Cursor, wanted: str | None = None) -> str:
    """The store's origin; the first call keeps `wanted` (or a generated one) for good."""
    found = _stored_origin(cursor)
    if found is None:
        cursor.execute(
            f"{IDENTITY.insert()} ON CONFLICT (name) DO NOTHING",
            [ORIGIN, check_origin(wanted) if wanted else generated_origin()],
        )
        found = _stored_origin(cursor)
        assert found is not None  # noqa: S101 - inserted, or kept by the one who raced us
    return found


def establish_origin(store: ReadStore, wanted: str | None) -> str:
    """At start: the store's origin, refusing a setting that would change it."""
    with store.transaction(write=True) as cursor:
        origin = origin_of(cursor, wanted)
    if wanted is not None and wanted != origin:
        msg = (
            f"ROADMAP_LOG_ORIGIN is {wanted!r}, but this store's log is {origin!r}: a log's "
            "origin never changes under its auditors (unset the setting, or set it to the "
            "store's origin)"
        )
        raise OriginConflictError(msg)
    return origin


def log_origin(store: ReadStore) -> str | None:
    with store.transaction() as cursor:
        return _stored_origin(cursor)


def sign_checkpoint(cursor: Cursor, signer: Signer, size: int, root: bytes) -> None:
    """Signs and keeps the checkpoint of `size` leaves (once: a size is signed at most once)."""
    origin = origin_of(cursor)
    text = Checkpoint(origin, size, root).text()
    note = Note(text, (signer.sign_note(text, origin),))
    cursor.execute(
        f"{CHECKPOINTS.insert()} ON CONFLICT (tree_size) DO NOTHING", [size, note.serialize()]
    )


def stored_checkpoint(store: ReadStore, size: int | None = None) -> Note | None:
    """The checkpoint signed at `size` leaves (the latest when None), without cosignatures."""
    query = f"SELECT note FROM {CHECKPOINTS.name} "
    with store.transaction() as cursor:
        if size is None:
            cursor.execute(query + "ORDER BY tree_size DESC LIMIT 1")
        else:
            cursor.execute(query + "WHERE tree_size = ?", [size])
        row = cursor.fetchone()
    return None if row is None else Note.parse(str(row[0]))


def cosigned(store: ReadStore, size: int | None, witnesses: Sequence[VerifierKey]) -> Note | None:
    """The checkpoint of `size` leaves (latest when None) with every cosignature that verifies.

    Stored lines are checked again against the witnesses configured now: a witness removed from
    the configuration, or a line edited in the database, is not served.
    """
    note = stored_checkpoint(store, size)
    if note is None:
        return None
    checkpoint = Checkpoint.parse(note.text)
    with store.transaction() as cursor:
        cursor.execute(
            f"SELECT line FROM {COSIGNATURES.name} WHERE tree_size = ? ORDER BY witness, key_id",
            [checkpoint.size],
        )
        lines = [str(row[0]) for row in cursor.fetchall()]
    valid = []
    for line in lines:
        try:
            signature = Signature.parse(line)
        except NoteError:
            continue
        if any(cosignature_time(note.text, signature, key) is not None for key in witnesses):
            valid.append(signature)
    return note.with_signatures(valid)


def witness_of(signature: Signature, witnesses: Sequence[VerifierKey]) -> VerifierKey:
    for key in witnesses:
        if key.signs(signature):
            return key
    msg = (
        f"no configured witness has the key name {signature.name!r} and key ID "
        f"{signature.key_id.hex()} (ROADMAP_WITNESS_KEYS_FILE)"
    )
    raise CosignatureError(msg)


def add_cosignature(
    store: ReadStore, note: Note, line: str, witnesses: Sequence[VerifierKey]
) -> tuple[VerifierKey, int]:
    """Keeps a witness's cosignature of `note` once it verifies; answers the witness and time."""
    try:
        signature = Signature.parse(line)
    except NoteError as error:
        raise CosignatureError(str(error)) from None
    witness = witness_of(signature, witnesses)
    timestamp = cosignature_time(note.text, signature, witness)
    if timestamp is None:
        checkpoint = Checkpoint.parse(note.text)
        msg = (
            f"the cosignature of {witness.name} does not verify over the checkpoint of "
            f"{checkpoint.size} leaves"
        )
        raise CosignatureError(msg)
    size = Checkpoint.parse(note.text).size
    with store.transaction(write=True) as cursor:
        cursor.execute(
            f"{COSIGNATURES.insert()} ON CONFLICT (tree_size, witness, key_id) DO NOTHING",
            [size, witness.name, witness.key_id.hex(), timestamp, signature.line().rstrip("\n")],
        )
    return witness, timestamp


def last_cosigned(store: ReadStore, witness: VerifierKey) -> int:
    """The largest size this witness cosigned for this log (0: none), where its view stands."""
    with store.transaction() as cursor:
        cursor.execute(
            f"SELECT MAX(tree_size) FROM {COSIGNATURES.name} WHERE witness = ? AND key_id = ?",
            [witness.name, witness.key_id.hex()],
        )
        row = cursor.fetchone()
    return 0 if row is None or row[0] is None else int(row[0])
