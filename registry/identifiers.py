"""Validation and normalisation of the identifiers the registry stores: ID card, USCC, phone, email."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

from registry.errors import InvalidIdentifier
from registry.formulas import FORMULA_RULE, looks_like_formula

# --- Resident identity card number (GB 11643-1999) ---------------------------------------------------------

ID_CARD_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CARD_CHECK_CHARACTERS = "10X98765432"
ID_CARD_PROVINCE_PREFIXES: frozenset[str] = frozenset(
    f"{n:02d}"
    for n in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
    )
)
ID_CARD_EARLIEST_BIRTH = date(1900, 1, 1)

# [0-9] rather than \d: \d also matches full-width and other Unicode digits.
_ID_CARD_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_SEVENTEEN_DIGITS = re.compile(r"[0-9]{17}")
_REGION_CODE = re.compile(r"[0-9]{6}")


def id_card_check_character(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character for the first 17 digits of an ID card number."""
    if not _SEVENTEEN_DIGITS.fullmatch(first17):
        raise InvalidIdentifier("ID card check character needs exactly 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_CARD_WEIGHTS, strict=True))
    return ID_CARD_CHECK_CHARACTERS[total % 11]


def normalize_id_card(value: str, *, today: date | None = None) -> str:
    """Return the 18-character ID card number with an upper-case X, or raise InvalidIdentifier."""
    if not isinstance(value, str):
        raise InvalidIdentifier("ID card number must be text")
    number = value.strip().upper()
    if len(number) != 18:
        raise InvalidIdentifier("ID card number must be 18 characters")
    if not _ID_CARD_SHAPE.fullmatch(number):
        raise InvalidIdentifier("ID card number must be 17 digits followed by a digit or X")
    if number[:2] not in ID_CARD_PROVINCE_PREFIXES:
        raise InvalidIdentifier("ID card region code does not start with a valid province code")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdentifier("ID card birth date is not a real date") from None
    if not ID_CARD_EARLIEST_BIRTH <= birth <= (today or date.today()):
        raise InvalidIdentifier("ID card birth date must be between 1900-01-01 and today")
    if number[17] != id_card_check_character(number[:17]):
        raise InvalidIdentifier("ID card check character is wrong")
    return number


def make_id_card(region_code: str, birth: date, sequence: int) -> str:
    """Build a valid ID card number; an odd `sequence` (0–999) marks a man, an even one a woman."""
    if not _REGION_CODE.fullmatch(region_code):
        raise InvalidIdentifier("ID card region code must be 6 digits")
    if region_code[:2] not in ID_CARD_PROVINCE_PREFIXES:
        raise InvalidIdentifier("ID card region code does not start with a valid province code")
    if not 0 <= sequence <= 999:
        raise InvalidIdentifier("ID card sequence must be between 0 and 999")
    first17 = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_card_check_character(first17)


def id_card_hash(id_card: str, key: bytes) -> str:
    """Return the HMAC-SHA256 hex digest of the normalised ID card number, for lookups without storing it."""
    number = normalize_id_card(id_card)
    return hmac.new(key, number.encode("ascii"), hashlib.sha256).hexdigest()


def id_card_tail(id_card: str) -> str:
    """Return the last 4 characters of the normalised ID card number, for display next to a masked name."""
    return normalize_id_card(id_card)[-4:]


# --- Unified social credit code (GB 32100-2015) ------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
USCC_WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_REGISTRATION_AUTHORITIES = "123456789ANY"
_USCC_VALUE: dict[str, int] = {char: index for index, char in enumerate(USCC_ALPHABET)}


def uscc_check_character(first17: str) -> str:
    """Return the MOD 31 check character for the first 17 characters of a unified social credit code."""
    if len(first17) != 17 or any(char not in _USCC_VALUE for char in first17):
        raise InvalidIdentifier("USCC check character needs exactly 17 characters from the code alphabet")
    total = sum(_USCC_VALUE[char] * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    check = 31 - total % 31
    return USCC_ALPHABET[0 if check == 31 else check]


def normalize_uscc(value: str) -> str:
    """Return the upper-case 18-character unified social credit code, or raise InvalidIdentifier."""
    if not isinstance(value, str):
        raise InvalidIdentifier("unified social credit code must be text")
    code = value.strip().upper()
    if len(code) != 18:
        raise InvalidIdentifier("unified social credit code must be 18 characters")
    if any(char not in _USCC_VALUE for char in code):
        raise InvalidIdentifier(
            "unified social credit code may only use digits and upper-case letters other than I, O, S, V, Z"
        )
    if code[0] not in USCC_REGISTRATION_AUTHORITIES:
        raise InvalidIdentifier(
            "unified social credit code has an unknown registration authority (position 1)"
        )
    # Position 2 (organisation type) is not checked: the set of types grows, and the check character
    # already catches typing errors there.
    if not code[2:8].isdigit():
        raise InvalidIdentifier("unified social credit code positions 3-8 must be a numeric region code")
    if code[17] != uscc_check_character(code[:17]):
        raise InvalidIdentifier("unified social credit code check character is wrong")
    return code


def make_uscc(first17: str) -> str:
    """Append the check character to 17 characters and return the validated unified social credit code."""
    body = first17.strip().upper()
    return normalize_uscc(body + uscc_check_character(body))


# --- Contact details ---------------------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_SEPARATORS = re.compile(r"[\s-]+")
EMAIL_MAX_LENGTH = 254


def normalize_phone(value: str) -> str:
    """Return an 11-digit mainland mobile number without separators or +86, or raise InvalidIdentifier."""
    if not isinstance(value, str):
        raise InvalidIdentifier("phone must be an 11-digit mainland mobile number")
    number = _SEPARATORS.sub("", value)
    for prefix in ("+86", "86"):
        rest = number.removeprefix(prefix)
        if rest != number and len(rest) == 11 and rest.isascii() and rest.isdigit():
            number = rest
            break
    if not _MOBILE.fullmatch(number):
        raise InvalidIdentifier("phone must be an 11-digit mainland mobile number")
    return number


def normalize_email(value: str) -> str:
    """Return the trimmed email address with a lower-case domain, or raise InvalidIdentifier."""
    if not isinstance(value, str):
        raise InvalidIdentifier("email must be text")
    address = value.strip()
    if len(address) > EMAIL_MAX_LENGTH:
        raise InvalidIdentifier(f"email must be at most {EMAIL_MAX_LENGTH} characters")
    if any(char.isspace() for char in address):
        raise InvalidIdentifier("email must not contain spaces")
    if address.count("@") != 1:
        raise InvalidIdentifier("email must contain exactly one @")
    local, domain = address.split("@")
    if not local:
        raise InvalidIdentifier("email must have a name before the @")
    if looks_like_formula(address):  # an address comes back in exports: the import's rule, everywhere
        raise InvalidIdentifier(f"email {FORMULA_RULE}")
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels):
        raise InvalidIdentifier("email domain must be a dotted name such as example.cn")
    # Only the domain is case-insensitive by the standard; the local part is kept as typed.
    return f"{local}@{domain.lower()}"
