"""Practitioner ids in the search index (services/search_index/ids.py): 16 bytes that sort as the text does."""

from __future__ import annotations

import random
import uuid

import numpy as np
import pytest

from services.search_index import ids


def test_ids_round_trip_and_sort_as_their_text():
    rng = random.Random(3)
    text = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(2000)]
    text += ["00000000-0000-4000-8000-000000000000", "ffffffff-ffff-4fff-bfff-ffffffffff00"]
    packed = ids.encode(text)
    assert packed.dtype == np.dtype("S16")
    assert ids.decode(packed) == text
    assert ids.decode(np.sort(packed)) == sorted(text)  # trailing zero bytes included


@pytest.mark.parametrize(
    "bad",
    ["p-1", "", "6F9619FF-8B86-4011-B42D-00C04FC964FF", "6f9619ff8b864011b42d00c04fc964ff0000",
     "6f9619ff-8b86-4011-b42d-00c04fc964f", "6f9619ff-8b86-4011-b42d-00c04fc964fff", "6f9619ff-8b86-4011-b42d-00c04fc964fg",
     "6f9619ff-8b86-4011-b42d-00c04fc964f—"],
)  # fmt: skip
def test_anything_else_is_refused_or_held_by_nobody(bad):
    with pytest.raises(ValueError, match="canonical"):
        ids.encode([str(uuid.uuid4()), bad])
    good = str(uuid.uuid4())
    packed = ids.encode([good, bad], strict=False)
    assert packed[1] == b"" and ids.decode(packed[:1]) == [good]
