"""Masks for personal data shown to people who may not see it in full (public search, lists, exports)."""

from __future__ import annotations

import re

from registry.errors import InvalidIdentifier
from registry.identifiers import normalize_phone

MASK = "*"
# A space ("John Smith") or a middle dot ("买买提·艾力") separates parts of a name; separators stay visible.
NAME_SEPARATORS = frozenset({" ", "·"})


def mask_name(name: str) -> str:
    """Mask a person's name: 张三 → 张*, 张三丰 → 张*丰, 买买提·艾力 → 买**·*力, a single character → *."""
    text = name.strip()
    letters = [index for index, char in enumerate(text) if char not in NAME_SEPARATORS]
    if len(letters) <= 1:
        keep: set[int] = set()
    elif len(letters) == 2:
        # Showing both characters of a two-character name would show all of it.
        keep = {letters[0]}
    else:
        keep = {letters[0], letters[-1]}
    return "".join(
        char if char in NAME_SEPARATORS or index in keep else MASK for index, char in enumerate(text)
    )


def mask_phone(phone: str) -> str:
    """Mask a mobile number as 138****5678: the carrier prefix and last four digits stay."""
    try:
        number = normalize_phone(phone)
    except InvalidIdentifier:
        # Stored data may predate validation; mask it anyway rather than fail a read.
        number = phone.strip()
        if len(number) < 8:
            return MASK * len(number)
    return number[:3] + MASK * (len(number) - 7) + number[-4:]


def mask_email(email: str) -> str:
    """Mask an email address as a**@x.cn: the first character of the local part and the domain stay."""
    address = email.strip()
    local, at, domain = address.rpartition("@")
    if not at:
        local, domain = address, ""
    if not local:
        return address
    return local[0] + MASK * (len(local) - 1) + at + domain


ID_CARD_LENGTH = 18  # GB 11643


def mask_id_card(tail: str) -> str:
    """An ID card number shown from its last four characters only: **************123X."""
    return MASK * (ID_CARD_LENGTH - len(tail)) + tail


# Shapes of personal data that free text (an exception's message, a server's reply) may carry: an e-mail address,
# an ID card number (GB 11643: 18 characters, the last may be X) or a mainland mobile number. Digits inside
# longer runs of digits are left alone, so ids and counts stay readable.
_PERSONAL_SHAPES = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "<e-mail>"),
    (re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])"), "<id card>"),
    (re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"), "<phone>"),
)


def redact_text(text: str) -> str:
    """Free text with every e-mail address, ID card number and mobile number in it replaced by what it was."""
    for pattern, label in _PERSONAL_SHAPES:
        text = pattern.sub(label, text)
    return text
