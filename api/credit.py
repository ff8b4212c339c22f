"""The credit record (资信档案): evaluations, misconduct records and sanctions, complaints and appeals.

Who may do what:
- evaluate a completed engagement's team member: admin, or a client key bound to the engagement's client;
- reply to an evaluation: the evaluated practitioner's own key (or admin);
- record misconduct: admin; read records, sanctions and evaluations: client+, and the practitioner themself;
- complain: any key; triage: admin; appeal: the practitioner concerned (or admin); decide: admin.
"""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from api.decorators import accepts, creates, paginated, returns, with_query
from interface.auth import ADMIN, CLIENT_PLUS, Forbidden, current_principal, require
from interface.context import ctx
from interface.schemas.common import PageArgs, whole_list
from interface.schemas.credit import (
    AppealArgs,
    AppealDecisionSchema,
    AppealInputSchema,
    AppealSchema,
    AssessmentArgs,
    ComplaintArgs,
    ComplaintDecisionSchema,
    ComplaintInputSchema,
    ComplaintSchema,
    EvaluationInputSchema,
    EvaluationSchema,
    MembershipSchema,
    RecordInputSchema,
    RecordSchema,
    ReplyInputSchema,
    SanctionSchema,
)
from services import appeals, complaints, credit, evaluations, misconduct
from services.context import Page
from services.credit import Caller

ns = Namespace(
    "credit",
    path="/",
    description="Credit record (资信档案): evaluations, misconduct records, sanctions, complaints and appeals",
)

ANY_KEY: tuple[str, ...] = ("admin", "government", "client", "practitioner")
CLIENT_PLUS_OR_SELF: tuple[str, ...] = (*CLIENT_PLUS, "practitioner")

_EVALUATION = EvaluationSchema()
_RECORD = RecordSchema()
_COMPLAINT = ComplaintSchema()
_APPEAL = AppealSchema()


def caller() -> Caller:
    """The caller's role and key binding, as the credit rules read them."""
    principal = current_principal()
    return Caller(principal.role, principal.organization_id, principal.practitioner_id)


def _self_or_client_plus(practitioner_id: str) -> None:
    """A practitioner key reads only its own credit record; client+ read anyone's."""
    principal = current_principal()
    if principal.role == "practitioner" and principal.practitioner_id != practitioner_id:
        raise Forbidden("A practitioner key reads only its own credit record.")


# --- Evaluations -----------------------------------------------------------------------------------------------


@ns.route("/engagements/<uuid:engagement_id>/evaluations")
@ns.param("engagement_id", "the engagement's id (UUID)")
class EngagementEvaluations(Resource):
    @require(("admin", "client"))
    @ns.response(403, "Not the engagement's client organization")
    @ns.response(409, "Not completed, or this person was evaluated for it already")
    @creates(ns, _EVALUATION, "credit_evaluation_item", evaluation_id="id")
    @accepts(ns, EvaluationInputSchema())
    def post(self, engagement_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Evaluate one team member of a completed engagement, once (admin, or a client key bound to the
        engagement's client organization). `scores`: quality, timeliness, independence, communication, each
        0–100; `score` in the answer is the weighted total (weights: GET /credit/rules)."""
        return evaluations.evaluate(ctx(), str(engagement_id), data, caller())


@ns.route("/evaluations/<uuid:evaluation_id>")
@ns.param("evaluation_id", "the evaluation's id (UUID)")
class EvaluationItem(Resource):
    @require(CLIENT_PLUS_OR_SELF)
    @returns(ns, _EVALUATION)
    def get(self, evaluation_id: Any) -> dict[str, Any]:
        """One evaluation with its scores, comment, reply and appeal (client+, or the evaluated practitioner)."""
        view = evaluations.get_evaluation(ctx(), str(evaluation_id))
        _self_or_client_plus(view["practitioner_id"])
        return view


@ns.route("/evaluations/<uuid:evaluation_id>/reply")
@ns.param("evaluation_id", "the evaluation's id (UUID)")
class EvaluationReply(Resource):
    @require(("practitioner", "admin"))
    @ns.response(409, "Already answered")
    @returns(ns, _EVALUATION)
    @accepts(ns, ReplyInputSchema())
    def post(self, evaluation_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """The evaluated practitioner answers the evaluation, once; the reply is shown beside it."""
        return evaluations.reply(ctx(), str(evaluation_id), data["reply"], caller())


@ns.route("/practitioners/<uuid:practitioner_id>/evaluations")
@ns.param("practitioner_id", "the practitioner's id (UUID)")
class PractitionerEvaluations(Resource):
    @require(CLIENT_PLUS_OR_SELF)
    @paginated(ns, PageArgs(), _EVALUATION)
    def get(self, practitioner_id: Any, args: dict[str, Any]) -> Page:
        """A practitioner's evaluations, newest first, with comments and replies (client+, or themself)."""
        _self_or_client_plus(str(practitioner_id))
        return evaluations.evaluations_of(ctx(), str(practitioner_id), args["page"], args["per_page"])


# --- Misconduct records and sanctions ----------------------------------------------------------------------


@ns.route("/practitioners/<uuid:practitioner_id>/records")
@ns.param("practitioner_id", "the practitioner's id (UUID)")
class PractitionerRecords(Resource):
    @require(CLIENT_PLUS_OR_SELF)
    @paginated(ns, PageArgs(), _RECORD)
    def get(self, practitioner_id: Any, args: dict[str, Any]) -> Page:
        """A practitioner's misconduct records, latest first, overturned ones too (client+, or themself)."""
        _self_or_client_plus(str(practitioner_id))
        return misconduct.records_of(ctx(), str(practitioner_id), args["page"], args["per_page"])

    @require(ADMIN)
    @ns.response(400, "Unknown category or bad date")
    @creates(ns, _RECORD, "credit_record_item", record_id="id")
    @accepts(ns, RecordInputSchema())
    def post(self, practitioner_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Record a violation (admin): `category` from the catalogue (GET /credit/rules), `occurred_on`,
        `evidence`, `note`. The step-up rules then derive sanctions; the answer lists the active ones."""
        return misconduct.record_misconduct(ctx(), str(practitioner_id), data)


@ns.route("/records/<uuid:record_id>")
@ns.param("record_id", "the misconduct record's id (UUID)")
class RecordItem(Resource):
    @require(CLIENT_PLUS_OR_SELF)
    @returns(ns, _RECORD)
    def get(self, record_id: Any) -> dict[str, Any]:
        """One misconduct record with its appeal deadline and appeal (client+, or the practitioner)."""
        view = misconduct.get_record(ctx(), str(record_id))
        _self_or_client_plus(view["practitioner_id"])
        return view


@ns.route("/practitioners/<uuid:practitioner_id>/sanctions")
@ns.param("practitioner_id", "the practitioner's id (UUID)")
class PractitionerSanctions(Resource):
    @require(CLIENT_PLUS_OR_SELF)
    @returns(ns, None, description="{items, total, page, per_page}: every sanction, with `active` today")
    def get(self, practitioner_id: Any) -> dict[str, Any]:
        """A practitioner's sanctions, ended and lifted ones too, with why and when they may return."""
        _self_or_client_plus(str(practitioner_id))
        return whole_list(
            SanctionSchema(many=True).dump(misconduct.sanctions_of(ctx(), str(practitioner_id)))
        )


@ns.route("/practitioners/<uuid:practitioner_id>/memberships")
@ns.param("practitioner_id", "the practitioner's id (UUID)")
class PractitionerMemberships(Resource):
    @require(CLIENT_PLUS_OR_SELF)
    @returns(ns, None, description="{items, total, page, per_page}: current and ended pool memberships")
    def get(self, practitioner_id: Any) -> dict[str, Any]:
        """A practitioner's pool memberships, current and ended; one a sanction ended says so and when they
        may return (client+, or themself)."""
        _self_or_client_plus(str(practitioner_id))
        return whole_list(
            MembershipSchema(many=True).dump(misconduct.memberships_of(ctx(), str(practitioner_id)))
        )


@ns.route("/practitioners/<uuid:practitioner_id>/assessment")
@ns.param("practitioner_id", "the practitioner's id (UUID)")
class PractitionerAssessment(Resource):
    @require(CLIENT_PLUS_OR_SELF)
    @returns(
        ns, None, description="{year, passed, reasons, evaluations, records, points, as_of, final, source}"
    )
    @with_query(ns, AssessmentArgs())
    def get(self, practitioner_id: Any, args: dict[str, Any]) -> dict[str, Any]:
        """The annual assessment (年度考核, NDRC order 26 of 2024) of a year from its evaluations and misconduct
        records, with the reasons (client+, or themself); criteria in GET /credit/rules."""
        _self_or_client_plus(str(practitioner_id))
        context = ctx()
        year = args.get("year") or context.today.year - 1
        return credit.assessment_of(context, str(practitioner_id), year)


@ns.route("/credit/rules")
class CreditRules(Resource):
    @ns.doc(security=[])
    @returns(ns, None, description="criteria and weights, categories and points, step-up rules, deadlines")
    def get(self) -> dict[str, Any]:
        """The published rules of the credit record, each with its source (public)."""
        return credit.rules(ctx()).to_dict()


# --- Complaints ------------------------------------------------------------------------------------------------


@ns.route("/complaints")
class Complaints(Resource):
    @require(ANY_KEY)
    @ns.response(404, "No practitioner or engagement with that id")
    @creates(ns, _COMPLAINT, "credit_complaint_item", complaint_id="id")
    @accepts(ns, ComplaintInputSchema())
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """File a complaint about a practitioner (`practitioner_id`) or an engagement (`engagement_id`), with
        `text` (any key). It starts as `received`."""
        return complaints.file_complaint(ctx(), data, caller())

    @require(ADMIN)
    @paginated(ns, ComplaintArgs(), _COMPLAINT)
    def get(self, args: dict[str, Any]) -> Page:
        """Complaints, newest first, by status or practitioner (admin)."""
        filters = {"status": args.get("status"), "practitioner_id": args.get("practitioner_id")}
        if filters["practitioner_id"]:
            filters["practitioner_id"] = str(filters["practitioner_id"])
        return complaints.list_complaints(ctx(), filters, args["page"], args["per_page"])


@ns.route("/complaints/<uuid:complaint_id>")
@ns.param("complaint_id", "the complaint's id (UUID)")
class ComplaintItem(Resource):
    @require(ADMIN)
    @returns(ns, _COMPLAINT)
    def get(self, complaint_id: Any) -> dict[str, Any]:
        """One complaint with every step and its reason (admin)."""
        return complaints.get_complaint(ctx(), str(complaint_id))


@ns.route("/complaints/<uuid:complaint_id>/decision")
@ns.param("complaint_id", "the complaint's id (UUID)")
class ComplaintDecision(Resource):
    @require(ADMIN)
    @ns.response(409, "Not allowed from the current status")
    @returns(ns, _COMPLAINT)
    @accepts(ns, ComplaintDecisionSchema())
    def post(self, complaint_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Move a complaint on (admin): received → investigating → upheld | dismissed, with a `reason`.
        An upheld complaint with `create_record: true` also writes a misconduct record."""
        return complaints.decide_complaint(ctx(), str(complaint_id), data)


# --- Appeals ---------------------------------------------------------------------------------------------------


@ns.route("/appeals")
class Appeals(Resource):
    @require(("practitioner", "admin"))
    @ns.response(409, "Past the deadline, or appealed already")
    @ns.response(404, "No misconduct record or evaluation with that id")
    @creates(ns, _APPEAL, "credit_appeal_item", appeal_id="id")
    @accepts(ns, AppealInputSchema())
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Appeal a misconduct record (`record_id`) or an evaluation (`evaluation_id`) within 30 days of it,
        with `text` (the practitioner concerned, or admin for them)."""
        return appeals.file_appeal(ctx(), data, caller())

    @require(ADMIN)
    @paginated(ns, AppealArgs(), _APPEAL)
    def get(self, args: dict[str, Any]) -> Page:
        """Appeals, newest first, by status (admin)."""
        return appeals.list_appeals(ctx(), args.get("status"), args["page"], args["per_page"])


@ns.route("/appeals/<uuid:appeal_id>")
@ns.param("appeal_id", "the appeal's id (UUID)")
class AppealItem(Resource):
    @require(("practitioner", "admin"))
    @returns(ns, _APPEAL)
    def get(self, appeal_id: Any) -> dict[str, Any]:
        """One appeal (admin, or the practitioner concerned)."""
        view = appeals.get_appeal(ctx(), str(appeal_id))
        _self_or_client_plus(view["practitioner_id"])
        return view


@ns.route("/appeals/<uuid:appeal_id>/decision")
@ns.param("appeal_id", "the appeal's id (UUID)")
class AppealDecision(Resource):
    @require(ADMIN)
    @ns.response(409, "Decided already")
    @returns(ns, _APPEAL)
    @accepts(ns, AppealDecisionSchema())
    def post(self, appeal_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Decide an appeal (admin): `upheld` removes the record's or evaluation's effect (kept as history,
        sanctions it triggered are lifted), `dismissed` keeps it; with a `reason`."""
        return appeals.decide(ctx(), str(appeal_id), data)
