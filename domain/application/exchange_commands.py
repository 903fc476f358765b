"""Exchange commands of the facade: propose, agree, start, complete, cancel."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.application.core import LedgerCore
from domain.application.running import NO_META, CommandResult, Meta
from domain.model.exchange import Exchange
from domain.model.values import Actor, ExchangeCategory


class ExchangeCommands(LedgerCore):
    def propose_exchange(
        self,
        actor: Actor,
        roadmap_id: UUID,
        *,
        category: ExchangeCategory,
        from_party: str,
        to_party: str,
        participants: int,
        starts_on: date,
        ends_on: date,
        title: str,
        meta: Meta = NO_META,
    ) -> CommandResult:
        roadmap = self._roadmap(roadmap_id)
        return self._create(
            actor,
            meta,
            lambda new_id, ctx: Exchange.propose(
                new_id,
                roadmap_id,
                roadmap,
                category=category,
                from_party=from_party,
                to_party=to_party,
                participants=participants,
                starts_on=starts_on,
                ends_on=ends_on,
                title=title,
                ctx=ctx,
            ),
        )

    def agree_exchange(
        self, actor: Actor, exchange_id: UUID, *, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(Exchange, exchange_id, actor, meta, lambda e, ctx: e.agree(ctx=ctx))

    def start_exchange(
        self, actor: Actor, exchange_id: UUID, *, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(Exchange, exchange_id, actor, meta, lambda e, ctx: e.start(ctx=ctx))

    def complete_exchange(
        self,
        actor: Actor,
        exchange_id: UUID,
        *,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(Exchange, exchange_id, actor, meta, lambda e, ctx: e.complete(ctx=ctx))

    def cancel_exchange(
        self,
        actor: Actor,
        exchange_id: UUID,
        *,
        reason: str,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            Exchange, exchange_id, actor, meta, lambda e, ctx: e.cancel(reason=reason, ctx=ctx)
        )
