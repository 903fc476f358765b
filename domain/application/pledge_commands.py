"""Pledge commands of the facade: make, revise, report progress, fulfil, withdraw."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.application.core import LedgerCore
from domain.application.running import NO_META, CommandResult, Meta
from domain.model.pledge import Pledge
from domain.model.values import Actor, PledgeKind, Quantity


class PledgeCommands(LedgerCore):
    def make_pledge(
        self,
        actor: Actor,
        roadmap_id: UUID,
        *,
        party: str,
        title: str,
        kind: PledgeKind,
        quantity: Quantity,
        priorities: list[str],
        beneficiary: str | None = None,
        due_on: date | None = None,
        meta: Meta = NO_META,
    ) -> CommandResult:
        roadmap = self._roadmap(roadmap_id)
        return self._create(
            actor,
            meta,
            lambda new_id, ctx: Pledge.make(
                new_id,
                roadmap_id,
                roadmap,
                party=party,
                title=title,
                kind=kind,
                quantity=quantity,
                priorities=priorities,
                beneficiary=beneficiary,
                due_on=due_on,
                ctx=ctx,
            ),
        )

    def revise_pledge(
        self,
        actor: Actor,
        pledge_id: UUID,
        *,
        quantity: Quantity | None,
        title: str | None,
        reason: str,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            Pledge,
            pledge_id,
            actor,
            meta,
            lambda p, ctx: p.revise(quantity=quantity, title=title, reason=reason, ctx=ctx),
        )

    def report_pledge_progress(
        self,
        actor: Actor,
        pledge_id: UUID,
        *,
        delivered: Quantity,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            Pledge,
            pledge_id,
            actor,
            meta,
            lambda p, ctx: p.report_progress(delivered=delivered, ctx=ctx),
        )

    def fulfil_pledge(
        self, actor: Actor, pledge_id: UUID, *, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(Pledge, pledge_id, actor, meta, lambda p, ctx: p.fulfil(ctx=ctx))

    def withdraw_pledge(
        self,
        actor: Actor,
        pledge_id: UUID,
        *,
        reason: str,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            Pledge, pledge_id, actor, meta, lambda p, ctx: p.withdraw(reason=reason, ctx=ctx)
        )
