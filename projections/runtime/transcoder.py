"""The transcoder of the read models' blobs (folded states, entries, item heads).

It reads and writes the same JSON as the log's transcoder, byte for byte; it writes it through
orjson, because a catch-up encodes every entry and every changed state once or more (the stdlib
encoder, with a Python callback for each date, decimal and id, was a sixth of a rebuild's time).
Whatever orjson would write differently (a float, an integer past 64 bits, a lone surrogate,
a type it refuses) takes the log transcoder's path instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.utils import get_topic

from domain.storage.transcoding import LedgerTranscoder

#: Types whose transcoding answers a text: tagged without looking into what it answers.
_AS_TEXT = frozenset({UUID, Decimal, datetime, date})


class _FallbackError(Exception):
    """A value only the stdlib encoder writes as the log does."""


class ReadModelTranscoder(LedgerTranscoder):
    """The log's transcoder for the read models' blobs: texts the log holds that UTF-8 cannot
    (lone surrogates, from events written below the API) pass through."""

    def __init__(self) -> None:
        super().__init__()
        self._tagger: dict[type, Callable[[Any], Any]] = {
            str: _same,
            int: _same,
            bool: _same,
            type(None): _same,
            dict: self._mapping,
            list: self._items,
            tuple: self._tuple,
        }

    def encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(self._tagged(obj))
        except (_FallbackError, orjson.JSONEncodeError):
            return self.encoder.encode(self._tag(obj)).encode("utf-8", "surrogatepass")

    def decode(self, data: bytes) -> Any:
        return self.decoder.decode(bytes(data).decode("utf-8", "surrogatepass"))

    def _tagged(self, obj: Any) -> Any:
        """`obj` as JSON values only, each registered type as `{"_type_", "_data_"}` (what
        the stdlib encoder's callback writes), tuples and enums tagged as `_tag` does."""
        kind = type(obj)
        tagger = self._tagger.get(kind)
        if tagger is None:
            tagger = self._tagger[kind] = self._tagger_for(kind)
        return tagger(obj)

    def _tagger_for(self, kind: type) -> Callable[[Any], Any]:
        if issubclass(kind, Enum):
            return lambda obj: {"_type_": "enum", "_data_": [get_topic(kind), obj.value]}
        transcoding = self.types.get(kind)
        if transcoding is None:
            return _refuse  # the stdlib path raises the library's own error for it
        name = transcoding.name
        encode = transcoding.encode
        if kind in _AS_TEXT:
            return lambda obj: {"_type_": name, "_data_": encode(obj)}
        return lambda obj: {"_type_": name, "_data_": self._untagged(encode(obj))}

    def _untagged(self, obj: Any) -> Any:
        """What a transcoding answers, as the stdlib encoder writes it: tuples as lists, only
        registered types tagged (through its callback), nothing else."""
        kind = type(obj)
        if kind is dict:
            return {key: self._untagged(value) for key, value in obj.items()}
        if kind is list or kind is tuple:
            return [self._untagged(value) for value in obj]
        if kind is str or kind is int or kind is bool or obj is None:
            return obj
        if kind in self.types and not issubclass(kind, Enum):
            return self._tagged(obj)
        raise _FallbackError(kind.__name__)

    def _mapping(self, obj: dict[Any, Any]) -> dict[Any, Any]:
        return {key: self._tagged(value) for key, value in obj.items()}

    def _items(self, obj: list[Any]) -> list[Any]:
        return [self._tagged(value) for value in obj]

    def _tuple(self, obj: tuple[Any, ...]) -> dict[str, Any]:
        return {"_type_": "tuple", "_data_": [self._tagged(value) for value in obj]}


def _same(obj: Any) -> Any:
    return obj


def _refuse(obj: Any) -> Any:
    raise _FallbackError(type(obj).__name__)
