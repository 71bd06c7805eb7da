"""The one commit path: every POST goes through submit_form(), which validates the form, calls one
service, commits once, and rolls back on any error. Views never commit; GETs never write.

A form with a one-time token (OneTimeTokenField named `token`) is claimed in the same
transaction, so a double click or a retry writes once and is sent where the first one led.
"""
import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from .errors import DomainError, RefusedAndRecorded, attach_to_form
from .extensions import db
from .htmx import redirect_after_post
from .idempotency import DuplicateSubmission, OneTimeTokenField, claim_form_token

log = logging.getLogger("fundtracker.forms")


class ButtonForm(FlaskForm):
    """A POST that is only a button (remove, activate, sign out): CSRF and nothing else."""


class OneTimeButtonForm(FlaskForm):
    token = OneTimeTokenField()


def form_status(form) -> int:
    return 422 if form.errors else 200


@dataclass
class FormOutcome:
    done: bool = False
    result: object = None
    response: object = None  # set when the form had already been submitted: where the first submission led


def _url(target, result):
    return target(result) if callable(target) else target


def _claim_token(form):
    token_field = getattr(form, "token", None)
    if isinstance(token_field, OneTimeTokenField):
        return claim_form_token(token_field.data, current_user)
    return None


def submit_form(form, action: Callable, success_url=None) -> FormOutcome:
    """On a valid POST run action() (one service call) and commit once.

    A refused rule (DomainError) rolls back and shows on the form (the caller renders it again
    with form_status(), 422); a RefusedAndRecorded keeps what the service wrote (a failed sign-in
    count) and shows the same way. success_url (a URL, or a callable taking action()'s result) is
    where a repeated submission of a one-time form is sent.
    """
    if not form.validate_on_submit():
        return FormOutcome()
    try:
        claimed = _claim_token(form)
        result = action()
        if claimed is not None:
            claimed.result_url = _url(success_url, result) or request.path
    except DuplicateSubmission as duplicate:
        db.session.rollback()
        flash(_("This form was already submitted; it was recorded once."), "info")
        return FormOutcome(response=redirect_after_post(duplicate.result_url or _url(success_url, None) or request.path))
    except RefusedAndRecorded as error:
        db.session.commit()
        attach_to_form(form, error)
        return FormOutcome()
    except DomainError as error:
        db.session.rollback()
        _log_refusal(form, error)
        attach_to_form(form, error)
        return FormOutcome()
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return FormOutcome(done=True, result=result)


def _log_refusal(form, error: DomainError) -> None:
    if _has_one_time_token(form):
        log.warning("refused %s %s by user %s: %s", request.method, request.path,
                    getattr(current_user, "id", None), error)


def _has_one_time_token(form) -> bool:
    return isinstance(getattr(form, "token", None), OneTimeTokenField)


def save_form_or_render(form, template: str, action, success_url, message=None, **context):
    """submit_form, then redirect (303) with a message, or show the form again (422 on errors).
    success_url may be a callable taking action()'s result."""
    outcome = submit_form(form, action, success_url)
    if outcome.response is not None:
        return outcome.response
    if outcome.done:
        flash(message or _("Saved."), "success")
        return redirect_after_post(_url(success_url, outcome.result))
    return render_template(template, form=form, **context), form_status(form)


def press_button(action: Callable, success_url, message=None, *, failure_page: Callable | None = None):
    """A button POST (no fields) through the same path: 303 with a message, or the page it came
    from again with the refusal shown (422)."""
    form = ButtonForm()
    outcome = submit_form(form, action, success_url)
    if outcome.done:
        if message:
            flash(message, "success")
        return redirect_after_post(_url(success_url, outcome.result))
    if not form.errors:
        abort(400)
    for error in form.form_errors:
        flash(error, "danger")
    if failure_page is None:
        return redirect_after_post(_url(success_url, None))
    return failure_page(422)


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


def paginate(stmt, per_page: int | None = None, total: int | None = None):
    """A page of the statement's rows; `total`, when the caller already knows it (e.g. from grouped
    counts it shows anyway), saves the count query."""
    page = db.paginate(stmt, page=page_number(), per_page=per_page or current_app.config["PAGE_SIZE"],
                       error_out=False, max_per_page=500, count=total is None)
    if total is not None:
        page.total = total
    return page
