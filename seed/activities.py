"""Generated public-welfare activities (issue 25): a few thousand a year at 100 000 practitioners, in proportion
at other sizes, with participation that follows region and level — so dashboards and the bench have something
real to show.

Shaped as helper D's services write them (docs/activities.md): `Activity` nodes organized by an organization,
their status history as `ActivityStatusChange` nodes, `JOINED` participation with its status and hours. Organizers
are each province's ecology department (生态环境厅/局, generated here as `government` organizations, and the
ministry for national activities) and, for some lectures, the registry's training bases in the province.

Deterministic for a registry (size, seed, today): activities come from `random.Random(f"{seed}:act:{n}")`, and a
person's sign-ups from `random.Random(f"{seed}:join:{id}")` in the order the registry yields its people, so the
places left in each activity (capacity) are the same for any batch size.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from registry.activities import KINDS
from registry.reference import PROVINCES, province_of
from seed.distributions import PROVINCE_WEIGHTS, Weighted
from seed.numbering import new_id
from seed.synthetic import Batch, SyntheticRegistry

ACTIVITIES_PER_PERSON_YEAR = 0.03  # ≈ 3 000 a year at 100 000 practitioners (issue 25)
YEARS = 2  # the span of held activities, ending today; announced ones run AHEAD_DAYS past it
AHEAD_DAYS = 60
NATIONAL_SHARE = 0.06  # activities of the ministry, open to everyone (most online)
TRAINING_BASE_LECTURE_SHARE = 0.3  # lectures a training base organizes rather than the department
CANCELLED_SHARE = 0.03
DRAFT_SHARE = 0.1  # of the announced ones: not yet published, no sign-ups
ATTENDED_SHARE = 0.88  # of the confirmed people of a held activity; the rest are recorded absent
SAME_PROVINCE_SHARE = 0.85  # a person's sign-ups in their own province; the rest national ones
# Sign-ups a year by the person's best valid level (None: no valid certificate): experts answer more calls.
JOINS_PER_YEAR: dict[int | None, float] = {1: 1.6, 2: 1.2, 3: 0.7, 4: 0.45, None: 0.12}
KIND_WEIGHTS: dict[str, float] = {
    "publicity": 26, "sme_assistance": 20, "lecture": 24, "carbon_inclusion": 12, "policy_consultation": 10,
    "other": 8,
}  # fmt: skip
assert set(KIND_WEIGHTS) == set(KINDS)
# 全国低碳日 falls in 节能宣传周 (June): publicity clusters there.
MONTH_WEIGHTS: dict[int, float] = {m: (4.0 if m == 6 else 1.0) for m in range(1, 13)}


@dataclass(frozen=True)
class KindShape:
    """How an activity of one kind usually looks: titles, hours per person, days, places, online share, needs."""

    titles: tuple[str, ...]
    hours: tuple[float, ...]
    days: tuple[int, ...]
    capacity: tuple[int, int]
    online: float
    min_level: int | None = None
    level_share: float = 0.0  # how often min_level is asked
    work_type: str | None = None
    work_type_share: float = 0.0


SHAPES: dict[str, KindShape] = {
    "publicity": KindShape(("全国低碳日主题宣传", "节能宣传周进社区", "绿色低碳生活宣传"), (3.0, 4.0), (1,), (20, 60),
                           0.05),
    "sme_assistance": KindShape(("中小企业碳排放核算公益帮扶", "小微企业碳盘查义务指导"), (8.0, 6.0), (1, 2), (5, 15), 0.1,
                                min_level=3, level_share=0.6, work_type="accounting", work_type_share=0.5),
    "lecture": KindShape(("碳达峰碳中和公益讲座", "走进校园：碳排放管理员职业讲座", "企业碳管理公开课"), (2.0, 2.5), (1,),
                         (30, 120), 0.3, min_level=3, level_share=0.4),
    "carbon_inclusion": KindShape(("碳普惠项目志愿服务", "碳普惠方法学宣讲"), (4.0,), (1, 2), (10, 40), 0.1),
    "policy_consultation": KindShape(("地方碳排放核查技术规范（征求意见稿）意见征集", "碳市场配额分配方案意见征集"),
                                     (6.0, 4.0), (1, 3), (10, 30), 0.6, min_level=2, level_share=0.9),
    "other": KindShape(("低碳志愿服务日", "碳排放管理员公益咨询日"), (3.0,), (1,), (10, 30), 0.1),
}  # fmt: skip
PLACES: tuple[str, ...] = ("社区服务中心", "市民中心", "职业技术学院报告厅", "工业园区管委会", "图书馆报告厅")
KIND_CHOICE = Weighted(KIND_WEIGHTS)
PROVINCE_CHOICE = Weighted(PROVINCE_WEIGHTS)
PROVINCE_NAMES = dict(PROVINCES)
MINISTRY = "生态环境部应对气候变化司"
MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})


def _department_name(province: str) -> str:
    name = PROVINCE_NAMES[province]
    return f"{name}生态环境局" if province in MUNICIPALITIES else f"{name}生态环境厅"


@dataclass
class ActivityPlan:
    """The registry's activities and their organizers; `participation(batch)` gives each batch's sign-ups."""

    seed: int
    today: date
    organizers: list[dict[str, Any]]
    activities: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    by_province: dict[str | None, list[int]]
    taken: list[int] = field(default_factory=list)

    def participation(self, batch: Batch) -> list[dict[str, Any]]:
        """The batch's people's sign-ups (JOINED rows: practitioner_id, activity_id and the relationship's
        properties), drawn person by person; an activity takes no more people than its capacity."""
        best = _best_levels(batch.certificates, self.today)
        work_types = _work_types(batch.certificates, self.today)
        rows: list[dict[str, Any]] = []
        for person in batch.practitioners:
            rows.extend(self._joins(person, best.get(person["id"]), work_types.get(person["id"], set())))
        return rows

    def _joins(self, person: dict[str, Any], level: int | None, work_types: set[str]) -> list[dict[str, Any]]:
        rng = random.Random(f"{self.seed}:join:{person['id']}")
        wanted = _poisson(rng, JOINS_PER_YEAR[level] * (YEARS + AHEAD_DAYS / 365))
        if not wanted:
            return []
        region = person.get("region")
        home = self.by_province.get(province_of(region) if region else None, [])
        national = self.by_province.get(None, [])
        joined: set[int] = set()
        rows = []
        for _ in range(wanted * 3):  # a few tries for each sign-up: full, unfit or already joined
            if len(joined) == wanted:
                break
            pool = home if home and rng.random() < SAME_PROVINCE_SHARE else national
            if not pool:
                continue
            index = rng.choice(pool)
            activity = self.activities[index]
            if index in joined or self.taken[index] >= activity["capacity"]:
                continue
            if not _fits(activity, level, work_types):
                continue
            joined.add(index)
            self.taken[index] += 1
            rows.append(_join_row(rng, person["id"], activity, self.today))
        return rows


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: small means only (a few sign-ups a person).
    limit, k, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _best_levels(certificates: Iterable[dict[str, Any]], today: date) -> dict[str, int]:
    best: dict[str, int] = {}
    for c in certificates:
        if _valid(c, today):
            best[c["practitioner_id"]] = min(c["level"], best.get(c["practitioner_id"], 9))
    return best


def _work_types(certificates: Iterable[dict[str, Any]], today: date) -> dict[str, set[str]]:
    held: dict[str, set[str]] = {}
    for c in certificates:
        if _valid(c, today):
            held.setdefault(c["practitioner_id"], set()).add(c["work_type"])
    return held


def _valid(certificate: dict[str, Any], today: date) -> bool:
    expires = certificate.get("expires_on")
    return certificate.get("status", "valid") == "valid" and (expires is None or expires >= today)


def _fits(activity: dict[str, Any], level: int | None, work_types: set[str]) -> bool:
    need_level, need_type = activity["needs_min_level"], activity["needs_work_type"]
    if need_level is not None and (level is None or level > need_level):
        return False
    return need_type is None or need_type in work_types


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _join_row(
    rng: random.Random, practitioner_id: str, activity: dict[str, Any], today: date
) -> dict[str, Any]:
    starts_on, ends_on, status = activity["starts_on"], activity["ends_on"], activity["status"]
    signed_up = min(starts_on - timedelta(days=rng.randint(2, 25)), today)
    confirmed = min(signed_up + timedelta(days=rng.randint(0, 2)), today)
    row: dict[str, Any] = {
        "id": new_id(rng), "via": "invitation" if rng.random() < 0.15 else "sign_up",
        "signed_up_at": _at(signed_up, 10), "confirmed_at": None, "attended": None, "hours": None,
        "recorded_at": None, "certificate_code": None,
    }  # fmt: skip
    if status == "completed":
        attended = rng.random() < ATTENDED_SHARE
        hours = activity["hours"] if rng.random() < 0.9 else max(0.5, activity["hours"] - 1.0)
        row |= {"status": "attended" if attended else "absent", "confirmed_at": _at(confirmed, 15),
                "attended": attended, "hours": hours if attended else None,
                "recorded_at": _at(min(ends_on + timedelta(days=rng.randint(1, 3)), today), 16)}  # fmt: skip
    elif status == "closed" or rng.random() < 0.4:
        row |= {"status": "confirmed", "confirmed_at": _at(confirmed, 15)}
    else:
        row["status"] = "signed_up"
    return {"practitioner_id": practitioner_id, "activity_id": activity["id"], "props": row}


def _organizers(seed: int) -> tuple[dict[str | None, dict[str, Any]], list[dict[str, Any]]]:
    departments: dict[str | None, dict[str, Any]] = {}
    for code, _ in PROVINCES:
        rng = random.Random(f"{seed}:dept:{code}")
        departments[code] = {"id": new_id(rng), "name": _department_name(code), "kind": "government",
                             "uscc": None, "region": code, "industry": None}  # fmt: skip
    departments[None] = {"id": new_id(random.Random(f"{seed}:dept:national")), "name": MINISTRY,
                         "kind": "government", "uscc": None, "region": None, "industry": None}  # fmt: skip
    return departments, list(departments.values())


def _training_bases(registry: SyntheticRegistry) -> dict[str, list[str]]:
    bases: dict[str, list[str]] = {}
    for organization in registry.organizations:
        if organization["kind"] == "training_base" and organization.get("region"):
            bases.setdefault(province_of(organization["region"]), []).append(organization["id"])
    return bases


def _status(rng: random.Random, starts_on: date, ends_on: date, today: date) -> str:
    if rng.random() < CANCELLED_SHARE:
        return "cancelled"
    if ends_on < today - timedelta(days=7):
        return "completed"
    if starts_on <= today + timedelta(days=2):
        return "closed"
    return "draft" if rng.random() < DRAFT_SHARE else "open"


# The status path each final status took (docs/activities.md), with the day of each step.
def _history(activity: dict[str, Any], rng: random.Random) -> list[tuple[str, str, date, str]]:
    starts_on, ends_on, status = activity["starts_on"], activity["ends_on"], activity["status"]
    announced = starts_on - timedelta(days=rng.randint(20, 45))
    steps = {
        "draft": [],
        "open": [("draft", "open", announced, "发布")],
        "closed": [("draft", "open", announced, "发布"), ("open", "closed", starts_on - timedelta(days=2), "报名截止")],
        "completed": [("draft", "open", announced, "发布"), ("open", "closed", starts_on - timedelta(days=2), "报名截止"),
                      ("closed", "completed", ends_on + timedelta(days=3), "活动已完成，时长已记录")],
        "cancelled": [("draft", "open", announced, "发布"), ("open", "cancelled", starts_on - timedelta(days=5),
                                                          "因天气原因取消")],
    }[status]  # fmt: skip
    return steps


def plan(registry: SyntheticRegistry) -> ActivityPlan:
    """The registry's activities over the last YEARS years and the next AHEAD_DAYS days, with their organizers."""
    seed, today = registry.seed, registry.today
    departments, organizers = _organizers(seed)
    bases = _training_bases(registry)
    first = today - timedelta(days=365 * YEARS)
    span = (today + timedelta(days=AHEAD_DAYS) - first).days
    count = max(1, round(registry.size * ACTIVITIES_PER_PERSON_YEAR * span / 365))
    activities: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    by_province: dict[str | None, list[int]] = {}
    for number in range(count):
        rng = random.Random(f"{seed}:act:{number}")
        kind = KIND_CHOICE.pick(rng)
        shape = SHAPES[kind]
        starts_on = _day_in(rng, first, span, seasonal=kind == "publicity")
        days = rng.choice(shape.days)
        ends_on = starts_on + timedelta(days=days - 1)
        national = rng.random() < NATIONAL_SHARE
        province = None if national else PROVINCE_CHOICE.pick(rng)
        organizer = departments[province]
        if kind == "lecture" and province in bases and rng.random() < TRAINING_BASE_LECTURE_SHARE:
            organizer_id = rng.choice(bases[province])
        else:
            organizer_id = organizer["id"]
        online = national or rng.random() < shape.online
        where = "全国" if province is None else PROVINCE_NAMES[province]
        activity = {
            "id": new_id(rng), "title": f"{rng.choice(shape.titles)}（{where}）", "kind": kind,
            "description": f"{where}{rng.choice(shape.titles)}，面向持证碳排放管理员招募志愿者。",
            "region": province, "online": online, "place": None if online else rng.choice(PLACES),
            "starts_on": starts_on, "ends_on": ends_on, "hours": rng.choice(shape.hours),
            "capacity": rng.randint(*shape.capacity),
            "needs_work_type": shape.work_type if rng.random() < shape.work_type_share else None,
            "needs_min_level": shape.min_level if rng.random() < shape.level_share else None,
            "needs_specialty": None, "needs_industry": None,
            "status": _status(rng, starts_on, ends_on, today), "organizer_id": organizer_id,
        }  # fmt: skip
        history = _history(activity, rng)
        created = _at(min(starts_on - timedelta(days=50), today), 9)
        activity["created_at"] = created
        activity["updated_at"] = max([created, *(_at(min(on, today), 11) for *_, on, _ in history)])
        for source, target, on, reason in history:
            changes.append({"activity_id": activity["id"], "from": source, "to": target, "reason": reason,
                            "at": _at(min(on, today), 11)})  # fmt: skip
        if activity["status"] != "draft":  # a draft takes no sign-ups
            by_province.setdefault(province, []).append(number)
        activities.append(activity)
    return ActivityPlan(seed, today, organizers, activities, changes, by_province, [0] * len(activities))


def _day_in(rng: random.Random, first: date, span: int, *, seasonal: bool) -> date:
    # A day of the span; a seasonal kind keeps it with its month's weight (rejection sampling).
    if not seasonal:
        return first + timedelta(days=rng.randrange(span))
    for _ in range(20):
        day = first + timedelta(days=rng.randrange(span))
        if rng.random() < MONTH_WEIGHTS[day.month] / max(MONTH_WEIGHTS.values()):
            return day
    return first + timedelta(days=rng.randrange(span))
