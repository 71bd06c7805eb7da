"""Fund pool pages: list, detail, contributions, reversals, the statement, loans owed, verification."""
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import roles_required
from ..auth.roles import Role
from ..clock import local_today
from ..errors import DomainError
from ..exports import Column, export_response, local_time_column
from ..extensions import db
from ..formatting import translated
from ..htmx import is_htmx, redirect_after_post
from ..main.todo import TodoItem
from ..money import fen_to_yuan_decimal, rate_percent
from ..views_common import form_status, int_arg, paginate, save_form_or_render, submit_form
from . import services
from .forms import ContributionForm, PoolForm, RepaymentForm, ReversalForm, StatementFilterForm
from .loaders import POOL_VIEWERS, get_entry_or_404, get_pool_or_404
from .loans import loan_positions, loans_maturing_count, loans_select
from .models import (
    ASSET_KIND_LABELS,
    ENTRY_KIND_LABELS,
    POOL_STATUS_LABELS,
    REPAYMENT_SCHEDULE_LABELS,
    SOURCE_TYPE_LABELS,
    Contribution,
    FundPool,
    LoanRepayment,
    PoolStatus,
    SourceType,
)
from .overview import pools_overview
from .statement import (
    StatementFilter,
    composition,
    period_summary,
    received_by_source,
    reversed_entry_ids,
    statement_page,
    statement_select,
    with_project_titles,
)
from .verify import verify_ledger

bp = Blueprint("pools", __name__, url_prefix="/pools")
RECENT_ENTRIES = 10
can_view = roles_required(*POOL_VIEWERS)
finance_only = roles_required(Role.FINANCE)


def loans_to_watch(user) -> list[TodoItem]:
    """Finance's to-do: loans due within the warning window or overdue."""
    count = loans_maturing_count(local_today())
    return [TodoItem(_l("Loans due within the warning window or overdue"), url_for("pools.loans"), count)]


@bp.app_context_processor
def pool_labels():
    return {"entry_kind_labels": ENTRY_KIND_LABELS, "source_type_labels": SOURCE_TYPE_LABELS,
            "pool_status_labels": POOL_STATUS_LABELS, "asset_kind_labels": ASSET_KIND_LABELS,
            "repayment_schedule_labels": REPAYMENT_SCHEDULE_LABELS, "entry_table": entry_table}


def entry_table() -> SimpleNamespace:
    """What every row of a statement table repeats, worked out once per table (templates/pools/_entry_row.html):
    the column names (each cell carries its column's name for the phone layout), the kinds and sources
    translated, whether the reader may reverse entries, and the words of the last column."""
    names = {"entry": _("Entry"), "date": _("Date"), "kind": _("Kind"), "party": _("Counterparty or project"),
             "amount": _("Amount"), "balance": _("Balance"), "actor": _("Recorded by")}
    return SimpleNamespace(columns=SimpleNamespace(**names), reverse=_("Reverse"), reversed=_("Reversed"),
                           kinds=translated(ENTRY_KIND_LABELS), sources=translated(SOURCE_TYPE_LABELS),
                           may_reverse=current_user.has_role(Role.FINANCE))


@bp.route("")
@can_view
def pools():
    page = paginate(select(FundPool).order_by(FundPool.status.desc(), FundPool.year.desc(), FundPool.name))
    # One grouped pass for every pool gives both the rows and the footer's totals (the dashboard's figures too).
    overview = pools_overview(db.session.execute(select(FundPool.id)).scalars().all())
    return render_template("pools/list.html", page=page, overview=overview)


@bp.route("/new", methods=["GET", "POST"])
@finance_only
def new_pool():
    form = PoolForm()
    return save_form_or_render(form, "pools/pool_form.html",
                               lambda: services.save_pool(None, actor=current_user, **_pool_fields(form)),
                               lambda pool: url_for("pools.pool", pool_id=pool.id), pool=None)


@bp.route("/<int:pool_id>/edit", methods=["GET", "POST"])
@finance_only
def edit_pool(pool_id):
    pool = get_pool_or_404(pool_id)
    form = PoolForm(obj=pool)
    return save_form_or_render(form, "pools/pool_form.html",
                               lambda: services.save_pool(pool, actor=current_user, **_pool_fields(form)),
                               url_for("pools.pool", pool_id=pool.id), pool=pool)


def _pool_fields(form) -> dict:
    return {"name": form.name.data, "programme": form.programme.data or "", "year": form.year.data,
            "description": form.description.data or "", "status": form.status.data}


def _pool_context(pool: FundPool) -> dict:
    """What the pool page shows: figures, composition, the latest entries, its loans."""
    recent = list(with_project_titles(db.session.execute(
        statement_select(pool, newest_first=True).limit(RECENT_ENTRIES))))
    loans = db.session.execute(loans_select(pool.id).limit(RECENT_ENTRIES + 1)).scalars().all()
    return {
        "pool": pool,
        "figures": services.figures_for(pool),
        "shares": composition(received_by_source([pool.id])[pool.id]),
        "recent": recent,
        "reversed_ids": reversed_entry_ids(row[0].id for row in recent),
        "loans": loan_positions(loans[:RECENT_ENTRIES], local_today()),
        "more_loans": len(loans) > RECENT_ENTRIES,
    }


@bp.route("/<int:pool_id>")
@can_view
def pool(pool_id):
    pool = get_pool_or_404(pool_id)
    form = ContributionForm() if current_user.has_role(Role.FINANCE) and pool.status == PoolStatus.OPEN else None
    return render_template("pools/pool.html", form=form, **_pool_context(pool))


def _contribution_input(form) -> services.ContributionInput:
    is_loan = form.source_type.data == SourceType.LOAN
    loan = None
    if is_loan:
        if form.annual_rate.data is None or form.term_months.data is None or form.loan_start_on.data is None:
            raise DomainError(_("A bank loan needs its annual rate, term and start date."), field="lender")
        loan = services.LoanTerms(lender=form.lender.data or "", annual_rate_bp=form.annual_rate.data,
                                  term_months=form.term_months.data, start_on=form.loan_start_on.data,
                                  repayment_schedule=form.repayment_schedule.data)
    collateral = [
        services.CollateralInput(row.form.name.data, row.form.kind.data, row.form.estimated_value.data or 0)
        for row in form.collateral if (row.form.name.data or "").strip()
    ]
    return services.ContributionInput(
        source_type=form.source_type.data, contributor=form.contributor.data, amount_fen=form.amount.data,
        received_on=form.received_on.data, reference=form.reference.data or "", note=form.note.data or "",
        loan=loan, collateral=collateral,
    )


@bp.route("/<int:pool_id>/contributions/new", methods=["GET", "POST"])
@finance_only
def new_contribution(pool_id):
    pool = get_pool_or_404(pool_id)
    form = ContributionForm()
    outcome = submit_form(
        form, lambda: services.record_contribution(pool.id, _contribution_input(form), actor=current_user),
        url_for("pools.pool", pool_id=pool.id),
    )
    if outcome.response:
        return outcome.response
    if outcome.done:
        return _contribution_recorded(pool, outcome.result)
    if is_htmx():
        response = make_response(render_template("pools/_contribution_form.html", pool=pool, form=form), form_status(form))
        response.headers.update({"HX-Retarget": "#contribution-form", "HX-Reswap": "outerHTML"})
        return response
    return render_template("pools/contribution_form.html", pool=pool, form=form), form_status(form)


def _contribution_recorded(pool: FundPool, contribution):
    flash(_("Contribution recorded."), "success")  # the htmx answer shows it out of band
    if not is_htmx():
        return redirect_after_post(url_for("pools.pool", pool_id=pool.id))
    return render_template("pools/_contribution_added.html", form=ContributionForm(formdata=None),
                           **_pool_context(pool))


@bp.route("/<int:pool_id>/entries/<int:entry_id>/reverse", methods=["GET", "POST"])
@finance_only
def reverse_entry(pool_id, entry_id):
    pool = get_pool_or_404(pool_id)
    entry = get_entry_or_404(pool, entry_id)
    form = ReversalForm()
    statement_url = url_for("pools.statement", pool_id=pool.id)
    outcome = submit_form(form, lambda: services.reverse_entry(
        pool.id, entry.id, actor=current_user, reason=form.reason.data, value_date=local_today()), statement_url)
    if outcome.response:
        return outcome.response
    if outcome.done:
        flash(_("Entry #%(id)d reversed.", id=entry.id), "success")
        return redirect_after_post(statement_url)
    return render_template("pools/reverse.html", pool=pool, entry=entry, form=form), form_status(form)


def _statement_filter() -> tuple[StatementFilterForm, StatementFilter]:
    form = StatementFilterForm(request.args)
    if not form.validate():
        return form, StatementFilter()
    return form, StatementFilter(form.date_from.data, form.date_to.data, form.kind.data or None)



@bp.route("/<int:pool_id>/statement")
@can_view
def statement(pool_id):
    """The statement by sequence: ?after=N (later entries), ?before=N (earlier ones), ?go_to=DATE."""
    pool = get_pool_or_404(pool_id)
    form, filters = _statement_filter()
    page = statement_page(pool, filters, size=current_app.config["PAGE_SIZE"], after=int_arg("after", 0),
                          before=int_arg("before"), from_date=form.go_to.data if not form.errors else None)
    rows = list(with_project_titles(page.rows))
    filter_args = {key: value for key, value in request.args.items() if key not in ("after", "before", "go_to")}
    return render_template("pools/statement.html", pool=pool, form=form, page=page, rows=rows, filter_args=filter_args,
                           figures=services.figures_for(pool), period=period_summary(pool, filters),
                           reversed_ids=reversed_entry_ids(row[0].id for row in rows))


STATEMENT_COLUMNS = [
    Column(_l("Entry"), lambda row: row[0].id),
    Column(_l("Date"), lambda row: row[0].value_date),
    Column(_l("Kind"), lambda row: str(ENTRY_KIND_LABELS[row[0].kind])),
    Column(_l("Source"), lambda row: str(SOURCE_TYPE_LABELS[row[2].source_type]) if row[2] else ""),
    Column(_l("Counterparty or project"), lambda row: row[2].contributor if row[2] else (row[3] or "")),
    Column(_l("Memo"), lambda row: row[0].memo),
    Column(_l("Reverses entry"), lambda row: row[0].reverses_id),
    Column(_l("Amount (yuan)"), lambda row: fen_to_yuan_decimal(row[0].amount_fen), total=True),
    Column(_l("Balance (yuan)"), lambda row: fen_to_yuan_decimal(row[1])),
    Column(_l("Recorded by"), lambda row: row[0].actor.display_name),
    local_time_column(_l("Recorded at"), lambda row: row[0].created_at),
    Column(_l("Sequence"), lambda row: row[0].sequence),
    Column(_l("Entry hash"), lambda row: row[0].hash),
]


@bp.route("/<int:pool_id>/statement.<fmt>")
@can_view
def export_statement(pool_id, fmt):
    pool = get_pool_or_404(pool_id)
    _, filters = _statement_filter()
    rows = with_project_titles(db.session.execute(statement_select(pool, filters).execution_options(yield_per=2000)))
    return export_response(fmt, f"statement-{pool.id}-{pool.name}", STATEMENT_COLUMNS, rows, sheet_title=pool.name)


@bp.route("/loans")
@can_view
def loans():
    pool = db.session.get(FundPool, int_arg("pool") or 0)
    page = paginate(loans_select(pool.id if pool else None))
    return render_template("pools/loans.html", page=page, pool=pool, positions=loan_positions(page.items, local_today()))


@bp.route("/loans/<int:contribution_id>/repayments", methods=["GET", "POST"])
@finance_only
def repayment(contribution_id):
    """Finance records a payment of interest and/or principal to a pool's lender."""
    loan = db.session.get(Contribution, contribution_id)
    if loan is None or not loan.is_loan:
        abort(404)
    form = RepaymentForm()
    loans_url = url_for("pools.loans", pool=loan.pool_id)
    outcome = submit_form(form, lambda: services.record_loan_repayment(
        loan.id, principal_fen=form.principal.data or 0, interest_fen=form.interest.data or 0,
        paid_on=form.paid_on.data, memo=form.memo.data or "", actor=current_user), success_url=loans_url)
    if outcome.response is not None:
        return outcome.response
    if outcome.done:
        flash(_("Repayment recorded."), "success")
        return redirect_after_post(loans_url)
    repayments = db.session.execute(select(LoanRepayment).where(LoanRepayment.contribution_id == loan.id)
                                    .order_by(LoanRepayment.paid_on, LoanRepayment.id)).scalars().all()
    [position] = loan_positions([loan], local_today())
    return render_template("pools/repayment.html", loan=loan, position=position, repayments=repayments,
                           form=form), form_status(form)


LOAN_COLUMNS = [
    Column(_l("Fund pool"), lambda p: p.contribution.entry.pool.name),
    Column(_l("Lender"), lambda p: p.contribution.lender),
    Column(_l("Rate (%)"), lambda p: rate_percent(p.contribution.annual_rate_bp)),
    Column(_l("Start"), lambda p: p.contribution.loan_start_on),
    Column(_l("Maturity"), lambda p: p.maturity_on),
    Column(_l("Principal"), lambda p: fen_to_yuan_decimal(p.principal_fen)),
    Column(_l("Principal outstanding"), lambda p: fen_to_yuan_decimal(p.principal_outstanding_fen)),
    Column(_l("Interest accrued since the start"), lambda p: fen_to_yuan_decimal(p.interest_accrued_fen)),
    Column(_l("Interest owed"), lambda p: fen_to_yuan_decimal(p.interest_owed_fen)),
    Column(_l("Collateral"), lambda p: "; ".join(asset.name for asset in p.contribution.collateral)),
]


@bp.route("/loans.<fmt>")
@can_view
def export_loans(fmt):
    loans = db.session.execute(loans_select()).scalars().all()
    return export_response(fmt, "loans-owed", LOAN_COLUMNS, loan_positions(loans, local_today()))


@bp.route("/verify")
@roles_required(Role.ADMIN, Role.FINANCE)
def verify():
    return render_template("pools/verify.html", report=verify_ledger())
