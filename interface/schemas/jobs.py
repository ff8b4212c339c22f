"""The scheduled jobs' shapes (GET /jobs, issue 26): each job with its schedule and its last run."""

from __future__ import annotations

from marshmallow import Schema, fields

from interface.schemas.common import PageArgs


class JobRunSchema(Schema):
    """One run of a job."""

    id = fields.String(metadata={"description": "the run's id"})
    started_at = fields.DateTime(metadata={"description": "when it started"})
    finished_at = fields.DateTime(allow_none=True, metadata={"description": "when it ended (null: running)"})
    status = fields.String(metadata={"description": "running, succeeded or failed"})
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "what it did, by what it counts"},
    )
    note = fields.String(
        allow_none=True, metadata={"description": "a remark (the checkpoint's day, a scan's id)"}
    )
    error = fields.String(allow_none=True, metadata={"description": "why it failed"})
    trigger = fields.String(metadata={"description": "schedule, request (POST /jobs/{name}/run) or cli"})
    owner = fields.String(metadata={"description": "the process that ran it: host:pid:random"})


class JobSchema(Schema):
    """A scheduled job, its schedule and its last run."""

    name = fields.String(metadata={"description": "the job's name", "example": "expire_certificates"})
    schedule = fields.String(
        metadata={"description": "when it runs (host's local time)", "example": "daily at 00:15"}
    )
    description = fields.String(metadata={"description": "what it does"})
    next_run_at = fields.DateTime(metadata={"description": "the start of its next slot"})
    running = fields.Boolean(metadata={"description": "whether a process holds its lease now"})
    requested_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "a run asked for and not yet started (POST /jobs/{name}/run)"},
    )
    last_run = fields.Nested(
        JobRunSchema, allow_none=True, metadata={"description": "its newest run (null: never)"}
    )
    last_failure = fields.Nested(
        JobRunSchema, allow_none=True, metadata={"description": "its newest failed run"}
    )


class JobListSchema(Schema):
    """Every scheduled job, whole."""

    items = fields.List(fields.Nested(JobSchema))
    total = fields.Integer(metadata={"description": "how many jobs"})
    page = fields.Integer()
    per_page = fields.Integer()


class JobRunArgs(PageArgs):
    pass
