"""The reports in French: their titles and descriptions, column headers, and open-item reasons."""

from __future__ import annotations

from typing import Any

from api.localize import localize
from domain.model.kinds import KINDS
from projections.partnership.reports import Report

TITLES_FR = {
    "pledge-fulfilment": (
        "Exécution des engagements par partie et par priorité",
        "Engagements, leur statut, et montants promis et livrés (engagements retirés exclus des "
        "sommes), par feuille de route, partie, priorité et unité.",
    ),
    "activity-by-priority": (
        "Activité par priorité et par année",
        "Événements enregistrés par priorité et par année d'effet.",
    ),
    "open-items": (
        "Éléments en attente",
        "Décisions en attente d'approbation, engagements échus, et éléments en attente d'une "
        "autre partie (échanges à accepter, évaluations à reconnaître).",
    ),
}

COLUMNS_FR = {
    "roadmap_id": "feuille_de_route",
    "party": "partie",
    "priority": "priorité",
    "unit": "unité",
    "pledges": "engagements",
    "active": "actifs",
    "fulfilled": "tenus",
    "withdrawn": "retirés",
    "pledged": "promis",
    "delivered": "livré",
    "delivered_share": "part_livrée",
    "year": "année",
    "events": "événements",
    "item_kind": "type_d_élément",
    "id": "id",
    "title": "titre",
    "reason": "motif",
    "waiting_for": "en_attente_de",
    "due_on": "échéance",
}

#: Item kinds by their English noun (the registry says both).
KINDS_FR = {kind.noun: kind.noun_fr for kind in KINDS}

REASONS_FR = {
    "awaiting endorsement": "en attente d'approbation",
    "awaiting agreement": "en attente d'accord",
    "awaiting acknowledgement": "en attente d'accusé de réception",
    "past its due date": "échéance dépassée",
}


def report_title(report: Report, lang: str) -> tuple[str, str]:
    """The report's title and description in `lang`."""
    return TITLES_FR[report.name] if lang == "fr" else (report.title, report.description)


def localized_row(row: dict[str, Any], lang: str) -> dict[str, Any]:
    """A row in the reader's language: its texts (with their forms), kinds and reasons."""
    localized: dict[str, Any] = localize(row, lang)
    if lang == "fr":
        for key, words in (("item_kind", KINDS_FR), ("reason", REASONS_FR)):
            if key in localized:
                localized[key] = words.get(localized[key], localized[key])
    return localized


def csv_headers(lang: str) -> dict[str, str] | None:
    """The CSV header of each column in `lang` (None: the column names, in English)."""
    return COLUMNS_FR if lang == "fr" else None
