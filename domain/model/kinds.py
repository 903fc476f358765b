"""The kinds of item, each declared once: every list of kinds elsewhere is derived from here.

A kind ties together its aggregate, the path segment of its HTTP collection, its key in a
roadmap's state, the noun messages use, and the table of the read model. Adding a kind is a line
here plus the kind's own modules (its aggregate, its router and schemas).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.model.assessment import Assessment, AssessmentState
from domain.model.consultation import Consultation, ConsultationState
from domain.model.decision import Decision, DecisionState
from domain.model.exchange import Exchange, ExchangeState
from domain.model.item import Item
from domain.model.pledge import Pledge, PledgeState
from domain.model.reform import ReformProposal, ReformState
from domain.model.roadmap import Roadmap, RoadmapState


@dataclass(frozen=True)
class Awaiting:
    """When an item of this kind is open, and for whom: a line of the open-items report."""

    status: str
    reason: str
    party_field: str


@dataclass(frozen=True)
class Kind:
    aggregate: type[Item]
    state: type[Any]
    #: The HTTP collection (`/pledges/{id}`).
    collection: str
    #: What messages call one item, in English and in French.
    noun: str
    noun_fr: str
    #: The key of the roadmap's state that lists items of this kind; None for the roadmap.
    section: str | None
    table: str
    awaiting: Awaiting | None = None

    @property
    def name(self) -> str:
        """The aggregate's class name, as the audit trail and the read models say it."""
        return self.aggregate.__name__


ROADMAP = Kind(
    Roadmap, RoadmapState, "roadmaps", "roadmap", "feuille de route", None, "rm_roadmaps"
)

KINDS: tuple[Kind, ...] = (
    ROADMAP,
    Kind(Pledge, PledgeState, "pledges", "pledge", "engagement", "pledges", "rm_pledges"),
    Kind(Consultation, ConsultationState, "consultations", "consultation", "consultation",
         "consultations", "rm_consultations"),
    Kind(Decision, DecisionState, "decisions", "decision", "décision", "decisions",
         "rm_decisions"),
    Kind(Exchange, ExchangeState, "exchanges", "exchange", "échange", "exchanges",
         "rm_exchanges", Awaiting("proposed", "awaiting agreement", "to_party")),
    Kind(ReformProposal, ReformState, "reform-proposals", "reform proposal",
         "proposition de réforme", "reform_proposals", "rm_reform_proposals"),
    Kind(Assessment, AssessmentState, "assessments", "assessment", "évaluation", "assessments",
         "rm_assessments", Awaiting("shared", "awaiting acknowledgement", "to_party")),
)  # fmt: skip

BY_COLLECTION: dict[str, Kind] = {kind.collection: kind for kind in KINDS}
BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}
#: The kinds listed in a roadmap's state, in the order the state answers them.
SECTIONED: tuple[Kind, ...] = tuple(kind for kind in KINDS if kind.section is not None)


def kind_of(cls: type[Item]) -> Kind:
    return BY_NAME[cls.__name__]


def noun_of(cls: type[Item]) -> str:
    kind = BY_NAME.get(cls.__name__)
    return kind.noun if kind is not None else cls.__name__.lower()


#: Each collection's aggregate (`/pledges/{id}` holds Pledge items).
COLLECTIONS: dict[str, type[Item]] = {kind.collection: kind.aggregate for kind in KINDS}


def kind_name_of(event: object) -> str:
    """`Pledge` for a `Pledge.Made` event: every event class is nested in its aggregate."""
    return type(event).__qualname__.split(".", 1)[0]
