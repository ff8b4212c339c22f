"""Practitioner ids as the index holds them: their 16 bytes, not their 36 characters (16 MB at a million people,
not 34).

Ids are UUIDs in canonical text (lowercase hex, hyphens after the 8th, 12th, 16th and 20th digit): how the
registry makes them (`uuid.uuid4()`, `seed.numbering.new_id`) and how the API's routes take them. Their bytes sort
as their text does (hex digits in order, hyphens in fixed places), so `ORDER BY p.id` is the byte order. Both ways
are vectorised: the full-text candidates of a broad `q` are tens of thousands of ids.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

WIDTH, TEXT = 16, 36
_HYPHENS = np.array([8, 13, 18, 23])
_DIGITS = np.array([i for i in range(TEXT) if i not in _HYPHENS])
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_NIBBLE = np.full(256, 255, dtype=np.uint8)  # a character's hex value; 255: not a lowercase hex digit
_NIBBLE[_HEX] = np.arange(16)


def encode(ids: Sequence[str], *, strict: bool = True) -> np.ndarray:
    """The ids as 16-byte values (dtype S16). An id not in canonical UUID text raises ValueError when `strict`;
    otherwise it becomes b"", which no practitioner has (the caller's "not held")."""
    if not len(ids):
        return np.zeros(0, dtype=f"S{WIDTH}")
    try:
        text = np.array(ids, dtype="S")
    except UnicodeEncodeError:  # not ASCII: not an id
        text = np.array([i.encode("ascii", "replace") for i in ids], dtype="S")
    valid = np.char.str_len(text) == TEXT
    chars = np.ascontiguousarray(text.astype(f"S{TEXT}")).view(np.uint8).reshape(-1, TEXT)
    nibbles = _NIBBLE[chars[:, _DIGITS]]
    valid &= (chars[:, _HYPHENS] == ord("-")).all(axis=1) & (nibbles != 255).all(axis=1)
    if strict and not valid.all():
        bad = ids[int(np.flatnonzero(~valid)[0])]
        raise ValueError(f"A practitioner id must be a UUID in canonical form, not {bad!r}")
    packed = (nibbles[:, 0::2] << 4) | nibbles[:, 1::2]
    packed[~valid] = 0
    return np.ascontiguousarray(packed).view(f"S{WIDTH}").reshape(-1)


def decode(values: np.ndarray) -> list[str]:
    """The canonical text of 16-byte ids."""
    raw = np.ascontiguousarray(values.astype(f"S{WIDTH}")).view(np.uint8).reshape(-1, WIDTH)
    chars = np.full((len(raw), TEXT), ord("-"), dtype=np.uint8)
    nibbles = np.empty((len(raw), 2 * WIDTH), dtype=np.uint8)
    nibbles[:, 0::2], nibbles[:, 1::2] = raw >> 4, raw & 15
    chars[:, _DIGITS] = _HEX[nibbles]
    return [value.decode() for value in chars.view(f"S{TEXT}").reshape(-1)]
