"""Consultation and decision commands of the facade."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from domain.application.core import LedgerCore
from domain.application.running import NO_META, CommandResult, Meta
from domain.model.consultation import Consultation
from domain.model.decision import Decision
from domain.model.item import Item
from domain.model.values import Actor, ConsultationKind, Context


class ConsultationCommands(LedgerCore):
    def schedule_consultation(
        self,
        actor: Actor,
        roadmap_id: UUID,
        *,
        kind: ConsultationKind,
        title: str,
        host_party: str,
        location: str,
        starts_on: date,
        ends_on: date,
        priorities: list[str],
        meta: Meta = NO_META,
    ) -> CommandResult:
        roadmap = self._roadmap(roadmap_id)
        return self._create(
            actor,
            meta,
            lambda new_id, ctx: Consultation.schedule(
                new_id,
                roadmap_id,
                roadmap,
                kind=kind,
                title=title,
                host_party=host_party,
                location=location,
                starts_on=starts_on,
                ends_on=ends_on,
                priorities=priorities,
                ctx=ctx,
            ),
        )

    def invite_co_chair(
        self,
        actor: Actor,
        consultation_id: UUID,
        *,
        party: str,
        meta: Meta = NO_META,
    ) -> CommandResult:
        def change(c: Consultation, ctx: Context) -> None:
            c.invite_co_chair(party=party, roadmap=self._roadmap(c.state.roadmap_id), ctx=ctx)

        return self._change(Consultation, consultation_id, actor, meta, change)

    def accept_co_chair(
        self,
        actor: Actor,
        consultation_id: UUID,
        *,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            Consultation, consultation_id, actor, meta, lambda c, ctx: c.accept_co_chair(ctx=ctx)
        )

    def reschedule_consultation(
        self,
        actor: Actor,
        consultation_id: UUID,
        *,
        starts_on: date,
        ends_on: date,
        reason: str,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            Consultation,
            consultation_id,
            actor,
            meta,
            lambda c, ctx: c.reschedule(
                starts_on=starts_on, ends_on=ends_on, reason=reason, ctx=ctx
            ),
        )

    def hold_consultation(
        self,
        actor: Actor,
        consultation_id: UUID,
        *,
        summary: str,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            Consultation,
            consultation_id,
            actor,
            meta,
            lambda c, ctx: c.hold(summary=summary, ctx=ctx),
        )

    def cancel_consultation(
        self,
        actor: Actor,
        consultation_id: UUID,
        *,
        reason: str,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            Consultation,
            consultation_id,
            actor,
            meta,
            lambda c, ctx: c.cancel(reason=reason, ctx=ctx),
        )

    def record_decision(
        self,
        actor: Actor,
        consultation_id: UUID,
        *,
        text: str,
        priorities: list[str],
        meta: Meta = NO_META,
    ) -> CommandResult:
        decision_id = uuid4()

        def step(ctx: Context) -> tuple[Item, list[Item]]:
            consultation = self.commands.load(Consultation, consultation_id, meta.expected_version)
            ctx = ctx.after(consultation.modified_on)
            roadmap_id = consultation.state.roadmap_id
            decision = Decision.record(
                decision_id,
                roadmap_id,
                self._roadmap(roadmap_id),
                consultation_id,
                text_=text,
                priorities=priorities,
                ctx=ctx,
            )
            consultation.note_decision(decision_id=decision_id, ctx=ctx)
            return decision, [consultation, decision]

        return self.commands.run(actor, meta, step, creates=True)

    def endorse_decision(
        self,
        actor: Actor,
        decision_id: UUID,
        *,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(Decision, decision_id, actor, meta, lambda d, ctx: d.endorse(ctx=ctx))
