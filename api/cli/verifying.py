"""`roadmap verify` (the whole record) and `roadmap verify-proof` (one proof, offline)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli.common import BAD_USAGE, FAILED, fail, load_settings
from api.cli.readside import read_side

# The audit code is imported by the commands (`roadmap --help` does not load it).


def verify(
    public_key: Annotated[
        Path | None,
        typer.Option(
            exists=True, dir_okay=False, help="PEM public key (default: the signing key's)."
        ),
    ] = None,
) -> None:
    """Recompute every leaf from the stored events and check every signed tree head."""
    from projections.audit.signing import Signer, load_public_key  # noqa: PLC0415
    from projections.audit.verify import verify as verify_record  # noqa: PLC0415

    settings = load_settings()
    if public_key is not None:
        key = load_public_key(public_key.read_bytes())
    else:
        try:
            key = Signer.from_file(settings.signing_key_file, create=False).public
        except FileNotFoundError:
            fail(f"no signing key at {settings.signing_key_file}; pass --public-key", BAD_USAGE)
    with read_side(settings) as (app, store, _):
        total = app.position()

        def progress(done: int) -> None:
            if sys.stderr.isatty():
                sys.stderr.write(f"\r{done:>10,} / {total:,} events verified")
                sys.stderr.flush()

        verdict = verify_record(app, store, key, progress)
        if sys.stderr.isatty():
            sys.stderr.write("\n")
    typer.echo(verdict.line())
    if not verdict.ok:
        raise typer.Exit(FAILED)


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


def verify_proof(
    proof: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The proof (JSON).")],
    head: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="A signed tree head you kept (JSON).")
    ],
    public_key: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="The server's public key (PEM).")
    ],
    old_head: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="For a consistency proof: the older head."),
    ] = None,
    entry: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="For an inclusion proof: the audit entry."),
    ] = None,
) -> None:
    """Check an inclusion or consistency proof against signed heads, without the server."""
    from projections.audit.signing import load_public_key, signature_valid  # noqa: PLC0415

    key = load_public_key(public_key.read_bytes())
    answer = _read_json(proof, "proof")
    heads = [_read_json(head, "head")] + ([_read_json(old_head, "old head")] if old_head else [])
    for signed in heads:
        if not signature_valid(key, signed):
            typer.echo(
                f"INVALID: the head of size {signed.get('tree_size')} is not signed by this key"
            )
            raise typer.Exit(FAILED)
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
    typer.echo(("VALID: " if ok else "INVALID: ") + what)
    if not ok:
        raise typer.Exit(FAILED)


def _inclusion(proof: dict[str, Any], head: dict[str, Any], entry: Path | None) -> tuple[bool, str]:
    from projections.audit.leaf import leaf_hash  # noqa: PLC0415
    from projections.audit.merkle import verify_inclusion  # noqa: PLC0415

    size, index = int(proof["tree_size"]), int(proof["leaf_index"])
    if size != int(head["tree_size"]):
        return False, f"the proof is for tree size {size}, the head for {head['tree_size']}"
    leaf = proof["leaf_hash"]
    if entry is not None:
        recomputed = leaf_hash(_read_json(entry, "entry"))
        if recomputed != leaf:
            return False, f"the entry hashes to {recomputed}, not to the proof's leaf {leaf}"
    ok = verify_inclusion(
        bytes.fromhex(leaf), index, size, _hashes(proof["path"]), bytes.fromhex(head["root_hash"])
    )
    return ok, f"leaf {index} is in the signed tree of {size} leaves"


def _consistency(
    proof: dict[str, Any], old: dict[str, Any], new: dict[str, Any]
) -> tuple[bool, str]:
    from projections.audit.merkle import verify_consistency  # noqa: PLC0415

    first, second = int(proof["first"]), int(proof["second"])
    if (first, second) != (int(old["tree_size"]), int(new["tree_size"])):
        return False, "the proof's sizes are not those of the two heads"
    ok = verify_consistency(
        first,
        second,
        bytes.fromhex(old["root_hash"]),
        bytes.fromhex(new["root_hash"]),
        _hashes(proof["path"]),
    )
    return ok, f"the log of {second} leaves extends the signed log of {first} leaves"
