"""/applications, /exam-sessions, /exam-results and certificate renewal: from 报名 to the certificate (admin).

Thin resources: validate, call one service function, dump. The rules live in registry/applications.py,
registry/exams.py, registry/training.py and registry/renewal.py; `GET /applications/rules` shows them with sources.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_restx import Namespace, Resource

from api.decorators import accepts, creates, paginated, returns, with_query
from api.models import model
from interface.auth import ADMIN, require
from interface.context import ctx
from interface.limits import UPLOAD_DOC, readable_file, uploaded_file
from interface.schemas.common import PageArgs
from interface.schemas.exam import (
    ApplicationArgs,
    ApplicationInputSchema,
    ApplicationSchema,
    CertificateFromResultSchema,
    ContinuingEducationInputSchema,
    GenerateSessionsSchema,
    IssuedCertificateSchema,
    RegistrationInputSchema,
    RegistrationSchema,
    RenewalInputSchema,
    RenewalStatusSchema,
    ResultDetailSchema,
    ResultInputSchema,
    ResultSchema,
    SessionArgs,
    SessionChangeSchema,
    SessionDetailSchema,
    SessionInputSchema,
    SessionSchema,
    StatisticsArgs,
    StatisticsSchema,
    TrainingInputSchema,
)
from services import applications, exam_imports, exam_results, exams, renewals
from services.context import Page

applications_ns = Namespace(
    "applications", description="报名: applications, training and their derived status (admin)"
)
sessions_ns = Namespace(
    "exam-sessions", description="考试: monthly exam sessions, registrations, counts (admin)"
)
results_ns = Namespace(
    "exam-results", description="Exam results, their import, and the certificate from a pass (admin)"
)
renewals_ns = Namespace(
    "renewals",
    path="/certificates",
    description="Certificate renewal (续期): continuing education, follow-on certificate",
)

STAFF: tuple[str, ...] = ("government", "admin")

_APPLICATION = ApplicationSchema()
_SESSION = SessionSchema()
_SESSION_DETAIL = SessionDetailSchema()
_RESULT = ResultSchema()
_REGISTRATION = RegistrationSchema()
_ISSUED = IssuedCertificateSchema()


# --- /applications ------------------------------------------------------------------------------------------------


@applications_ns.route("")
class ApplicationList(Resource):
    @require(ADMIN)
    @applications_ns.response(
        409, "Not eligible, or another application for this work type and level is open"
    )
    @creates(applications_ns, _APPLICATION, "applications_application_item", application_id="id")
    @accepts(applications_ns, ApplicationInputSchema())
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register an application (报名) for one work type and level; the eligibility rule decides (admin)."""
        return applications.create(ctx(), data)

    @require(ADMIN)
    @paginated(applications_ns, ApplicationArgs(), _APPLICATION)
    def get(self, args: dict[str, Any]) -> Page:
        """Applications, newest first, by status, work type, level, session, region or person (admin)."""
        filters = {key: args.get(key) for key in applications.FILTERS}
        filters["session_id"] = filters["session_id"] or args.get("session")
        for key in ("session_id", "practitioner_id"):
            if filters[key] is not None:
                filters[key] = str(filters[key])
        items, total = applications.search(ctx(), filters, args["page"], args["per_page"])
        return Page(items, total)


@applications_ns.route("/rules")
class ProcessRules(Resource):
    @require(STAFF)
    def get(self) -> dict[str, Any]:
        """The process rules in force (fee, validity, retakes, exam, training, renewal), each with its source."""
        return applications.rules(ctx()).to_dict() | {"renewal": renewals.rule(ctx()).to_dict()}


@applications_ns.route("/<uuid:application_id>")
@applications_ns.param("application_id", "the application's id")
class ApplicationItem(Resource):
    @require(ADMIN)
    @returns(applications_ns, _APPLICATION)
    def get(self, application_id: Any) -> dict[str, Any]:
        """One application with its derived status, training progress, sittings and results (admin)."""
        return applications.get(ctx(), str(application_id))


@applications_ns.route("/<uuid:application_id>/training")
@applications_ns.param("application_id", "the application's id")
class ApplicationTraining(Resource):
    @require(ADMIN)
    @creates(applications_ns, _APPLICATION, "applications_application_item", application_id="id")
    @accepts(applications_ns, TrainingInputSchema())
    def post(self, application_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Record training hours for `basic` or the application's work-type module (admin)."""
        return applications.add_training(ctx(), str(application_id), data)


# --- /exam-sessions -----------------------------------------------------------------------------------------------


@sessions_ns.route("")
class SessionList(Resource):
    @require(ADMIN)
    @creates(sessions_ns, _SESSION, "exam-sessions_session_item", session_id="id")
    @accepts(sessions_ns, SessionInputSchema())
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add (or move to) a session: `starts_at` with its UTC offset, `subject`, `capacity` (admin)."""
        return exams.create(ctx(), data)

    @require(STAFF)
    @paginated(sessions_ns, SessionArgs(), _SESSION)
    def get(self, args: dict[str, Any]) -> Page:
        """Sessions, earliest first, with capacity, registered, sat, passed and pass rate."""
        filters = {"from": args.get("from_"), "to": args.get("to"), "subject": args.get("subject")}
        items, total = exams.search(ctx(), filters, args["page"], args["per_page"])
        return Page(items, total)


@sessions_ns.route("/monthly")
class SessionMonth(Resource):
    @require(ADMIN)
    @sessions_ns.response(200, "The month's default sessions; `created` says which are new")
    @accepts(sessions_ns, GenerateSessionsSchema())
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Generate a month's default sessions: the last weekend's two sittings, China time (admin). Idempotent."""
        made = exams.generate_month(ctx(), data["year"], data["month"], data.get("capacity"))
        items = [_SESSION.dump(session) | {"created": created} for session, created in made]
        return {"items": items, "created": sum(1 for _, created in made if created)}


@sessions_ns.route("/stats")
class SessionStatistics(Resource):
    @require(STAFF)
    @returns(sessions_ns, StatisticsSchema())
    @with_query(sessions_ns, StatisticsArgs())
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Capacity, registrations and pass rates per session, work type and region (dashboards)."""
        return exams.statistics(ctx(), {"from": args.get("from_"), "to": args.get("to")})


@sessions_ns.route("/<uuid:session_id>")
@sessions_ns.param("session_id", "the session's id")
class SessionItem(Resource):
    @require(STAFF)
    @returns(sessions_ns, _SESSION_DETAIL)
    @with_query(sessions_ns, PageArgs())
    def get(self, session_id: Any, args: dict[str, Any]) -> dict[str, Any]:
        """One session: counts, one page of who is registered (with results; `registered` counts them all), pass
        rates per work type and region."""
        return exams.get(ctx(), str(session_id), args["page"], args["per_page"])

    @require(ADMIN)
    @sessions_ns.response(409, "A waiting candidate's application would have expired by then")
    @returns(sessions_ns, _SESSION)
    @accepts(sessions_ns, SessionChangeSchema(), partial=True)
    def patch(self, session_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Move a session or change its subject or capacity (具体考试时间视情况另行通知) (admin)."""
        return exams.move(ctx(), str(session_id), data)


@sessions_ns.route("/<uuid:session_id>/registrations")
@sessions_ns.param("session_id", "the session's id")
class SessionRegistrations(Resource):
    @require(ADMIN)
    @sessions_ns.response(201, "Registered", model(sessions_ns, _REGISTRATION))
    @sessions_ns.response(200, "Already registered: nothing changed")
    @sessions_ns.response(
        409, "Past the six months, no free retake left, already registered elsewhere, or full"
    )
    @accepts(sessions_ns, RegistrationInputSchema())
    def post(self, session_id: Any, data: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Register an application for the session (admin); the first sitting or the one free retake."""
        view, created = applications.register(ctx(), str(session_id), str(data["application_id"]))
        location = url_for("applications_application_item", application_id=view["application_id"])
        return _REGISTRATION.dump(view), 201 if created else 200, {"Location": location}


@sessions_ns.route("/<uuid:session_id>/registrations/<uuid:application_id>")
@sessions_ns.param("session_id", "the session's id")
@sessions_ns.param("application_id", "the registered application's id")
class SessionRegistration(Resource):
    @require(ADMIN)
    @sessions_ns.response(204, "Cancelled")
    @sessions_ns.response(409, "No registration without a result for this application and session")
    def delete(self, session_id: Any, application_id: Any) -> tuple[str, int]:
        """Cancel a registration that has no result (a no-show is not counted as a sitting) (admin)."""
        applications.cancel_registration(ctx(), str(session_id), str(application_id))
        return "", 204


# --- /exam-results ------------------------------------------------------------------------------------------------


@results_ns.route("")
class ResultList(Resource):
    @require(ADMIN)
    @results_ns.response(201, "Recorded")
    @results_ns.response(200, "The same score was already recorded: nothing changed")
    @results_ns.response(409, "Not registered for the session, past validity, or no free retake left")
    @accepts(results_ns, ResultInputSchema())
    def post(self, data: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Record a score (0–100, 60 passes) for a registered sitting; returns `passed`, `attempt`, `free` (admin)."""
        view, created = exam_results.record_result(ctx(), data)
        location = url_for("exam-results_result_item", result_id=view["id"])
        return _RESULT.dump(view), 201 if created else 200, {"Location": location}


@results_ns.route("/import")
class ResultImport(Resource):
    @results_ns.doc(**UPLOAD_DOC)
    @require(ADMIN)
    def post(self) -> dict[str, Any]:
        """Import the exam provider's results (身份证号, 姓名, 考试场次, 成绩): each row checked by the exam rules,
        reported by row and column; the same file again changes nothing (admin)."""
        upload = uploaded_file()
        with readable_file():
            report = exam_imports.import_results(ctx(), upload.stream, upload.filename, by="api")
        return report.to_dict()


@results_ns.route("/<uuid:result_id>")
@results_ns.param("result_id", "the result's id")
class ResultItem(Resource):
    @require(ADMIN)
    @returns(results_ns, ResultDetailSchema())
    def get(self, result_id: Any) -> dict[str, Any]:
        """One result with its application (admin)."""
        return exam_results.get_result(ctx(), str(result_id))


@results_ns.route("/<uuid:result_id>/certificate")
@results_ns.param("result_id", "the passing result's id")
class ResultCertificate(Resource):
    @require(ADMIN)
    @results_ns.response(409, "The result is not a pass, training is incomplete, or a certificate was issued")
    @creates(results_ns, _ISSUED, "certificates_certificate_item", number="number")
    @accepts(results_ns, CertificateFromResultSchema())
    def post(self, result_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Issue the certificate from a passing result in one step; pools follow (admin)."""
        return exam_results.issue_certificate(ctx(), str(result_id), data)


# --- Renewal ------------------------------------------------------------------------------------------------------


@renewals_ns.route("/<string:number>/continuing-education")
@renewals_ns.param("number", "the certificate number")
class ContinuingEducation(Resource):
    @require(ADMIN)
    @returns(renewals_ns, RenewalStatusSchema())
    def get(self, number: str) -> dict[str, Any]:
        """Continuing-education hours within the certificate's validity and its renewal links (admin)."""
        return renewals.status(ctx(), number)

    @require(ADMIN)
    @creates(renewals_ns, RenewalStatusSchema(), "renewals_continuing_education", number="number")
    @accepts(renewals_ns, ContinuingEducationInputSchema())
    def post(self, number: str, data: dict[str, Any]) -> dict[str, Any]:
        """Record continuing-education hours for a certificate (admin)."""
        return renewals.add_continuing_education(ctx(), number, data)


@renewals_ns.route("/<string:number>/renewal")
@renewals_ns.param("number", "the certificate being renewed")
class Renewal(Resource):
    @require(ADMIN)
    @renewals_ns.response(
        409, "Not renewable: hours short, expired beyond grace, suspended, revoked, or renewed"
    )
    @creates(renewals_ns, _ISSUED, "certificates_certificate_item", number="number")
    @accepts(renewals_ns, RenewalInputSchema())
    def post(self, number: str, data: dict[str, Any]) -> dict[str, Any]:
        """Renew: issue the follow-on certificate, which points back to this one (admin)."""
        return renewals.renew(ctx(), number, data)
