"""A situation analysis one party shares with the other: acknowledged, superseded or withdrawn."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.model.errors import (
    IllegalTransitionError,
    InvalidCorrectionError,
    InvalidSupersessionError,
    InvalidValueError,
    OnlyReceivingPartyAcknowledgesError,
)
from domain.model.history import Entry
from domain.model.item import Item, evolves
from domain.model.roadmap import RoadmapState
from domain.model.texts import Text, TextInput
from domain.model.values import Context, Marking, party_code

SHARED, ACKNOWLEDGED = "shared", "acknowledged"
SUPERSEDED, WITHDRAWN = "superseded", "withdrawn"
#: An assessment still in force: it may be acknowledged (if only shared), replaced or withdrawn.
CURRENT = (SHARED, ACKNOWLEDGED)


@dataclass(frozen=True)
class AssessmentState:
    roadmap_id: UUID
    from_party: str
    to_party: str
    title: Text
    subject: Text
    priorities: tuple[str, ...]
    summary: Text
    marking: Marking
    shared_on: date
    status: str
    superseded_by: UUID | None


class Assessment(Item):
    if TYPE_CHECKING:
        state: AssessmentState

    class Shared(Item.Created):
        class_version = 1
        roadmap_id: UUID
        from_party: str
        to_party: str
        title: Text
        subject: Text
        priorities: tuple[str, ...]
        summary: Text
        marking: Marking
        shared_on: date

    class Acknowledged(Item.Event):
        class_version = 1

    class Superseded(Item.Event):
        class_version = 1
        by: UUID

    class Withdrawn(Item.Event):
        class_version = 1
        reason: Text

    class Corrected(Item.Corrected):
        """Named per aggregate so every topic in the log says what kind of item it is about."""

    class Retracted(Item.Retracted):
        pass

    class Translated(Item.Translated):
        pass

    @classmethod
    def share(
        cls,
        assessment_id: UUID,
        roadmap_id: UUID,
        roadmap: RoadmapState,
        *,
        from_party: str,
        to_party: str,
        title: TextInput,
        subject: TextInput,
        priorities: list[str],
        summary: TextInput,
        marking: Marking,
        shared_on: date,
        ctx: Context,
    ) -> Assessment:
        from_party = party_code(from_party, "from_party")
        to_party = party_code(to_party, "to_party")
        roadmap.require_party(from_party, "from_party")
        roadmap.require_party(to_party, "to_party")
        if from_party == to_party:
            msg = "an assessment is shared with the other party"
            raise InvalidValueError(msg, field="to_party")
        ctx.actor.require_party(from_party)
        try:
            marking = Marking(marking)
        except ValueError:
            # The HTTP schema checks it too; a caller of the model alone gets a named error.
            msg = f"marking must be one of {', '.join(Marking)}"
            raise InvalidValueError(msg, field="marking") from None
        if shared_on > ctx.recorded_at.date():
            raise InvalidValueError("shared_on cannot be in the future", field="shared_on")
        metadata = ctx.metadata()
        if ctx.effective_on is None:
            # Like a roadmap's adoption: the sharing took effect the day it was shared, which
            # time travel by effective date must see, however late it was recorded.
            metadata["effective_on"] = shared_on
        return cls._create(
            cls.Shared,
            id=assessment_id,
            roadmap_id=roadmap_id,
            from_party=from_party,
            to_party=to_party,
            title=ctx.text(title, "title", limit=500),
            subject=ctx.text(subject, "subject", limit=200),
            priorities=roadmap.require_priorities(tuple(priorities)),
            summary=ctx.text(summary, "summary"),
            marking=marking,
            shared_on=shared_on,
            **metadata,
        )

    def _require_status(self, *allowed: str, step: str) -> None:
        self.require_live()
        if self.state.status not in allowed:
            msg = f"assessment {self.id} is {self.state.status}: it cannot be {step}"
            raise IllegalTransitionError(msg)

    def acknowledge(self, *, ctx: Context) -> None:
        self._require_status(SHARED, step="acknowledged")
        ctx.actor.require_writer()
        if not ctx.actor.is_admin and ctx.actor.party != self.state.to_party:
            msg = f"only the receiving party ({self.state.to_party}) acknowledges an assessment"
            raise OnlyReceivingPartyAcknowledgesError(msg)
        self.trigger_event(self.Acknowledged, **ctx.metadata())

    def supersede(self, *, by: UUID, newer: AssessmentState, ctx: Context) -> None:
        """Replaced by `by`, whose state is `newer`: the service loads it, the rules are here."""
        self._require_status(*CURRENT, step="superseded")
        ctx.actor.require_party(self.state.from_party)
        if by == self.id:
            raise InvalidSupersessionError("an assessment cannot supersede itself", field="by")
        if newer.roadmap_id != self.state.roadmap_id:
            msg = f"assessment {by} is under another roadmap"
            raise InvalidSupersessionError(msg, field="by")
        if newer.from_party != self.state.from_party:
            msg = f"assessment {by} was shared by {newer.from_party}, not {self.state.from_party}"
            raise InvalidSupersessionError(msg, field="by")
        if newer.status not in CURRENT:
            # Only an assessment in force replaces one; this also keeps supersessions acyclic.
            msg = f"assessment {by} is {newer.status}: it cannot replace another"
            raise InvalidSupersessionError(msg, field="by")
        if newer.shared_on < self.state.shared_on:
            msg = f"assessment {by} was shared on {newer.shared_on}, before this one"
            raise InvalidSupersessionError(msg, field="by")
        self.trigger_event(self.Superseded, by=by, **ctx.metadata())

    def withdraw(self, *, reason: TextInput, ctx: Context) -> None:
        self._require_status(*CURRENT, step="withdrawn")
        ctx.actor.require_party(self.state.from_party)
        self.trigger_event(
            self.Withdrawn, reason=ctx.text(reason, "reason", limit=2000), **ctx.metadata()
        )

    @evolves(Shared)
    def _shared(state: None, entry: Entry) -> AssessmentState:
        p = entry.payload
        return AssessmentState(
            roadmap_id=p["roadmap_id"],
            from_party=p["from_party"],
            to_party=p["to_party"],
            title=p["title"],
            subject=p["subject"],
            priorities=tuple(p["priorities"]),
            summary=p["summary"],
            marking=p["marking"],
            shared_on=p["shared_on"],
            status=SHARED,
            superseded_by=None,
        )

    @evolves(Acknowledged)
    def _acknowledged(state: AssessmentState, entry: Entry) -> AssessmentState:
        return replace(state, status=ACKNOWLEDGED)

    @evolves(Superseded)
    def _superseded(state: AssessmentState, entry: Entry) -> AssessmentState:
        return replace(state, status=SUPERSEDED, superseded_by=entry.payload["by"])

    @evolves(Withdrawn)
    def _withdrawn(state: AssessmentState, entry: Entry) -> AssessmentState:
        return replace(state, status=WITHDRAWN)

    def validate_correction(self, target: Entry, changes: dict[str, Any]) -> None:
        if "priorities" in changes:
            changes["priorities"] = tuple(dict.fromkeys(changes["priorities"]))
        if "shared_on" in changes and changes["shared_on"] > target.recorded_at.date():
            msg = "shared_on would be after the day the sharing was recorded"
            raise InvalidCorrectionError(msg, field="changes.shared_on")
        if "by" in changes:
            # The newer assessment was checked when the supersession was recorded; a
            # correction could not check another one, so the supersession is redone instead.
            msg = "the superseding assessment cannot be corrected; retract and supersede again"
            raise InvalidCorrectionError(msg, field="changes.by")
