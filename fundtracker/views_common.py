"""The one POST flow every form view shares: validate, call the service, commit once."""
from flask import abort, current_app, flash, render_template, request
from flask_sqlalchemy.pagination import SelectPagination
from flask_babel import gettext as _

from dataclasses import dataclass

from flask_login import current_user

from .errors import DomainError, attach_to_form
from .extensions import db
from .htmx import redirect_after_post
from .idempotency import DuplicateSubmission, claim_form_token


def form_status(form) -> int:
    return 422 if form.errors else 200


@dataclass
class FormOutcome:
    done: bool = False
    result: object = None


def run_form_action(form, action) -> FormOutcome:
    """On a valid POST run action() (a service call) and commit once. A refused rule (DomainError)
    rolls back and shows on the form; the caller renders it again with form_status() (422)."""
    if not form.validate_on_submit():
        return FormOutcome()
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        attach_to_form(form, error)
        return FormOutcome()
    db.session.commit()
    return FormOutcome(done=True, result=result)


def save_form_or_render(form, template: str, action, success_url, message=None, **context):
    """run_form_action, then redirect (303) with a message, or show the form again (422 on errors).
    success_url may be a callable taking action()'s result."""
    outcome = run_form_action(form, action)
    if outcome.done:
        flash(message or _("Saved."), "success")
        return redirect_after_post(success_url(outcome.result) if callable(success_url) else success_url)
    return render_template(template, form=form, **context), form_status(form)


MAX_ID = 2**31 - 1


def int_arg(name: str, low: int = 1, high: int = MAX_ID) -> int | None:
    """A whole number from the query string within [low, high], else None: a filter that cannot
    match anything is ignored rather than sent to the database (where it could overflow)."""
    value = request.args.get(name, type=int)
    return value if value is not None and low <= value <= high else None


def page_number() -> int:
    if "page" not in request.args:
        return 1
    page = int_arg("page")
    if page is None:
        abort(404)
    return page


def paginate(stmt, per_page: int | None = None):
    return db.paginate(stmt, page=page_number(), per_page=per_page or current_app.config["PAGE_SIZE"],
                       error_out=False, max_per_page=500)


class RowPagination(SelectPagination):
    """Pages of whole result rows; db.paginate keeps only each row's first column."""

    def _query_items(self) -> list:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def paginate_rows(stmt, per_page: int | None = None) -> RowPagination:
    return RowPagination(select=stmt, session=db.session(), page=page_number(),
                         per_page=per_page or current_app.config["PAGE_SIZE"], error_out=False, max_per_page=500)


@dataclass
class MoneyFormOutcome:
    done: bool = False
    result: object = None
    response: object = None  # set when the form had already been submitted: where the first submission led


def submit_money_form(form, result_url: str, action) -> MoneyFormOutcome:
    """A money form's POST: claim its one-time token, run action() (a service call), commit once.

    A second submission of the same form (double click, retry) writes nothing and is sent where the
    first one led; a refused rule rolls back and shows on the form.
    """
    if not form.validate_on_submit():
        return MoneyFormOutcome()
    try:
        claim_form_token(form.token.data, current_user).result_url = result_url
        result = action()
    except DuplicateSubmission as duplicate:
        db.session.rollback()
        flash(_("This form was already submitted; it was recorded once."), "info")
        return MoneyFormOutcome(response=redirect_after_post(duplicate.result_url or result_url))
    except DomainError as error:
        db.session.rollback()
        attach_to_form(form, error)
        return MoneyFormOutcome()
    db.session.commit()
    return MoneyFormOutcome(done=True, result=result)
