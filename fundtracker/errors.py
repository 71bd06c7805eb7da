"""Domain errors and the error pages (full pages, or fragments for htmx)."""
from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from .extensions import db
from .htmx import render_page_or_fragment


class DomainError(Exception):
    """A rule said no. The message is shown to the person, who can act on it."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    413: _l("File too large"),
    422: _l("Cannot do that"),
    500: _l("Something went wrong"),
}

ERROR_TEXTS = {
    400: _l("The request could not be understood. Reload the page and try again."),
    403: _l("Your roles do not allow this page."),
    404: _l("There is nothing here, or it is outside what you may see."),
    413: _l("The upload is larger than allowed."),
    422: _l("The request was refused."),
    500: _l("The error has been logged. Nothing was saved; please try again."),
}


def render_error(status: int, detail=None):
    return render_page_or_fragment(
        "errors/page.html",
        "errors/_error.html",
        status=status,
        status_code=status,
        title=ERROR_TITLES[status],
        text=detail or ERROR_TEXTS[status],
    )


def register_error_handlers(app) -> None:
    for status in (400, 403, 404, 413):
        app.register_error_handler(status, lambda e, status=status: render_error(status))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _l("The form has expired or was not sent from this site. Reload the page and try again."))

    @app.errorhandler(DomainError)
    def domain_error(error):
        db.session.rollback()
        return render_error(422, error.message)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)


def attach_to_form(form, error: DomainError) -> None:
    """Show a refused rule on the field it concerns, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
