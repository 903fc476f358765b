"""Route declarations shared by the routers: one shape per kind of endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.types import DecoratedCallable

from api.deps import current_reader
from api.openapi import COMMAND_RESPONSES, CREATION_RESPONSES, READ_RESPONSES
from api.schemas.common import CommandAnswer


def creation(
    router: APIRouter, path: str, summary: str
) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """A command that records a new item: 201 + Location; If-Match does not apply."""
    return router.post(
        path,
        status_code=201,
        response_model=CommandAnswer,
        responses=CREATION_RESPONSES,
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
