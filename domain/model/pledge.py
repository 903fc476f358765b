"""A party's commitment: made, revised, progress reported, fulfilled or withdrawn."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.model.errors import (
    DeliveredDecreasedError,
    FulfilmentReasonRequiredError,
    InvalidValueError,
    PledgeAlreadyFulfilledError,
    PledgeAlreadyWithdrawnError,
    UnitMismatchError,
)
from domain.model.history import Entry
from domain.model.item import Item, evolves
from domain.model.roadmap import RoadmapState
from domain.model.texts import Text, TextInput, read_as_english, upcast_texts
from domain.model.values import (
    Context,
    PledgeKind,
    Quantity,
    optional_text,
    party_code,
    read_columns,
)

ACTIVE, FULFILLED, WITHDRAWN = "active", "fulfilled", "withdrawn"


@dataclass(frozen=True)
class PledgeState:
    roadmap_id: UUID
    party: str
    title: Text
    kind: PledgeKind
    quantity: Quantity = field(metadata=read_columns(amount="amount", unit="unit"))
    priorities: tuple[str, ...]
    beneficiary: str | None
    due_on: date | None
    delivered: Quantity = field(metadata=read_columns(delivered="amount"))
    status: str
    made_on: date

    def derived(self) -> dict[str, Any]:
        """What an answer shows besides the fields: progress reported beyond the quantity is
        accepted, and flagged."""
        return {"over_delivered": self.delivered.amount > self.quantity.amount}


class Pledge(Item):
    if TYPE_CHECKING:
        state: PledgeState

    class Made(Item.Created):
        class_version = 2
        upcast_v1_v2 = upcast_texts("title")
        roadmap_id: UUID
        party: str
        title: Text
        kind: PledgeKind
        quantity: Quantity
        priorities: tuple[str, ...]
        beneficiary: str | None
        due_on: date | None

    class Revised(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts("title", "reason")
        quantity: Quantity | None
        title: Text | None
        reason: Text

    class ProgressReported(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts()
        delivered: Quantity

    class Fulfilled(Item.Event):
        """Version 2 records why a pledge is fulfilled short of its quantity (`reason`); its
        texts are bilingual. Fulfilments recorded before (version 1) had no reason: None."""

        class_version = 2
        reason: Text | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            read_as_english(state)
            state["reason"] = None

    class Withdrawn(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts("reason")
        reason: Text

    class Corrected(Item.Corrected):
        """Named per aggregate so every topic in the log says what kind of item it is about."""

    class Retracted(Item.Retracted):
        pass

    class Translated(Item.Translated):
        pass

    @classmethod
    def make(
        cls,
        pledge_id: UUID,
        roadmap_id: UUID,
        roadmap: RoadmapState,
        *,
        party: str,
        title: TextInput,
        kind: PledgeKind,
        quantity: Quantity,
        priorities: list[str],
        beneficiary: str | None,
        due_on: date | None,
        ctx: Context,
    ) -> Pledge:
        party = party_code(party)
        roadmap.require_party(party)
        ctx.actor.require_party(party)
        return cls._create(
            cls.Made,
            id=pledge_id,
            roadmap_id=roadmap_id,
            party=party,
            title=ctx.text(title, "title", limit=500),
            kind=PledgeKind(kind),
            quantity=quantity,
            priorities=roadmap.require_priorities(tuple(priorities)),
            beneficiary=optional_text(beneficiary, "beneficiary", 200),
            due_on=due_on,
            **ctx.metadata(),
        )

    def _require_active(self, ctx: Context) -> None:
        self.require_live()
        ctx.actor.require_party(self.state.party)
        if self.state.status == WITHDRAWN:
            raise PledgeAlreadyWithdrawnError(f"pledge {self.id} was withdrawn")
        if self.state.status == FULFILLED:
            raise PledgeAlreadyFulfilledError(f"pledge {self.id} was fulfilled")

    def revise(
        self,
        *,
        quantity: Quantity | None,
        title: TextInput | None,
        reason: TextInput,
        ctx: Context,
    ) -> None:
        self._require_active(ctx)
        if quantity is None and title is None:
            raise InvalidValueError(
                "a revision changes the quantity or the title", field="quantity"
            )
        if quantity is not None and quantity.unit != self.state.quantity.unit:
            msg = f"the pledge is counted in {self.state.quantity.unit}, not {quantity.unit}"
            raise UnitMismatchError(msg, field="quantity.unit")
        self.trigger_event(
            self.Revised,
            quantity=quantity,
            title=ctx.optional_text(title, "title", limit=500),
            reason=ctx.text(reason, "reason", limit=2000),
            **ctx.metadata(),
        )

    def report_progress(self, *, delivered: Quantity, ctx: Context) -> None:
        self._require_active(ctx)
        if delivered.unit != self.state.quantity.unit:
            msg = f"the pledge is counted in {self.state.quantity.unit}, not {delivered.unit}"
            raise UnitMismatchError(msg, field="delivered.unit")
        if delivered.amount < self.state.delivered.amount:
            msg = (
                f"delivered is cumulative: {delivered.amount} is less than the "
                f"{self.state.delivered.amount} already reported (correct that report instead)"
            )
            raise DeliveredDecreasedError(msg, field="delivered.amount")
        self.trigger_event(self.ProgressReported, delivered=delivered, **ctx.metadata())

    def fulfil(self, *, reason: TextInput | None = None, ctx: Context) -> None:
        """Short of the pledged quantity, a fulfilment needs its reason on record."""
        self._require_active(ctx)
        blank = isinstance(reason, str) and not reason.strip()
        reason_text = None if blank else ctx.optional_text(reason, "reason", limit=2000)
        delivered, pledged = self.state.delivered, self.state.quantity
        if delivered.amount < pledged.amount and reason_text is None:
            msg = (
                f"{delivered.amount} of the {pledged.amount} {pledged.unit} pledged are "
                "delivered: fulfilling the pledge short of its quantity needs a reason"
            )
            raise FulfilmentReasonRequiredError(msg, field="reason")
        self.trigger_event(self.Fulfilled, reason=reason_text, **ctx.metadata())

    def withdraw(self, *, reason: TextInput, ctx: Context) -> None:
        self._require_active(ctx)
        self.trigger_event(
            self.Withdrawn, reason=ctx.text(reason, "reason", limit=2000), **ctx.metadata()
        )

    @evolves(Made)
    def _made(state: None, entry: Entry) -> PledgeState:
        p = entry.payload
        return PledgeState(
            roadmap_id=p["roadmap_id"],
            party=p["party"],
            title=p["title"],
            kind=p["kind"],
            quantity=p["quantity"],
            priorities=tuple(p["priorities"]),
            beneficiary=p["beneficiary"],
            due_on=p["due_on"],
            delivered=Quantity(p["quantity"].amount * 0, p["quantity"].unit),
            status=ACTIVE,
            made_on=entry.effective_on,
        )

    @evolves(Revised)
    def _revised(state: PledgeState, entry: Entry) -> PledgeState:
        p = entry.payload
        return replace(
            state, quantity=p["quantity"] or state.quantity, title=p["title"] or state.title
        )

    @evolves(ProgressReported)
    def _progress(state: PledgeState, entry: Entry) -> PledgeState:
        return replace(state, delivered=entry.payload["delivered"])

    @evolves(Fulfilled)
    def _fulfilled(state: PledgeState, entry: Entry) -> PledgeState:
        return replace(state, status=FULFILLED)

    @evolves(Withdrawn)
    def _withdrawn(state: PledgeState, entry: Entry) -> PledgeState:
        return replace(state, status=WITHDRAWN)

    def validate_correction(self, target: Entry, changes: dict[str, Any]) -> None:
        if "priorities" in changes:
            changes["priorities"] = tuple(dict.fromkeys(changes["priorities"]))
