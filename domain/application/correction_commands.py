"""Corrections and retractions of any item, for the facade."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.application.core import LedgerCore
from domain.application.running import NO_META, CommandResult, Meta
from domain.model.item import Item
from domain.model.values import Actor, Context


class CorrectionCommands(LedgerCore):
    def correct(
        self,
        actor: Actor,
        cls: type[Item],
        item_id: UUID,
        *,
        target_version: int,
        changes: dict[str, Any],
        reason: str,
        meta: Meta = NO_META,
    ) -> CommandResult:
        def change(item: Item, ctx: Context) -> None:
            corrected = dict(changes)  # the caller's dict stays as it was sent
            roadmap_id = getattr(item.state, "roadmap_id", None)
            codes: Any = corrected.get("priorities")
            listed = isinstance(codes, list | tuple) and all(isinstance(c, str) for c in codes)
            if roadmap_id is not None and listed:  # anything else: the item names the field
                roadmap = self._roadmap(roadmap_id)
                corrected["priorities"] = list(roadmap.require_priorities(tuple(codes)))
            item.correct(target_version, corrected, reason, ctx)

        return self._change(cls, item_id, actor, meta, change)

    def retract(
        self,
        actor: Actor,
        cls: type[Item],
        item_id: UUID,
        *,
        target_version: int,
        reason: str,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            cls, item_id, actor, meta, lambda i, ctx: i.retract(target_version, reason, ctx)
        )
