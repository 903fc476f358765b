"""C2SP signed notes, checkpoints, verifier keys and cosignatures, byte for byte.

- signed-note: the note's text (lines, each ending in a newline), a blank line, then one
  signature line per signer: `— <key name> <base64(4-byte key ID ‖ signature)>`. The key ID is
  the first 4 bytes of SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key); an Ed25519 note
  signature (type 0x01) covers the text, its final newline included.
- tlog-checkpoint: the text is the origin line, the tree size in decimal and the root hash in
  standard base64, optionally followed by extension lines.
- tlog-cosignature (cosignature/v1, type 0x04): a witness signs `cosignature/v1\\n`, `time
  <unix seconds>\\n` and the checkpoint's text; its signature line carries base64(key ID ‖
  8-byte big-endian timestamp ‖ Ed25519 signature).
- A verifier key is `<name>+<hex key ID>+<base64(type ‖ public key)>`.

Nothing here reads a database or a file: the same code signs on the server and checks offline.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

#: Signature types of signed-note keys.
ED25519 = 0x01
COSIGNATURE_V1 = 0x04

SIGNATURE_PREFIX = "— "  # U+2014 EM DASH, then a space
HASH_SIZE = 32
_ED25519_SIZE = 64
_PUBLIC_SIZE = 32
_KEY_ID_SIZE = 4
_TIMESTAMP_SIZE = 8
#: More signatures than this on one note is an attack on the parser, not a checkpoint.
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A note, checkpoint, key or signature line that does not follow its format."""


def valid_name(name: str) -> bool:
    """A key name (and our origin): non-empty, printable, no space of any kind and no `+`."""
    return (
        bool(name)
        and "+" not in name
        and not any(c.isspace() or unicodedata.category(c).startswith("C") for c in name)
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, what: str) -> bytes:
    """Strict standard base64 (no line breaks, no URL alphabet)."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise NoteError(f"{what} is not standard base64") from None


def key_id(name: str, kind: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:_KEY_ID_SIZE]


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class VerifierKey:
    """A signed-note verifier key: who signs (name), how (type) and with what (public key)."""

    name: str
    kind: int
    public: bytes

    def __post_init__(self) -> None:
        if not valid_name(self.name):
            raise NoteError(f"{self.name!r} is not a valid key name (no spaces, no '+')")
        if self.kind not in (ED25519, COSIGNATURE_V1) or len(self.public) != _PUBLIC_SIZE:
            raise NoteError("only Ed25519 keys (type 0x01, or 0x04 for cosignatures) are known")

    @classmethod
    def of(cls, name: str, key: Ed25519PublicKey, kind: int = ED25519) -> VerifierKey:
        return cls(name, kind, raw_public(key))

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        # The key's base64 may hold '+' itself: only the first two separate.
        name, plus, rest = text.strip().partition("+")
        hex_id, plus_again, encoded = rest.partition("+")
        if not (plus and plus_again):
            raise NoteError("a verifier key is <name>+<hex key ID>+<base64 key>")
        data = unb64(encoded, "the verifier key")
        if len(hex_id) != 2 * _KEY_ID_SIZE or len(data) != 1 + _PUBLIC_SIZE:
            raise NoteError("a verifier key has an 8-digit key ID and a 32-byte Ed25519 key")
        key = cls(name, data[0], data[1:])
        if hex_id.lower() != key.key_id.hex():
            raise NoteError(f"the key ID {hex_id} does not match the key named {name!r}")
        return key

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.kind, self.public)

    @property
    def ed25519(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public)

    def text(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{b64(bytes([self.kind]) + self.public)}"

    def signs(self, signature: Signature) -> bool:
        """Whether the signature line names this key (its name and key ID)."""
        return signature.name == self.name and signature.key_id == self.key_id


@dataclass(frozen=True)
class Signature:
    """One signature line of a note: the signer's name, its key ID and what follows."""

    name: str
    key_id: bytes
    payload: bytes

    @classmethod
    def parse(cls, line: str) -> Signature:
        line = line.removesuffix("\n")
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError("a signature line starts with '— ' (U+2014 and a space)")
        name, _, encoded = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
        if not valid_name(name) or not encoded:
            raise NoteError("a signature line is '— <key name> <base64 signature>'")
        data = unb64(encoded, "the signature")
        if len(data) <= _KEY_ID_SIZE:
            raise NoteError("the signature is too short to hold a key ID")
        return cls(name, data[:_KEY_ID_SIZE], data[_KEY_ID_SIZE:])

    def line(self) -> str:
        return f"{SIGNATURE_PREFIX}{self.name} {b64(self.key_id + self.payload)}\n"


@dataclass(frozen=True)
class Note:
    """A signed note: its text (ending in a newline) and its signature lines, in order."""

    text: str
    signatures: tuple[Signature, ...]

    @classmethod
    def parse(cls, message: str) -> Note:
        """The note's parts, as Go's note.Open splits them; no signature is checked here."""
        if any(ord(c) < 0x20 and c != "\n" for c in message):  # noqa: PLR2004 - ASCII controls
            raise NoteError("a note holds no control character but newlines")
        split = message.rfind("\n\n")
        if split < 0 or not message.endswith("\n"):
            raise NoteError("a signed note is its text, a blank line, then signature lines")
        text, block = message[: split + 1], message[split + 2 :]
        lines = block.removesuffix("\n").split("\n")
        if len(lines) > MAX_SIGNATURES:
            raise NoteError(f"more than {MAX_SIGNATURES} signatures")
        return cls(text, tuple(Signature.parse(line) for line in lines))

    def serialize(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    def signed_by(self, key: VerifierKey) -> bool:
        """True if a signature line names `key` and verifies; a named one that fails is False."""
        named = [s for s in self.signatures if key.signs(s)]
        return bool(named) and all(note_signature_valid(self.text, s, key) for s in named)

    def with_signatures(self, more: list[Signature]) -> Note:
        """The note with `more` signature lines after its own, none twice."""
        signatures = list(self.signatures)
        for signature in more:
            if signature not in signatures:
                signatures.append(signature)
        return Note(self.text, tuple(signatures))


def sign_note(text: str, name: str, private: Ed25519PrivateKey) -> Signature:
    """An Ed25519 (type 0x01) note signature over `text`, its final newline included."""
    if not text.endswith("\n"):
        raise NoteError("a note's text ends with a newline")
    kid = key_id(name, ED25519, raw_public(private.public_key()))
    return Signature(name, kid, private.sign(text.encode()))


def note_signature_valid(text: str, signature: Signature, key: VerifierKey) -> bool:
    if key.kind != ED25519 or not key.signs(signature):
        return False
    return _ed25519_valid(key, signature.payload, text.encode())


@dataclass(frozen=True)
class Checkpoint:
    """A tlog-checkpoint's text: the log's origin, its size and its RFC 6962 root."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), b64(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":  # noqa: PLR2004 - three lines and the final newline
            raise NoteError("a checkpoint is an origin, a tree size and a root hash, one a line")
        origin, size, root, *extensions = lines[:-1]
        if not origin or not size.isascii() or not size.isdigit() or size != str(int(size)):
            raise NoteError("a checkpoint's tree size is a decimal without leading zeros")
        digest = unb64(root, "the root hash")
        if len(digest) != HASH_SIZE:
            raise NoteError("a checkpoint's root hash is 32 bytes")
        if any(not line for line in extensions):
            raise NoteError("a checkpoint's extension lines are not empty")
        return cls(origin, int(size), digest, tuple(extensions))


def cosignature_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def cosign(text: str, name: str, private: Ed25519PrivateKey, timestamp: int) -> Signature:
    """A witness's cosignature/v1 (type 0x04) of a checkpoint's text at `timestamp`."""
    kid = key_id(name, COSIGNATURE_V1, raw_public(private.public_key()))
    stamp = struct.pack(">Q", timestamp)
    return Signature(name, kid, stamp + private.sign(cosignature_message(text, timestamp)))


def cosignature_time(text: str, signature: Signature, key: VerifierKey) -> int | None:
    """The cosignature's timestamp if `key` made it over this checkpoint text, else None."""
    if key.kind != COSIGNATURE_V1 or not key.signs(signature):
        return None
    if len(signature.payload) != _TIMESTAMP_SIZE + _ED25519_SIZE:
        return None
    (timestamp,) = struct.unpack(">Q", signature.payload[:_TIMESTAMP_SIZE])
    if timestamp >= 1 << 63:  # the specification's bound: a signed 64-bit time
        return None
    message = cosignature_message(text, timestamp)
    if not _ed25519_valid(key, signature.payload[_TIMESTAMP_SIZE:], message):
        return None
    return int(timestamp)


def _ed25519_valid(key: VerifierKey, signature: bytes, message: bytes) -> bool:
    if len(signature) != _ED25519_SIZE:
        return False
    try:
        key.ed25519.verify(signature, message)
    except InvalidSignature:
        return False
    return True
