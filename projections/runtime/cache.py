"""A bounded cache of items between batches: hot items skip the reload from their tables.

Only the runner holding the lease writes the read models, so what it cached stays true until
one of its own transactions rolls back; it then forgets everything.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Generic, TypeVar

V = TypeVar("V")


class ItemCache(Generic[V]):
    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._items: OrderedDict[str, V] = OrderedDict()

    def get(self, key: str) -> V | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: str, value: V) -> list[tuple[str, V]]:
        """Keeps `value`; answers what it pushed out (the least recently used)."""
        self._items[key] = value
        self._items.move_to_end(key)
        evicted: list[tuple[str, V]] = []
        while len(self._items) > self.size:
            evicted.append(self._items.popitem(last=False))
        return evicted

    def clear(self) -> None:
        self._items.clear()

    def items(self) -> Iterator[tuple[str, V]]:
        """What it holds, least recently used first; it does not move them."""
        return iter(list(self._items.items()))
