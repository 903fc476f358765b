"""Signed tree heads: an Ed25519 key kept outside the database signs every head."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from projections.audit.leaf import canonical
from projections.audit.notes import Signature, VerifierKey, sign_note

HEAD_FIELDS = ("tree_size", "root_hash", "signed_at", "key_id")


def key_id_of(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signed_bytes(head: dict[str, Any]) -> bytes:
    """What the signature covers: the canonical JSON of the head without its signature."""
    return canonical({k: head[k] for k in HEAD_FIELDS})


@dataclass(frozen=True)
class Signer:
    private: Ed25519PrivateKey

    @classmethod
    def from_file(cls, path: Path, *, create: bool = True) -> Signer:
        """Loads the PEM key; creates it (mode 0600) on first use when allowed."""
        if not path.exists():
            if not create:
                msg = f"signing key {path} not found"
                raise FileNotFoundError(msg)
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written whole beside the target, then linked in: a process that loses the race
            # to create it reads the winner's complete key, never a half-written file.
            partial = path.with_name(f".{path.name}.{os.getpid()}")
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
            try:
                os.link(partial, path)
            except FileExistsError:
                pass
            finally:
                partial.unlink()
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            msg = f"{path} does not hold an Ed25519 private key"
            raise TypeError(msg)
        return cls(loaded)

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def key_id(self) -> str:
        return key_id_of(self.public)

    def public_pem(self) -> str:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def sign(self, head: dict[str, Any]) -> str:
        return base64.b64encode(self.private.sign(signed_bytes(head))).decode()

    def sign_note(self, text: str, name: str) -> Signature:
        """The same key signs checkpoints as signed notes (type 0x01) under the key name."""
        return sign_note(text, name, self.private)

    def verifier_key(self, name: str) -> VerifierKey:
        return VerifierKey.of(name, self.public)


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    loaded = serialization.load_pem_public_key(pem)
    if not isinstance(loaded, Ed25519PublicKey):
        msg = "not an Ed25519 public key"
        raise TypeError(msg)
    return loaded


def signature_valid(public: Ed25519PublicKey, head: dict[str, Any]) -> bool:
    try:
        public.verify(base64.b64decode(head["signature"]), signed_bytes(head))
    except (InvalidSignature, ValueError):
        return False
    return True
