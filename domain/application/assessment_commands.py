"""Assessment commands of the facade: share, acknowledge, supersede, withdraw."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.application.core import LedgerCore
from domain.application.running import NO_META, CommandResult, Meta
from domain.model.assessment import Assessment, AssessmentState
from domain.model.errors import NotFoundError, UnknownAssessmentError
from domain.model.values import Actor, Context, Marking


class AssessmentCommands(LedgerCore):
    def share_assessment(
        self,
        actor: Actor,
        roadmap_id: UUID,
        *,
        from_party: str,
        to_party: str,
        title: str,
        subject: str,
        priorities: list[str],
        summary: str,
        marking: Marking,
        shared_on: date,
        meta: Meta = NO_META,
    ) -> CommandResult:
        roadmap = self._roadmap(roadmap_id)
        return self._create(
            actor,
            meta,
            lambda new_id, ctx: Assessment.share(
                new_id,
                roadmap_id,
                roadmap,
                from_party=from_party,
                to_party=to_party,
                title=title,
                subject=subject,
                priorities=priorities,
                summary=summary,
                marking=marking,
                shared_on=shared_on,
                ctx=ctx,
            ),
        )

    def acknowledge_assessment(
        self, actor: Actor, assessment_id: UUID, *, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(
            Assessment, assessment_id, actor, meta, lambda a, ctx: a.acknowledge(ctx=ctx)
        )

    def supersede_assessment(
        self,
        actor: Actor,
        assessment_id: UUID,
        *,
        by: UUID,
        meta: Meta = NO_META,
    ) -> CommandResult:
        def change(a: Assessment, ctx: Context) -> None:
            a.supersede(by=by, newer=self._newer_assessment(by), ctx=ctx)

        return self._change(Assessment, assessment_id, actor, meta, change)

    def withdraw_assessment(
        self,
        actor: Actor,
        assessment_id: UUID,
        *,
        reason: str,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            Assessment,
            assessment_id,
            actor,
            meta,
            lambda a, ctx: a.withdraw(reason=reason, ctx=ctx),
        )

    def _newer_assessment(self, assessment_id: UUID) -> AssessmentState:
        """The state of the assessment a supersession names, which must be in the record.

        Named in the body, not the path: its absence is a refused rule about the field `by`
        (like an unknown party), not a 404 of the assessment being superseded. A retracted
        creation counts as absent, as it does in every state read.
        """
        try:
            newer = self.commands.load(Assessment, assessment_id)
        except NotFoundError:
            msg = f"no assessment {assessment_id} to supersede with"
            raise UnknownAssessmentError(msg, field="by") from None
        if newer.void:
            msg = f"assessment {assessment_id} was retracted"
            raise UnknownAssessmentError(msg, field="by")
        state: AssessmentState = newer.state
        return state
