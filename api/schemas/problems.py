"""The RFC 9457 problem every error answers, as documented in OpenAPI."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FieldError(BaseModel):
    field: str = Field(description="Dotted name of the offending input, e.g. `quantity.amount`.")
    message: str


class Problem(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:roadmap-ledger:problem:pledge-already-withdrawn",
                    "title": "Pledge already withdrawn",
                    "status": 409,
                    "detail": "pledge 5c7a… was withdrawn",
                    "instance": "/pledges/5c7a…/fulfilment",
                    "code": "pledge-already-withdrawn",
                }
            ]
        },
    )

    type: str = Field(description="`urn:roadmap-ledger:problem:<code>`")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The path of the request.")
    code: str = Field(description="Stable machine-readable name of the problem.")
    field: str | None = Field(default=None, description="The first offending input (422).")
    errors: list[FieldError] | None = Field(default=None, description="Every offending input.")
