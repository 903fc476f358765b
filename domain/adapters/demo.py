"""The 2016 France-Canada Peacekeeping Roadmap and its first actions, loaded idempotently.

Facts come from the roadmap text (shared/seed); where the text gives no number or date (the
exchanges, the bilateral consultation) the values are illustrative and each event's note says so.
A re-run records nothing: the roadmap has a fixed id and every action a fixed idempotency key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid5

from domain.application.running import CommandResult, Meta
from domain.application.service import RoadmapLedger
from domain.model.errors import NotFoundError
from domain.model.roadmap import Roadmap
from domain.model.texts import Text
from domain.model.values import (
    Actor,
    ConsultationKind,
    ExchangeCategory,
    Marking,
    PledgeKind,
    Priority,
    Quantity,
    Role,
)

NAMESPACE = UUID("6f0c7a52-3d1e-5b8a-9c4f-2e7d1a0b9c63")
ROADMAP_ID = uuid5(NAMESPACE, "france-canada-peacekeeping-roadmap-2016")
FR_OFFICIAL = Actor("demo-fr", "FR", frozenset({Role.OFFICIAL}))
CA_OFFICIAL = Actor("demo-ca", "CA", frozenset({Role.OFFICIAL}))
KEY_PREFIX = "demo-2016:"
#: Fixed, so a re-run with the same key is a replay, never "a different request".
REQUEST_HASH = "roadmap-demo-2016"

#: The roadmap's text is English (shared in English by Canada); the French forms here are
#: translations made for this demo, and every event that carries them says so in its note.
TRANSLATED_HERE = (
    "French texts: translations made for this demo, not the official French version.",
    "Textes français : traductions faites pour cette démonstration, non la version française "
    "officielle.",
)
TITLE = Text(
    en="France-Canada Peacekeeping Roadmap",
    fr="Feuille de route France-Canada sur le maintien de la paix",
)
ADOPTED_ON = date(2016, 10, 13)
ROADMAP_TEXT = "France-Canada Peacekeeping Roadmap, 13 October 2016"
PRIORITIES = (
    Priority(
        "preventive-diplomacy",
        Text(
            en="Preventive diplomacy and peaceful resolution of disputes",
            fr="Diplomatie préventive et règlement pacifique des différends",
        ),
    ),
    Priority(
        "operations-support",
        Text(
            en="Support for the military, policing and legal aspects of peacekeeping operations",
            fr="Soutien aux aspects militaires, policiers et juridiques des opérations de "
            "maintien de la paix",
        ),
    ),
    Priority(
        "development-cooperation",
        Text(
            en="Development cooperation with third-party countries in crisis to advance "
            "stability and build resilience",
            fr="Coopération au développement avec les pays tiers en crise pour favoriser la "
            "stabilité et renforcer la résilience",
        ),
    ),
    Priority(
        "civilians-and-women",
        Text(
            en="Protection of civilians and respect for the rights and role of women in "
            "preventing and resolving conflicts",
            fr="Protection des civils et respect des droits et du rôle des femmes dans la "
            "prévention et le règlement des conflits",
        ),
    ),
    Priority(
        "military-performance",
        Text(
            en="Support for the strengthening of the military performance of peacekeeping "
            "operations",
            fr="Soutien au renforcement de la performance militaire des opérations de maintien "
            "de la paix",
        ),
    ),
)
SUMMARY = Text(
    en="France and Canada deepen their cooperation in peacekeeping and peace-building: "
    "political and operational support to the UN, work together in multilateral organisations "
    "and in peacekeeping operations on five priorities, an effective and innovative reform of "
    "peacekeeping operations, exchanges of diplomats and experts, and regular bilateral "
    "consultations.",
    fr="La France et le Canada approfondissent leur coopération en matière de maintien et de "
    "consolidation de la paix : soutien politique et opérationnel à l'ONU, travail commun dans "
    "les organisations multilatérales et dans les opérations de maintien de la paix sur cinq "
    "priorités, réforme efficace et innovante des opérations de maintien de la paix, échanges "
    "de diplomates et d'experts, et consultations bilatérales régulières.",
)


def _noted(en: str, fr: str) -> Text:
    """An event's note, which also says that its French texts were translated here."""
    return Text(en=f"{en} {TRANSLATED_HERE[0]}", fr=f"{fr} {TRANSLATED_HERE[1]}")


TRANSLATED = Text(en=TRANSLATED_HERE[0], fr=TRANSLATED_HERE[1])
ILLUSTRATIVE = _noted(
    "Illustrative: the roadmap names no numbers or dates for this action.",
    "Illustratif : la feuille de route ne donne ni chiffres ni dates pour cette action.",
)
ILLUSTRATIVE_ASSESSMENT = _noted(
    "Illustrative: the roadmap encourages the sharing of situation analyses and assessments but "
    "names none; this assessment, its subject and date are an example.",
    "Illustratif : la feuille de route encourage le partage d'analyses de situation et "
    "d'évaluations sans en nommer ; cette évaluation, son sujet et sa date sont un exemple.",
)


@dataclass(frozen=True)
class DemoReport:
    """What a run recorded; an empty `recorded` means the demo was loaded already."""

    roadmap_id: UUID
    recorded: tuple[str, ...]
    #: Item ids by action key (without the prefix); empty when old keys were purged.
    ids: dict[str, UUID] = field(default_factory=dict)

    @property
    def already_loaded(self) -> bool:
        return not self.recorded


@dataclass
class _Run:
    app: RoadmapLedger
    recorded: list[str] = field(default_factory=list)
    ids: dict[str, UUID] = field(default_factory=dict)

    def step(
        self,
        key: str,
        label: str,
        command: Callable[[Meta], CommandResult],
        *,
        effective_on: date,
        authority: str,
        note: Text | None = None,
    ) -> UUID:
        meta = Meta(
            effective_on=effective_on,
            authority=authority,
            note=note,
            idempotency_key=KEY_PREFIX + key,
            request_hash=REQUEST_HASH,
        )
        result = command(meta)
        if not result.replayed:
            self.recorded.append(label)
        self.ids[key] = result.id
        return result.id


def _keys_purged(app: RoadmapLedger) -> bool:
    """The roadmap exists but its idempotency key is gone (older than the retention period)."""
    try:
        app.get_item(Roadmap, ROADMAP_ID)
    except NotFoundError:
        return False
    key = KEY_PREFIX + "roadmap"
    return app.ledger_recorder.find_idempotency(FR_OFFICIAL.subject, key) is None


def load_demo(app: RoadmapLedger) -> DemoReport:
    """Record the roadmap and the actions its text names; a re-run records nothing."""
    if _keys_purged(app):
        return DemoReport(ROADMAP_ID, (), {"roadmap": ROADMAP_ID})
    run = _Run(app)
    fr, ca = FR_OFFICIAL, CA_OFFICIAL
    roadmap = ROADMAP_ID
    run.step(
        "roadmap",
        f"roadmap: {TITLE}, adopted {ADOPTED_ON} by FR and CA, five priorities",
        lambda meta: app.adopt_roadmap(
            fr,
            title=TITLE,
            parties=["FR", "CA"],
            adopted_on=ADOPTED_ON,
            priorities=list(PRIORITIES),
            summary=SUMMARY,
            meta=meta,
            roadmap_id=roadmap,
        ),
        effective_on=ADOPTED_ON,
        authority=ROADMAP_TEXT,
        note=TRANSLATED,
    )
    run.step(
        "pledge-600-personnel",
        "pledge: CA deploys up to 600 soldiers to UN forces (effective 2016-08-26)",
        lambda meta: app.make_pledge(
            ca,
            roadmap,
            party="CA",
            title=Text(
                en="Deploy up to 600 soldiers as part of the UN forces",
                fr="Déployer jusqu'à 600 militaires au sein des forces de l'ONU",
            ),
            kind=PledgeKind.PERSONNEL,
            quantity=Quantity(Decimal(600), "personnel"),
            priorities=["operations-support", "military-performance"],
            beneficiary="United Nations peace operations",
            meta=meta,
        ),
        effective_on=date(2016, 8, 26),
        authority="Government of Canada announcement, 26 August 2016",
        note=TRANSLATED,
    )
    paris = run.step(
        "paris-conference",
        "consultation: Paris ministerial conference, 2016-10-26 to 2016-10-27, hosted by FR",
        lambda meta: app.schedule_consultation(
            fr,
            roadmap,
            kind=ConsultationKind.MINISTERIAL_CONFERENCE,
            title=Text(
                en="Ministerial conference on peacekeeping in Francophone environments",
                fr="Conférence ministérielle sur le maintien de la paix en environnement "
                "francophone",
            ),
            host_party="FR",
            location=Text(en="Paris", fr="Paris"),
            starts_on=date(2016, 10, 26),
            ends_on=date(2016, 10, 27),
            priorities=["operations-support", "military-performance", "preventive-diplomacy"],
            meta=meta,
        ),
        effective_on=ADOPTED_ON,
        authority=ROADMAP_TEXT,
        note=TRANSLATED,
    )
    run.step(
        "paris-co-chair",
        "co-chair: FR invites CA to co-chair the Paris conference",
        lambda meta: app.invite_co_chair(fr, paris, party="CA", meta=meta),
        effective_on=ADOPTED_ON,
        authority=ROADMAP_TEXT,
    )
    run.step(
        "exchange-diplomats",
        "exchange: FR to CA, 2 diplomats (illustrative)",
        lambda meta: app.propose_exchange(
            fr,
            roadmap,
            category=ExchangeCategory.DIPLOMAT,
            from_party="FR",
            to_party="CA",
            participants=2,
            starts_on=date(2017, 1, 9),
            ends_on=date(2017, 6, 30),
            title=Text(
                en="French diplomats at Global Affairs Canada",
                fr="Diplomates français à Affaires mondiales Canada",
            ),
            meta=meta,
        ),
        effective_on=ADOPTED_ON,
        authority=ROADMAP_TEXT,
        note=ILLUSTRATIVE,
    )
    run.step(
        "exchange-military-experts",
        "exchange: CA to FR, 3 military experts (illustrative)",
        lambda meta: app.propose_exchange(
            ca,
            roadmap,
            category=ExchangeCategory.MILITARY_EXPERT,
            from_party="CA",
            to_party="FR",
            participants=3,
            starts_on=date(2017, 2, 6),
            ends_on=date(2017, 7, 28),
            title=Text(
                en="Canadian military experts at the French Ministry of Defence",
                fr="Experts militaires canadiens au ministère français de la Défense",
            ),
            meta=meta,
        ),
        effective_on=ADOPTED_ON,
        authority=ROADMAP_TEXT,
        note=ILLUSTRATIVE,
    )
    run.step(
        "bilateral-consultation",
        "consultation: bilateral consultation in Ottawa, 2016-12-12 (illustrative)",
        lambda meta: app.schedule_consultation(
            ca,
            roadmap,
            kind=ConsultationKind.BILATERAL,
            title=Text(
                en="France-Canada bilateral consultation on peacekeeping",
                fr="Consultation bilatérale France-Canada sur le maintien de la paix",
            ),
            host_party="CA",
            location=Text(en="Ottawa", fr="Ottawa"),
            starts_on=date(2016, 12, 12),
            ends_on=date(2016, 12, 12),
            priorities=[p.code for p in PRIORITIES],
            meta=meta,
        ),
        effective_on=ADOPTED_ON,
        authority=ROADMAP_TEXT,
        note=ILLUSTRATIVE,
    )
    run.step(
        "assessment-mali",
        "assessment: FR shares with CA an analysis of MINUSMA (illustrative)",
        lambda meta: app.share_assessment(
            fr,
            roadmap,
            from_party="FR",
            to_party="CA",
            title=Text(
                en="Peacekeeping in a French-speaking environment: MINUSMA in 2016",
                fr="Le maintien de la paix en environnement francophone : la MINUSMA en 2016",
            ),
            subject=Text(en="MINUSMA (Mali)", fr="MINUSMA (Mali)"),
            priorities=["preventive-diplomacy", "operations-support"],
            summary=Text(
                en="Situation analysis shared to prepare joint support for French-speaking "
                "contingents.",
                fr="Analyse de situation partagée pour préparer un soutien commun aux contingents "
                "francophones.",
            ),
            marking=Marking.UNCLASSIFIED,
            shared_on=date(2016, 11, 15),
            meta=meta,
        ),
        effective_on=date(2016, 11, 15),
        authority=ROADMAP_TEXT,
        note=ILLUSTRATIVE_ASSESSMENT,
    )
    return DemoReport(ROADMAP_ID, tuple(run.recorded), dict(run.ids))
