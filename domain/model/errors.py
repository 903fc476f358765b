"""Named domain errors: a refused command raises one of these and records nothing."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the roadmap refused the command."""

    code = "domain-rule"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidValueError(DomainError):
    """A value is malformed or out of range (answered as invalid input, naming the field)."""

    code = "invalid-value"


class NotAuthorisedError(DomainError):
    """The actor's role does not allow the command."""

    code = "not-authorised"


class NotYourPartyError(NotAuthorisedError):
    """An official acts only for their own party."""

    code = "not-your-party"


class NotFoundError(DomainError):
    """No item with that id."""

    code = "not-found"


class ConcurrencyConflictError(DomainError):
    """The item changed while the command ran, more often than the retries allow."""

    code = "concurrent-conflict"


class StaleVersionError(DomainError):
    """The caller's expected version is not the item's current version."""

    code = "stale-version"

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version


class IdempotencyKeyReusedError(DomainError):
    """The same idempotency key was sent with a different request."""

    code = "idempotency-key-reused"


class UnknownPartyError(DomainError):
    """The party is not a party of the roadmap."""

    code = "unknown-party"


class UnknownPriorityError(DomainError):
    """A priority code is not one of the roadmap's."""

    code = "unknown-priority"


class IllegalTransitionError(DomainError):
    """The item's status does not allow the step."""

    code = "illegal-transition"


class PledgeAlreadyWithdrawnError(IllegalTransitionError):
    code = "pledge-already-withdrawn"


class PledgeAlreadyFulfilledError(IllegalTransitionError):
    code = "pledge-already-fulfilled"


class FulfilmentReasonRequiredError(InvalidValueError):
    """A pledge fulfilled short of its quantity needs the reason on record."""

    code = "reason-required"


class UnitMismatchError(DomainError):
    code = "unit-mismatch"


class DeliveredDecreasedError(DomainError):
    code = "delivered-decreased"


class AlreadyEndorsedError(DomainError):
    code = "already-endorsed"


class AlreadyCoChairError(DomainError):
    code = "already-co-chair"


class NotInvitedError(DomainError):
    code = "not-invited"


class AlreadySponsorError(DomainError):
    code = "already-sponsor"


class OnlyReceivingPartyAgreesError(NotAuthorisedError):
    code = "only-receiving-party-agrees"


class OnlyReceivingPartyAcknowledgesError(NotAuthorisedError):
    code = "only-receiving-party-acknowledges"


class UnknownAssessmentError(DomainError):
    """A supersession names no assessment the ledger holds."""

    code = "unknown-assessment"


class InvalidSupersessionError(DomainError):
    """The named assessment cannot supersede this one (another party, roadmap, or not current)."""

    code = "invalid-supersession"


class InvalidCorrectionError(DomainError):
    code = "invalid-correction"


class InvalidTranslationError(InvalidCorrectionError):
    code = "invalid-translation"


class EventAlreadyRetractedError(InvalidCorrectionError):
    code = "event-already-retracted"


class ItemRetractedError(IllegalTransitionError):
    """The item's creation was retracted: it is void and takes no further steps."""

    code = "item-retracted"


class AlreadyRecordedError(DomainError):
    """An item with that id exists already."""

    code = "already-recorded"
