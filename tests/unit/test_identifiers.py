from datetime import date

import pytest

from registry.errors import InvalidIdentifier
from registry.identifiers import (
    id_card_check_character,
    id_card_hash,
    id_card_tail,
    make_id_card,
    make_uscc,
    normalize_email,
    normalize_id_card,
    normalize_phone,
    normalize_uscc,
    uscc_check_character,
)

PUBLISHED_ID_CARD = "11010519491231002X"
PUBLISHED_USCC = "91350100M000100Y43"


def _with_wrong_last_character(value: str, alphabet: str) -> str:
    wrong = next(char for char in alphabet if char != value[-1])
    return value[:-1] + wrong


# --- ID card ---


def test_published_example_id_card_is_accepted():
    assert normalize_id_card(PUBLISHED_ID_CARD) == PUBLISHED_ID_CARD


def test_generated_id_card_is_accepted():
    number = make_id_card("440305", date(1990, 7, 15), 123)
    assert len(number) == 18
    assert number.startswith("44030519900715123")
    assert normalize_id_card(number) == number


@pytest.mark.parametrize("sequence", [0, 1, 2, 57, 998, 999])
def test_generated_id_cards_pass_their_own_check(sequence):
    number = make_id_card("110105", date(1985, 2, 28), sequence)
    assert number[14:17] == f"{sequence:03d}"
    assert normalize_id_card(number) == number


def test_lowercase_x_and_surrounding_spaces_are_normalised():
    assert normalize_id_card("  11010519491231002x \n") == PUBLISHED_ID_CARD


def test_check_character_follows_iso_7064_mod_11_2():
    assert id_card_check_character("11010519491231002") == "X"
    assert (
        id_card_check_character(make_id_card("310101", date(2000, 1, 1), 7)[:17])
        == make_id_card("310101", date(2000, 1, 1), 7)[17]
    )


@pytest.mark.parametrize("number", [PUBLISHED_ID_CARD, make_id_card("650102", date(1972, 10, 3), 456)])
def test_id_card_with_a_wrong_check_character_is_rejected(number):
    with pytest.raises(InvalidIdentifier, match="check character is wrong"):
        normalize_id_card(_with_wrong_last_character(number, "0123456789X"))


@pytest.mark.parametrize("number", ["", "1101051949123100", "11010519491231002X1"])
def test_id_card_of_the_wrong_length_is_rejected(number):
    with pytest.raises(InvalidIdentifier, match="must be 18 characters"):
        normalize_id_card(number)


def test_id_card_with_a_letter_before_the_last_place_is_rejected():
    with pytest.raises(InvalidIdentifier, match="17 digits followed by a digit or X"):
        normalize_id_card("1101051949123100X2")


def test_id_card_with_full_width_digits_is_rejected():
    with pytest.raises(InvalidIdentifier):
        normalize_id_card("１１0105194912310020")


@pytest.mark.parametrize(
    "prefix", ["00", "10", "16", "20", "38", "47", "55", "66", "70", "72", "80", "83", "91"]
)
def test_id_card_with_an_unknown_province_is_rejected(prefix):
    first17 = prefix + "010519800101001"
    number = first17 + id_card_check_character(first17)
    with pytest.raises(InvalidIdentifier, match="province"):
        normalize_id_card(number)


@pytest.mark.parametrize(
    "prefix", ["11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65", "71"]
)
def test_id_card_with_each_edge_province_is_accepted(prefix):
    first17 = prefix + "010519800101001"
    number = first17 + id_card_check_character(first17)
    assert normalize_id_card(number) == number


@pytest.mark.parametrize("prefix", ["81", "82"])
def test_hong_kong_and_macao_residence_prefixes_are_accepted(prefix):
    number = make_id_card(prefix + "0000", date(1995, 5, 5), 12)
    assert normalize_id_card(number) == number


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19490000", "20230229"])
def test_id_card_with_an_impossible_birth_date_is_rejected(birth):
    first17 = "110105" + birth + "002"
    number = first17 + id_card_check_character(first17)
    with pytest.raises(InvalidIdentifier, match="birth date is not a real date"):
        normalize_id_card(number)


def test_id_card_born_on_a_leap_day_is_accepted():
    number = make_id_card("110105", date(2000, 2, 29), 3)
    assert normalize_id_card(number) == number


def test_id_card_born_before_1900_is_rejected():
    number = make_id_card("110105", date(1899, 12, 31), 3)
    with pytest.raises(InvalidIdentifier, match="between 1900-01-01 and today"):
        normalize_id_card(number)


def test_id_card_born_after_today_is_rejected_and_born_today_is_accepted():
    today = date(2025, 6, 1)
    assert normalize_id_card(make_id_card("110105", today, 3), today=today)
    with pytest.raises(InvalidIdentifier, match="between 1900-01-01 and today"):
        normalize_id_card(make_id_card("110105", date(2025, 6, 2), 3), today=today)


@pytest.mark.parametrize(
    ("region", "sequence"),
    [("11010", 1), ("1101051", 1), ("11010a", 1), ("990105", 1), ("110105", -1), ("110105", 1000)],
)
def test_make_id_card_refuses_bad_parts(region, sequence):
    with pytest.raises(InvalidIdentifier):
        make_id_card(region, date(1990, 1, 1), sequence)


def test_id_card_hash_is_keyed_and_ignores_case_of_x():
    key = b"secret-key"
    digest = id_card_hash(PUBLISHED_ID_CARD, key)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert id_card_hash("11010519491231002x", key) == digest
    assert id_card_hash(PUBLISHED_ID_CARD, b"other-key") != digest
    assert PUBLISHED_ID_CARD not in digest


def test_id_card_hash_rejects_an_invalid_number():
    with pytest.raises(InvalidIdentifier):
        id_card_hash("110105194912310021", b"k")


def test_id_card_tail_is_the_last_four_characters_normalised():
    assert id_card_tail(" 11010519491231002x") == "002X"


# --- USCC ---


def test_published_example_uscc_is_accepted():
    assert normalize_uscc(PUBLISHED_USCC) == PUBLISHED_USCC


def test_uscc_is_trimmed_and_upper_cased():
    assert normalize_uscc(" 91350100m000100y43 ") == PUBLISHED_USCC


def test_uscc_check_character_matches_the_published_example():
    assert uscc_check_character(PUBLISHED_USCC[:17]) == "3"


def test_uscc_with_a_changed_check_character_is_rejected():
    with pytest.raises(InvalidIdentifier, match="check character is wrong"):
        normalize_uscc(_with_wrong_last_character(PUBLISHED_USCC, "0123456789ABCDEFGHJKLMNPQRTUWXY"))


def test_uscc_with_a_changed_body_character_is_rejected():
    with pytest.raises(InvalidIdentifier, match="check character is wrong"):
        normalize_uscc("91350100M000100Y53")


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_uscc_with_a_letter_outside_the_alphabet_is_rejected(letter):
    with pytest.raises(InvalidIdentifier, match="other than I, O, S, V, Z"):
        normalize_uscc("91350100M000100" + letter + "43")


def test_uscc_of_the_wrong_length_is_rejected():
    with pytest.raises(InvalidIdentifier, match="18 characters"):
        normalize_uscc(PUBLISHED_USCC[:17])


def test_uscc_with_an_unknown_registration_authority_is_rejected():
    body = "B1350100M000100Y4"
    with pytest.raises(InvalidIdentifier, match="registration authority"):
        normalize_uscc(body + uscc_check_character(body))


def test_uscc_with_a_letter_in_the_region_code_is_rejected():
    body = "9135A100M000100Y4"
    with pytest.raises(InvalidIdentifier, match="region code"):
        normalize_uscc(body + uscc_check_character(body))


def test_uscc_accepts_any_alphabet_character_as_organisation_type():
    assert normalize_uscc(make_uscc("9X350100M000100Y4")).startswith("9X")


def test_uscc_check_character_zero_when_the_remainder_is_zero():
    # Find a body whose weighted sum is a multiple of 31, so the "31 means 0" branch is exercised.
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = next(
        f"91350100M00010{a}{b}{c}"
        for a in alphabet
        for b in alphabet
        for c in alphabet
        if uscc_check_character(f"91350100M00010{a}{b}{c}") == "0"
    )
    assert normalize_uscc(body + "0") == body + "0"


def test_make_uscc_appends_a_valid_check_character():
    code = make_uscc("91110000mA01ABCD1")
    assert code == "91110000MA01ABCD1" + uscc_check_character("91110000MA01ABCD1")
    assert normalize_uscc(code) == code


def test_make_uscc_refuses_a_body_it_cannot_make_valid():
    with pytest.raises(InvalidIdentifier):
        make_uscc("91350100M000100Y")


# --- Phone ---


@pytest.mark.parametrize(
    "raw",
    ["13812345678", "138 1234 5678", "138-1234-5678", "+8613812345678", "+86 138 1234 5678", "8613812345678"],
)
def test_mainland_mobile_numbers_are_normalised_to_11_digits(raw):
    assert normalize_phone(raw) == "13812345678"


@pytest.mark.parametrize(
    "raw", ["12812345678", "1381234567", "138123456789", "+85213812345678", "010-12345678", "1381234567a", ""]
)
def test_other_phone_numbers_are_rejected(raw):
    with pytest.raises(InvalidIdentifier, match="11-digit mainland mobile number"):
        normalize_phone(raw)


# --- Email ---


def test_email_is_trimmed_and_its_domain_lower_cased():
    assert normalize_email("  Li.Wei@Example.COM.cn ") == "Li.Wei@example.com.cn"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("li.wei.example.cn", "exactly one @"),
        ("li@wei@example.cn", "exactly one @"),
        ("@example.cn", "before the @"),
        ("li@localhost", "dotted name"),
        ("li@example..cn", "dotted name"),
        ("li@.example.cn", "dotted name"),
        ("li wei@example.cn", "spaces"),
        ("l" * 250 + "@x.cn", "at most 254"),
    ],
)
def test_malformed_email_is_rejected(raw, message):
    with pytest.raises(InvalidIdentifier, match=message):
        normalize_email(raw)


def test_email_of_exactly_254_characters_is_accepted():
    address = "l" * 249 + "@x.cn"
    assert len(address) == 254
    assert normalize_email(address) == address
