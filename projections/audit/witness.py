"""Witnesses: who they are (a keys file), and the tlog-witness `add-checkpoint` exchange.

A witness countersigns a checkpoint only if it is consistent with the last one it countersigned
for this log, so two auditors shown two different histories cannot both get cosignatures from
the same witness. The request (C2SP tlog-witness):

```
old <size the witness last cosigned, 0 the first time>
<consistency proof from that size, one base64 hash a line>

<the checkpoint>
```

The witness answers its cosignature lines (200), or `409` with a `text/x.tlog.size` body naming
the size it knows (then the request is made again from there), `422` when the proof does not
verify, `403`/`404` when it does not know this log or its key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from projections.audit import proofs
from projections.audit.checkpoints import (
    CosignatureError,
    add_cosignature,
    last_cosigned,
    stored_checkpoint,
)
from projections.audit.notes import (
    COSIGNATURE_V1,
    Checkpoint,
    Note,
    NoteError,
    Signature,
    VerifierKey,
    b64,
)
from projections.runtime.db import ReadStore

SIZE_MEDIA_TYPE = "text/x.tlog.size"
#: The specification's bound on consistency proof lines.
MAX_PROOF_LINES = 63
#: A 409 names the size the witness knows; a witness that moves again meanwhile gets more tries.
ATTEMPTS = 3


class WitnessConfigError(ValueError):
    """The witness keys file cannot be read or holds a line that is not a witness."""


class WitnessError(RuntimeError):
    """The witness refused the checkpoint, or answered something that is not a cosignature."""


@dataclass(frozen=True)
class Witness:
    key: VerifierKey
    #: The witness's submission prefix (`<url>/add-checkpoint`), when the file names one.
    url: str | None = None


def load_witnesses(path: Path | None) -> tuple[Witness, ...]:
    """One witness a line: its verifier key (type 0x04), optionally followed by its URL.

    Blank lines and lines starting with `#` are ignored.
    """
    if path is None:
        return ()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise WitnessConfigError(f"cannot read the witness keys file {path}: {error}") from None
    witnesses = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        where = f"{path}, line {number}"
        if len(words) > 2:  # noqa: PLR2004 - a key and a URL
            raise WitnessConfigError(f"{where}: expected '<verifier key> [<url>]'")
        try:
            key = VerifierKey.parse(words[0])
        except NoteError as error:
            raise WitnessConfigError(f"{where}: {error}") from None
        if key.kind != COSIGNATURE_V1:
            msg = f"{where}: a witness key is of type 0x04 (cosignature/v1), not 0x{key.kind:02x}"
            raise WitnessConfigError(msg)
        witnesses.append(Witness(key, words[1] if len(words) == 2 else None))  # noqa: PLR2004
    return tuple(witnesses)


def add_checkpoint_body(old: int, proof: list[bytes], checkpoint: Note) -> bytes:
    lines = [f"old {old}", *(b64(h) for h in proof)]
    return ("".join(f"{line}\n" for line in lines) + "\n" + checkpoint.serialize()).encode()


def parse_size(body: bytes) -> int:
    """A `text/x.tlog.size` body: a decimal tree size and a newline."""
    text = body.decode("ascii", errors="replace")
    size = text.removesuffix("\n")
    if not text.endswith("\n") or not size.isdigit() or size != str(int(size)):
        raise WitnessError(f"the witness's 409 names no tree size: {text[:80]!r}")
    return int(size)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, media type (without parameters) and body."""

    status: int
    media_type: str
    body: bytes


#: Sends a body to a URL by POST; the command line gives one that speaks HTTP.
Post = Callable[[str, bytes], Answer]


@dataclass(frozen=True)
class Pushed:
    size: int
    old: int
    #: The cosignature lines kept (each checked against the witness's key).
    lines: tuple[str, ...]


def push(store: ReadStore, witness: Witness, url: str, post: Post) -> Pushed:
    """Sends the latest checkpoint to the witness at `url`; keeps the cosignatures it answers."""
    note = stored_checkpoint(store)
    if note is None:
        raise WitnessError("no checkpoint is signed yet: the log has no event projected")
    size = Checkpoint.parse(note.text).size
    old = last_cosigned(store, witness.key)
    endpoint = url.rstrip("/") + "/add-checkpoint"
    for _ in range(ATTEMPTS):
        if old > size:
            msg = (
                f"the witness has cosigned a tree of {old} leaves, larger than this log's {size}: "
                "it was shown another history of this log, or events were deleted"
            )
            raise WitnessError(msg)
        proof = [] if old in (0, size) else _consistency(store, old, size)
        answer = post(endpoint, add_checkpoint_body(old, proof, note))
        if answer.status == 409 and answer.media_type == SIZE_MEDIA_TYPE:  # noqa: PLR2004
            old = parse_size(answer.body)
            continue
        return Pushed(size, old, _keep(store, witness, note, answer))
    raise WitnessError(f"the witness's size kept moving; {ATTEMPTS} requests answered 409")


def _consistency(store: ReadStore, old: int, size: int) -> list[bytes]:
    path = [bytes.fromhex(h) for h in proofs.consistency(store, old, size)["path"]]
    if len(path) > MAX_PROOF_LINES:
        raise WitnessError(f"a consistency proof of {len(path)} hashes is longer than allowed")
    return path


_REFUSALS = {
    400: "found the request malformed",
    403: "does not trust this log's key (give it the verifier key: roadmap audit verifier-key)",
    404: "does not know this log's origin",
    409: "holds another checkpoint of the same size: it was shown another history of this log",
    422: "refused the consistency proof: the log it saw is not a prefix of this one",
}


def _keep(store: ReadStore, witness: Witness, note: Note, answer: Answer) -> tuple[str, ...]:
    if answer.status != 200:  # noqa: PLR2004
        why = _REFUSALS.get(answer.status, "refused the checkpoint")
        detail = answer.body.decode("utf-8", errors="replace").strip()[:200]
        said = f": {detail}" if detail else ""
        raise WitnessError(f"the witness {why} (HTTP {answer.status}{said})")
    kept = []
    text = answer.body.decode("utf-8", errors="replace")
    for line in text.splitlines():
        try:
            signature = Signature.parse(line)
        except NoteError as error:
            msg = f"the witness answered a line that is no signature: {error}"
            raise WitnessError(msg) from None
        if not witness.key.signs(signature):
            continue  # the specification: ignore cosignatures from unknown keys
        try:
            add_cosignature(store, note, line, [witness.key])
        except CosignatureError as error:
            raise WitnessError(f"the witness answered a cosignature that fails: {error}") from None
        kept.append(line)
    if not kept:
        raise WitnessError(f"the witness answered no cosignature by its key {witness.key.text()}")
    return tuple(kept)
