import pytest

from registry.masking import mask_email, mask_name, mask_phone


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
