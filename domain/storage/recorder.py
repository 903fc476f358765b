"""What the ledger needs from a recorder beyond the library's: idempotency, positions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.storage.availability import Availability


@dataclass(frozen=True)
class IdempotencyRecord:
    """A command's answer, kept with the events it recorded (same transaction)."""

    subject: str
    key: str
    request_hash: str
    item_id: UUID
    version: int
    #: The command recorded a new item. Stored as 201/200 in the `status` column, as release
    #: 0.1 wrote it, so rows of either release read the same.
    created: bool
    created_at: datetime


class LedgerRecorder(Protocol):
    def find_idempotency(self, subject: str, key: str) -> IdempotencyRecord | None: ...

    def purge_idempotency(self, before: datetime) -> int: ...

    def position_of(self, originator_id: UUID, version: int) -> int | None: ...

    def max_notification_id(self) -> int | None: ...

    def max_recorded_id(self) -> int | None:
        """The last position committed, even one readers cannot see yet (an open writer may
        still fill a gap below it: commit_order.py)."""

    def write_probe(self) -> None:
        """One small write and commit: raises StoreFullError while the disk is full."""

    @property
    def availability(self) -> Availability:
        """Whether the database answers and takes writes, as this process last found it."""


#: How `created` is spelt in the `status` column (release 0.1 stored the HTTP status there).
CREATED_STATUS, CHANGED_STATUS = 201, 200


def status_of(record: IdempotencyRecord) -> int:
    return CREATED_STATUS if record.created else CHANGED_STATUS
