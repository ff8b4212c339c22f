"""Statistics for government dashboards: pure aggregations over plain per-person and per-certificate facts.

Every statistic here is a function from facts (read once per graph revision, or from the search index) and a
`Query` (as_of, region, work_type, level) to a `Table`: flat rows whose keys are dimensions (`province`,
`work_type`, `level`, `period` …) and measures (`holders`, `issued` …), plus `totals`. Nothing here names a
person: facts carry an opaque key only so that people can be counted once.

Dates in the past are answered from what the graph keeps (see `CertificateRecord.valid_on`); rules that cannot
be reconstructed exactly are named beside the function that approximates them.

One module per part: `rules` (data and sources), `periods` (periods, regions), `facts` (the records),
`tables` (query and answer), `supply` (holders, pools, trends), `demand` (key emitters, coverage),
`activity` (expiring, engagements), `privacy` (suppression, Chinese labels). Everything public is importable here.
"""

from __future__ import annotations

from registry.statistics.activity import (
    busiest_experts as busiest_experts,
)
from registry.statistics.activity import (
    engagement_distribution as engagement_distribution,
)
from registry.statistics.activity import (
    engagements_by_province as engagements_by_province,
)
from registry.statistics.activity import (
    expiring as expiring,
)
from registry.statistics.demand import (
    coverage as coverage,
)
from registry.statistics.demand import (
    coverage_ratio as coverage_ratio,
)
from registry.statistics.demand import (
    engagements_by_year as engagements_by_year,
)
from registry.statistics.demand import (
    key_emitters as key_emitters,
)
from registry.statistics.demand import (
    listed_in as listed_in,
)
from registry.statistics.demand import (
    shortfall as shortfall,
)
from registry.statistics.facts import (
    CertificateRecord as CertificateRecord,
)
from registry.statistics.facts import (
    EmitterRecord as EmitterRecord,
)
from registry.statistics.facts import (
    EngagementRecord as EngagementRecord,
)
from registry.statistics.facts import (
    ExamRecord as ExamRecord,
)
from registry.statistics.facts import (
    Facts as Facts,
)
from registry.statistics.facts import (
    FactStore as FactStore,
)
from registry.statistics.facts import (
    MembershipRecord as MembershipRecord,
)
from registry.statistics.facts import (
    PersonRecord as PersonRecord,
)
from registry.statistics.facts import (
    StatusEventRecord as StatusEventRecord,
)
from registry.statistics.facts import (
    TeamMember as TeamMember,
)
from registry.statistics.facts import (
    counts_on as counts_on,
)
from registry.statistics.periods import (
    change as change,
)
from registry.statistics.periods import (
    default_trend_start as default_trend_start,
)
from registry.statistics.periods import (
    is_province as is_province,
)
from registry.statistics.periods import (
    period_key as period_key,
)
from registry.statistics.periods import (
    period_start as period_start,
)
from registry.statistics.periods import (
    periods_between as periods_between,
)
from registry.statistics.periods import (
    province_code as province_code,
)
from registry.statistics.periods import (
    same_day_a_year_before as same_day_a_year_before,
)
from registry.statistics.privacy import (
    headers as headers,
)
from registry.statistics.privacy import (
    label_value as label_value,
)
from registry.statistics.privacy import (
    suppress as suppress,
)
from registry.statistics.rules import (
    BUSIEST_LIMIT as BUSIEST_LIMIT,
)
from registry.statistics.rules import (
    DEFAULT_COVERAGE_TARGET as DEFAULT_COVERAGE_TARGET,
)
from registry.statistics.rules import (
    DEFAULT_MINIMUM_CELL as DEFAULT_MINIMUM_CELL,
)
from registry.statistics.rules import (
    DEFAULT_VERIFIER_MAX_LEVEL as DEFAULT_VERIFIER_MAX_LEVEL,
)
from registry.statistics.rules import (
    ENGAGEMENT_BUCKETS as ENGAGEMENT_BUCKETS,
)
from registry.statistics.rules import (
    HEADERS_ZH as HEADERS_ZH,
)
from registry.statistics.rules import (
    INTERVALS as INTERVALS,
)
from registry.statistics.rules import (
    VERIFIER_WORK_TYPE as VERIFIER_WORK_TYPE,
)
from registry.statistics.supply import (
    TREND_MEASURES as TREND_MEASURES,
)
from registry.statistics.supply import (
    pool_members as pool_members,
)
from registry.statistics.supply import (
    supply as supply,
)
from registry.statistics.supply import (
    trends as trends,
)
from registry.statistics.tables import (
    Query as Query,
)
from registry.statistics.tables import (
    Table as Table,
)
