"""Route declarations shared by the routers: one shape per kind of endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Response
from fastapi.types import DecoratedCallable

from api.deps import (
    AnswerLanguage,
    AsOf,
    EffectiveOn,
    MinPosition,
    ReaderDep,
    ReadSideDep,
    SettingsDep,
    current_reader,
)
from api.openapi import (
    COMMAND_RESPONSES,
    CREATION_RESPONSES,
    CREATION_STEP_RESPONSES,
    READ_RESPONSES,
)
from api.schemas.common import CommandAnswer


def creation(
    router: APIRouter, path: str, summary: str, *, on_item: bool = False
) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """A command that records a new item: 201 + Location; If-Match applies only `on_item`."""
    return router.post(
        path,
        status_code=201,
        response_model=CommandAnswer,
        responses=CREATION_STEP_RESPONSES if on_item else CREATION_RESPONSES,
        summary=summary,
    )


def command(
    router: APIRouter, path: str, summary: str
) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """A command on an existing item: 200, If-Match honoured."""
    return router.post(
        path, response_model=CommandAnswer, responses=COMMAND_RESPONSES, summary=summary
    )


def read(
    router: APIRouter, path: str, model: Any, summary: str
) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """A read open to every role."""
    return router.get(
        path,
        response_model=model,
        responses=READ_RESPONSES,
        dependencies=[Depends(current_reader)],
        summary=summary,
    )


def item_read(router: APIRouter, collection: str, id_name: str, model: Any, summary: str) -> None:
    """`GET /{collection}/{id}`: now, or as recorded at `as_of` / in effect on a date (auditors).

    `id_name` names the path parameter as the collection's commands do (`pledge_id`), so an
    error about it says the same name everywhere.
    """
    from api import reads  # noqa: PLC0415 - reads imports the read side, which imports this

    def read_item(
        *,
        item_id: UUID,
        side: ReadSideDep,
        settings: SettingsDep,
        actor: ReaderDep,
        response: Response,
        lang: AnswerLanguage,
        min_position: MinPosition = None,
        as_of: AsOf = None,
        effective_on: EffectiveOn = None,
    ) -> Any:
        return reads.item(
            side,
            settings,
            collection,
            item_id,
            response,
            actor=actor,
            min_position=min_position,
            as_of=as_of,
            effective_on=effective_on,
            lang=lang,
        )

    # The path parameter's name varies by collection: set as an object, not a string annotation.
    read_item.__annotations__["item_id"] = Annotated[UUID, Path(alias=id_name)]
    router.get(
        f"/{collection}/{{{id_name}}}",
        response_model=model,
        responses=READ_RESPONSES,
        summary=summary,
        name=f"get_{collection.replace('-', '_')}",
    )(read_item)
