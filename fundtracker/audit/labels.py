"""How the audit trail reads: a label per action code, per object type and per recorded field, and the
recorded values formatted as the pages show them (¥ for fen, 47.50 for centi-points, labels for codes).

Every action code that record_audit is given anywhere needs its label here (a test greps for them,
and walks the state machines, whose codes are "<machine>.<action>")."""
from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..enums import LabelledEnum
from ..money import format_fen, format_rate

ACTION_LABELS = {
    # accounts and places
    "user.login": _l("signed in"),
    "user.locked": _l("account locked after failed sign-ins"),
    "user.created": _l("created the user account"),
    "user.updated": _l("changed the user account"),
    "user.activated": _l("enabled the user account"),
    "user.deactivated": _l("disabled the user account"),
    "user.password_changed": _l("changed their password"),
    "user.password_reset": _l("reset the password"),
    "township.saved": _l("saved the township"),
    "village.saved": _l("saved the village"),
    # pools and their ledger
    "pool.save": _l("saved the fund pool"),
    "pool.commitment": _l("set pool money aside for a project"),
    "pool.release": _l("released pool money set aside"),
    "pool.contribution": _l("registered funds received"),
    "pool.loan_repayment": _l("recorded a loan repayment (principal and interest)"),
    "ledger.contribution": _l("entered funds received in the ledger"),
    "ledger.disbursement": _l("entered a payment to a project in the ledger"),
    "ledger.recovery": _l("entered money recovered in the ledger"),
    "ledger.loan_repayment": _l("entered a loan repayment in the ledger"),
    "ledger.reversal": _l("reversed a ledger entry"),
    # projects
    "project.save": _l("saved the application"),
    "project.attachment": _l("attached a file"),
    "project.attachment_removed": _l("removed a file from the draft"),
    "project.submit": _l("submitted the application to the township"),
    "project.town_pass": _l("passed the application to the county"),
    "project.town_return": _l("returned the application to the village"),
    "project.start_vetting": _l("sent the project to the county panel"),
    "project.approve": _l("approved the project"),
    "project.reject": _l("did not approve the project"),
    "project.return": _l("returned the project to the village for revision"),
    "project.file_with_city": _l("recorded the city filing"),
    "project.start_works": _l("started the works (first payment)"),
    # the county panel
    "vetting.assign": _l("added a member to the panel"),
    "vetting.remove": _l("removed a member from the panel"),
    "vetting.declare": _l("declared conflicts of interest"),
    "vetting.save_sheet": _l("saved a score sheet draft"),
    "vetting.submit": _l("submitted a score sheet"),
    "vetting.risk_grade": _l("set the final risk grade"),
    "vetting.site_visit": _l("recorded a site visit"),
    "vetting.criteria_set": _l("saved the scoring criteria"),
    "vetting.criteria_set_active": _l("put the scoring criteria in use"),
    # payments
    "disbursement.plan": _l("set the payment plan"),
    "disbursement.report": _l("reported progress"),
    "disbursement.acceptance": _l("confirmed the acceptance of a stage"),
    "disbursement.prepare": _l("prepared a payment"),
    "disbursement.approve": _l("approved a payment"),
    "disbursement.return": _l("returned a payment for correction"),
    "disbursement.decline": _l("declined a payment"),
    "disbursement.record_voucher": _l("recorded the payment voucher"),
    "disbursement.reverse": _l("reversed a payment"),
    "progress_report.confirm": _l("confirmed a progress report"),
    "progress_report.return": _l("returned a progress report"),
    # monitoring
    "monitoring.indicator": _l("set a monitoring indicator"),
    "monitoring.reading": _l("recorded an indicator reading"),
    "warning.open": _l("raised a warning"),
    "warning.confirm": _l("confirmed a warning"),
    "warning.dismiss": _l("dismissed a warning"),
    "warning.answer": _l("answered a warning"),
    "warning.close": _l("closed a warning"),
    "warning.reopen": _l("reopened a warning"),
    "warning.escalate": _l("escalated a warning"),
    "warning.override": _l("changed a warning by hand"),
    # returns
    "returns.rules": _l("set the distribution rules"),
    "returns.record": _l("recorded the project's income"),
    "returns.plan": _l("drew up a distribution plan"),
    "distribution.objection": _l("recorded an objection to a distribution plan"),
    "distribution.adopt": _l("adopted a distribution plan"),
    "distribution.publish": _l("published a distribution plan"),
    "distribution.pay_out": _l("paid out a distribution"),
    "distribution.withdraw": _l("withdrew a distribution plan"),
    # acceptance, assets and exit; evaluation; public notices
    "acceptance.check": _l("recorded an acceptance check"),
    "acceptance.town_pass": _l("passed the township's check"),
    "acceptance.town_reject": _l("did not pass the township's check (rectification required)"),
    "acceptance.county_pass": _l("passed the county's final acceptance"),
    "acceptance.county_reject": _l("did not pass the county's acceptance (rectification required)"),
    "acceptance.answer": _l("answered a rectification"),
    "acceptance.asset": _l("registered an asset"),
    "acceptance.disposal": _l("proposed the disposal of an asset"),
    "disposal.approve": _l("approved an asset disposal"),
    "disposal.reject": _l("refused an asset disposal"),
    "acceptance.exit": _l("started the project's fund exit"),
    "acceptance.recovery": _l("recorded money recovered"),
    "exit.settle": _l("settled a fund exit"),
    "exit.write_off": _l("wrote off the rest of a fund exit"),
    "project.accept": _l("accepted the finished works"),
    "project.register_assets": _l("registered the project's assets"),
    "project.close": _l("closed the project"),
    "project.exit": _l("exited the project"),
    "project.attachment_public": _l("changed whether a file is public"),
    "evaluation.open": _l("opened a yearly performance evaluation"),
    "evaluation.self_evaluate": _l("submitted the village's self-evaluation"),
    "evaluation.take_up": _l("took up the evaluation for the county"),
    "evaluation.draft": _l("saved a performance evaluation draft"),
    "evaluation.publish": _l("published a performance evaluation"),
    "evaluation.reopen": _l("re-opened a published evaluation"),
    "notice.create": _l("published a notice"),
    "notice.objection": _l("received an objection to a notice"),
    "notice.answer": _l("answered an objection to a notice"),
}


@dataclass(frozen=True)
class ObjectType:
    label: object
    endpoint: str | None = None  # the object's page, given its id as `argument`
    argument: str = ""
    status_enum: str = ""  # the name of the LabelledEnum its "status" values come from


OBJECT_TYPES = {
    "project": ObjectType(_l("Project"), "projects.detail", "project_id", "ProjectStatus"),
    "fund_pool": ObjectType(_l("Fund pool"), "pools.pool", "pool_id", "PoolStatus"),
    "disbursement": ObjectType(_l("Payment"), "disbursements.payment", "payment_id", "PaymentStatus"),
    "user": ObjectType(_l("User"), "admin.edit_user", "user_id"),
    "township": ObjectType(_l("Township"), "admin.edit_township", "township_id"),
    "village": ObjectType(_l("Village"), "admin.edit_village", "village_id"),
    "criteria_set": ObjectType(_l("Scoring criteria"), "vetting.edit_criteria_set", "set_id"),
    "ledger_entry": ObjectType(_l("Ledger entry")),
    "contribution": ObjectType(_l("Funds received")),
    "progress_report": ObjectType(_l("Progress report"), status_enum="ReportStatus"),
    "warning": ObjectType(_l("Warning"), status_enum="WarningStatus"),
    "distribution": ObjectType(_l("Distribution plan"), status_enum="PlanStatus"),
    "notice": ObjectType(_l("Notice"), "public.notice", "notice_id"),
}

FIELD_LABELS = {
    "status": _l("Status"), "comment": _l("Comment"), "title": _l("Project title"), "name": _l("Name"),
    "amount_fen": _l("Amount"), "total_investment_fen": _l("Total investment"),
    "requested_fen": _l("Support requested"), "approved_amount_fen": _l("Approved amount"),
    "project_id": _l("Project"), "reason": _l("Reason"), "grade": _l("Risk grade"), "kind": _l("Kind"),
    "category": _l("Category"), "roles": _l("Roles"), "active": _l("Active"), "display_name": _l("Name"),
    "username": _l("Username"), "department": _l("Department"), "total_centi": _l("Total score"),
    "score_centi": _l("Score"), "recommendation": _l("Recommendation"), "declaration": _l("Declaration"),
    "source_type": _l("Source"), "contributor": _l("Contributor"), "lender": _l("Lender"),
    "annual_rate_bp": _l("Annual rate"), "received_on": _l("Date received"), "year": _l("Year"),
}


def action_label(code: str):
    return ACTION_LABELS.get(code, code)


def object_label(object_type: str):
    known = OBJECT_TYPES.get(object_type)
    return known.label if known else object_type


def object_url(object_type: str, object_id) -> str | None:
    known = OBJECT_TYPES.get(object_type)
    if known is None or known.endpoint is None or not str(object_id or "").isdigit():
        return None
    return url_for(known.endpoint, **{known.argument: int(object_id)})


def _labelled_enums() -> list:
    found, pending = [], list(LabelledEnum.__subclasses__())
    while pending:
        enum = pending.pop(0)
        pending.extend(enum.__subclasses__())
        found.append(enum)
    return found


def _enum_labels(preferred: str = "") -> dict:
    """Every labelled code of the application's enums (all domains are loaded when pages render), those
    of the object's own status enum first (several enums share a code such as "approved")."""
    labels = {}
    for enum in sorted(_labelled_enums(), key=lambda enum: enum.__name__ != preferred):
        for member in enum:
            if member.label is not None:
                labels.setdefault(member.value, member.label)
    return labels


def format_value(key: str, value, enum_labels: dict) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, list):
        return "、".join(format_value(key, item, enum_labels) for item in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{field_label(k)}: {format_value(k, v, enum_labels)}" for k, v in value.items())
    if isinstance(value, int) and key.endswith("_fen"):
        return format_fen(value)
    if isinstance(value, int) and key.endswith("_centi"):
        return f"{value / 100:.2f}"
    if isinstance(value, int) and key.endswith("_bp"):
        return format_rate(value)
    if isinstance(value, str) and value in enum_labels:
        return str(enum_labels[value])
    return str(value)


def field_label(key: str):
    return FIELD_LABELS.get(key, key.removesuffix("_fen").removesuffix("_centi").replace("_", " "))


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: the field was not recorded before (a creation)
    after: str | None


def changes(before: dict | None, after: dict | None, object_type: str = "") -> list[Change]:
    """The fields that changed (or were set), labelled and formatted; unchanged ones are left out."""
    before, after = before or {}, after or {}
    known = OBJECT_TYPES.get(object_type)
    enum_labels = _enum_labels(known.status_enum if known else "")
    rows = []
    for key in [*after, *(k for k in before if k not in after)]:
        if key in before and key in after and before[key] == after[key]:
            continue
        rows.append(Change(
            str(field_label(key)),
            format_value(key, before[key], enum_labels) if key in before else None,
            format_value(key, after[key], enum_labels) if key in after else None,
        ))
    return rows
