"""An item's public answer: its folded state and where it stands in the record."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.model.history import Entry, view
from domain.model.item import Item
from domain.model.plain import plain


def public_fields(
    item_id: UUID,
    state: Any,
    *,
    version: int,
    void: bool,
    recorded_at: datetime,
    updated_at: datetime,
    effective_on: date,
) -> dict[str, Any]:
    """The public answer for one item: its state's fields and where it stands in the record."""
    public: dict[str, Any] = {"id": str(item_id), **plain(state)}
    derived = getattr(state, "derived", None)
    if derived is not None:  # values that follow from the fields (PledgeState.over_delivered)
        public.update(plain(derived()))
    public["version"] = version
    public["void"] = void
    public["recorded_at"] = plain(recorded_at)
    public["updated_at"] = plain(updated_at)
    public["effective_on"] = plain(effective_on)
    return public


def item_public(
    cls: type[Item],
    item_id: UUID,
    entries: list[Entry],
    *,
    as_of: datetime | None = None,
    effective_on: date | None = None,
) -> dict[str, Any] | None:
    """An item's public fields as the record stood (`as_of`) and in effect (`effective_on`)."""
    known = [e for e in entries if as_of is None or e.recorded_at <= as_of]
    if not known:
        return None
    seen = view(entries, as_of=as_of, effective_on=effective_on)
    if not seen.exists:
        return None
    return public_fields(
        item_id,
        cls.fold(seen.entries),
        version=known[-1].version,
        void=seen.void,
        recorded_at=known[0].recorded_at,
        updated_at=known[-1].recorded_at,
        effective_on=seen.entries[0].effective_on,
    )
