"""Corrections and retractions: never touch the original event, refused when they cannot apply."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.model.errors import (
    DomainError,
    EventAlreadyRetractedError,
    InvalidCorrectionError,
    InvalidValueError,
    ItemRetractedError,
    NotAuthorisedError,
    NotYourPartyError,
)
from domain.model.item import Item
from domain.model.pledge import Pledge
from domain.model.texts import english
from domain.model.values import Actor, PledgeKind, Quantity
from tests.factories import (
    ADMIN,
    CA_OFFICIAL,
    CANADA_PLEDGE_ON,
    FR_AUDITOR,
    FR_OFFICIAL,
    RECORDED_AT,
    accepted,
    ctx,
    new_consultation,
    new_decision,
    new_exchange,
    new_pledge,
    new_reform,
    new_roadmap,
    personnel,
    refused,
    roadmap_state,
)

CA = ctx(CA_OFFICIAL)


def pledge_with_progress() -> Pledge:
    pledge = new_pledge(effective_on=CANADA_PLEDGE_ON)
    pledge.report_progress(delivered=personnel(100), ctx=CA)  # version 2
    return pledge


def test_a_correction_records_an_event_and_changes_the_state() -> None:
    pledge = pledge_with_progress()
    event = accepted(
        pledge,
        lambda p: p.correct(
            2, {"delivered": {"amount": "90", "unit": "personnel"}}, "miscounted", CA
        ),
    )
    assert isinstance(event, Pledge.Corrected)
    assert (event.target_version, event.reason, event.actor) == (
        2,
        english("miscounted"),
        "ca-official",
    )
    assert event.changes == {"delivered": personnel(90)}
    assert pledge.state.delivered == personnel(90)
    assert pledge.entries[1].payload["delivered"] == personnel(100)  # the original stays
    pledge.report_progress(delivered=personnel(95), ctx=CA)  # cumulative from the corrected value
    assert pledge.state.delivered == personnel(95)


def test_values_are_coerced_to_exact_types() -> None:
    pledge = new_pledge()
    pledge.correct(
        1,
        {
            "quantity": {"amount": "450000000.00", "unit": "CAD"},
            "due_on": "2017-12-31",
            "kind": "funding",
            "priorities": ["civilians-and-women", "civilians-and-women", "operations-support"],
            "beneficiary": None,
        },
        "wrong form",
        CA,
    )
    event = pledge.pending_events[-1]
    assert isinstance(event, Pledge.Corrected)
    changes = event.changes
    assert changes == {
        "quantity": Quantity(Decimal("450000000.00"), "CAD"),
        "due_on": date(2017, 12, 31),
        "kind": PledgeKind.FUNDING,
        "priorities": ("civilians-and-women", "operations-support"),
        "beneficiary": None,
    }
    assert type(changes["quantity"].amount) is Decimal
    assert type(changes["due_on"]) is date
    assert type(changes["kind"]) is PledgeKind
    assert type(changes["priorities"]) is tuple
    state = pledge.state
    assert state.quantity == Quantity(Decimal("450000000.00"), "CAD")
    assert state.delivered == Quantity(Decimal(0), "CAD")
    assert (state.kind, state.due_on) == (PledgeKind.FUNDING, date(2017, 12, 31))


@pytest.mark.parametrize("target", [0, 3, 99, -1])
def test_a_missing_version_cannot_be_corrected(target: int) -> None:
    pledge = pledge_with_progress()
    with refused(pledge, InvalidCorrectionError, "target_version"):
        pledge.correct(target, {"title": "x"}, "r", CA)
    with refused(pledge, InvalidCorrectionError, "target_version"):
        pledge.retract(target, "r", CA)


def test_corrections_and_retractions_are_not_targets() -> None:
    pledge = pledge_with_progress()
    pledge.correct(2, {"delivered": {"amount": "90", "unit": "personnel"}}, "r", CA)  # v3
    pledge.retract(2, "duplicate", CA)  # v4
    for version in (3, 4):
        with refused(pledge, InvalidCorrectionError, "target_version"):
            pledge.correct(version, {"reason": "x"}, "r", CA)
        with refused(pledge, InvalidCorrectionError, "target_version"):
            pledge.retract(version, "r", CA)


@pytest.mark.parametrize(
    ("target", "changes", "field"),
    [
        (2, {"title": "x"}, "changes.title"),  # progress reports have no title
        (1, {"delivered": {"amount": "1", "unit": "personnel"}}, "changes.delivered"),
        (1, {"status": "fulfilled"}, "changes.status"),
        (1, {"party": "FR"}, "changes.party"),
        (1, {"roadmap_id": "6f1c2d1e-0b5a-4c55-9a43-3f2a8d1e7b10"}, "changes.roadmap_id"),
        (1, {"quantity": {"amount": 600.0, "unit": "personnel"}}, "changes.quantity"),
        (1, {"due_on": "31/12/2017"}, "changes.due_on"),
        (1, {"kind": "gift"}, "changes.kind"),
        (1, {"title": None}, "changes.title"),
        (1, {"priorities": "operations-support"}, "changes.priorities"),
        (1, {"effective_on": "2026-03-03"}, "changes.effective_on"),  # in the future
        (1, {"effective_on": datetime(2016, 8, 26, tzinfo=UTC)}, "changes.effective_on"),
        (1, {}, "changes"),
    ],
)
def test_refused_corrections_name_the_field(
    target: int, changes: dict[str, Any], field: str
) -> None:
    pledge = pledge_with_progress()
    with refused(pledge, InvalidCorrectionError, field):
        pledge.correct(target, changes, "r", CA)


def test_changes_must_be_an_object() -> None:
    pledge = new_pledge()
    with refused(pledge, InvalidCorrectionError, "changes"):
        pledge.correct(1, ["title"], "r", CA)  # type: ignore[arg-type]


def test_a_reason_is_mandatory() -> None:
    pledge = new_pledge()
    with refused(pledge, InvalidValueError, "reason"):
        pledge.correct(1, {"title": "x"}, " ", CA)
    with refused(pledge, InvalidValueError, "reason"):
        pledge.retract(1, "", CA)


FIXED: list[tuple[Callable[[], Item], Actor, str, Any]] = [
    (new_roadmap, FR_OFFICIAL, "parties", ["FR", "US"]),
    (new_pledge, CA_OFFICIAL, "party", "FR"),
    (new_pledge, CA_OFFICIAL, "roadmap_id", "6f1c2d1e-0b5a-4c55-9a43-3f2a8d1e7b10"),
    (new_consultation, FR_OFFICIAL, "host_party", "CA"),
    (new_decision, FR_OFFICIAL, "parties", ["FR"]),
    (new_decision, FR_OFFICIAL, "recorded_by", "CA"),
    (new_decision, FR_OFFICIAL, "consultation_id", "6f1c2d1e-0b5a-4c55-9a43-3f2a8d1e7b10"),
    (new_exchange, FR_OFFICIAL, "from_party", "CA"),
    (new_exchange, FR_OFFICIAL, "to_party", "FR"),
    (new_reform, FR_OFFICIAL, "party", "CA"),
]


@pytest.mark.parametrize(("build", "actor", "field", "value"), FIXED)
def test_who_and_where_cannot_be_corrected(
    build: Callable[[], Item], actor: Actor, field: str, value: Any
) -> None:
    item = build()
    with refused(item, InvalidCorrectionError, f"changes.{field}"):
        item.correct(1, {field: value}, "r", ctx(actor))


def test_the_party_of_an_endorsement_or_invitation_cannot_be_corrected() -> None:
    decision = new_decision(FR_OFFICIAL)
    decision.endorse(ctx=CA)
    with refused(decision, InvalidCorrectionError, "changes.party"):
        decision.correct(2, {"party": "FR"}, "r", CA)
    consultation = new_consultation()
    consultation.invite_co_chair(party="CA", roadmap=roadmap_state(), ctx=ctx(FR_OFFICIAL))
    with refused(consultation, InvalidCorrectionError, "changes.party"):
        consultation.correct(2, {"party": "US"}, "r", ctx(FR_OFFICIAL))


def test_correcting_effective_on_moves_the_event_in_time() -> None:
    pledge = pledge_with_progress()  # progress in effect on the recording day, 2026-03-02
    assert [e.version for e in pledge.view(effective_on=date(2017, 1, 1)).entries] == [1]
    pledge.correct(2, {"effective_on": "2016-12-01"}, "it was delivered in 2016", CA)
    seen = pledge.view(effective_on=date(2017, 1, 1))
    assert [e.version for e in seen.entries] == [1, 2]
    assert seen.entries[1].effective_on == date(2016, 12, 1)
    assert pledge.view(as_of=RECORDED_AT.replace(hour=0)).entries == []
    assert pledge.entries[1].effective_on == date(2026, 3, 2)  # the original stays


def test_correcting_the_creation_date_changes_the_made_on() -> None:
    pledge = new_pledge()
    pledge.correct(1, {"effective_on": date(2016, 8, 26)}, "from the archive", CA)
    assert pledge.state.made_on == date(2016, 8, 26)


@pytest.mark.parametrize(
    ("actor", "error"),
    [(FR_OFFICIAL, NotYourPartyError), (FR_AUDITOR, NotAuthorisedError)],
)
def test_only_the_recording_party_or_an_admin_corrects(
    actor: Actor, error: type[DomainError]
) -> None:
    pledge = new_pledge(CA_OFFICIAL)
    with refused(pledge, error):
        pledge.correct(1, {"title": "x"}, "r", ctx(actor))
    with refused(pledge, error):
        pledge.retract(1, "r", ctx(actor))
    pledge.correct(1, {"title": "By an admin"}, "r", ctx(ADMIN))
    assert pledge.state.title == english("By an admin")


def test_an_event_recorded_by_an_admin_is_corrected_by_an_admin() -> None:
    pledge = new_pledge(ADMIN)
    with refused(pledge, NotYourPartyError):
        pledge.correct(1, {"title": "x"}, "r", CA)
    pledge.correct(1, {"title": "x"}, "r", ctx(ADMIN))


def test_the_recording_party_not_the_item_party_decides() -> None:
    decision = new_decision(FR_OFFICIAL)
    decision.endorse(ctx=CA)  # version 2, recorded by Canada
    with refused(decision, NotYourPartyError):
        decision.retract(2, "r", ctx(FR_OFFICIAL))
    decision.retract(2, "endorsed by mistake", CA)
    assert decision.state.endorsements == ("FR",)
    assert decision.state.status == "proposed"
    decision.endorse(ctx=CA)  # may endorse again once the first was retracted
    assert decision.state.status == "agreed"


def test_retracting_a_step_undoes_it() -> None:
    pledge = new_pledge()
    pledge.fulfil(reason="closed early", ctx=CA)
    pledge.retract(2, "not yet", CA)
    assert pledge.state.status == "active"
    pledge.report_progress(delivered=personnel(1), ctx=CA)
    assert pledge.state.delivered == personnel(1)


def test_nothing_is_retracted_twice_nor_corrected_once_retracted() -> None:
    pledge = pledge_with_progress()
    pledge.retract(2, "duplicate", CA)
    with refused(pledge, EventAlreadyRetractedError):
        pledge.retract(2, "again", CA)
    with refused(pledge, EventAlreadyRetractedError):
        pledge.correct(2, {"delivered": {"amount": "1", "unit": "personnel"}}, "r", CA)


VOIDED: list[tuple[Callable[[], Item], Actor, Callable[[Any], None]]] = [
    (new_pledge, CA_OFFICIAL, lambda p: p.fulfil(reason="closed early", ctx=CA)),
    (new_pledge, CA_OFFICIAL, lambda p: p.report_progress(delivered=personnel(1), ctx=CA)),
    (new_consultation, FR_OFFICIAL, lambda c: c.hold(summary="s", ctx=ctx(FR_OFFICIAL))),
    (new_decision, FR_OFFICIAL, lambda d: d.endorse(ctx=CA)),
    (new_exchange, FR_OFFICIAL, lambda e: e.agree(ctx=CA)),
    (new_reform, FR_OFFICIAL, lambda r: r.submit(forum=None, ctx=ctx(FR_OFFICIAL))),
]


@pytest.mark.parametrize(("build", "actor", "command"), VOIDED)
def test_retracting_the_creation_voids_the_item(
    build: Callable[[], Item], actor: Actor, command: Callable[[Any], None]
) -> None:
    item = build()
    state = item.state
    item.retract(1, "recorded by mistake", ctx(actor))
    assert item.void
    assert item.state == state  # the record is kept
    assert item.view().void
    with refused(item, ItemRetractedError):
        command(item)
    with refused(item, EventAlreadyRetractedError):
        item.retract(1, "again", ctx(actor))
    with refused(item, EventAlreadyRetractedError):
        item.correct(1, {"effective_on": "2016-01-01"}, "r", ctx(ADMIN))


def test_a_correction_of_a_later_event_is_refused_once_the_item_is_void() -> None:
    pledge = pledge_with_progress()
    pledge.retract(1, "never made", CA)
    with refused(pledge, EventAlreadyRetractedError):
        pledge.retract(2, "r", CA)


@pytest.mark.parametrize(
    ("build", "target", "changes", "field"),
    [
        (new_exchange, 1, {"participants": 0}, "changes.participants"),
        (new_exchange, 1, {"participants": 100_001}, "changes.participants"),
        (new_exchange, 1, {"ends_on": "2017-01-08"}, "changes.ends_on"),
        (new_exchange, 1, {"starts_on": "2017-07-01"}, "changes.starts_on"),
        (new_consultation, 1, {"ends_on": "2016-10-25"}, "changes.ends_on"),
        (
            new_consultation,
            1,
            {"starts_on": "2016-10-28", "ends_on": "2016-10-27"},
            "changes.ends_on",
        ),
    ],
)
def test_a_correction_keeps_the_rules_the_item_was_checked_against(
    build: Callable[..., Item], target: int, changes: dict[str, Any], field: str
) -> None:
    item = build(FR_OFFICIAL)
    with refused(item, InvalidCorrectionError, field):
        item.correct(target, changes, "r", ctx(FR_OFFICIAL))


def test_date_corrections_are_checked_against_earlier_corrections() -> None:
    consultation = new_consultation()  # 26-27 October 2016
    consultation.correct(1, {"ends_on": "2016-11-30"}, "longer", ctx(FR_OFFICIAL))
    consultation.correct(1, {"starts_on": "2016-11-29"}, "later", ctx(FR_OFFICIAL))
    assert (consultation.state.starts_on, consultation.state.ends_on) == (
        date(2016, 11, 29),
        date(2016, 11, 30),
    )
    with refused(consultation, InvalidCorrectionError, "changes.ends_on"):
        consultation.correct(1, {"ends_on": "2016-11-28"}, "r", ctx(FR_OFFICIAL))
    consultation.reschedule(
        starts_on=date(2016, 12, 1), ends_on=date(2016, 12, 2), reason="r", ctx=ctx(FR_OFFICIAL)
    )
    with refused(consultation, InvalidCorrectionError, "changes.starts_on"):
        consultation.correct(4, {"starts_on": "2016-12-03"}, "r", ctx(FR_OFFICIAL))
    exchange = new_exchange()
    exchange.correct(1, {"participants": 12}, "more", ctx(FR_OFFICIAL))
    assert exchange.state.participants == 12
