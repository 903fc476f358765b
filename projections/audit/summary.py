"""One readable line per event for the audit trail, in English or in French.

The English line of an event recorded before texts were bilingual is exactly what it was; a text
of the record (`{"en", "fr", "lang"}`) gives its form in the line's language, or as written.
"""

from __future__ import annotations

import re
from typing import Any

from domain.model.kinds import BY_NAME

#: What happened, in French, by event class name.
ACTIONS_FR = {
    "Adopted": "adoption",
    "Made": "engagement pris",
    "Revised": "révision",
    "ProgressReported": "avancement signalé",
    "Fulfilled": "engagement tenu",
    "Withdrawn": "retrait",
    "Scheduled": "programmation",
    "Rescheduled": "report",
    "CoChairInvited": "invitation à coprésider",
    "CoChairAccepted": "coprésidence acceptée",
    "Held": "tenue",
    "DecisionRecorded": "décision consignée",
    "Cancelled": "annulation",
    "Recorded": "consignation",
    "Endorsed": "approbation",
    "Proposed": "proposition",
    "Agreed": "accord",
    "Started": "début",
    "Completed": "achèvement",
    "CoSponsored": "coparrainage",
    "Submitted": "soumission",
    "OutcomeRecorded": "résultat consigné",
    "Shared": "partage",
    "Acknowledged": "accusé de réception",
    "Superseded": "remplacement",
    "Corrected": "correction",
    "Retracted": "rétractation",
    "Translated": "traduction",
}
_WORDS = {
    "en": {"delivered": "delivered", "of_version": "of version", "into": "into"},
    "fr": {"delivered": "livré", "of_version": "de la version", "into": "en"},
}


def _words(event_type: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r" \1", event_type).lower()


def _quantity(value: Any) -> str:
    return f"{value['amount']} {value['unit']}" if isinstance(value, dict) else str(value)


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict) and "lang" in value:
        found = value.get(lang)
        return str(found if found is not None else value[value["lang"]])
    return str(value)


def summarize(
    kind: str,
    event_type: str,
    data: dict[str, Any],
    actor: str,
    party: str | None,
    *,
    lang: str = "en",
) -> str:
    who = f"{party} ({actor})" if party else actor
    known = BY_NAME.get(kind)
    words = _WORDS["fr" if lang == "fr" else "en"]
    if lang == "fr":
        noun = known.noun_fr if known is not None else kind.lower()
        line = f"{who} : {noun} — {ACTIONS_FR.get(event_type, _words(event_type))}"
    else:
        noun = known.noun if known is not None else kind.lower()
        line = f"{who}: {noun} {_words(event_type)}"
    details = []
    if data.get("title"):
        details.append(f"“{_text(data['title'], lang)}”")
    if data.get("quantity"):
        details.append(_quantity(data["quantity"]))
    if data.get("delivered"):
        details.append(f"{words['delivered']} {_quantity(data['delivered'])}")
    if event_type in ("CoChairInvited", "CoChairAccepted", "Endorsed", "CoSponsored"):
        details.append(str(data.get("party")))
    if data.get("result"):
        details.append(str(data["result"]))
    if "target_version" in data:
        details.append(f"{words['of_version']} {data['target_version']}")
    if event_type == "Translated":
        details.append(f"({data.get('field')}, {words['into']} {data.get('lang')})")
    if data.get("reason"):
        details.append(f"— {_text(data['reason'], lang)}")
    return " ".join([line, *details])[:500]
