"""A transparency-log witness written for the tests from the C2SP specifications alone.

tlog-witness (`POST <prefix>/add-checkpoint`), tlog-cosignature (cosignature/v1, Ed25519) and
signed-note, implemented here without the project's own format code (projections/audit/notes.py,
merkle.py), so that a misreading of a specification there is not repeated here.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DASH = "\u2014 "


def _key_id(name: str, kind: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def consistent(first: int, second: int, old: bytes, new: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 §2.1.4.2, step by step, for 0 < first < second."""
    if first & (first - 1) == 0:  # first is a power of two: its root starts the path
        proof = [old, *proof]
    if not proof:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = _node(c, fr), _node(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = _node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old and sr == new


@dataclass
class Witness:
    """Knows one log (its verifier key); cosigns what extends what it cosigned last."""

    name: str
    log_vkey: str
    private: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    #: origin → (size, root) of the latest checkpoint cosigned.
    state: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    requests: list[bytes] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def vkey(self) -> str:
        """The witness's own verifier key: type 0x04, cosignature/v1."""
        public = _raw(self.private.public_key())
        kid = _key_id(self.name, 0x04, public)
        return f"{self.name}+{kid.hex()}+{base64.b64encode(bytes([0x04]) + public).decode()}"

    def cosign(self, text: str, timestamp: int | None = None) -> str:
        """A cosignature line (without its newline) over a checkpoint's text."""
        stamp = int(time.time()) if timestamp is None else timestamp
        message = f"cosignature/v1\ntime {stamp}\n{text}".encode()
        kid = _key_id(self.name, 0x04, _raw(self.private.public_key()))
        blob = kid + stamp.to_bytes(8, "big") + self.private.sign(message)
        return f"{DASH}{self.name} {base64.b64encode(blob).decode()}"

    def _log(self) -> tuple[str, bytes, Ed25519PublicKey]:
        name, kid, key = self.log_vkey.strip().split("+", 2)
        raw = base64.b64decode(key)
        assert raw[0] == 0x01
        return name, bytes.fromhex(kid), Ed25519PublicKey.from_public_bytes(raw[1:])

    def add_checkpoint(self, body: bytes) -> tuple[int, str, bytes]:  # noqa: PLR0911 - a check, an answer
        """The specification's checks, in its order: answers (status, media type, body)."""
        self.requests.append(body)
        try:
            text = body.decode()
            head, checkpoint = text.split("\n\n", 1)
            old_line, *proof_lines = head.split("\n")
            assert old_line.startswith("old ")
            old = int(old_line.removeprefix("old "))
            proof = [base64.b64decode(line, validate=True) for line in proof_lines]
            split = checkpoint.rindex("\n\n")
            note_text, signatures = checkpoint[: split + 1], checkpoint[split + 2 :]
            origin, size_line, root_line = note_text.split("\n")[:3]
            size, root = int(size_line), base64.b64decode(root_line, validate=True)
        except (AssertionError, ValueError, UnicodeDecodeError):
            return 400, "text/plain", b"malformed add-checkpoint request\n"
        log_name, log_kid, log_key = self._log()
        if origin != log_name:
            return 404, "text/plain", b"unknown log\n"
        signed = False
        for line in signatures.removesuffix("\n").split("\n"):
            name, _, encoded = line.removeprefix(DASH).partition(" ")
            blob = base64.b64decode(encoded)
            if name != log_name or blob[:4] != log_kid:
                continue  # unknown keys are ignored
            try:
                log_key.verify(blob[4:], note_text.encode())
            except InvalidSignature:
                return 403, "text/plain", b"invalid log signature\n"
            signed = True
        if not signed:
            return 403, "text/plain", b"no signature by the log's key\n"
        if old > size:
            return 400, "text/plain", b"old size beyond the checkpoint\n"
        with self.lock:  # checking the old size and keeping the new one: one step
            known, known_root = self.state.get(origin, (0, b""))
            if old != known:
                return 409, "text/x.tlog.size", f"{known}\n".encode()
            if old == size and root != known_root:
                return 409, "text/plain", b"same size, another root\n"
            if old == 0 and proof:
                return 422, "text/plain", b"a proof from size 0 is empty\n"
            if 0 < old < size and not consistent(old, size, known_root, root, proof):
                return 422, "text/plain", b"the consistency proof does not verify\n"
            self.state[origin] = (size, root)
        return 200, "text/plain", (self.cosign(note_text) + "\n").encode()


@contextmanager
def serving(witness: Witness) -> Iterator[Witness]:
    """The witness over HTTP on a loopback port, in a thread, for as long as the block runs."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path != "/add-checkpoint":
                status, media, answer = 404, "text/plain", b"no such endpoint\n"
            else:
                status, media, answer = witness.add_checkpoint(body)
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet: the tests read the witness's state, not its log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="test-witness", daemon=True)
    thread.start()
    witness.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield witness
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
