"""Bodies of `/{collection}/{id}/corrections` and `/retractions`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, StrictInt

from api.schemas.common import CommandBody, Reason, _lines
from domain.model.errors import InvalidCorrectionError

CHANGES_DEPTH = 6


def _plain_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Shallow JSON of valid Unicode: anything else could not be stored or compared."""
    stack: list[tuple[Any, int]] = [(changes, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > CHANGES_DEPTH:
            raise ValueError(f"values may nest at most {CHANGES_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((key, depth) for key in node)
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("texts must be valid Unicode (no lone surrogates)") from None
    return changes


Changes = Annotated[dict[str, Any], Field(min_length=1), AfterValidator(_plain_changes)]


class Correction(CommandBody):
    """A data-entry error fixed: names the earlier event (by version) and its corrected fields."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "target_version": 1,
                    "changes": {"effective_on": "2016-08-26"},
                    "reason": "Typed the date of the announcement wrongly",
                }
            ]
        }
    )

    target_version: StrictInt = Field(ge=1, le=2**53)
    changes: Changes = Field(
        description="Corrected payload fields of that event (and/or its `effective_on`)."
    )
    reason: Reason

    def domain_changes(self) -> dict[str, Any]:
        return self.changes


class ItemCorrection(Correction):
    """A correction of an item under a roadmap, whose `priorities` are codes."""

    def domain_changes(self) -> dict[str, Any]:
        codes = self.changes.get("priorities")
        if "priorities" in self.changes and (
            not isinstance(codes, list) or not all(isinstance(c, str) for c in codes)
        ):
            msg = "changes.priorities must be a list of priority codes"
            raise InvalidCorrectionError(msg, field="changes.priorities")
        return self.changes


class Retraction(CommandBody):
    """An earlier event voided; retracting version 1 voids the whole item."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"target_version": 2, "reason": "Recorded against the wrong pledge"}]
        }
    )

    target_version: StrictInt = Field(ge=1, le=2**53)
    reason: Reason


class Translation(CommandBody):
    """A text of an earlier event in the other language: added, or a translation fixed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "target_version": 1,
                    "field": "title",
                    "lang": "fr",
                    "text": "Déployer jusqu'à 600 militaires au sein des forces de l'ONU",
                }
            ]
        }
    )

    target_version: StrictInt = Field(ge=1, le=2**53)
    field: str = Field(
        min_length=1, max_length=64, description="The text of that event: title, summary…"
    )
    lang: Literal["en", "fr"]
    text: Annotated[str, Field(min_length=1, max_length=10_000), _lines]
