"""The read models' transcoder writes, through orjson, the very bytes the log's transcoder writes
(issue 13): over arbitrary values of every type the record holds, and those only the reference
path writes exactly (lone surrogates, floats, integers past 64 bits)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from domain.model.texts import Text
from domain.model.values import PledgeKind, Priority, Quantity
from domain.storage.transcoding import LedgerTranscoder
from projections.runtime.transcoder import ReadModelTranscoder

REFERENCE = LedgerTranscoder()
UNITS = ["personnel", "EUR", "CAD"]
FAST = ReadModelTranscoder()

texts = st.text()  # lone surrogates included: the log holds what was written below the API
moments = st.datetimes(timezones=st.sampled_from([UTC, None]))
decimals = st.decimals(allow_nan=False, allow_infinity=False)
amounts = st.decimals(min_value=0, allow_nan=False, allow_infinity=False)
words = st.text(st.characters(codec="utf-8"), min_size=1)
values = (
    texts
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.booleans()
    | st.none()
    | st.floats()
    | moments
    | st.dates()
    | decimals
    | st.uuids()
    | st.sampled_from(PledgeKind)
    | st.builds(Quantity, amounts, st.sampled_from(UNITS))
    | st.builds(Text, en=words, fr=st.none(), lang=st.just("en"))
    | st.builds(Priority, words, st.builds(Text, en=st.none(), fr=words, lang=st.just("fr")))
)
trees = st.recursive(
    values,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(texts, inner, max_size=4)
    ),
    max_leaves=20,
)


def reference(value: Any) -> bytes:
    return REFERENCE.encoder.encode(REFERENCE._tag(value)).encode("utf-8", "surrogatepass")


@given(trees)
def test_the_fast_encoding_is_the_reference_encoding_byte_for_byte(value: Any) -> None:
    assert FAST.encode(value) == reference(value)


@given(trees)
def test_what_it_writes_reads_back_as_the_log_transcoder_reads_it(value: Any) -> None:
    encoded = FAST.encode(value)
    assert repr(FAST.decode(encoded)) == repr(REFERENCE.decode(reference(value)))


def test_a_state_of_the_record_goes_the_fast_way() -> None:
    state = {
        "id": UUID(int=7),
        "on": date(2016, 10, 13),
        "at": datetime(2016, 10, 13, 9, tzinfo=UTC),
        "amount": Quantity(Decimal("600"), "personnel"),
        "kinds": (PledgeKind.TRAINING,),
    }
    assert FAST._tagged(state)["amount"] == {
        "_type_": "quantity",
        "_data_": {"amount": "600", "unit": "personnel"},
    }
    assert FAST.encode(state) == reference(state)
