"""A small fixed registry, built through the services, that the search and matching tests know by heart.

Dates are relative to today so the conflict window and recency points stay the same whenever it runs.

| key | name | certificates | region | notes |
|---|---|---|---|---|
| A | 张伟 | verification L2 | 420100 武汉 | employed by the verification body; 4 completed verifications (3 steel, 1 another cement company) |
| B | 李娜 | verification L1 | 420000 湖北 | employed by the cement company (conflict) |
| C | 王芳 | verification L3, monitoring L4 | 110000 | verified the cement company 5 years ago |
| D | 刘洋 | verification L2 suspended | 420100 | |
| E | 陈静 | verification L2 expired | 420100 | |
| F | 杨帆 | consulting L2 | 440300 | consulting for the cement company, ongoing |
| G | 赵磊 | accounting L4 | 130200 | bio mentions 碳核查; colleague of A |
| H | 黄敏 | verification L2 | 420700 鄂州 | verified the cement company 2 years ago (conflict) |
| I | 周杰 | trading L3 revoked | 320500 | |
| J | 吴刚 | verification L4 | 320500 | |
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from services import certificates, engagements, organizations, practitioners
from services.context import Context
from tests.support import unique_id_card

TODAY = date.today()


PEOPLE = {
    "A": {"name": "张伟", "region": "420100", "work_start_year": 2010, "public_profile": True,
          "specialties": ["carbon_verification"], "qualifications": ["ccaa_ghg_verifier"],
          "bio": "专注水泥行业碳核查", "phone": "13800000011", "email": "a@example.cn"},
    "B": {"name": "李娜", "region": "420000", "work_start_year": 2005, "industries": ["building_materials"]},
    "C": {"name": "王芳", "region": "110000", "work_start_year": 2015, "public_profile": True},
    "D": {"name": "刘洋", "region": "420100", "work_start_year": 2011},
    "E": {"name": "陈静", "region": "420100", "work_start_year": 2013},
    "F": {"name": "杨帆", "region": "440300", "work_start_year": 2016, "specialties": ["energy_audit"]},
    "G": {"name": "赵磊", "region": "130200", "work_start_year": 2018, "bio": "参与多个碳核查项目的数据核算"},
    "H": {"name": "黄敏", "region": "420700", "work_start_year": 2012},
    "I": {"name": "周杰", "region": "320500", "work_start_year": 2019},
    "J": {"name": "吴刚", "region": "320500", "work_start_year": 2020},
}  # fmt: skip

# (person, work type, level, issued_on, expires_on, lifecycle action)
CERTIFICATES = [
    ("A", "verification", 2, "2022-05-01", None, None),
    ("B", "verification", 1, "2021-05-01", None, None),
    ("C", "verification", 3, "2020-05-01", None, None),
    ("C", "monitoring", 4, "2019-05-01", None, None),
    ("D", "verification", 2, "2022-05-01", None, "suspend"),
    ("E", "verification", 2, "2019-05-01", "2023-05-01", None),
    ("F", "consulting", 2, "2022-05-01", None, None),
    ("G", "accounting", 4, "2023-05-01", None, None),
    ("H", "verification", 2, "2022-05-01", None, None),
    ("I", "trading", 3, "2022-05-01", None, "revoke"),
    ("J", "verification", 4, "2024-05-01", None, None),
]

ORGANIZATIONS = {
    "cement": {
        "name": "湖北示范水泥有限公司",
        "kind": "enterprise",
        "industry": "building_materials",
        "region": "420700",
    },
    "cement2": {
        "name": "武汉另一水泥有限公司",
        "kind": "enterprise",
        "industry": "building_materials",
        "region": "420100",
    },
    "steel": {"name": "河北示范钢铁集团", "kind": "enterprise", "industry": "steel", "region": "130200"},
    "verifier": {"name": "中碳示范核查中心", "kind": "verification_body", "region": "110000"},
    "consultancy": {"name": "绿色示范咨询公司", "kind": "consultancy", "region": "440300"},
}

EMPLOYMENT = {"A": "verifier", "B": "cement"}

# (title, kind, client, industry, region, start days ago, end days ago or None, status, team)
ENGAGEMENTS = [
    ("钢铁集团2023年度碳核查", "verification", "steel", "steel", "130200", 700, 600, "completed", [("A", "lead"), ("G", "member")]),
    ("钢铁集团2024年度碳核查", "verification", "steel", "steel", "130200", 560, 500, "completed", [("A", "lead")]),
    ("钢铁集团2025年度碳核查", "verification", "steel", "steel", "130200", 450, 400, "completed", [("A", "lead")]),
    ("武汉水泥2025年度碳核查", "verification", "cement2", "building_materials", "420100", 200, 150, "completed", [("A", "lead")]),
    ("水泥公司2021年度碳核查", "verification", "cement", "building_materials", "420700", 1900, 1850, "completed", [("C", "lead")]),
    ("水泥公司2024年度碳核查", "verification", "cement", "building_materials", "420700", 780, 730, "completed", [("H", "lead")]),
    ("水泥公司碳达峰路线图", "consulting", "cement", "building_materials", "420700", 100, None, "active", [("F", "lead")]),
]  # fmt: skip


def build(context: Context) -> dict[str, str]:
    """Create the fixed registry through the services; returns key → id (people and organizations) and
    key:work_type → certificate number."""
    ids: dict[str, str] = {}
    for key, fields in ORGANIZATIONS.items():
        ids[key] = organizations.create(context, fields)["id"]
    for key, fields in PEOPLE.items():
        body = {"id_card": unique_id_card(), "education": "bachelor", **fields}
        if key in EMPLOYMENT:
            body["employer_id"] = ids[EMPLOYMENT[key]]
        ids[key] = practitioners.register(context, body)["id"]
    for person, work_type, level, issued_on, expires_on, action in CERTIFICATES:
        number = f"FX-{uuid.uuid4().hex[:10].upper()}"
        certificates.issue(
            context,
            {"number": number, "practitioner_id": ids[person], "work_type": work_type, "level": level,
             "issued_on": date.fromisoformat(issued_on),
             "expires_on": date.fromisoformat(expires_on) if expires_on else None},
        )  # fmt: skip
        if action:
            certificates.change_status(context, number, action, "fixture")
        ids[f"{person}:{work_type}"] = number
    for title, kind, org, industry, region, start, end, status, team in ENGAGEMENTS:
        engagements.create(
            context,
            {"title": title, "kind": kind, "client_id": ids[org], "industry": industry, "region": region,
             "start_on": TODAY - timedelta(days=start),
             "end_on": TODAY - timedelta(days=end) if end is not None else None, "status": status,
             "team": [{"practitioner_id": ids[person], "role": role} for person, role in team]},
        )  # fmt: skip
    return ids


def keys_by_id(ids: dict[str, str]) -> dict[str, str]:
    """id → the fixed-graph key (A, B, …) of each person."""
    return {value: key for key, value in ids.items() if len(key) == 1}


def wipe_registry(graph) -> None:
    """Remove every person (with their applications, results and site visits), certificate, engagement, activity and
    organization but the issuer; keep keys and taxonomy.
    The registry revision goes too, so search indexes rebuild rather than apply changes to people now gone."""
    graph.driver.execute_query(
        """
        MATCH (n) WHERE n:Practitioner OR n:Certificate OR n:CertificateEvent OR n:Engagement
                     OR (n:Organization AND n.kind <> 'issuer')
                     OR n:Evaluation OR n:MisconductRecord OR n:Sanction OR n:Complaint OR n:ComplaintEvent
                     OR n:Appeal OR n:Revision OR n:Application OR n:ExamResult
                     OR n:SiteVisit OR n:Activity OR n:ActivityStatusChange
        DETACH DELETE n
        """
    )
