"""Rules as data: dimensions, measures, intervals, thresholds and the columns' Chinese names."""

from __future__ import annotations

# --- Rules as data -------------------------------------------------------------------------------------------

# Cells counting fewer people than this are suppressed for every caller but an administrator. Source: the
# "threshold rule" of statistical disclosure control (Eurostat, *Handbook on Statistical Disclosure Control*,
# 2010, §4.2; UK ONS uses 5 for small-area counts) — no Chinese rule sets a number for this registry.
DEFAULT_MINIMUM_CELL = 5

# Coverage counts verifiers at this level or higher (a smaller number is a higher level): level 3 is the first
# level whose holders lead a verification on their own (brochure: 三级 and above for 核查 teams). Configurable.
DEFAULT_VERIFIER_MAX_LEVEL = 3
VERIFIER_WORK_TYPE = "verification"

# Verifiers needed per 100 key emitters: a planning assumption, not a published norm. A verifier takes part in
# about ten annual verifications (a team of two or three, two to four weeks each, in the March–June season of
# NDRC order 26 of 2024 / 碳排放权交易管理暂行条例 §11), so 100 units need about 25 verifiers.
DEFAULT_COVERAGE_TARGET = 25.0

INTERVALS: tuple[str, ...] = ("month", "quarter", "year")

# Engagements per expert, bucketed so that no bucket names a single person by an extreme count.
ENGAGEMENT_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (1, 1, "1"),
    (2, 2, "2"),
    (3, 3, "3"),
    (4, 5, "4-5"),
    (6, 9, "6-9"),
    (10, None, "10+"),
)
BUSIEST_LIMIT = 10

# Chinese column headers for `lang=zh`; every key a table can carry is here.
HEADERS_ZH: dict[str, str] = {
    "province": "省份代码",
    "province_name": "省份",
    "work_type": "工种",
    "level": "等级",
    "pool": "库",
    "industry": "行业",
    "year": "年度",
    "period": "期间",
    "holders": "有效持证人数",
    "talent_members": "人才库人数",
    "expert_members": "专家库人数",
    "issued": "发证数",
    "expired": "到期数",
    "suspended": "暂停数",
    "revoked": "撤销数",
    "talent_joins": "入人才库人数",
    "talent_leaves": "出人才库人数",
    "expert_joins": "入专家库人数",
    "expert_leaves": "出专家库人数",
    "exams_sat": "参考人次",
    "exams_passed": "合格人次",
    "key_emitters": "重点排放单位数",
    "engagements": "项目数",
    "verifiers": "有效核查员人数",
    "coverage": "每百家重点排放单位核查员数",
    "target": "目标值",
    "shortfall": "缺口人数",
    "previous_key_emitters": "上年重点排放单位数",
    "previous_verifiers": "上年有效核查员人数",
    "previous_coverage": "上年每百家核查员数",
    "coverage_change": "较上年变化",
    "rank": "排名",
    "certificates": "证书数",
    "talent_leavers": "将出人才库人数",
    "expert_leavers": "将出专家库人数",
    "engagements_per_expert": "人均项目数区间",
    "experts": "专家人数",
    "average_team_size": "平均团队人数",
    "verification_engagements": "核查项目数",
    "verification_assignments": "核查人次",
    "same_province_assignments": "本省核查人次",
    "same_province_share": "本省专家承担核查比例",
    "measure": "指标",
    "value": "数值",
    "date": "日期",
}
