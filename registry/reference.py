"""Reference data loaded into every registry: regions, industries, specialties, qualifications.

Work types, levels and pools are domain constants and come from `registry.taxonomy`.
"""

from __future__ import annotations

# GB/T 2260 province-level divisions: all 34 (23 provinces, 5 autonomous regions, 4 municipalities, 2 SARs).
PROVINCES: tuple[tuple[str, str], ...] = (
    ("110000", "北京市"), ("120000", "天津市"), ("130000", "河北省"), ("140000", "山西省"),
    ("150000", "内蒙古自治区"), ("210000", "辽宁省"), ("220000", "吉林省"), ("230000", "黑龙江省"),
    ("310000", "上海市"), ("320000", "江苏省"), ("330000", "浙江省"), ("340000", "安徽省"),
    ("350000", "福建省"), ("360000", "江西省"), ("370000", "山东省"), ("410000", "河南省"),
    ("420000", "湖北省"), ("430000", "湖南省"), ("440000", "广东省"), ("450000", "广西壮族自治区"),
    ("460000", "海南省"), ("500000", "重庆市"), ("510000", "四川省"), ("520000", "贵州省"),
    ("530000", "云南省"), ("540000", "西藏自治区"), ("610000", "陕西省"), ("620000", "甘肃省"),
    ("630000", "青海省"), ("640000", "宁夏回族自治区"), ("650000", "新疆维吾尔自治区"), ("710000", "台湾省"),
    ("810000", "香港特别行政区"), ("820000", "澳门特别行政区"),
)  # fmt: skip

# Prefecture-level cities: provincial capitals and the main industrial (ETS-heavy) cities.
# A city's province is the first two digits of its code followed by 0000.
CITIES: tuple[tuple[str, str], ...] = (
    ("130100", "石家庄市"), ("130200", "唐山市"), ("130400", "邯郸市"),
    ("140100", "太原市"), ("140200", "大同市"),
    ("150100", "呼和浩特市"), ("150200", "包头市"), ("150600", "鄂尔多斯市"),
    ("210100", "沈阳市"), ("210200", "大连市"), ("210300", "鞍山市"),
    ("220100", "长春市"), ("220200", "吉林市"),
    ("230100", "哈尔滨市"), ("230600", "大庆市"),
    ("320100", "南京市"), ("320200", "无锡市"), ("320500", "苏州市"),
    ("330100", "杭州市"), ("330200", "宁波市"),
    ("340100", "合肥市"), ("340500", "马鞍山市"),
    ("350100", "福州市"), ("350200", "厦门市"),
    ("360100", "南昌市"),
    ("370100", "济南市"), ("370200", "青岛市"), ("370500", "东营市"),
    ("410100", "郑州市"), ("410300", "洛阳市"),
    ("420100", "武汉市"), ("420200", "黄石市"), ("420500", "宜昌市"), ("420700", "鄂州市"),
    ("430100", "长沙市"),
    ("440100", "广州市"), ("440300", "深圳市"),
    ("450100", "南宁市"),
    ("460100", "海口市"),
    ("510100", "成都市"),
    ("520100", "贵阳市"),
    ("530100", "昆明市"),
    ("540100", "拉萨市"),
    ("610100", "西安市"), ("610800", "榆林市"),
    ("620100", "兰州市"),
    ("630100", "西宁市"),
    ("640100", "银川市"),
    ("650100", "乌鲁木齐市"), ("650200", "克拉玛依市"),
)  # fmt: skip

# Sectors of the national ETS and others clients come from; codes are part of the API.
INDUSTRIES: tuple[tuple[str, str, str], ...] = (
    ("power", "发电", "Power generation"),
    ("petrochemical", "石化", "Petrochemicals"),
    ("chemical", "化工", "Chemicals"),
    ("building_materials", "建材", "Building materials (cement)"),
    ("steel", "钢铁", "Iron and steel"),
    ("nonferrous", "有色", "Non-ferrous metals (aluminium)"),
    ("paper", "造纸", "Pulp and paper"),
    ("aviation", "民航", "Civil aviation"),
)

# (code, name_zh, category): the category is the work type the specialty belongs to.
SPECIALTIES: tuple[tuple[str, str, str], ...] = (
    ("emission_monitoring", "排放在线监测（CEMS）", "monitoring"),
    ("measurement_plan", "监测计划编制", "monitoring"),
    ("ghg_accounting", "温室气体排放核算", "accounting"),
    ("carbon_inventory", "碳盘查", "accounting"),
    ("ghg_inventory_compilation", "温室气体清单编制", "accounting"),
    ("carbon_footprint", "产品碳足迹", "accounting"),
    ("carbon_verification", "重点排放单位碳核查", "verification"),
    ("ccer_validation", "CDM/CCER 审定与核证", "verification"),
    ("energy_audit", "能源审计", "consulting"),
    ("energy_saving_diagnosis", "节能诊断", "consulting"),
    ("carbon_peak_roadmap", "城市与园区碳达峰路线图", "consulting"),
    ("event_carbon_neutrality", "大型活动碳中和评价", "consulting"),
    ("standards_drafting", "标准、教材与题库编写", "consulting"),
    ("carbon_asset_management", "碳资产管理", "trading"),
    ("carbon_finance", "碳金融（抵押、质押）", "trading"),
    ("aviation_emissions", "民航碳排放监测与 CORSIA", "aviation"),
)

# (code, name_zh, issuer): credentials experts hold besides the occupation's certificate.
QUALIFICATIONS: tuple[tuple[str, str, str], ...] = (
    ("cdm_ccer_auditor", "CDM/CCER 审核员", "国家认证认可监督管理委员会"),
    ("carbon_verifier", "碳排放核查员", "省级生态环境主管部门"),
    ("energy_saving_auditor", "节能量审核员", "中国质量认证中心"),
    ("iso14064_lead_auditor", "ISO 14064 主任审核员", "国际注册审核员"),
    ("ccaa_ghg_verifier", "CCAA 注册温室气体核查员", "中国认证认可协会"),
    ("cleaner_production_auditor", "清洁生产审核员", "生态环境部"),
    ("enms_auditor", "ISO 50001 / GB/T 23331 能源管理体系审核员", "中国认证认可协会"),
    ("registered_consulting_engineer", "注册咨询工程师（投资）", "中国工程咨询协会"),
    ("vcs_auditor", "VCS 审核员", "Verra"),
    ("pmp", "项目管理专业人士（PMP）", "Project Management Institute"),
)


def province_of(city_code: str) -> str:
    """The province-level code a city code belongs to (GB/T 2260 prefix rule)."""
    return city_code[:2] + "0000"
