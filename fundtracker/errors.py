"""Domain errors, the error pages (full pages, or fragments for htmx), and the log of failures."""
import logging
import secrets
import sys

from flask import g
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from .extensions import db
from .htmx import render_page_or_fragment


class DomainError(Exception):
    """A rule said no. The message is shown to the person, who can act on it."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class DomainErrors(DomainError):
    """Several rules said no at once: each problem shows on its own field, all in one answer."""

    def __init__(self, problems: list[DomainError]):
        super().__init__(problems[0].message, problems[0].field)
        self.problems = problems


def refuse_all(checks) -> None:
    """Run every check (a callable raising DomainError) and refuse with all their problems together."""
    problems = []
    for check in checks:
        try:
            check()
        except DomainErrors as errors:
            problems.extend(errors.problems)
        except DomainError as error:
            problems.append(error)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise DomainErrors(problems)


class RefusedAndRecorded(DomainError):
    """A rule said no, and what the service wrote on the way must be kept (a failed sign-in count):
    the form helper commits instead of rolling back."""


ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    413: _l("File too large"),
    422: _l("Cannot do that"),
    500: _l("Something went wrong"),
    503: _l("The system is busy"),
}

ERROR_TEXTS = {
    400: _l("The request could not be understood. Reload the page and try again."),
    403: _l("Your roles do not allow this page."),
    404: _l("There is nothing here, or it is outside what you may see."),
    413: _l("The upload is larger than allowed."),
    422: _l("The request was refused."),
    500: _l("Nothing was saved; please try again. If it happens again, give the administrator the reference below."),
    503: _l("Many people are saving at this moment and your request waited too long. Nothing was saved; "
            "please send it again in a moment."),
}

# What the databases say when a write waited longer than allowed for another one: busy, not broken.
BUSY_DATABASE_SIGNS = ("database is locked", "lock timeout", "could not obtain lock", "deadlock detected",
                       "could not serialize access")
BUSY_RETRY_SECONDS = 5


def database_was_busy(error: OperationalError) -> bool:
    return any(sign in str(error.orig).lower() for sign in BUSY_DATABASE_SIGNS)



def render_error(status: int, detail=None):
    return render_page_or_fragment(
        "errors/page.html",
        "errors/_error.html",
        status=status,
        status_code=status,
        title=ERROR_TITLES[status],
        text=detail or ERROR_TEXTS[status],
        request_id=g.get("request_id") if status >= 500 else None,
    )


def configure_logging(app) -> None:
    """One line per event on stderr (refused money actions, server errors with their request id)."""
    if any(getattr(handler, "fundtracker", False) for handler in app.logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.fundtracker = True
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    for logger in (logging.getLogger("fundtracker"), app.logger):
        logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
        if not any(getattr(h, "fundtracker", False) for h in logger.handlers):
            logger.addHandler(handler)
        logger.propagate = False

    @app.before_request
    def give_the_request_an_id():
        g.request_id = secrets.token_hex(8)

    @app.after_request
    def tell_the_request_id(response):
        if "request_id" in g:
            response.headers["X-Request-Id"] = g.request_id
        return response


def csrf_error(error: CSRFError):
    return render_error(400, _l("The form has expired or was not sent from this site. Reload the page and try again."))


def register_error_handlers(app) -> None:
    for status in (400, 403, 404, 413):
        app.register_error_handler(status, lambda e, status=status: render_error(status))

    app.register_error_handler(CSRFError, csrf_error)

    @app.errorhandler(DomainError)
    def domain_error(error):
        db.session.rollback()
        return render_error(422, error.message)

    @app.errorhandler(OperationalError)
    def busy_database(error):
        """A write that waited past the lock timeout: 503 with Retry-After, everything rolled back."""
        db.session.rollback()
        if not database_was_busy(error):
            return server_error(error)
        app.logger.warning("503 request %s: database busy: %s", g.get("request_id", "-"), error.orig)
        response = render_error(503)
        response.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return response

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        original = getattr(error, "original_exception", None) or error
        app.logger.error("500 request %s: %s", g.get("request_id", "-"), original,
                         exc_info=(type(original), original, original.__traceback__))
        return render_error(500)


def attach_to_form(form, error: DomainError) -> None:
    """Show a refused rule on the field it concerns, or at the top of the form."""
    for problem in getattr(error, "problems", ()):
        attach_to_form(form, problem)
    if isinstance(error, DomainErrors):
        return
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
