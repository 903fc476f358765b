"""The roadmap: its title, parties, adoption date and priorities."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.model.errors import InvalidValueError, UnknownPartyError, UnknownPriorityError
from domain.model.history import Entry
from domain.model.item import Item, evolves
from domain.model.texts import Text, TextInput, upcast_texts
from domain.model.values import Context, Priority, party_code, read_columns


@dataclass(frozen=True)
class RoadmapState:
    title: Text
    parties: tuple[str, ...] = field(metadata=read_columns(parties=""))
    adopted_on: date
    priorities: tuple[Priority, ...]
    summary: Text | None

    @property
    def priority_codes(self) -> frozenset[str]:
        return frozenset(p.code for p in self.priorities)

    def require_party(self, party: str, field: str = "party") -> None:
        if party not in self.parties:
            msg = f"{party} is not a party of the roadmap ({', '.join(self.parties)})"
            raise UnknownPartyError(msg, field=field)

    def require_priorities(self, codes: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(codes) - self.priority_codes)
        if unknown:
            known = ", ".join(p.code for p in self.priorities)
            msg = f"not priorities of the roadmap: {', '.join(unknown)} (its priorities: {known})"
            raise UnknownPriorityError(msg, field="priorities")
        return tuple(dict.fromkeys(codes))


class Roadmap(Item):
    class Adopted(Item.Created):
        class_version = 2
        upcast_v1_v2 = upcast_texts("title", "summary")
        title: Text
        parties: tuple[str, ...]
        adopted_on: date
        priorities: tuple[Priority, ...]
        summary: Text | None

    class Corrected(Item.Corrected):
        """Named per aggregate so every topic in the log says what kind of item it is about."""

    class Retracted(Item.Retracted):
        pass

    class Translated(Item.Translated):
        pass

    @classmethod
    def adopt(
        cls,
        roadmap_id: UUID,
        *,
        title: TextInput,
        parties: list[str],
        adopted_on: date,
        priorities: list[Priority],
        summary: TextInput | None,
        ctx: Context,
    ) -> Roadmap:
        codes = tuple(party_code(p, "parties") for p in parties)
        if len(set(codes)) != len(codes) or len(codes) < 2:  # noqa: PLR2004
            raise InvalidValueError("a roadmap has two or more distinct parties", field="parties")
        ctx.actor.require_one_of(codes)
        if not priorities:
            raise InvalidValueError("a roadmap has at least one priority", field="priorities")
        if len({p.code for p in priorities}) != len(priorities):
            raise InvalidValueError("priority codes must be unique", field="priorities")
        if adopted_on > ctx.recorded_at.date():
            raise InvalidValueError("adopted_on cannot be in the future", field="adopted_on")
        metadata = ctx.metadata()
        if ctx.effective_on is None:
            metadata["effective_on"] = adopted_on
        return cls._create(
            cls.Adopted,
            id=roadmap_id,
            title=ctx.text(title, "title", limit=500),
            parties=codes,
            adopted_on=adopted_on,
            priorities=tuple(priorities),
            summary=ctx.optional_text(summary, "summary"),
            **metadata,
        )

    @evolves(Adopted)
    def _adopted(state: None, entry: Entry) -> RoadmapState:
        p = entry.payload
        return RoadmapState(
            title=p["title"],
            parties=tuple(p["parties"]),
            adopted_on=p["adopted_on"],
            priorities=tuple(p["priorities"]),
            summary=p["summary"],
        )

    def validate_correction(self, target: Entry, changes: dict[str, Any]) -> None:
        if "priorities" in changes and not changes["priorities"]:
            raise InvalidValueError(
                "a roadmap has at least one priority", field="changes.priorities"
            )
