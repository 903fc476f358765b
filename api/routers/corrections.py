"""`POST /{collection}/{id}/corrections`, `/retractions` and `/translations`, per collection."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from fastapi import APIRouter, Response

from api.deps import ActorDep, CommandDep, LedgerDep
from api.openapi import COMMAND_RESPONSES
from api.schemas.common import CommandAnswer
from api.schemas.corrections import Correction, ItemCorrection, Retraction, Translation
from domain.model.item import Item
from domain.model.kinds import COLLECTIONS
from domain.model.roadmap import Roadmap

router = APIRouter(tags=["corrections"])

Endpoint = Callable[..., CommandAnswer]


def _roadmap_correction() -> Endpoint:
    def correct(
        *,
        item_id: UUID,
        body: Correction,
        ledger: LedgerDep,
        actor: ActorDep,
        command: CommandDep,
        response: Response,
    ) -> CommandAnswer:
        result = ledger.correct(
            actor,
            Roadmap,
            item_id,
            target_version=body.target_version,
            changes=body.domain_changes(),
            reason=body.reason,
            meta=command.meta(body),
        )
        return command.answer(result, response)

    return correct


def _item_correction(cls: type[Item]) -> Endpoint:
    def correct(
        *,
        item_id: UUID,
        body: ItemCorrection,
        ledger: LedgerDep,
        actor: ActorDep,
        command: CommandDep,
        response: Response,
    ) -> CommandAnswer:
        result = ledger.correct(
            actor,
            cls,
            item_id,
            target_version=body.target_version,
            changes=body.domain_changes(),
            reason=body.reason,
            meta=command.meta(body),
        )
        return command.answer(result, response)

    return correct


def _translation(cls: type[Item]) -> Endpoint:
    def translate(
        *,
        item_id: UUID,
        body: Translation,
        ledger: LedgerDep,
        actor: ActorDep,
        command: CommandDep,
        response: Response,
    ) -> CommandAnswer:
        result = ledger.translate(
            actor,
            cls,
            item_id,
            target_version=body.target_version,
            field=body.field,
            lang=body.lang,
            text=body.text,
            meta=command.meta(body),
        )
        return command.answer(result, response)

    return translate


def _retraction(cls: type[Item]) -> Endpoint:
    def retract(
        *,
        item_id: UUID,
        body: Retraction,
        ledger: LedgerDep,
        actor: ActorDep,
        command: CommandDep,
        response: Response,
    ) -> CommandAnswer:
        result = ledger.retract(
            actor,
            cls,
            item_id,
            target_version=body.target_version,
            reason=body.reason,
            meta=command.meta(body),
        )
        return command.answer(result, response)

    return retract


for _segment, _cls in COLLECTIONS.items():
    _noun = _segment.replace("-", "_")
    router.add_api_route(
        f"/{_segment}/{{item_id}}/corrections",
        _roadmap_correction() if _cls is Roadmap else _item_correction(_cls),
        methods=["POST"],
        name=f"correct_{_noun}",
        summary=f"Correct an event of one of the {_segment.replace('-', ' ')}",
        response_model=CommandAnswer,
        responses=COMMAND_RESPONSES,
    )
    router.add_api_route(
        f"/{_segment}/{{item_id}}/retractions",
        _retraction(_cls),
        methods=["POST"],
        name=f"retract_{_noun}",
        summary=f"Retract an event of one of the {_segment.replace('-', ' ')}",
        response_model=CommandAnswer,
        responses=COMMAND_RESPONSES,
    )
    router.add_api_route(
        f"/{_segment}/{{item_id}}/translations",
        _translation(_cls),
        methods=["POST"],
        name=f"translate_{_noun}",
        summary=f"Translate a text of an event of one of the {_segment.replace('-', ' ')}",
        response_model=CommandAnswer,
        responses=COMMAND_RESPONSES,
    )
