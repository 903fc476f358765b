"""Tokens already verified, so that a client's next request skips the signature check.

Bounded (least recently used out first) and keyed by the whole token: a token that differs in
one byte is verified afresh. A hit is answered only while the token's `exp` and `nbf` still
allow it (with the configured leeway); otherwise the entry is dropped and the caller verifies
the token again, which refuses it with the usual answer.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from domain.model.values import Actor

#: Tokens kept: a few thousand clients' tokens at ~1 KB each.
CAPACITY = 4096


class VerifiedTokens:
    def __init__(
        self, leeway: int, capacity: int = CAPACITY, clock: Callable[[], float] = time.time
    ) -> None:
        self.leeway = leeway
        self.capacity = capacity
        self.clock = clock
        self._entries: OrderedDict[str, tuple[Mapping[str, Any], Actor]] = OrderedDict()
        # The rate limiter runs on the event loop, routes in worker threads.
        self._lock = threading.Lock()

    def get(self, token: str) -> tuple[Mapping[str, Any], Actor] | None:
        with self._lock:
            entry = self._entries.get(token)
            if entry is None:
                return None
            if not self._in_force(entry[0]):
                del self._entries[token]
                return None
            self._entries.move_to_end(token)
            return entry

    def put(self, token: str, claims: Mapping[str, Any], actor: Actor) -> None:
        with self._lock:
            self._entries[token] = (claims, actor)
            self._entries.move_to_end(token)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def _in_force(self, claims: Mapping[str, Any]) -> bool:
        """As PyJWT decides: expired once exp <= now - leeway; early while nbf > now + leeway."""
        now = self.clock()
        if claims["exp"] <= now - self.leeway:
            return False
        nbf = claims.get("nbf")
        return nbf is None or nbf <= now + self.leeway

    def __len__(self) -> int:
        return len(self._entries)
