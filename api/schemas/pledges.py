"""Bodies and answers of `/roadmaps/{id}/pledges` and `/pledges/{id}/…`."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from api.schemas.common import (
    CommandBody,
    Day,
    DayText,
    ItemPublic,
    Party,
    Priorities,
    QuantityIn,
    QuantityPublic,
    Reason,
    ShortText,
    Title,
    Translations,
    UuidText,
)
from domain.model.values import PledgeKind


class PledgeCreate(CommandBody):
    """A party's commitment under the roadmap."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "party": "CA",
                    "title": "Deploy up to 600 soldiers to UN peace operations",
                    "kind": "personnel",
                    "quantity": {"amount": "600", "unit": "personnel"},
                    "priorities": ["operations-support"],
                    "effective_on": "2016-08-26",
                }
            ]
        }
    )

    party: Party = Field(description="The pledging party: the caller's own, unless admin.")
    title: Title
    kind: PledgeKind
    quantity: QuantityIn
    priorities: Priorities
    beneficiary: ShortText | None = Field(default=None, description="Country or UN mission.")
    due_on: Day | None = None


class PledgeRevision(CommandBody):
    """A new quantity or title, with the reason."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "quantity": {"amount": "750", "unit": "personnel"},
                    "reason": "Cabinet decision of 2017-11-15",
                }
            ]
        }
    )

    quantity: QuantityIn | None = None
    title: Title | None = None
    reason: Reason


class PledgeProgress(CommandBody):
    """Delivered so far, cumulative, in the pledge's unit."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"delivered": {"amount": "200", "unit": "personnel"}}]}
    )

    delivered: QuantityIn


class PledgeFulfilment(CommandBody):
    """Short of the pledged quantity, a fulfilment needs its `reason` (422 `reason-required`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"reason": "The mission closed after 450 of the 600 were deployed"},
                {"effective_on": "2017-06-30"},
            ]
        }
    )

    reason: Reason | None = Field(
        default=None, description="Why the pledge is fulfilled short of its quantity."
    )


class PledgeWithdrawal(CommandBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Superseded by the 2018 pledge"}]}
    )

    reason: Reason


class PledgePublic(ItemPublic):
    roadmap_id: UuidText
    party: str
    title: str
    title_translated: Translations
    kind: PledgeKind
    quantity: QuantityPublic
    priorities: list[str]
    beneficiary: str | None
    due_on: DayText | None
    delivered: QuantityPublic
    status: Literal["active", "fulfilled", "withdrawn"]
    made_on: DayText
    over_delivered: bool = Field(
        default=False,
        description="More was reported delivered than pledged: accepted, and flagged.",
    )
