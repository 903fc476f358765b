"""One readable line per event for the audit trail."""

from __future__ import annotations

import re
from typing import Any

from domain.model.kinds import BY_NAME


def _words(event_type: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r" \1", event_type).lower()


def _quantity(value: Any) -> str:
    return f"{value['amount']} {value['unit']}" if isinstance(value, dict) else str(value)


def summarize(
    kind: str, event_type: str, data: dict[str, Any], actor: str, party: str | None
) -> str:
    who = f"{party} ({actor})" if party else actor
    known = BY_NAME.get(kind)
    noun = known.noun if known is not None else kind.lower()
    line = f"{who}: {noun} {_words(event_type)}"
    details = []
    if data.get("title"):
        details.append(f"“{data['title']}”")
    if data.get("quantity"):
        details.append(_quantity(data["quantity"]))
    if data.get("delivered"):
        details.append(f"delivered {_quantity(data['delivered'])}")
    if event_type in ("CoChairInvited", "CoChairAccepted", "Endorsed", "CoSponsored"):
        details.append(str(data.get("party")))
    if data.get("result"):
        details.append(str(data["result"]))
    if "target_version" in data:
        details.append(f"of version {data['target_version']}")
    if data.get("reason"):
        details.append(f"— {data['reason']}")
    return " ".join([line, *details])[:500]
