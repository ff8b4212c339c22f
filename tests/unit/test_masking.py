import pytest

from registry.masking import mask_email, mask_name, mask_phone, redact_text


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("", ""),
        ("   ", ""),
        ("张", "*"),
        ("张三", "张*"),
        ("张三丰", "张*丰"),
        ("欧阳娜娜", "欧**娜"),
        (" 张三丰 ", "张*丰"),
    ],
)
def test_chinese_names_keep_the_first_and_last_character(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("John Smith", "J*** ****h"),
        ("买买提·艾力", "买**·*力"),
        ("阿依古丽·买买提·艾力", "阿***·***·*力"),
        ("A B", "A *"),
    ],
)
def test_names_with_parts_keep_their_separators(name, masked):
    assert mask_name(name) == masked


def test_mask_never_shows_a_middle_character():
    assert "三" not in mask_name("张三丰")


def test_phone_keeps_prefix_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"


def test_phone_is_normalised_before_masking():
    assert mask_phone("+86 138-1234-5678") == "138****5678"


def test_unrecognised_phone_is_still_masked():
    assert mask_phone("010-12345678") == "010*****5678"
    assert mask_phone("12345") == "*****"


def test_email_keeps_first_character_and_domain():
    assert mask_email("abc@x.cn") == "a**@x.cn"
    assert mask_email("li.wei@example.com.cn") == "l*****@example.com.cn"


def test_free_text_loses_every_address_id_number_and_phone():
    text = (
        "SMTPRecipientsRefused: {'li.wei@example.com.cn': (550, b'no such user')}; "
        "id 11010519491231002X, phone +86 138-1234-5678 and 13912345678"
    )
    redacted = redact_text(text)
    for secret in ("li.wei", "example.com.cn", "11010519491231002X", "1234-5678", "13912345678"):
        assert secret not in redacted
    assert redacted.count("<e-mail>") == 1 and redacted.count("<id card>") == 1
    assert "no such user" in redacted


def test_ids_counts_and_dates_stay_readable():
    text = "run 6f6aaf88-a870-4b6f-8b2d-5eb611986091 sent 1234 of 98765432101234567890 on 2026-12-08"
    assert redact_text(text) == text
