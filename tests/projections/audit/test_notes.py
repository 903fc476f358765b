"""Signed notes, checkpoints, verifier keys, cosignatures and proof bundles, byte for byte."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from projections.audit import merkle
from projections.audit.bundles import BundleError, ProofBundle, check
from projections.audit.notes import (
    COSIGNATURE_V1,
    Checkpoint,
    Note,
    NoteError,
    Signature,
    VerifierKey,
    cosign,
    cosignature_time,
    sign_note,
    valid_name,
)
from tests.support.witness import Witness

# The example of golang.org/x/mod/sumdb/note's documentation: a key pair, a text and the note
# Go's note.Sign makes of it. Ed25519 signatures are deterministic, so ours must be identical.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n"
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZ"
    "b6KE6RyyBwJnAM=\n"
)


def _go_private() -> Ed25519PrivateKey:
    seed = base64.b64decode(GO_SKEY.split("+", 4)[4])[1:]
    return Ed25519PrivateKey.from_private_bytes(seed)


def test_the_go_example_signs_and_verifies_byte_for_byte() -> None:
    key = VerifierKey.parse(GO_VKEY)
    assert key.text() == GO_VKEY
    assert (key.name, key.key_id.hex()) == ("PeterNeumann", "c74f20a3")
    signature = sign_note(GO_TEXT, "PeterNeumann", _go_private())
    assert Note(GO_TEXT, (signature,)).serialize() == GO_NOTE
    assert VerifierKey.of("PeterNeumann", _go_private().public_key()) == key
    note = Note.parse(GO_NOTE)
    assert note.text == GO_TEXT
    assert note.signed_by(key)
    assert not Note.parse(GO_NOTE.replace("problem,", "problem;")).signed_by(key)


def test_a_checkpoint_is_origin_size_and_base64_root() -> None:
    root = hashlib.sha256(b"root").digest()
    checkpoint = Checkpoint("example.org/log", 38, root)
    text = checkpoint.text()
    assert text == f"example.org/log\n38\n{base64.b64encode(root).decode()}\n"
    assert Checkpoint.parse(text) == checkpoint
    with_extension = Checkpoint.parse(text + "extension line\n")
    assert with_extension.extensions == ("extension line",)
    for bad in (
        "example.org/log\n38\n",
        "example.org/log\n038\n" + text.split("\n")[2] + "\n",
        "example.org/log\n-1\n" + text.split("\n")[2] + "\n",
        "example.org/log\n38\nnot base64!\n",
        "example.org/log\n38\n" + base64.b64encode(b"short").decode() + "\n",
        text.removesuffix("\n"),
        text + "\n",
    ):
        with pytest.raises(NoteError):
            Checkpoint.parse(bad)


def test_notes_are_refused_as_go_refuses_them() -> None:
    for bad in (
        GO_TEXT,  # no signature block
        GO_NOTE.removesuffix("\n"),  # no final newline
        GO_NOTE + "\n",  # an empty signature line
        GO_NOTE.replace("— ", "- "),  # not an em dash
        GO_NOTE.replace("cryptography", "crypto\tgraphy"),  # a control character
        GO_NOTE.replace("PeterNeumann x08", "Peter+Neumann x08"),  # not a key name
    ):
        with pytest.raises(NoteError):
            Note.parse(bad)


def test_key_names_are_printable_without_spaces_or_plus() -> None:
    assert valid_name("ledger.example.org/roadmap")
    for bad in ("", "a b", "a+b", "a\u00a0b", "a\nb", "a\x7fb"):
        assert not valid_name(bad), bad


def test_verifier_keys_refuse_what_they_do_not_name() -> None:
    name, kid, key = GO_VKEY.split("+", 2)
    for bad in (
        f"{name}+{kid}",
        f"Other+{kid}+{key}",  # the key ID is of another name
        f"{name}+{kid}+{key[:-4]}",
        f"{name}+{kid}+" + base64.b64encode(b"\x02" + bytes(32)).decode(),
        f"{name}+c74f20a+{key}",
    ):
        with pytest.raises(NoteError):
            VerifierKey.parse(bad)


def test_a_cosignature_covers_its_time_and_the_checkpoint() -> None:
    """cosignature/v1 of the specification, checked by the tests' own witness code too."""
    log = Ed25519PrivateKey.generate()
    log_key = VerifierKey.of("example.org/log", log.public_key())
    witness = Witness("witness.example/w1", log_key.text())
    key = VerifierKey.parse(witness.vkey)
    assert key.kind == COSIGNATURE_V1
    text = Checkpoint("example.org/log", 5, hashlib.sha256(b"x").digest()).text()

    theirs = Signature.parse(witness.cosign(text, timestamp=1_700_000_000))
    ours = cosign(text, witness.name, witness.private, 1_700_000_000)
    assert ours == theirs  # the same bytes, made by two implementations
    assert cosignature_time(text, theirs, key) == 1_700_000_000
    assert cosignature_time(text.replace("5", "6"), theirs, key) is None
    later = Signature(
        theirs.name, theirs.key_id, (1_700_000_001).to_bytes(8, "big") + ours.payload[8:]
    )
    assert cosignature_time(text, later, key) is None  # the time is signed
    assert cosignature_time(text, theirs, log_key) is None  # a log key is no witness key


def _bundle(size: int = 7, index: int = 3) -> tuple[ProofBundle, VerifierKey, list[bytes]]:
    log = Ed25519PrivateKey.generate()
    key = VerifierKey.of("example.org/log", log.public_key())
    entries = [f'{{"n":{i}}}'.encode() for i in range(size)]
    frontier = merkle.Frontier(0, [])
    nodes: dict[merkle.NodeKey, bytes] = {}
    for entry in entries:
        for level, idx, digest in frontier.append(merkle.leaf(entry)):
            nodes[(level, idx)] = digest

    def fetch(keys: object) -> dict[merkle.NodeKey, bytes]:
        return nodes

    text = Checkpoint(key.name, size, frontier.root()).text()
    note = Note(text, (sign_note(text, key.name, log),))
    path = merkle.inclusion_path(index, size, fetch)
    return ProofBundle(index, tuple(path), note, entries[index]), key, entries


def test_a_bundle_round_trips_and_proves_its_entry() -> None:
    bundle, key, entries = _bundle()
    text = bundle.text()
    lines = text.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1"
    assert lines[1] == "extra " + base64.b64encode(entries[3]).decode()
    assert lines[2] == "index 3"
    assert text.endswith("\n\n" + bundle.checkpoint.serialize())
    assert ProofBundle.parse(text) == bundle
    proved = check(ProofBundle.parse(text), key)
    assert (proved.index, proved.leaf, proved.checkpoint.size) == (3, entries[3], 7)


def test_a_bundle_that_does_not_prove_its_entry_is_refused() -> None:
    bundle, key, entries = _bundle()
    other = VerifierKey.of(key.name, Ed25519PrivateKey.generate().public_key())
    renamed = VerifierKey("example.org/other", key.kind, key.public)
    for wrong, log_key, leaf in (
        (bundle, other, None),  # another log's key
        (bundle, renamed, None),  # the right key under another origin
        (bundle, key, entries[4]),  # another entry
        (ProofBundle(4, bundle.path, bundle.checkpoint, entries[3]), key, None),
        (ProofBundle(3, bundle.path[:-1], bundle.checkpoint, entries[3]), key, None),
        (ProofBundle(3, bundle.path, bundle.checkpoint, None), key, None),  # nothing to hash
    ):
        with pytest.raises(BundleError):
            check(wrong, log_key, leaf=leaf)
    for text in (
        bundle.text().replace("index 3", "index 03"),
        bundle.text().replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"),
        bundle.text().replace("index 3\n", ""),
        bundle.text().split("\n\n")[0],
    ):
        with pytest.raises(BundleError):
            ProofBundle.parse(text)


def test_a_bundle_names_its_witnesses_and_refuses_a_false_cosignature() -> None:
    bundle, key, _ = _bundle()
    witness = Witness("witness.example/w1", key.text())
    line = Signature.parse(witness.cosign(bundle.checkpoint.text, timestamp=1_700_000_000))
    cosigned = ProofBundle(
        bundle.index, bundle.path, bundle.checkpoint.with_signatures([line]), bundle.extra
    )
    again = ProofBundle.parse(cosigned.text())
    witness_key = VerifierKey.parse(witness.vkey)
    assert check(again, key, [witness_key]).cosigners == (("witness.example/w1", 1_700_000_000),)
    assert check(again, key).cosigners == ()  # an unknown witness is ignored
    forged = Signature(line.name, line.key_id, line.payload[:-1] + bytes([line.payload[-1] ^ 1]))
    false = ProofBundle(
        bundle.index, bundle.path, bundle.checkpoint.with_signatures([forged]), bundle.extra
    )
    with pytest.raises(BundleError, match="does not verify"):
        check(false, key, [witness_key])
