"""C2SP tlog-proof@v1 bundles: one entry, its inclusion path and the checkpoint, offline.

```
c2sp.org/tlog-proof@v1
extra <base64 of the leaf's canonical entry bytes>
index <leaf index>
<inclusion path, one base64 hash a line, from the leaf's sibling up>

<the checkpoint, with every cosignature>
```

The `extra` line is not authenticated by itself: it is trusted only once its hash, through the
path, reaches the root that the log's key signed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from projections.audit import merkle
from projections.audit.notes import (
    HASH_SIZE,
    Checkpoint,
    Note,
    NoteError,
    VerifierKey,
    b64,
    cosignature_time,
    unb64,
)

HEADER = "c2sp.org/tlog-proof@v1"
_EXTRA = "extra "
_INDEX = "index "


class BundleError(ValueError):
    """A bundle that is malformed, or that does not prove what it claims."""


@dataclass(frozen=True)
class ProofBundle:
    index: int
    path: tuple[bytes, ...]
    checkpoint: Note
    extra: bytes | None = None

    def text(self) -> str:
        lines = [HEADER]
        if self.extra is not None:
            lines.append(_EXTRA + b64(self.extra))
        lines.append(f"{_INDEX}{self.index}")
        lines.extend(b64(h) for h in self.path)
        return "".join(f"{line}\n" for line in lines) + "\n" + self.checkpoint.serialize()

    @classmethod
    def parse(cls, text: str) -> ProofBundle:
        # The proof's lines are never empty: its first blank line starts the checkpoint.
        proof, blank, checkpoint = text.partition("\n\n")
        lines = proof.split("\n")
        if not blank or lines[0] != HEADER:
            raise BundleError(f"a proof bundle starts with {HEADER} and has a blank line")
        lines.pop(0)
        try:
            extra = None
            if _has(lines, _EXTRA):
                extra = unb64(lines.pop(0).removeprefix(_EXTRA), "the extra line")
            if not _has(lines, _INDEX):
                raise BundleError("a proof bundle names its leaf: 'index N'")
            index = lines.pop(0).removeprefix(_INDEX)
            if not index.isascii() or not index.isdigit() or index != str(int(index)):
                raise BundleError("the index is a decimal without leading zeros")
            path = tuple(unb64(line, "an inclusion path line") for line in lines)
            note = Note.parse(checkpoint)
        except NoteError as error:
            raise BundleError(str(error)) from None
        if any(len(h) != HASH_SIZE for h in path):
            raise BundleError("each inclusion path line is one SHA-256 hash")
        return cls(int(index), path, note, extra)


def _has(lines: list[str], prefix: str) -> bool:
    return bool(lines) and lines[0].startswith(prefix)


@dataclass(frozen=True)
class Proved:
    """What a bundle proved: this entry is leaf `index` of the signed checkpoint."""

    checkpoint: Checkpoint
    index: int
    leaf: bytes
    #: The known witnesses whose cosignatures verified, with their time (Unix seconds).
    cosigners: tuple[tuple[str, int], ...]


def check(
    bundle: ProofBundle,
    log_key: VerifierKey,
    witnesses: Sequence[VerifierKey] = (),
    leaf: bytes | None = None,
) -> Proved:
    """The specification's steps: the leaf, the log's signature, the cosignatures, the path.

    `leaf` (the entry's canonical bytes, held by the auditor) replaces the bundle's `extra`.
    """
    data = leaf if leaf is not None else bundle.extra
    if data is None:
        raise BundleError("the bundle has no extra line and no entry was given: no leaf to check")
    note = bundle.checkpoint
    if not note.signed_by(log_key):
        raise BundleError(f"the checkpoint is not signed by the key {log_key.text()}")
    try:
        checkpoint = Checkpoint.parse(note.text)
    except NoteError as error:
        raise BundleError(str(error)) from None
    if checkpoint.origin != log_key.name:
        msg = f"the checkpoint is of the log {checkpoint.origin!r}, not of {log_key.name!r}"
        raise BundleError(msg)
    cosigners = []
    for witness in witnesses:
        for signature in (s for s in note.signatures if witness.signs(s)):
            timestamp = cosignature_time(note.text, signature, witness)
            if timestamp is None:
                raise BundleError(f"the cosignature of {witness.name} does not verify")
            cosigners.append((witness.name, timestamp))
    if not merkle.verify_inclusion(
        merkle.leaf(data), bundle.index, checkpoint.size, list(bundle.path), checkpoint.root
    ):
        msg = (
            f"the inclusion path does not lead from leaf {bundle.index} to the root of the "
            f"checkpoint of {checkpoint.size} leaves"
        )
        raise BundleError(msg)
    return Proved(checkpoint, bundle.index, data, tuple(cosigners))
