"""What HTTP adds to a command: the idempotency key, request hash and If-Match; the answer."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from fastapi import Response

from api.language import DEFAULT, Language
from api.problems import ProblemError
from api.schemas.common import CommandAnswer, CommandBody
from domain.application.running import CommandResult, Meta

IDEMPOTENCY_KEY_PATTERN = r"^[\x20-\x7E]+$"
IDEMPOTENCY_KEY_MAX = 200
IF_MATCH_PATTERN = r'^(\*|(W/)?"[1-9][0-9]{0,14}"|[1-9][0-9]{0,14})$'
_ETAG = re.compile(r'(?:W/)?"([0-9]{1,15})"|([0-9]{1,15})')


def parse_if_match(value: str | None) -> int | None:
    """`"3"`, `W/"3"` or `3` → 3; `*` or no header → no expectation."""
    if value is None or value.strip() == "*":
        return None
    match = _ETAG.fullmatch(value.strip())
    version = None if match is None else int(match.group(1) or match.group(2))
    if version is None or version < 1:
        msg = 'If-Match must be the ETag of the version you read, e.g. "3"'
        raise ProblemError(422, "invalid-value", msg, field="If-Match")
    return version


def request_hash(method: str, path: str, body: CommandBody, lang: str = DEFAULT) -> str:
    """SHA-256 of the method, path and canonical JSON of the parsed body, and of the body's
    language when it is not the default (so hashes of English requests stay as they were)."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    language = "" if lang == DEFAULT else f"\nContent-Language: {lang}"
    return hashlib.sha256(f"{method} {path}\n{canonical}{language}".encode()).hexdigest()


@dataclass(frozen=True)
class CommandContext:
    """One request's command headers, ready to become the facade's Meta."""

    method: str
    path: str
    idempotency_key: str | None = None
    expected_version: int | None = None
    lang: Language = DEFAULT

    def meta(self, body: CommandBody) -> Meta:
        key = self.idempotency_key
        digest = "" if key is None else request_hash(self.method, self.path, body, self.lang)
        return Meta(
            effective_on=body.effective_on,
            authority=body.authority,
            note=body.note,
            idempotency_key=key,
            request_hash=digest,
            expected_version=self.expected_version,
            lang=self.lang,
        )

    @staticmethod
    def answer(
        result: CommandResult, response: Response, location: str | None = None
    ) -> CommandAnswer:
        """`{id, version, position}`, 201 + Location for a creation, ETag, replay marker."""
        response.status_code = 201 if result.created else 200
        response.headers["ETag"] = f'"{result.version}"'
        response.headers["X-Roadmap-Position"] = str(result.position)
        if result.created and location is not None:
            response.headers["Location"] = f"{location}/{result.id}"
        if result.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return CommandAnswer(id=result.id, version=result.version, position=result.position)
