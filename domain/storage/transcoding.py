"""Exact round trips through both stores: dates, tuples, enums and the domain's value objects.

The library's JSON transcoder has no `date`, and writes tuples and str-Enums as plain JSON before
any custom transcoding sees them; so tuples and enums are tagged before encoding.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoding,
    UUIDAsHex,
)
from eventsourcing.utils import get_topic, resolve_topic

from domain.model.texts import Text, as_text
from domain.model.values import Priority, Quantity


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class QuantityAsDict(Transcoding):
    type = Quantity
    name = "quantity"

    def encode(self, obj: Quantity) -> dict[str, str]:
        return {"amount": str(obj.amount), "unit": obj.unit}

    def decode(self, data: dict[str, str]) -> Quantity:
        return Quantity(Decimal(data["amount"]), data["unit"])


class PriorityAsDict(Transcoding):
    type = Priority
    name = "priority"

    def encode(self, obj: Priority) -> dict[str, Any]:
        return {"code": obj.code, "title": obj.title}

    def decode(self, data: dict[str, Any]) -> Priority:
        # Roadmaps adopted before texts were bilingual hold the title as an English string.
        return Priority(data["code"], as_text(data["title"]))


class TextAsDict(Transcoding):
    type = Text
    name = "text"

    def encode(self, obj: Text) -> dict[str, str | None]:
        return {"en": obj.en, "fr": obj.fr, "lang": obj.lang}

    def decode(self, data: dict[str, Any]) -> Text:
        return Text(en=data["en"], fr=data["fr"], lang=data["lang"])


class _Tagged(Transcoding):
    """Decodes the tags written by `LedgerTranscoder._tag`; encoding happens there."""

    type = type(None)

    def encode(self, obj: Any) -> Any:
        raise NotImplementedError


class TupleTag(_Tagged):
    name = "tuple"

    def decode(self, data: list[Any]) -> tuple[Any, ...]:
        return tuple(data)


class EnumTag(_Tagged):
    name = "enum"

    def decode(self, data: list[Any]) -> Enum:
        topic, value = data
        enum_class: type[Enum] = resolve_topic(topic)
        return enum_class(value)


class LedgerTranscoder(JSONTranscoder):
    def __init__(self) -> None:
        super().__init__()
        for transcoding in (
            UUIDAsHex(),
            DecimalAsStr(),
            DatetimeAsISO(),
            DateAsISO(),
            QuantityAsDict(),
            PriorityAsDict(),
            TextAsDict(),
        ):
            self.register(transcoding)
        for tag in (TupleTag(), EnumTag()):
            self.names[tag.name] = tag

    def encode(self, obj: Any) -> bytes:
        return super().encode(self._tag(obj))

    def _tag(self, obj: Any) -> Any:
        if isinstance(obj, Enum):
            return {"_type_": "enum", "_data_": [get_topic(type(obj)), obj.value]}
        if isinstance(obj, tuple):
            return {"_type_": "tuple", "_data_": [self._tag(x) for x in obj]}
        if isinstance(obj, list):
            return [self._tag(x) for x in obj]
        if isinstance(obj, dict):
            return {k: self._tag(v) for k, v in obj.items()}
        return obj
