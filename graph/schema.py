"""The graph's schema as code: unique constraints, search indexes and the Chinese full-text index.

Every statement uses IF NOT EXISTS, so `create_schema` is safe to run at every start-up.
"""

from __future__ import annotations

from typing import LiteralString

from graph.applications import sync_region_keys, sync_unsynced
from graph.cypher import cypher, spelled
from graph.driver import Graph
from graph.exam_lists import REGISTRATION_ORDER_INDEX, sync_registration_keys

# (label, property) pairs that identify a node; DESIGN.md §3.
UNIQUE_KEYS: tuple[tuple[LiteralString, LiteralString], ...] = (
    ("Practitioner", "id"),
    ("Practitioner", "id_card_hash"),
    ("Certificate", "number"),
    ("WorkType", "code"),
    ("Level", "rank"),
    ("Pool", "code"),
    ("Organization", "id"),
    ("Organization", "uscc"),  # uniqueness ignores organizations without one
    ("Region", "code"),
    ("Industry", "code"),
    ("Specialty", "code"),
    ("Qualification", "code"),
    ("Engagement", "id"),
    ("SiteVisit", "id"),  # who was on site for an engagement, when and where (issue 23)
    ("ApiKey", "hash"),
    ("ImportBatch", "id"),
    ("Application", "id"),
    ("TrainingRecord", "id"),
    ("ExamSession", "id"),
    ("ExamResult", "id"),
    ("ContinuingEducation", "id"),
    ("AuditEntry", "seq"),
    ("AuditChain", "id"),
    ("Draw", "id"),
    ("DrawEvent", "key"),  # draw id + ":" + seq: an event is written once
    ("DrawCalendar", "year"),  # the lock node of draws in a year (graph/draws.py)
    (
        "DrawLoad",
        "key",
    ),  # practitioner id|year: a person's panel seats in a year, and the lock a draw takes on them
    ("ControlLock", "id"),  # the lock node of control relations between organizations (graph/groups.py)
    ("WebSession", "id_hash"),
    # The credit record (issue 12); `pair` is engagement|practitioner: one evaluation per member per engagement.
    ("Evaluation", "id"),
    ("Evaluation", "pair"),
    ("MisconductRecord", "id"),
    ("Sanction", "id"),
    ("Complaint", "id"),
    ("Appeal", "id"),
    ("Revision", "id"),  # the single registry revision node (graph/revision.py)
    ("AuditCheckpoint", "day"),  # one signed head of the audit chain per day (graph/audit.py)
    # The anomaly queue (issue 23 §4, graph/findings.py): `key` is kind + subject, so a re-scan finds it again.
    ("Finding", "id"),
    ("Finding", "key"),
    ("IntegrityScan", "id"),
    ("IntegrityScanLock", "id"),
    ("Activity", "id"),  # public-welfare activities (issue 25, graph/activities.py)
    # The scheduled jobs (graph/jobs.py): one lease per job name, one node per run.
    ("JobLease", "name"),
    ("JobRun", "id"),
    # The notification outbox (graph/notifications.py): `ref` makes a notice such as a certificate's 30 days once.
    ("Notification", "id"),
    ("Notification", "ref"),
    ("NotificationDelivery", "id"),
)

# Range indexes the searches and batch jobs filter on.
RANGE_INDEXES: tuple[tuple[LiteralString, LiteralString], ...] = (
    ("DrawLoad", "year"),  # a draw reads who is at the cap or seated on its day (graph/draw_screen.py)
    ("DrawLoad", "seats"),  # … the loads at the cap, one range seek (graph/draw_screen.py FLAGGED_IDS)
    ("Draw", "panel_date"),  # … and the seats of that day's panels
    ("Practitioner", "status"),
    ("Practitioner", "name"),
    ("Practitioner", "region_key"),
    ("Practitioner", "updated_at"),  # statistics: the latest change of a person
    ("Practitioner", "search_revision"),  # "changed since revision N" for the search index
    ("Certificate", "status"),
    ("Certificate", "level"),
    ("Certificate", "work_type"),
    ("Certificate", "expires_on"),
    ("Certificate", "status_changed_at"),  # statistics: certificates changed since the last snapshot
    ("Organization", "name"),
    ("Organization", "kind"),
    ("Organization", "updated_at"),  # statistics: the latest organization change, one index seek
    ("Engagement", "kind"),
    ("Engagement", "start_on"),
    ("Engagement", "updated_at"),  # statistics: the latest engagement change
    ("Region", "level"),
    ("Application", "work_type"),
    ("Application", "registered_on"),
    ("Application", "stage"),  # a list's status filter (graph/applications.py STATUS_NARROWING)
    ("Application", "level"),  # GET /applications?level=
    ("ExamSession", "day"),
    ("AuditEntry", "entity"),
    ("AuditEntry", "entity_id"),
    ("Finding", "kind"),  # the queue's filters (graph/findings.py)
    ("Finding", "status"),
    ("Activity", "status"),  # GET /activities: the public statuses, a status filter (graph/activities.py)
    ("Activity", "starts_on"),  # GET /activities: latest start first, date ranges
    ("Activity", "catalogue_revision"),  # the listing's catalogue: activities changed since a revision
    ("JobRun", "name"),  # a job's last runs (GET /jobs)
    ("Notification", "recipient_id"),  # a person's notifications, the unread count
    ("NotificationDelivery", "status"),  # the sender's claim and the failed list
)

PRACTITIONER_FULLTEXT = "practitioner_text"


def _unique(label: LiteralString, prop: LiteralString) -> LiteralString:
    return cypher(
        "CREATE CONSTRAINT", spelled(label.lower(), "_", prop, "_unique"), "IF NOT EXISTS",
        "FOR (n:", label, ") REQUIRE", spelled("n.", prop), "IS UNIQUE",
    )  # fmt: skip


def _range_index(label: LiteralString, prop: LiteralString) -> LiteralString:
    return cypher(
        "CREATE INDEX", spelled(label.lower(), "_", prop), "IF NOT EXISTS",
        "FOR (n:", label, ") ON (", spelled("n.", prop), ")",
    )  # fmt: skip


# The cjk analyzer indexes Chinese as overlapping bigrams, so 核查 matches inside 碳排放核查员.
FULLTEXT_INDEX = cypher(
    "CREATE FULLTEXT INDEX", PRACTITIONER_FULLTEXT, "IF NOT EXISTS FOR (n:Practitioner) ON EACH [n.name, n.bio]",
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}",
)  # fmt: skip


# A participation certificate's public page finds its JOINED row by code (graph/activity_certificates.py).
JOINED_CERTIFICATE_CODE_INDEX = (
    "CREATE INDEX joined_certificate_code IF NOT EXISTS FOR ()-[j:JOINED]-() ON (j.certificate_code)"
)


# GET /applications?status=: each part of a status is one seek giving its rows newest first
# (graph/application_lists.py STATUS_PARTS), and the large parts are counted from the index alone.
APPLICATION_STAGE_DAY_INDEX = (
    "CREATE INDEX application_stage_registered_on IF NOT EXISTS"
    " FOR (n:Application) ON (n.stage, n.registered_on)"
)
# …and with the keys every part's predicate reads (the progress, or the pending sitting, with the work type, level
# and region a list filters on), so that no status is decided row by row (graph/application_lists.py _HINTS).
APPLICATION_PROGRESS_INDEX = (
    "CREATE INDEX application_progress IF NOT EXISTS FOR (n:Application)"
    " ON (n.stage, n.registered_on, n.sittings, n.basic_hours, n.module_hours, n.work_type, n.level, n.region_key,"
    " n.region_code)"
)
APPLICATION_PENDING_INDEX = (
    "CREATE INDEX application_pending IF NOT EXISTS FOR (n:Application)"
    " ON (n.stage, n.registered_on, n.pending_at, n.basic_hours, n.module_hours, n.work_type, n.level, n.region_key,"
    " n.region_code)"
)
# …and led by the applicant's province, for a status within a province or a city (its parts seek the region's rows).
APPLICATION_PROVINCE_PROGRESS_INDEX = (
    "CREATE INDEX application_province_progress IF NOT EXISTS FOR (n:Application)"
    " ON (n.region_key, n.stage, n.registered_on, n.sittings, n.basic_hours, n.module_hours, n.work_type, n.level,"
    " n.region_code)"
)
APPLICATION_PROVINCE_PENDING_INDEX = (
    "CREATE INDEX application_province_pending IF NOT EXISTS FOR (n:Application)"
    " ON (n.region_key, n.stage, n.registered_on, n.pending_at, n.basic_hours, n.module_hours, n.work_type, n.level,"
    " n.region_code)"
)
# GET /applications?region= without a status (a province, or a city): counted from the index, a page newest first.
APPLICATION_REGION_DAY_INDEX = (
    "CREATE INDEX application_region_registered_on IF NOT EXISTS"
    " FOR (n:Application) ON (n.region_key, n.registered_on)"
)
APPLICATION_CITY_DAY_INDEX = (
    "CREATE INDEX application_city_registered_on IF NOT EXISTS"
    " FOR (n:Application) ON (n.region_code, n.registered_on)"
)
# …and of a work type and level.
APPLICATION_WORK_TYPE_LEVEL_DAY_INDEX = (
    "CREATE INDEX application_work_type_level_registered_on IF NOT EXISTS"
    " FOR (n:Application) ON (n.work_type, n.level, n.registered_on)"
)


# The admin queues (graph/curation.py): certificates about to lapse in their order, declared qualifications and
# open complaints found by their status, each counted from its index.
CURATION_INDEXES: tuple[LiteralString, ...] = (
    "CREATE INDEX certificate_status_expires_on IF NOT EXISTS FOR (n:Certificate) ON (n.status, n.expires_on)",
    "CREATE INDEX has_qualification_status IF NOT EXISTS FOR ()-[h:HAS_QUALIFICATION]-() ON (h.status)",
    "CREATE INDEX complaint_status_created_at IF NOT EXISTS FOR (n:Complaint) ON (n.status, n.created_at)",
)


# A draw's matched people start from the certificates of the work type at the level or higher: one range seek
# (graph/draw_screen.py MATCHED, nationally) instead of every certificate of the work type.
CERTIFICATE_WORK_TYPE_LEVEL_INDEX = (
    "CREATE INDEX certificate_work_type_level IF NOT EXISTS FOR (n:Certificate) ON (n.work_type, n.level)"
)


def schema_statements() -> list[LiteralString]:
    """The Cypher DDL, in the order it is applied."""
    return [
        *(_unique(label, prop) for label, prop in UNIQUE_KEYS),
        *(_range_index(label, prop) for label, prop in RANGE_INDEXES),
        FULLTEXT_INDEX,
        JOINED_CERTIFICATE_CODE_INDEX,
        CERTIFICATE_WORK_TYPE_LEVEL_INDEX,
        APPLICATION_STAGE_DAY_INDEX,
        APPLICATION_PROGRESS_INDEX,
        APPLICATION_PENDING_INDEX,
        APPLICATION_PROVINCE_PROGRESS_INDEX,
        APPLICATION_PROVINCE_PENDING_INDEX,
        APPLICATION_REGION_DAY_INDEX,
        APPLICATION_CITY_DAY_INDEX,
        APPLICATION_WORK_TYPE_LEVEL_DAY_INDEX,
        *CURATION_INDEXES,
        REGISTRATION_ORDER_INDEX,
    ]


def create_schema(graph: Graph) -> None:
    """Create every constraint and index that is missing, then wait until they are online."""
    with graph.driver.session(database=graph.database) as session:
        for statement in schema_statements():
            session.run(statement).consume()
        session.run("CALL db.awaitIndexes(300)").consume()
    # Applications made before their progress was kept get it now (once: afterwards every write keeps it).
    sync_unsynced(graph)
    sync_region_keys(graph)
    sync_registration_keys(graph)  # a session's page reads its registrations from registration_order


def describe_schema(graph: Graph) -> dict[str, list[str]]:
    """Names of the constraints and indexes that exist now."""
    with graph.driver.session(database=graph.database) as session:
        constraints = [
            r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name")
        ]
        indexes = [r["name"] for r in session.run("SHOW INDEXES YIELD name RETURN name ORDER BY name")]
    return {"constraints": constraints, "indexes": indexes}
