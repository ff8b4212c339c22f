"""/jobs: the scheduled jobs (issue 26) — their schedules and last runs, a run asked for now; admin only."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from api.decorators import paginated, returns
from api.models import model
from interface.auth import require
from interface.context import ctx
from interface.schemas.common import whole_list
from interface.schemas.jobs import JobListSchema, JobRunArgs, JobRunSchema, JobSchema
from services import jobs
from services.context import Page

ns = Namespace(
    "jobs", description="定时任务: the jobs the scheduler runs, their last runs and failures (admin)"
)

ADMIN: tuple[str, ...] = ("admin",)
_JOB = JobSchema()


@ns.route("")
class JobList(Resource):
    @require(ADMIN)
    @returns(ns, JobListSchema())
    def get(self) -> dict[str, Any]:
        """Every scheduled job with its schedule, next slot, last run and last failure (admin)."""
        return whole_list(jobs.overview(ctx()))


@ns.route("/<string:name>/run")
@ns.param("name", "the job's name, as GET /jobs lists it")
class JobRunRequest(Resource):
    @require(ADMIN)
    @ns.response(404, "No job of that name")
    @ns.response(202, "Asked for: the scheduler runs it at its next tick", model(ns, _JOB))
    def post(self, name: str) -> tuple[dict[str, Any], int]:
        """Ask for a run of the job now, whatever its schedule (admin; audited): the scheduler that `make serve`
        starts runs it at its next tick (20 s) and GET /jobs shows the run; `flask registry run-job NAME` runs
        one in the foreground instead."""
        return _JOB.dump(jobs.request_run(ctx(), name)), 202


@ns.route("/<string:name>/runs")
@ns.param("name", "the job's name, as GET /jobs lists it")
class JobRuns(Resource):
    @require(ADMIN)
    @ns.response(404, "No job of that name")
    @paginated(ns, JobRunArgs(), JobRunSchema())
    def get(self, name: str, args: dict[str, Any]) -> Page:
        """A job's runs, newest first (admin); the newest 720 of each job are kept."""
        return jobs.runs(ctx(), name, args["page"], args["per_page"])
