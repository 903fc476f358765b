"""Stored records read as plain JSON, exactly as they were written.

An event's stored state is JSON with the transcoder's tags (`{"_type_": "date_iso", …}`). Its
plain form — decimals as strings, dates ISO, enums by value, tuples as lists — is what the audit
trail's leaves commit to and what an export holds. It is read from the record, never from an
event a later release builds from it (an upcaster changes the event, not the record).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

#: Tags whose data is already the value's plain form.
_AS_IS = frozenset({"decimal_str", "date_iso", "tuple", "quantity", "priority", "text"})


class UnknownTagError(ValueError):
    """A transcoding tag this release does not know: the record cannot be read."""


def _plain_tag(value: dict[str, Any]) -> Any:
    if len(value) != 2 or "_type_" not in value or "_data_" not in value:  # noqa: PLR2004
        return value
    tag, data = value["_type_"], value["_data_"]
    if tag in _AS_IS:
        return data
    if tag == "datetime_iso":
        return data if data.endswith("+00:00") else datetime.fromisoformat(data).isoformat()
    if tag == "uuid_hex":
        return str(UUID(data))
    if tag == "enum":
        return data[1]
    raise UnknownTagError(tag)


_DECODER = json.JSONDecoder(object_hook=_plain_tag)


def plain_state(state: bytes) -> dict[str, Any]:
    """The stored state as plain JSON; raises ValueError when it is not a readable record."""
    decoded = _DECODER.decode(bytes(state).decode())
    if not isinstance(decoded, dict):
        raise TypeError("a stored state is a JSON object")
    return decoded


def utc_text(moment: datetime) -> str:
    """One spelling of a moment, whichever database stored it."""
    return moment.astimezone(UTC).isoformat()


def utc_moment_text(moment: str) -> str:
    """`utc_text` of an ISO moment; the server writes UTC already, so mostly a no-op."""
    return moment if moment.endswith("+00:00") else utc_text(datetime.fromisoformat(moment))
