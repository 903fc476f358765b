"""The assessment commands of the facade, end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.application.running import CommandResult
from domain.application.service import RoadmapLedger
from domain.model.assessment import Assessment
from domain.model.errors import (
    InvalidSupersessionError,
    NotFoundError,
    OnlyReceivingPartyAcknowledgesError,
    UnknownAssessmentError,
)
from domain.model.values import Actor, Marking
from tests.factories import (
    ADMIN,
    CA_OFFICIAL,
    FR_OFFICIAL,
    Clock,
    adopt_france_canada,
    event_count,
    make_canada_pledge,
)


@pytest.fixture
def app(database_url: str) -> Iterator[RoadmapLedger]:
    ledger = RoadmapLedger(database_url, clock=Clock())
    yield ledger
    ledger.close()


def share(
    app: RoadmapLedger, roadmap_id: UUID, *, actor: Actor = FR_OFFICIAL, shared_on: date
) -> CommandResult:
    return app.share_assessment(
        actor,
        roadmap_id,
        from_party="FR",
        to_party="CA",
        title="Security situation in northern Mali",
        subject="MINUSMA",
        priorities=["preventive-diplomacy"],
        summary="Armed groups contest the peace agreement in the north.",
        marking=Marking.RESTRICTED,
        shared_on=shared_on,
    )


def test_shared_acknowledged_superseded_and_withdrawn(app: RoadmapLedger) -> None:
    roadmap = adopt_france_canada(app).id
    first = share(app, roadmap, shared_on=date(2017, 3, 1))
    assert (first.version, first.created) == (1, True)
    assert app.acknowledge_assessment(CA_OFFICIAL, first.id).version == 2
    newer = share(app, roadmap, shared_on=date(2018, 3, 1)).id
    assert app.supersede_assessment(FR_OFFICIAL, first.id, by=newer).version == 3
    assert app.withdraw_assessment(FR_OFFICIAL, newer, reason="source withdrawn").version == 2

    public = app.get_public(Assessment, first.id)
    assert (public["status"], public["superseded_by"]) == ("superseded", str(newer))
    assert (public["marking"], public["shared_on"]) == ("restricted", "2017-03-01")
    assert public["effective_on"] == "2017-03-01"
    assert app.get_public(Assessment, newer)["status"] == "withdrawn"


def test_sharing_needs_a_roadmap(app: RoadmapLedger) -> None:
    with pytest.raises(NotFoundError):
        share(app, uuid4(), shared_on=date(2017, 3, 1))
    assert event_count(app) == 0


def test_refused_commands_record_nothing(app: RoadmapLedger) -> None:
    roadmap = adopt_france_canada(app).id
    first = share(app, roadmap, shared_on=date(2017, 3, 1)).id
    pledge = make_canada_pledge(app, roadmap).id
    before = event_count(app)
    with pytest.raises(OnlyReceivingPartyAcknowledgesError):
        app.acknowledge_assessment(FR_OFFICIAL, first)
    for unknown in (uuid4(), pledge):  # nothing at all, or an item of another kind
        with pytest.raises(UnknownAssessmentError) as raised:
            app.supersede_assessment(FR_OFFICIAL, first, by=unknown)
        assert raised.value.field == "by"
    with pytest.raises(InvalidSupersessionError):
        app.supersede_assessment(FR_OFFICIAL, first, by=first)
    assert event_count(app) == before


def test_a_retracted_assessment_supersedes_nothing(app: RoadmapLedger) -> None:
    roadmap = adopt_france_canada(app).id
    first = share(app, roadmap, shared_on=date(2017, 3, 1)).id
    newer = share(app, roadmap, shared_on=date(2018, 3, 1)).id
    app.retract(ADMIN, Assessment, newer, target_version=1, reason="entered twice")
    before = event_count(app)
    with pytest.raises(UnknownAssessmentError) as raised:
        app.supersede_assessment(FR_OFFICIAL, first, by=newer)
    assert raised.value.field == "by"
    assert event_count(app) == before
