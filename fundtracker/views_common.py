"""The one POST flow every form view shares: validate, call the service, commit once."""
from flask import abort, flash, render_template, request
from flask_babel import gettext as _

from .errors import DomainError, attach_to_form
from .extensions import db
from .htmx import redirect_after_post


def form_status(form) -> int:
    return 422 if form.errors else 200


def save_form_or_render(form, template: str, action, success_url, message=None, **context):
    """On a valid POST run action() (a service call), commit and redirect (303).

    A DomainError rolls back and shows on the form with status 422; so does a field error.
    success_url may be a callable taking action()'s result.
    """
    if form.validate_on_submit():
        try:
            result = action()
        except DomainError as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash(message or _("Saved."), "success")
            return redirect_after_post(success_url(result) if callable(success_url) else success_url)
    return render_template(template, form=form, **context), form_status(form)


def page_number() -> int:
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    return page


def paginate(stmt, per_page: int | None = None):
    from flask import current_app

    return db.paginate(stmt, page=page_number(), per_page=per_page or current_app.config["PAGE_SIZE"],
                       error_out=False, max_per_page=500)
