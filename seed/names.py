"""Frequency tables for plausible, synthetic Chinese personal names.

The surname weights follow the published shape of the national surname distribution (a few surnames cover
most people, then a long tail); the given-name characters are ones widely used in names of the generations
now at work. Nothing here comes from any real person: names are drawn character by character.
"""

from __future__ import annotations

import itertools
import random

# (surname, relative weight): roughly per-ten-thousand shares, so 王 ≈ 7 % and 欧阳 ≈ 0.02 %.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 710), ("李", 700), ("张", 640), ("刘", 530), ("陈", 450), ("杨", 310), ("黄", 210),
    ("赵", 200), ("吴", 190), ("周", 190), ("徐", 160), ("孙", 150), ("马", 140), ("朱", 130),
    ("胡", 130), ("郭", 120), ("何", 110), ("林", 110), ("高", 100), ("罗", 95), ("郑", 85),
    ("梁", 85), ("谢", 70), ("宋", 70), ("唐", 65), ("许", 62), ("韩", 60), ("邓", 60), ("冯", 59),
    ("曹", 55), ("彭", 54), ("曾", 52), ("肖", 51), ("田", 50), ("董", 50), ("潘", 45), ("袁", 45),
    ("蔡", 44), ("蒋", 44), ("余", 43), ("于", 43), ("杜", 42), ("叶", 42), ("程", 41), ("魏", 40),
    ("苏", 37), ("吕", 36), ("丁", 35), ("任", 35), ("卢", 34), ("姚", 34), ("沈", 34), ("钟", 33),
    ("姜", 33), ("崔", 32), ("谭", 32), ("陆", 31), ("范", 28), ("汪", 28), ("廖", 27), ("石", 27),
    ("金", 26), ("韦", 26), ("贾", 25), ("夏", 25), ("付", 25), ("方", 24), ("邹", 24), ("熊", 24),
    ("白", 23), ("孟", 23), ("秦", 23), ("邱", 22), ("侯", 22), ("江", 22), ("尹", 21), ("薛", 21),
    ("闫", 21), ("段", 20), ("雷", 20), ("龙", 18), ("黎", 18), ("史", 18), ("陶", 17), ("贺", 17),
    ("毛", 16), ("郝", 16), ("顾", 16), ("龚", 15), ("邵", 15), ("万", 15), ("覃", 14), ("武", 14),
    ("钱", 14), ("戴", 13), ("严", 13), ("莫", 12), ("孔", 12), ("向", 12), ("常", 12), ("汤", 11),
    ("欧阳", 2.0), ("司马", 0.5), ("诸葛", 0.5), ("上官", 0.5), ("皇甫", 0.3), ("东方", 0.3),
    ("令狐", 0.2), ("慕容", 0.2), ("公孙", 0.2), ("尉迟", 0.1),
)  # fmt: skip

# Given-name characters by gender lean: "m" mostly in men's names, "f" in women's, "n" in both.
# The first string of each lean holds the most frequent characters (weight 3), the second the rest (weight 1).
_GIVEN: dict[str, tuple[str, str]] = {
    "m": (
        "伟强磊军勇杰涛斌超刚辉鹏飞鑫波浩凯健俊峰",
        "帆帅旭龙林阳东亮建国志海博武德成坤豪振毅锋彬栋铭轩睿哲鸿江山松柏岩森力兵昊宏伦康星虎卫"
        "庆良贵忠永钧航泽远达顺捷晖炜昌生义荣广光胜奇铮越骏皓威",
    ),
    # Characters are chosen so that no contact named in the source brochure can come out of the generator.
    "f": (
        "芳娜敏静丽艳娟霞秀燕玲丹萍红婷",
        "桂玉兰雪琳晶慧倩洁琴莉梅欣悦怡璐瑶蕾薇莹露凤珍菲岚琪媛婧嫣雯霏娴淑惠妍姗蓉萱茜婉诗梦"
        "馨彤妮璇琼爽美翠月冰苗婕晴曼依楠",
    ),
    "n": (
        "华明文晓宇",
        "子梓思雨嘉一天安新宁心家雅可乐若紫亦恩韵清景泓逸方金丰晨瑞涵然琦春秋冬艺青云平",
    ),
}
GIVEN_NAME_CHARACTERS: tuple[tuple[str, str, float], ...] = tuple(
    (char, lean, weight)
    for lean, (common, rest) in _GIVEN.items()
    for chars, weight in ((common, 3.0), (rest, 1.0))
    for char in chars
)

SINGLE_CHARACTER_GIVEN_NAME_SHARE = 0.12
# Characters doubled in a given name (婷婷, 丹丹) — common for women, so only those are allowed twice.
REDUPLICATED: frozenset[str] = frozenset("婷丹娜莉琳晶静燕欣悦璐瑶露菲雯冰晴")
# How much a gender-neutral character counts towards either gender, against a gendered one.
_NEUTRAL_FACTOR = 0.7


def _cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


_SURNAME_CHOICES = [surname for surname, _ in SURNAMES]
_SURNAME_CUM = _cumulative([weight for _, weight in SURNAMES])
_GIVEN_CHOICES: dict[str, tuple[list[str], list[float]]] = {}
for _gender, _lean in (("male", "m"), ("female", "f")):
    _pairs = [
        (char, weight * (_NEUTRAL_FACTOR if lean == "n" else 1.0))
        for char, lean, weight in GIVEN_NAME_CHARACTERS
        if lean in (_lean, "n")
    ]
    _GIVEN_CHOICES[_gender] = ([char for char, _ in _pairs], _cumulative([weight for _, weight in _pairs]))


def pick_surname(rng: random.Random) -> str:
    """Draw a surname with its population weight."""
    return rng.choices(_SURNAME_CHOICES, cum_weights=_SURNAME_CUM)[0]


def pick_given_name(rng: random.Random, gender: str) -> str:
    """Draw a one- or two-character given name leaning to `gender` ("male" or "female")."""
    chars, cum = _GIVEN_CHOICES[gender]
    first = rng.choices(chars, cum_weights=cum)[0]
    if rng.random() < SINGLE_CHARACTER_GIVEN_NAME_SHARE:
        return first
    second = rng.choices(chars, cum_weights=cum)[0]
    while second == first and first not in REDUPLICATED:
        second = rng.choices(chars, cum_weights=cum)[0]
    return first + second


def pick_name(rng: random.Random, gender: str) -> str:
    """Draw a full synthetic name (surname then given name) for `gender` ("male" or "female")."""
    return pick_surname(rng) + pick_given_name(rng, gender)
