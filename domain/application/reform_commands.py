"""Reform proposal commands of the facade."""

from __future__ import annotations

from uuid import UUID

from domain.application.core import LedgerCore
from domain.application.running import NO_META, CommandResult, Meta
from domain.model.reform import ReformProposal
from domain.model.values import Actor, Context, ReformResult


class ReformCommands(LedgerCore):
    def propose_reform(
        self,
        actor: Actor,
        roadmap_id: UUID,
        *,
        title: str,
        forum: str,
        summary: str,
        priorities: list[str],
        party: str | None = None,
        meta: Meta = NO_META,
    ) -> CommandResult:
        roadmap = self._roadmap(roadmap_id)
        return self._create(
            actor,
            meta,
            lambda new_id, ctx: ReformProposal.propose(
                new_id,
                roadmap_id,
                roadmap,
                party=party,
                title=title,
                forum=forum,
                summary=summary,
                priorities=priorities,
                ctx=ctx,
            ),
        )

    def cosponsor_reform(
        self,
        actor: Actor,
        proposal_id: UUID,
        *,
        meta: Meta = NO_META,
    ) -> CommandResult:
        def change(r: ReformProposal, ctx: Context) -> None:
            r.cosponsor(roadmap=self._roadmap(r.state.roadmap_id), ctx=ctx)

        return self._change(ReformProposal, proposal_id, actor, meta, change)

    def submit_reform(
        self,
        actor: Actor,
        proposal_id: UUID,
        *,
        forum: str | None = None,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            ReformProposal, proposal_id, actor, meta, lambda r, ctx: r.submit(forum=forum, ctx=ctx)
        )

    def record_reform_outcome(
        self,
        actor: Actor,
        proposal_id: UUID,
        *,
        result: ReformResult,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            ReformProposal,
            proposal_id,
            actor,
            meta,
            lambda r, ctx: r.record_outcome(result=result, ctx=ctx),
        )

    def withdraw_reform(
        self,
        actor: Actor,
        proposal_id: UUID,
        *,
        reason: str,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            ReformProposal,
            proposal_id,
            actor,
            meta,
            lambda r, ctx: r.withdraw(reason=reason, ctx=ctx),
        )
