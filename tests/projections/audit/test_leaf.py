"""Leaves (issue 13): the fast leaf (orjson) hashes every stored record exactly as the reference.

The reference reads the record with json and the transcoder's tags and writes canonical JSON
with json; the fast leaf reads and writes with orjson and falls back to the reference where
orjson would read or write a value otherwise (lone surrogates, floats, integers past 64 bits).
The records drawn here hold everything a state can: tagged values, any text, any number.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.utils import get_topic
from hypothesis import given
from hypothesis import strategies as st

from domain.model.pledge import Pledge
from projections.audit.leaf import StoredLeaves, leaf_hash


@dataclass(frozen=True)
class Stored:
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


TEXTS = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
NUMBERS = st.integers() | st.floats(allow_nan=False) | st.integers(-(2**70), 2**70)
TAGGED = st.one_of(
    st.builds(lambda d: {"_type_": "decimal_str", "_data_": d}, st.decimals().map(str)),
    st.builds(lambda d: {"_type_": "date_iso", "_data_": d}, st.dates().map(str)),
    st.builds(
        lambda n: {"_type_": "uuid_hex", "_data_": UUID(int=n).hex}, st.integers(0, 2**128 - 1)
    ),
    st.builds(lambda v: {"_type_": "enum", "_data_": ["some.topic:Kind", v]}, TEXTS),
)
TAG_NAMES = st.sampled_from(
    [
        "decimal_str",
        "date_iso",
        "tuple",
        "quantity",
        "priority",
        "text",
        "datetime_iso",
        "enum",
        "uuid_hex",
        "unknown",
    ]
)
VALUES = st.recursive(
    st.none() | st.booleans() | NUMBERS | TEXTS | TAGGED,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(TEXTS, inner, max_size=4)
        # Tags around any value, unknown tags, tags not text: what a hand-made record may hold.
        | st.builds(lambda tag, data: {"_type_": tag, "_data_": data}, TAG_NAMES | inner, inner)
    ),
    max_leaves=12,
)


def state_of(payload: dict[str, Any], moment: str, ascii_only: bool) -> bytes:
    state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": moment},
        "effective_on": {"_type_": "date_iso", "_data_": "2016-10-13"},
        "actor": "bench-ca",
        "actor_party": "CA",
        "authority": None,
        "note": None,
        **payload,
        "class_version": 2,
    }
    text = json.dumps(state, ensure_ascii=ascii_only, separators=(",", ":"))
    return text.encode("utf-8", "surrogatepass")


def _outcome(make: Callable[[], Any]) -> tuple[Any, tuple[type, str] | None]:
    try:
        return make(), None
    except (ValueError, TypeError, AttributeError, LookupError) as error:
        return None, (type(error), str(error))


@given(
    payload=st.dictionaries(TEXTS, VALUES, max_size=5),
    moment=st.sampled_from(["2016-10-13T22:19:20.272518+00:00", "2016-10-13T23:19:20+01:00"]),
    ascii_only=st.booleans(),
)
def test_the_fast_leaf_is_the_reference_leaf_of_any_record(
    payload: dict[str, Any], moment: str, ascii_only: bool
) -> None:
    topic = get_topic(Pledge.ProgressReported)
    stored = Stored(uuid4(), 3, topic, state_of(payload, moment, ascii_only))
    leaves = StoredLeaves()
    expected, refused = _outcome(lambda: leaves.fields(stored))
    if refused is not None:
        # A record the reference cannot read (an unknown tag, a tag of the wrong shape): the fast
        # leaf refuses it with the same words, which `roadmap verify` prints.
        assert _outcome(lambda: leaves.leaf(stored))[1] == refused
        return
    fields, digest = leaves.leaf(stored)
    assert fields == expected
    assert digest == leaf_hash(expected)
